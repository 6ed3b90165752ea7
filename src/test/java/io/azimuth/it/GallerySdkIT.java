package io.azimuth.it;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.GalleryImageVersionsClient;
import com.azure.resourcemanager.compute.fluent.models.GalleryImageVersionInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.AccessLevel;
import com.azure.resourcemanager.compute.models.AggregatedReplicationState;
import com.azure.resourcemanager.compute.models.Disk;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.Gallery;
import com.azure.resourcemanager.compute.models.GalleryDiskImageSource;
import com.azure.resourcemanager.compute.models.GalleryImage;
import com.azure.resourcemanager.compute.models.GalleryImageVersion;
import com.azure.resourcemanager.compute.models.GalleryImageVersionPublishingProfile;
import com.azure.resourcemanager.compute.models.GalleryImageVersionStorageProfile;
import com.azure.resourcemanager.compute.models.GalleryOSDiskImage;
import com.azure.resourcemanager.compute.models.GrantAccessData;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.ImageReference;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.compute.models.NetworkProfile;
import com.azure.resourcemanager.compute.models.OSDisk;
import com.azure.resourcemanager.compute.models.OSProfile;
import com.azure.resourcemanager.compute.models.OperatingSystemStateTypes;
import com.azure.resourcemanager.compute.models.OperatingSystemTypes;
import com.azure.resourcemanager.compute.models.RegionalReplicationStatus;
import com.azure.resourcemanager.compute.models.ReplicationState;
import com.azure.resourcemanager.compute.models.ReplicationStatusTypes;
import com.azure.resourcemanager.compute.models.Snapshot;
import com.azure.resourcemanager.compute.models.StorageProfile;
import com.azure.resourcemanager.compute.models.TargetRegion;
import com.azure.resourcemanager.compute.models.VirtualMachineCustomImage;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.Network;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java fluent compute SDK drives the Azure Compute Gallery over HTTPS against the running jar, with replication
 * on a clock (--replication-time 1s per replica and region): gallery, definition, versions from a managed image, a
 * snapshot and a VHD, the SDK's poller waiting out the replication, the replication status per region, VMs made
 * from a version and from the definition's latest holding the VHD's bytes, the refusals, deletes in order.
 */
class GallerySdkIT {
    static final String RG = "sdk-gallery";
    static final String VHD = "https://sdkacct.blob.core.windows.net/vhds/gallery.vhd";
    static final String STORAGE_ID = "/subscriptions/" + TestServer.SUB
            + "/resourceGroups/" + RG + "/providers/Microsoft.Storage/storageAccounts/sdkacct";
    static final AtomicInteger NICS = new AtomicInteger();
    static Path dataDir;
    static JarProcess azimuth;
    static ComputeManager compute;
    static byte[] vhd;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-gallery-it");
        azimuth = JarProcess.start(dataDir, "--replication-time", "1s");
        compute = ComputeManager.configure()
                .withHttpClient(Sdk.httpClient(azimuth.certificatePem()))
                .authenticate(Sdk.anyToken(), Sdk.profile(azimuth.httpsBase(), TestServer.SUB));
        compute.resourceManager().resourceGroups().define(RG).withRegion(Region.US_WEST).create();
        vhd = Vhds.random(3 * Vhds.MIB, 1515);
        Vhds.upload(azimuth.http(), VHD, vhd);
    }

    @AfterAll
    static void stop() {
        azimuth.close();
        TestServer.deleteTree(dataDir);
    }

    static VirtualMachineInner vm(String imageId, boolean osProfile) {
        String nic = Network.nic(azimuth.http(), RG, "nic" + NICS.incrementAndGet(), "westus");
        VirtualMachineInner vm = new VirtualMachineInner().withLocation("westus")
                .withHardwareProfile(new HardwareProfile().withVmSize(VirtualMachineSizeTypes.STANDARD_D2S_V3))
                .withStorageProfile(new StorageProfile().withImageReference(new ImageReference().withId(imageId))
                        .withOsDisk(new OSDisk().withCreateOption(DiskCreateOptionTypes.FROM_IMAGE)))
                .withNetworkProfile(new NetworkProfile().withNetworkInterfaces(List.of(
                        new NetworkInterfaceReference().withId(nic).withPrimary(true))));
        return osProfile ? vm.withOsProfile(new OSProfile().withComputerName("galleryvm").withAdminUsername("azureuser")
                .withAdminPassword("Gallery-Sdk-Pass1")) : vm;
    }

    /** The bytes of a VM's OS disk, read through the SDK's grant once the VM is deallocated. */
    static byte[] osDiskBytes(String vmName, VirtualMachineInner vm) {
        compute.serviceClient().getVirtualMachines().deallocate(RG, vmName);
        String disk = vm.storageProfile().osDisk().name();
        String sas = compute.serviceClient().getDisks().grantAccess(RG, disk, new GrantAccessData()
                .withAccess(AccessLevel.READ).withDurationInSeconds(600)).accessSas();
        byte[] bytes = Vhds.download(Http.trusting(azimuth.httpsBase(), azimuth.certificatePem()), sas);
        compute.serviceClient().getDisks().revokeAccess(RG, disk);
        return bytes;
    }

    @Test
    void theWholeGalleryFlow() {
        Disk disk = compute.disks().define("gallery-os").withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromVhd(VHD).withStorageAccountId(STORAGE_ID).create();
        Snapshot snapshot = compute.snapshots().define("gallery-snap").withRegion(Region.US_WEST)
                .withExistingResourceGroup(RG).withLinuxFromDisk(disk).create();
        VirtualMachineCustomImage image = compute.virtualMachineCustomImages().define("gallery-image")
                .withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromDisk(disk, OperatingSystemStateTypes.GENERALIZED).create();

        Gallery gallery = compute.galleries().define("sdkgallery").withRegion(Region.US_WEST)
                .withExistingResourceGroup(RG).withDescription("images of the SDK test").create();
        assertThat(gallery.uniqueName()).isEqualTo(TestServer.SUB + "-SDKGALLERY");
        GalleryImage definition = compute.galleryImages().define("linux").withExistingGallery(gallery)
                .withLocation(Region.US_WEST).withIdentifier("azimuth", "sdk", "linux").withGeneralizedLinux()
                .create();
        assertThat(definition.osType()).isEqualTo(OperatingSystemTypes.LINUX);
        assertThat(definition.osState()).isEqualTo(OperatingSystemStateTypes.GENERALIZED);

        // from the managed image: the fluent create's poller waits out one replica's replication
        long began = System.nanoTime();
        GalleryImageVersion fromImage = compute.galleryImageVersions().define("1.0.0")
                .withExistingImage(RG, "sdkgallery", "linux").withLocation(Region.US_WEST)
                .withSourceCustomImage(image).withRegionAvailability(Region.US_WEST, 1).create();
        assertThat((System.nanoTime() - began) / 1_000_000).isGreaterThanOrEqualTo(1000);
        assertThat(fromImage.provisioningState()).isEqualTo("Succeeded");
        assertThat(fromImage.storageProfile().source().id()).isEqualToIgnoringCase(image.id());

        // from the snapshot, to two regions: InProgress while East US's two replicas replicate, then Succeeded
        GalleryImageVersionsClient versions = compute.serviceClient().getGalleryImageVersions();
        SyncPoller<PollResult<GalleryImageVersionInner>, GalleryImageVersionInner> poller = versions
                .beginCreateOrUpdate(RG, "sdkgallery", "linux", "1.1.0", new GalleryImageVersionInner()
                        .withLocation("westus")
                        .withPublishingProfile(new GalleryImageVersionPublishingProfile().withTargetRegions(List.of(
                                new TargetRegion().withName("westus").withRegionalReplicaCount(1),
                                new TargetRegion().withName("eastus").withRegionalReplicaCount(2))))
                        .withStorageProfile(new GalleryImageVersionStorageProfile().withOsDiskImage(
                                new GalleryOSDiskImage().withSource(new GalleryDiskImageSource()
                                        .withId(snapshot.id())))));
        PollResponse<PollResult<GalleryImageVersionInner>> first = poller.poll();
        assertThat(first.getStatus()).isEqualTo(LongRunningOperationStatus.IN_PROGRESS);
        GalleryImageVersionInner replicating = versions.getWithResponse(RG, "sdkgallery", "linux", "1.1.0",
                ReplicationStatusTypes.REPLICATION_STATUS, Context.NONE).getValue();
        assertThat(replicating.provisioningState().toString()).isEqualTo("Creating");
        assertThat(replicating.replicationStatus().aggregatedState()).isEqualTo(AggregatedReplicationState.IN_PROGRESS);
        RegionalReplicationStatus east = replicating.replicationStatus().summary().stream()
                .filter(s -> s.region().equals("East US")).findFirst().orElseThrow();
        assertThat(east.state()).isEqualTo(ReplicationState.REPLICATING);
        assertThat(east.progress()).isLessThan(100);
        assertThat(poller.waitForCompletion().getStatus()).isEqualTo(LongRunningOperationStatus.SUCCESSFULLY_COMPLETED);
        GalleryImageVersionInner replicated = versions.getWithResponse(RG, "sdkgallery", "linux", "1.1.0",
                ReplicationStatusTypes.REPLICATION_STATUS, Context.NONE).getValue();
        assertThat(replicated.provisioningState().toString()).isEqualTo("Succeeded");
        assertThat(replicated.replicationStatus().aggregatedState()).isEqualTo(AggregatedReplicationState.COMPLETED);
        assertThat(replicated.replicationStatus().summary()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(ReplicationState.COMPLETED);
            assertThat(s.progress()).isEqualTo(100);
        });

        // from the VHD
        GalleryImageVersionInner fromVhd = versions.createOrUpdate(RG, "sdkgallery", "linux", "1.2.0",
                new GalleryImageVersionInner().withLocation("westus")
                        .withPublishingProfile(new GalleryImageVersionPublishingProfile().withExcludeFromLatest(true))
                        .withStorageProfile(new GalleryImageVersionStorageProfile().withOsDiskImage(
                                new GalleryOSDiskImage().withSource(new GalleryDiskImageSource().withUri(VHD)
                                        .withStorageAccountId(STORAGE_ID)))));
        assertThat(fromVhd.storageProfile().osDiskImage().sizeInGB()).isEqualTo(1);
        assertThat(compute.galleryImageVersions().listByGalleryImage(RG, "sdkgallery", "linux").stream()
                .map(GalleryImageVersion::name).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("1.0.0", "1.1.0", "1.2.0");

        // VMs: from a version and from the definition (its latest not excluded: 1.1.0), both with the VHD's bytes
        var vms = compute.serviceClient().getVirtualMachines();
        VirtualMachineInner fromVersion = vms.createOrUpdate(RG, "from-vhd-version",
                vm(versionsId("1.2.0"), true));
        assertThat(fromVersion.storageProfile().imageReference().exactVersion()).isEqualTo("1.2.0");
        VirtualMachineInner fromLatest = vms.createOrUpdate(RG, "from-latest", vm(definition.id(), true));
        assertThat(fromLatest.storageProfile().imageReference().exactVersion()).isEqualTo("1.1.0");
        Vhds.assertSameDisk(osDiskBytes("from-vhd-version", fromVersion), vhd);
        Vhds.assertSameDisk(osDiskBytes("from-latest", fromLatest), vhd);

        // the refusals
        GalleryImage windows = compute.galleryImages().define("windows").withExistingGallery(gallery)
                .withLocation(Region.US_WEST).withIdentifier("azimuth", "sdk", "windows").withGeneralizedWindows()
                .create();
        assertThatThrownBy(() -> compute.galleryImageVersions().define("1.0.0")
                .withExistingImage(RG, "sdkgallery", "windows").withLocation(Region.US_WEST)
                .withSourceCustomImage(image).create())
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(400);
                    assertThat(e.getValue().getCode()).isEqualTo("InvalidParameter");
                });
        assertThatThrownBy(() -> compute.galleryImages().deleteByGallery(RG, "sdkgallery", "linux"))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(409);
                    assertThat(e.getValue().getCode()).isEqualTo("CannotDeleteResource");
                });
        assertThatThrownBy(() -> compute.galleries().deleteByResourceGroup(RG, "sdkgallery"))
                .isInstanceOfSatisfying(ManagementException.class, e -> assertThat(e.getValue().getCode())
                        .isEqualTo("CannotDeleteResource"));

        // deletes in the allowed order; the image and snapshot going first break nothing
        compute.virtualMachineCustomImages().deleteById(image.id());
        compute.snapshots().deleteById(snapshot.id());
        for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
            compute.galleryImageVersions().deleteByGalleryImage(RG, "sdkgallery", "linux", v);
        }
        compute.galleryImages().deleteByGallery(RG, "sdkgallery", "linux");
        compute.galleryImages().deleteByGallery(RG, "sdkgallery", windows.name());
        compute.galleries().deleteByResourceGroup(RG, "sdkgallery");
        assertThat(compute.galleries().listByResourceGroup(RG).stream().count()).isZero();
    }

    static String versionsId(String version) {
        return "/subscriptions/" + TestServer.SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/galleries/"
                + "sdkgallery/images/linux/versions/" + version;
    }
}

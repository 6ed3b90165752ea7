package io.azimuth.it;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.models.AccessUriInner;
import com.azure.resourcemanager.compute.models.AccessLevel;
import com.azure.resourcemanager.compute.models.Disk;
import com.azure.resourcemanager.compute.models.DiskState;
import com.azure.resourcemanager.compute.models.GrantAccessData;
import com.azure.resourcemanager.compute.models.ImageUpdate;
import com.azure.resourcemanager.compute.models.OperatingSystemStateTypes;
import com.azure.resourcemanager.compute.models.OperatingSystemTypes;
import com.azure.resourcemanager.compute.models.Snapshot;
import com.azure.resourcemanager.compute.models.VirtualMachineCustomImage;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java fluent compute SDK (azure-resourcemanager-compute) over HTTPS against the running jar: custom images
 * from a VHD, a managed disk and a snapshot, with data disks; disks and snapshots; access to their bytes granted
 * and revoked; every create, delete, grant and revoke a long-running operation (--operation-delay 1s) that the SDK's
 * poller follows.
 */
class ComputeSdkIT {
    static final String RG = "sdk-compute";
    static final String OS_VHD = "https://sdkacct.blob.core.windows.net/vhds/os30.vhd";
    static final String DATA_VHD = "https://sdkacct.blob.core.windows.net/vhds/data10.vhd";
    static final String STORAGE_ID = "/subscriptions/" + TestServer.SUB
            + "/resourceGroups/" + RG + "/providers/Microsoft.Storage/storageAccounts/sdkacct";
    static Path dataDir;
    static JarProcess azimuth;
    static ComputeManager compute;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-compute-it");
        TestServer.putVhd(dataDir, "sdkacct", "vhds", "os30.vhd", 30L << 30);
        TestServer.putVhd(dataDir, "sdkacct", "vhds", "data10.vhd", 10L << 30);
        azimuth = JarProcess.start(dataDir, "--operation-delay", "1s", "--page-size", "2");
        compute = ComputeManager.configure()
                .withHttpClient(Sdk.httpClient(azimuth.certificatePem()))
                .authenticate(Sdk.anyToken(), Sdk.profile(azimuth.httpsBase(), TestServer.SUB));
        compute.resourceManager().resourceGroups().define(RG).withRegion(Region.US_WEST).create();
    }

    @AfterAll
    static void stop() {
        azimuth.close();
        TestServer.deleteTree(dataDir);
    }

    @Test
    void imagesFromAVhdADiskAndASnapshotWithDataDisks() {
        Disk osDisk = compute.disks().define("os-disk").withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromVhd(OS_VHD).withStorageAccountId(STORAGE_ID).create();
        assertThat(osDisk.sizeInGB()).isEqualTo(30);
        assertThat(osDisk.osType()).isEqualTo(OperatingSystemTypes.LINUX);
        Disk dataDisk = compute.disks().define("data-disk").withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withData().withSizeInGB(16).create();
        Snapshot snapshot = compute.snapshots().define("os-snap").withRegion(Region.US_WEST)
                .withExistingResourceGroup(RG).withLinuxFromDisk(osDisk).create();
        assertThat(snapshot.sizeInGB()).isEqualTo(30);

        VirtualMachineCustomImage fromVhd = compute.virtualMachineCustomImages().define("from-vhd")
                .withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromVhd(OS_VHD, OperatingSystemStateTypes.GENERALIZED)
                .withDataDiskImageFromVhd(DATA_VHD)
                .create();
        assertThat(fromVhd.osDiskImage().osType()).isEqualTo(OperatingSystemTypes.LINUX);
        assertThat(fromVhd.osDiskImage().osState()).isEqualTo(OperatingSystemStateTypes.GENERALIZED);
        assertThat(fromVhd.osDiskImage().blobUri()).isEqualTo(OS_VHD);
        assertThat(fromVhd.dataDiskImages()).hasSize(1);
        assertThat(fromVhd.isCreatedFromVirtualMachine()).isFalse();
        assertThat(fromVhd.innerModel().provisioningState()).isEqualTo("Succeeded");

        VirtualMachineCustomImage fromDisk = compute.virtualMachineCustomImages().define("from-disk")
                .withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromDisk(osDisk, OperatingSystemStateTypes.GENERALIZED)
                .withDataDiskImageFromManagedDisk(dataDisk.id())
                .create();
        assertThat(fromDisk.osDiskImage().managedDisk().id()).isEqualToIgnoringCase(osDisk.id());
        assertThat(fromDisk.dataDiskImages().values().iterator().next().diskSizeGB()).isEqualTo(16);

        VirtualMachineCustomImage fromSnapshot = compute.virtualMachineCustomImages().define("from-snapshot")
                .withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withWindowsFromSnapshot(snapshot, OperatingSystemStateTypes.SPECIALIZED)
                .create();
        assertThat(fromSnapshot.osDiskImage().osType()).isEqualTo(OperatingSystemTypes.WINDOWS);
        assertThat(fromSnapshot.osDiskImage().snapshot().id()).isEqualToIgnoringCase(snapshot.id());

        List<String> names = compute.virtualMachineCustomImages().listByResourceGroup(RG).stream()
                .map(VirtualMachineCustomImage::name).collect(Collectors.toList());
        assertThat(names).as("three images over pages of two").containsExactlyInAnyOrder("from-vhd", "from-disk",
                "from-snapshot");
        assertThat(compute.virtualMachineCustomImages().list().stream().count()).isEqualTo(3);

        compute.serviceClient().getImages().update(RG, "from-vhd", new ImageUpdate().withTags(Map.of("stage", "tested")));
        assertThat(compute.virtualMachineCustomImages().getByResourceGroup(RG, "from-vhd").tags())
                .containsEntry("stage", "tested");

        compute.virtualMachineCustomImages().deleteByResourceGroup(RG, "from-disk");
        assertThat(compute.virtualMachineCustomImages().listByResourceGroup(RG).stream().count()).isEqualTo(2);
        assertThatThrownBy(() -> compute.virtualMachineCustomImages().getByResourceGroup(RG, "from-disk"))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(404));
    }

    @Test
    void disksAndSnapshotsLiveThroughTheSdk() {
        Disk disk = compute.disks().define("grow-me").withRegion(Region.EUROPE_NORTH).withExistingResourceGroup(RG)
                .withData().withSizeInGB(8).withTag("a", "b").create();
        assertThat(disk.sizeInGB()).isEqualTo(8);
        assertThat(disk.regionName()).isEqualTo("northeurope");
        Disk grown = disk.update().withSizeInGB(20).apply();
        assertThat(grown.sizeInGB()).isEqualTo(20);
        assertThat(compute.disks().getById(disk.id()).sizeInGB()).isEqualTo(20);

        Snapshot snap = compute.snapshots().define("data-snap").withRegion(Region.EUROPE_NORTH)
                .withExistingResourceGroup(RG).withDataFromDisk(disk).create();
        assertThat(snap.sizeInGB()).isEqualTo(20);
        assertThat(compute.snapshots().listByResourceGroup(RG).stream().map(Snapshot::name)).contains("data-snap");

        compute.snapshots().deleteById(snap.id());
        compute.disks().deleteById(disk.id());
        assertThat(compute.disks().listByResourceGroup(RG).stream().map(Disk::name)).doesNotContain("grow-me");
    }

    @Test
    void diskAndSnapshotAccessIsGrantedAndRevokedThroughTheSdk() {
        String uri = "https://sdkacct.blob.core.windows.net/vhds/random.vhd";
        byte[] vhd = Vhds.random(2 * Vhds.MIB, 404);
        Vhds.upload(azimuth.http(), uri, vhd);
        Disk disk = compute.disks().define("exported").withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromVhd(uri).withStorageAccountId(STORAGE_ID).create();
        Http https = Http.trusting(azimuth.httpsBase(), azimuth.certificatePem());

        String sas = compute.disks().getById(disk.id()).grantAccess(600);
        assertThat(sas).startsWith(azimuth.httpsBase() + "/_azimuth/exports/");
        assertThat(compute.disks().getById(disk.id()).innerModel().diskState()).isEqualTo(DiskState.ACTIVE_SAS);
        Vhds.assertSameDisk(Vhds.download(https, sas), vhd);

        AccessUriInner again = compute.serviceClient().getDisks().grantAccess(RG, "exported",
                new GrantAccessData().withAccess(AccessLevel.READ).withDurationInSeconds(600));
        Vhds.assertSameDisk(Vhds.download(https, again.accessSas()), vhd);
        assertThat(https.getBytes(sas, Map.of()).status()).as("the first grant was replaced").isEqualTo(403);

        compute.disks().getById(disk.id()).revokeAccess();
        assertThat(compute.disks().getById(disk.id()).innerModel().diskState()).isEqualTo(DiskState.UNATTACHED);
        assertThat(https.getBytes(again.accessSas(), Map.of()).status()).isEqualTo(403);

        Snapshot snapshot = compute.snapshots().define("exported-snap").withRegion(Region.US_WEST)
                .withExistingResourceGroup(RG).withLinuxFromDisk(disk).create();
        String snapSas = snapshot.grantAccess(600);
        Vhds.assertSameDisk(Vhds.download(https, snapSas), vhd);
        snapshot.revokeAccess();
        assertThat(https.getBytes(snapSas, Map.of()).status()).isEqualTo(403);
        compute.snapshots().deleteById(snapshot.id());
        compute.disks().deleteById(disk.id());
    }

    @Test
    void refusalsSurfaceWithTheirCodes() {
        assertThatThrownBy(() -> compute.virtualMachineCustomImages().define("no-blob")
                .withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .withLinuxFromVhd("https://sdkacct.blob.core.windows.net/vhds/missing.vhd",
                        OperatingSystemStateTypes.GENERALIZED).create())
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(404);
                    assertThat(e.getValue().getCode()).isEqualTo("NotFound");
                    assertThat(e.getValue().getTarget()).isEqualTo("properties.storageProfile.osDisk.blobUri");
                });
    }
}

package io.azimuth.it;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineCaptureResultInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.CachingTypes;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskDeleteOptionTypes;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.ImageReference;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.compute.models.NetworkProfile;
import com.azure.resourcemanager.compute.models.OSDisk;
import com.azure.resourcemanager.compute.models.OSProfile;
import com.azure.resourcemanager.compute.models.StorageProfile;
import com.azure.resourcemanager.compute.models.VirtualHardDisk;
import com.azure.resourcemanager.compute.models.VirtualMachineCaptureParameters;
import com.azure.resourcemanager.compute.models.VirtualMachineCustomImage;
import com.azure.resourcemanager.compute.models.VirtualMachineReimageParameters;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import io.azimuth.support.JarProcess;
import io.azimuth.support.Network;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The image workflow through the Java compute SDK against the running jar, every step a long-running operation
 * (--operation-delay 1s) but generalize, which the SDK accepts only as 200: create a VM, deallocate, generalize,
 * image it, make a second VM from the image, capture an unmanaged VM and read the template, reimage with and
 * without exactVersion, and see what becomes of the old OS disk under each deleteOption.
 */
class VmWorkflowSdkIT {
    static final String RG = "sdk-vms";
    static final String PASSWORD = "Workflow-Test-9!";
    /** The NICs made so far: each VM body gets one of its own (a NIC is attached to one VM at most). */
    static final java.util.concurrent.atomic.AtomicInteger NICS = new java.util.concurrent.atomic.AtomicInteger();
    static Path dataDir;
    static JarProcess azimuth;
    static ComputeManager compute;
    static VirtualMachinesClient vms;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-vm-it");
        azimuth = JarProcess.start(dataDir, "--operation-delay", "1s");
        compute = ComputeManager.configure()
                .withHttpClient(Sdk.httpClient(azimuth.certificatePem()))
                .authenticate(Sdk.anyToken(), Sdk.profile(azimuth.httpsBase(), TestServer.SUB));
        compute.resourceManager().resourceGroups().define(RG).withRegion(Region.US_WEST).create();
        vms = compute.serviceClient().getVirtualMachines();
    }

    @AfterAll
    static void stop() {
        azimuth.close();
        TestServer.deleteTree(dataDir);
    }

    static VirtualMachineInner vm(ImageReference image, OSDisk osDisk, String computerName) {
        String nic = Network.nic(azimuth.http(), RG, "nic" + NICS.incrementAndGet(), "westus");
        return new VirtualMachineInner().withLocation("westus")
                .withHardwareProfile(new HardwareProfile().withVmSize(VirtualMachineSizeTypes.STANDARD_D2S_V3))
                .withStorageProfile(new StorageProfile().withImageReference(image).withOsDisk(osDisk))
                .withOsProfile(new OSProfile().withComputerName(computerName).withAdminUsername("azureuser")
                        .withAdminPassword(PASSWORD))
                .withNetworkProfile(new NetworkProfile().withNetworkInterfaces(List.of(
                        new NetworkInterfaceReference().withId(nic).withPrimary(true))));
    }

    static ImageReference ubuntu(String version) {
        return new ImageReference().withPublisher("Canonical").withOffer("0001-com-ubuntu-server-jammy")
                .withSku("22_04-lts-gen2").withVersion(version);
    }

    static OSDisk managedOs(DiskDeleteOptionTypes deleteOption) {
        return new OSDisk().withCreateOption(DiskCreateOptionTypes.FROM_IMAGE).withDeleteOption(deleteOption);
    }

    @Test
    void createGeneralizeImageAndCreateAgain() {
        VirtualMachineInner created = vms.createOrUpdate(RG, "golden", vm(ubuntu("latest"),
                managedOs(DiskDeleteOptionTypes.DETACH), "golden"));
        assertThat(created.provisioningState()).isEqualTo("Succeeded");
        assertThat(created.storageProfile().imageReference().exactVersion()).isEqualTo("22.04.202407010");
        assertThat(created.osProfile().adminPassword()).as("never returned").isNull();
        String osDiskId = created.storageProfile().osDisk().managedDisk().id();
        assertThat(compute.disks().getById(osDiskId).isAttachedToVirtualMachine()).isTrue();

        assertThatThrownBy(() -> vms.generalize(RG, "golden")).as("refused while running")
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(409));
        compute.virtualMachines().deallocate(RG, "golden");
        compute.virtualMachines().generalize(RG, "golden");
        assertThat(vms.instanceView(RG, "golden").statuses()).extracting(s -> s.code())
                .contains("OSState/generalized", "PowerState/deallocated");

        VirtualMachineCustomImage image = compute.virtualMachineCustomImages().define("golden-image")
                .withRegion(Region.US_WEST).withExistingResourceGroup(RG)
                .fromVirtualMachine(created.id()).create();
        assertThat(image.isCreatedFromVirtualMachine()).isTrue();
        assertThat(image.sourceVirtualMachineId()).isEqualToIgnoringCase(created.id());
        assertThat(image.osDiskImage().osState().toString()).isEqualTo("Generalized");

        VirtualMachineInner second = vms.createOrUpdate(RG, "from-golden", vm(new ImageReference().withId(image.id()),
                managedOs(DiskDeleteOptionTypes.DELETE), "second"));
        assertThat(second.storageProfile().imageReference().id()).isEqualToIgnoringCase(image.id());
        assertThat(second.storageProfile().osDisk().osType().toString()).isEqualTo("Linux");
        assertThat(vms.getByResourceGroup(RG, "from-golden").provisioningState()).isEqualTo("Succeeded");
    }

    @Test
    void captureAnUnmanagedVmAndReadTheTemplate() {
        String vhd = "https://sdkvms.blob.core.windows.net/vhds/unmanaged-os.vhd";
        vms.createOrUpdate(RG, "unmanaged", vm(ubuntu("22.04.202406140"), new OSDisk()
                .withCreateOption(DiskCreateOptionTypes.FROM_IMAGE).withName("unmanaged-os")
                .withCaching(CachingTypes.READ_WRITE).withVhd(new VirtualHardDisk().withUri(vhd)), "unmanaged"));
        compute.virtualMachines().deallocate(RG, "unmanaged");
        compute.virtualMachines().generalize(RG, "unmanaged");
        VirtualMachineCaptureResultInner result = vms.capture(RG, "unmanaged", new VirtualMachineCaptureParameters()
                .withVhdPrefix("golden").withDestinationContainerName("captured").withOverwriteVhds(true));
        assertThat(result.schema()).contains("VM_IP.json");
        assertThat(result.contentVersion()).isEqualTo("1.0.0.0");
        assertThat(result.resources()).hasSize(1);
        assertThat(result.resources().get(0).toString()).contains(
                "https://sdkvms.blob.core.windows.net/system/Microsoft.Compute/Images/captured/golden-osDisk.");
        String template = compute.virtualMachines().capture(RG, "unmanaged", "captured", "golden", true);
        assertThat(template).as("the fluent SDK renders the template itself").contains("VM_IP.json").contains("golden-osDisk");
    }

    @Test
    void reimageKeepsOrDeletesTheOldDiskByItsDeleteOption() {
        VirtualMachineInner keep = vms.createOrUpdate(RG, "keep-old", vm(ubuntu("22.04.202403280"),
                managedOs(DiskDeleteOptionTypes.DETACH), "keep"));
        String oldKept = keep.storageProfile().osDisk().managedDisk().id();
        vms.reimage(RG, "keep-old");
        VirtualMachineInner afterKeep = vms.getByResourceGroup(RG, "keep-old");
        assertThat(afterKeep.storageProfile().osDisk().managedDisk().id()).isNotEqualToIgnoringCase(oldKept);
        assertThat(afterKeep.storageProfile().imageReference().exactVersion()).as("the same version")
                .isEqualTo("22.04.202403280");
        assertThat(compute.disks().getById(oldKept).isAttachedToVirtualMachine()).as("kept, unattached").isFalse();

        VirtualMachineInner drop = vms.createOrUpdate(RG, "drop-old", vm(ubuntu("22.04.202403280"),
                managedOs(DiskDeleteOptionTypes.DELETE), "drop"));
        String oldDropped = drop.storageProfile().osDisk().managedDisk().id();
        vms.reimage(RG, "drop-old", new VirtualMachineReimageParameters().withExactVersion("22.04.202406140")
                .withOsProfile(new com.azure.resourcemanager.compute.models.OSProfileProvisioningData()
                        .withAdminPassword("Reimaged-Pass-7!")), Context.NONE);
        VirtualMachineInner afterDrop = vms.getByResourceGroup(RG, "drop-old");
        assertThat(afterDrop.storageProfile().imageReference().exactVersion()).isEqualTo("22.04.202406140");
        assertThatThrownBy(() -> compute.disks().getById(oldDropped)).as("deleted")
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(404));

        assertThatThrownBy(() -> vms.reimage(RG, "drop-old", new VirtualMachineReimageParameters()
                .withExactVersion("9.9.9"), Context.NONE))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(404));
        assertThatThrownBy(() -> vms.reimage(RG, "drop-old", new VirtualMachineReimageParameters()
                .withTempDisk(true), Context.NONE))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(400);
                    assertThat(e.getValue().getTarget()).isEqualTo("tempDisk");
                });
    }
}

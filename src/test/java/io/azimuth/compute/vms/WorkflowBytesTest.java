package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.vms.VmFixture.act;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.attachedOs;
import static io.azimuth.compute.vms.VmFixture.capture;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.diskBytes;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.fromUserImage;
import static io.azimuth.compute.vms.VmFixture.imageOfVm;
import static io.azimuth.compute.vms.VmFixture.importDisk;
import static io.azimuth.compute.vms.VmFixture.ok;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static io.azimuth.compute.vms.VmFixture.vmUrl;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One VHD's bytes through a whole workflow, compared at every step: uploaded, imported as a disk, booted as a VM's
 * attached OS disk, generalized, imaged from the VM, given to a new VM, reimaged, exported through a SAS, uploaded
 * again as a user image, booted as an unmanaged VM and captured.
 */
class WorkflowBytesTest {
    static final String UPLOAD = "https://acct1.blob.core.windows.net/uploads/golden.vhd";
    static final String EXPORTED = "https://acct1.blob.core.windows.net/uploads/exported.vhd";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeAll
    static void start() {
        assertThat(server.http().put(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}")
                .status()).isIn(200, 201);
    }

    @Test
    void oneVhdsBytesFollowEveryStep() {
        byte[] golden = Vhds.random(4 * MIB, 2026);

        // upload, and import as a managed disk
        Vhds.upload(server.http(), UPLOAD, golden);
        importDisk(server.http(), "golden", UPLOAD);
        Vhds.assertSameDisk(diskBytes(server.http(), "golden"), golden);

        // a VM of the disk, attached as its OS disk
        create(server.http(), "vm-a", attachedOs("vm-a", "golden"));
        act(server.http(), "vm-a", "deallocate");
        Vhds.assertSameDisk(diskBytes(server.http(), "golden"), golden);

        // generalized, and imaged; the image keeps its own copy once the VM and its disk are gone
        act(server.http(), "vm-a", "generalize");
        imageOfVm(server.http(), "img", "vm-a");
        ok(server.http().delete(vmUrl("vm-a")), 200);
        ok(server.http().delete(diskUrl("golden")), 200);

        // a new VM of the image
        JsonNode vmB = create(server.http(), "vm-b", VmFixture.fromCustomImage("vm-b", "img"));
        String firstOs = osDisk(vmB).path("name").asText();
        act(server.http(), "vm-b", "deallocate");
        Vhds.assertSameDisk(diskBytes(server.http(), firstOs), golden);

        // reimaged: a fresh OS disk with the image's bytes; the old one (Detach) keeps its own
        ok(server.http().post(action("vm-b", "reimage"), "{}"), 200);
        String freshOs = osDisk(VmFixture.get(server.http(), "vm-b")).path("name").asText();
        assertThat(freshOs).isNotEqualTo(firstOs);
        act(server.http(), "vm-b", "deallocate");
        byte[] reimaged = diskBytes(server.http(), freshOs);
        Vhds.assertSameDisk(reimaged, golden);
        Vhds.assertSameDisk(diskBytes(server.http(), firstOs), golden);

        // exported through the SAS and uploaded again, as a user image VHD of an unmanaged VM
        Vhds.upload(server.http(), EXPORTED, reimaged);
        String vhd = VmFixture.newVhd("vm-c-os");
        create(server.http(), "vm-c", fromUserImage("vm-c", EXPORTED, vhd));
        Vhds.assertSameDisk(Vhds.blob(server.http(), vhd), golden);

        // captured: the template's image VHD holds the OS disk's bytes
        act(server.http(), "vm-c", "powerOff");
        act(server.http(), "vm-c", "generalize");
        String image = VmFixture.imageUri(capture(server.http(), "vm-c", "golden", "captures").path("osDisk"));
        assertThat(image).startsWith("https://acct1.blob.core.windows.net/system/Microsoft.Compute/Images/captures/"
                + "golden-osDisk.");
        Vhds.assertSameDisk(Vhds.blob(server.http(), image), golden);
    }
}

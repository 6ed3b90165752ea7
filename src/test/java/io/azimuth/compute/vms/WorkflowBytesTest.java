package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.azimuth.compute.vms.VmFixture.SP;
import static io.azimuth.compute.vms.VmFixture.act;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.id;
import static io.azimuth.compute.vms.VmFixture.imageUrl;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.obj;
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
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(c -> c.withInMemory(false));
        http = server.http;
        assertThat(http.put(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}")
                .status()).isIn(200, 201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void ok(Http.Response r, int... statuses) {
        assertThat(r.status()).as(r.toString()).isIn((Object[]) java.util.Arrays.stream(statuses).boxed()
                .toArray(Integer[]::new));
    }

    /** A managed disk's bytes through beginGetAccess, revoked afterwards. */
    static byte[] exported(String disk) {
        String base = diskUrl(disk);
        Http.Response r = http.post(base.replace("?", "/beginGetAccess?"), "{\"access\":\"Read\","
                + "\"durationInSeconds\":600}");
        ok(r, 200);
        byte[] bytes = Vhds.download(http, r.json().path("accessSAS").asText());
        ok(http.post(base.replace("?", "/endGetAccess?"), null), 200);
        return bytes;
    }

    @Test
    void oneVhdsBytesFollowEveryStep() {
        byte[] golden = Vhds.random(4 * MIB, 2026);

        // upload, and import as a managed disk
        Vhds.upload(http, UPLOAD, golden);
        ok(http.put(diskUrl("golden"), "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\",\"creationData\":"
                + "{\"createOption\":\"Import\",\"sourceUri\":\"" + UPLOAD + "\"}}}"), 200);
        Vhds.assertSameDisk(exported("golden"), golden);

        // a VM of the disk, attached as its OS disk
        ObjectNode attached = linux("vm-a");
        obj(attached, "properties").remove("osProfile");
        obj(attached, SP).remove("imageReference");
        ObjectNode os = obj(attached, SP + ".osDisk");
        os.put("createOption", "Attach");
        os.putObject("managedDisk").put("id", id("disks", "golden"));
        create(http, "vm-a", attached);
        act(http, "vm-a", "deallocate");
        Vhds.assertSameDisk(exported("golden"), golden);

        // generalized, and imaged; the image keeps its own copy once the VM and its disk are gone
        act(http, "vm-a", "generalize");
        ok(http.put(imageUrl("img"), "{\"location\":\"westus\",\"properties\":{\"sourceVirtualMachine\":{\"id\":\""
                + id("virtualMachines", "vm-a") + "\"}}}"), 201);
        ok(http.delete(vmUrl("vm-a")), 200);
        ok(http.delete(diskUrl("golden")), 200);

        // a new VM of the image
        JsonNode vmB = create(http, "vm-b", VmFixture.fromCustomImage("vm-b", "img"));
        String firstOs = osDisk(vmB).path("name").asText();
        act(http, "vm-b", "deallocate");
        Vhds.assertSameDisk(exported(firstOs), golden);

        // reimaged: a fresh OS disk with the image's bytes; the old one (Detach) keeps its own
        ok(http.post(action("vm-b", "reimage"), "{}"), 200);
        String freshOs = osDisk(VmFixture.get(http, "vm-b")).path("name").asText();
        assertThat(freshOs).isNotEqualTo(firstOs);
        act(http, "vm-b", "deallocate");
        byte[] reimaged = exported(freshOs);
        Vhds.assertSameDisk(reimaged, golden);
        Vhds.assertSameDisk(exported(firstOs), golden);

        // exported through the SAS and uploaded again, as a user image VHD of an unmanaged VM
        Vhds.upload(http, EXPORTED, reimaged);
        String vhd = VmFixture.newVhd("vm-c-os");
        ObjectNode unmanaged = linux("vm-c");
        obj(unmanaged, SP).remove("imageReference");
        ObjectNode osC = obj(unmanaged, SP + ".osDisk");
        osC.remove("managedDisk");
        osC.put("osType", "Linux");
        osC.putObject("image").put("uri", EXPORTED);
        osC.putObject("vhd").put("uri", vhd);
        create(http, "vm-c", unmanaged);
        Vhds.assertSameDisk(Vhds.blob(http, vhd), golden);

        // captured: the template's image VHD holds the OS disk's bytes
        act(http, "vm-c", "powerOff");
        act(http, "vm-c", "generalize");
        Http.Response captured = http.post(action("vm-c", "capture"), "{\"vhdPrefix\":\"golden\","
                + "\"destinationContainerName\":\"captures\",\"overwriteVhds\":false}");
        ok(captured, 200);
        String image = captured.json().path("resources").get(0).path("properties").path("storageProfile")
                .path("osDisk").path("image").path("uri").asText();
        assertThat(image).startsWith("https://acct1.blob.core.windows.net/system/Microsoft.Compute/Images/captures/"
                + "golden-osDisk.");
        Vhds.assertSameDisk(Vhds.blob(http, image), golden);
    }
}

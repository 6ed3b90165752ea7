package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.vms.VmFixture.SP;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.dataDisks;
import static io.azimuth.compute.vms.VmFixture.disk;
import static io.azimuth.compute.vms.VmFixture.diskNames;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.id;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.obj;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static io.azimuth.compute.vms.VmFixture.vmUrl;
import static org.assertj.core.api.Assertions.assertThat;

/** Deleting a VM: its disks follow their deleteOption; forceDeletion is a boolean. */
class VmDeletionTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
    }

    @Test
    void disksFollowTheirDeleteOption() {
        ObjectNode body = linux("vm1");
        obj(body, SP + ".osDisk").put("deleteOption", "Delete");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Empty").put("diskSizeGB", 8)
                .put("deleteOption", "Delete");
        dataDisks(body).addObject().put("lun", 1).put("createOption", "Empty").put("diskSizeGB", 8);
        dataDisks(body).addObject().put("lun", 2).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", "disk30"));
        JsonNode vm = create(server.http(), "vm1", body);
        JsonNode data = vm.path("properties").path("storageProfile").path("dataDisks");
        String os = osDisk(vm).path("name").asText();
        String deleted = data.get(0).path("name").asText();
        String kept = data.get(1).path("name").asText();
        assertThat(data.get(1).path("deleteOption").asText()).as("the default").isEqualTo("Detach");
        assertThat(diskNames(server.http())).containsExactlyInAnyOrder("disk30", os, deleted, kept);

        Http.Response r = server.http().delete(vmUrl("vm1"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(server.http().get(vmUrl("vm1")).status()).isEqualTo(404);
        assertThat(server.http().get(diskUrl(os)).status()).isEqualTo(404);
        assertThat(server.http().get(diskUrl(deleted)).status()).isEqualTo(404);
        assertThat(diskNames(server.http())).containsExactlyInAnyOrder("disk30", kept);
        for (String name : new String[]{kept, "disk30"}) {
            JsonNode d = disk(server.http(), name);
            assertThat(d.has("managedBy")).as(name).isFalse();
            assertThat(d.path("properties").path("diskState").asText()).as(name).isEqualTo("Unattached");
        }
        create(server.http(), "vm2", attachData("disk30"));
    }

    private static ObjectNode attachData(String disk) {
        ObjectNode body = linux("vm2");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", disk));
        return body;
    }

    @Test
    void theOsDiskIsKeptByDefault() {
        String os = osDisk(create(server.http(), "vm1", linux("vm1"))).path("name").asText();
        assertThat(server.http().delete(vmUrl("vm1")).status()).isEqualTo(200);
        JsonNode d = disk(server.http(), os);
        assertThat(d.has("managedBy")).isFalse();
        assertThat(d.path("properties").path("diskState").asText()).isEqualTo("Unattached");
    }

    @Test
    void forceDeletionIsABoolean() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(server.http().delete(vmUrl("vm1") + "&forceDeletion=maybe"), 400, "InvalidParameter", "forceDeletion");
        assertThat(server.http().get(vmUrl("vm1")).status()).isEqualTo(200);
        Http.Response r = server.http().delete(vmUrl("vm1") + "&forceDeletion=true");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(server.http().get(vmUrl("vm1")).status()).isEqualTo(404);
        assertThat(server.http().delete(vmUrl("vm1")).status()).as("nothing left to delete").isEqualTo(204);
    }
}

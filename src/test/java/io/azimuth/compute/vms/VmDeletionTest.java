package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(c -> c.withInMemory(false));
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server);
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
        JsonNode vm = create(http, "vm1", body);
        JsonNode data = vm.path("properties").path("storageProfile").path("dataDisks");
        String os = osDisk(vm).path("name").asText();
        String deleted = data.get(0).path("name").asText();
        String kept = data.get(1).path("name").asText();
        assertThat(data.get(1).path("deleteOption").asText()).as("the default").isEqualTo("Detach");
        assertThat(diskNames(http)).containsExactlyInAnyOrder("disk30", os, deleted, kept);

        Http.Response r = http.delete(vmUrl("vm1"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(http.get(vmUrl("vm1")).status()).isEqualTo(404);
        assertThat(http.get(diskUrl(os)).status()).isEqualTo(404);
        assertThat(http.get(diskUrl(deleted)).status()).isEqualTo(404);
        assertThat(diskNames(http)).containsExactlyInAnyOrder("disk30", kept);
        for (String name : new String[]{kept, "disk30"}) {
            JsonNode d = disk(http, name);
            assertThat(d.has("managedBy")).as(name).isFalse();
            assertThat(d.path("properties").path("diskState").asText()).as(name).isEqualTo("Unattached");
        }
        create(http, "vm2", attachData("disk30"));
    }

    private static ObjectNode attachData(String disk) {
        ObjectNode body = linux("vm2");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", disk));
        return body;
    }

    @Test
    void theOsDiskIsKeptByDefault() {
        String os = osDisk(create(http, "vm1", linux("vm1"))).path("name").asText();
        assertThat(http.delete(vmUrl("vm1")).status()).isEqualTo(200);
        JsonNode d = disk(http, os);
        assertThat(d.has("managedBy")).isFalse();
        assertThat(d.path("properties").path("diskState").asText()).isEqualTo("Unattached");
    }

    @Test
    void forceDeletionIsABoolean() {
        create(http, "vm1", linux("vm1"));
        assertRefused(http.delete(vmUrl("vm1") + "&forceDeletion=maybe"), 400, "InvalidParameter", "forceDeletion");
        assertThat(http.get(vmUrl("vm1")).status()).isEqualTo(200);
        Http.Response r = http.delete(vmUrl("vm1") + "&forceDeletion=true");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(http.get(vmUrl("vm1")).status()).isEqualTo(404);
        assertThat(http.delete(vmUrl("vm1")).status()).as("nothing left to delete").isEqualTo(204);
    }
}

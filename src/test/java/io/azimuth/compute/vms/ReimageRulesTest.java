package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Base64;

import static io.azimuth.compute.vms.VmFixture.JAMMY_LATEST;
import static io.azimuth.compute.vms.VmFixture.JAMMY_OLDEST;
import static io.azimuth.compute.vms.VmFixture.SP;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.disk;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.obj;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static org.assertj.core.api.Assertions.assertThat;

/** Reimage, as its document says: tempDisk, exactVersion, the old OS disk by its deleteOption, the OS profile. */
class ReimageRulesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
    }

    private static Http.Response reimage(String vm, String body) {
        return server.http().post(action(vm, "reimage"), body);
    }

    private static void reimaged(String vm, String body) {
        Http.Response r = reimage(vm, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    // ---- tempDisk ----

    @Test
    void tempDiskIsOnlyForEphemeralOsDisks() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(reimage("vm1", "{\"tempDisk\":true}"), 400, "InvalidParameter", "tempDisk");
        reimaged("vm1", "{\"tempDisk\":false}");
    }

    @Test
    void anEphemeralVmReimagesItsTempDisk() {
        JsonNode vm = create(server.http(), "vm1", VmFixture.ephemeral("vm1"));
        reimaged("vm1", "{\"tempDisk\":true}");
        assertThat(osDisk(VmFixture.get(server.http(), "vm1"))).isEqualTo(osDisk(vm));
        assertThat(VmFixture.diskNames(server.http())).containsExactly("disk30");
    }

    // ---- exactVersion ----

    @Test
    void aMalformedExactVersionIsRefused() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(reimage("vm1", "{\"exactVersion\":\"aaaaaa\"}"), 400, "InvalidParameter", "exactVersion");
    }

    @Test
    void anUnknownExactVersionIsNotFound() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(reimage("vm1", "{\"exactVersion\":\"22.04.1\"}"), 404, "NotFound", "exactVersion");
    }

    @Test
    void exactVersionIsOnlyForPlatformImages() {
        VmFixture.blobImage(server.http(), "img", "Linux", "Generalized");
        create(server.http(), "vm1", VmFixture.fromCustomImage("vm1", "img"));
        assertRefused(reimage("vm1", "{\"exactVersion\":\"" + JAMMY_OLDEST + "\"}"), 400, "InvalidParameter",
                "exactVersion");
    }

    @Test
    void anExactVersionChangesTheImageVersion() {
        JsonNode before = create(server.http(), "vm1", linux("vm1"));
        assertThat(before.path("properties").path("storageProfile").path("imageReference").path("exactVersion").asText())
                .isEqualTo(JAMMY_LATEST);
        reimaged("vm1", "{\"exactVersion\":\"" + JAMMY_OLDEST + "\"}");
        JsonNode after = VmFixture.get(server.http(), "vm1");
        assertThat(after.path("properties").path("storageProfile").path("imageReference").path("exactVersion").asText())
                .isEqualTo(JAMMY_OLDEST);
        assertThat(disk(server.http(), osDisk(after).path("name").asText()).path("properties").path("creationData")
                .path("imageReference").path("id").asText()).endsWith("/Versions/" + JAMMY_OLDEST);
    }

    // ---- the OS disk ----

    @Test
    void theOldOsDiskIsKeptUnattachedWhenDetach() {
        JsonNode vm = create(server.http(), "vm1", linux("vm1"));
        String old = osDisk(vm).path("name").asText();
        assertThat(osDisk(vm).path("deleteOption").asText()).as("the default").isEqualTo("Detach");
        reimaged("vm1", null);

        JsonNode after = VmFixture.get(server.http(), "vm1");
        String fresh = osDisk(after).path("name").asText();
        assertThat(fresh).isNotEqualTo(old).matches("vm1_OsDisk_1_[0-9a-f]{32}");
        assertThat(osDisk(after).path("managedDisk").path("id").asText()).isEqualTo(VmFixture.id("disks", fresh));
        JsonNode freshDisk = disk(server.http(), fresh);
        assertThat(freshDisk.path("managedBy").asText()).isEqualTo(vm.path("id").asText());
        assertThat(freshDisk.path("properties").path("diskState").asText()).isEqualTo("Attached");
        JsonNode oldDisk = disk(server.http(), old);
        assertThat(oldDisk.has("managedBy")).isFalse();
        assertThat(oldDisk.path("properties").path("diskState").asText()).isEqualTo("Unattached");
    }

    @Test
    void theOldOsDiskIsDeletedWhenDeleteIsSetByPatch() {
        JsonNode vm = create(server.http(), "vm1", linux("vm1"));
        String old = osDisk(vm).path("name").asText();
        Http.Response patched = server.http().patch(VmFixture.vmUrl("vm1"),
                "{\"properties\":{\"storageProfile\":{\"osDisk\":{\"deleteOption\":\"Delete\"}}}}");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(osDisk(patched.json()).path("deleteOption").asText()).isEqualTo("Delete");
        reimaged("vm1", "{}");
        assertThat(server.http().get(diskUrl(old)).status()).isEqualTo(404);
        String fresh = osDisk(VmFixture.get(server.http(), "vm1")).path("name").asText();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(disk(server.http(), fresh).path("properties").path("diskState").asText()).isEqualTo("Attached");
    }

    @Test
    void theOldOsDiskIsDeletedWhenDeleteIsSetAtCreate() {
        ObjectNode body = linux("vm1");
        obj(body, SP + ".osDisk").put("deleteOption", "Delete");
        String old = osDisk(create(server.http(), "vm1", body)).path("name").asText();
        reimaged("vm1", null);
        assertThat(server.http().get(diskUrl(old)).status()).isEqualTo(404);
        assertThat(VmFixture.diskNames(server.http())).hasSize(2).contains("disk30").doesNotContain(old);
    }

    // ---- the OS profile ----

    @Test
    void thePasswordRulesApply() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(reimage("vm1", "{\"osProfile\":{\"adminPassword\":\"short\"}}"), 400, "InvalidParameter",
                "osProfile.adminPassword");
        assertRefused(reimage("vm1", "{\"osProfile\":{\"adminPassword\":\"P@ssw0rd\"}}"), 400, "InvalidParameter",
                "osProfile.adminPassword");
        reimaged("vm1", "{\"osProfile\":{\"adminPassword\":\"Reimage-Pass7\"}}");
        create(server.http(), "win1", VmFixture.windows("win1"));
        assertRefused(reimage("win1", "{\"osProfile\":{\"adminPassword\":\"Abc-123\"}}"), 400, "InvalidParameter",
                "osProfile.adminPassword");
    }

    @Test
    void theCustomDataRulesApply() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(reimage("vm1", "{\"osProfile\":{\"customData\":\"not base64!\"}}"), 400, "InvalidParameter",
                "osProfile.customData");
        String tooLong = Base64.getEncoder().encodeToString(new byte[65_536]);
        assertRefused(reimage("vm1", "{\"osProfile\":{\"customData\":\"" + tooLong + "\"}}"), 400, "InvalidParameter",
                "osProfile.customData");
        String data = Base64.getEncoder().encodeToString("#cloud-config".getBytes());
        reimaged("vm1", "{\"osProfile\":{\"customData\":\"" + data + "\"}}");
        assertThat(server.http().get(VmFixture.vmUrl("vm1")).body()).doesNotContain(data);
    }

    @Test
    void aMissingVmIsNotFound() {
        assertRefused(reimage("nothing", "{}"), 404, "ResourceNotFound", null);
    }
}

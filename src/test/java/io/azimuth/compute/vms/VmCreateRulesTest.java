package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.vms.VmFixture.IMAGE_BLOB;
import static io.azimuth.compute.vms.VmFixture.JAMMY_LATEST;
import static io.azimuth.compute.vms.VmFixture.JAMMY_OLDEST;
import static io.azimuth.compute.vms.VmFixture.OSP;
import static io.azimuth.compute.vms.VmFixture.SP;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.blob;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.dataDisks;
import static io.azimuth.compute.vms.VmFixture.disk;
import static io.azimuth.compute.vms.VmFixture.diskNames;
import static io.azimuth.compute.vms.VmFixture.id;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.obj;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static io.azimuth.compute.vms.VmFixture.put;
import static org.assertj.core.api.Assertions.assertThat;

/** Creating a VM: its image, its OS disk (managed, unmanaged, ephemeral, attached), data disks, size and location. */
class VmCreateRulesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
    }

    // ---- platform images ----

    @Test
    void latestIsResolvedIntoExactVersion() {
        JsonNode ref = create(server.http(), "vm1", linux("vm1")).path("properties").path("storageProfile").path("imageReference");
        assertThat(ref.path("version").asText()).isEqualTo("latest");
        assertThat(ref.path("exactVersion").asText()).isEqualTo(JAMMY_LATEST);
        assertThat(VmFixture.get(server.http(), "vm1").path("properties").path("storageProfile").path("imageReference")
                .path("exactVersion").asText()).isEqualTo(JAMMY_LATEST);
    }

    @Test
    void aSpecificVersionIsKept() {
        ObjectNode body = linux("vm1");
        obj(body, SP + ".imageReference").put("version", JAMMY_OLDEST);
        JsonNode ref = create(server.http(), "vm1", body).path("properties").path("storageProfile").path("imageReference");
        assertThat(ref.path("version").asText()).isEqualTo(JAMMY_OLDEST);
        assertThat(ref.path("exactVersion").asText()).isEqualTo(JAMMY_OLDEST);
    }

    @Test
    void anUnknownPlatformImageIsNotFound() {
        ObjectNode sku = linux("vm1");
        obj(sku, SP + ".imageReference").put("sku", "18_04-nope");
        assertRefused(put(server.http(), "vm1", sku), 404, "PlatformImageNotFound", "imageReference");
        ObjectNode version = linux("vm1");
        obj(version, SP + ".imageReference").put("version", "22.04.1");
        assertRefused(put(server.http(), "vm1", version), 404, "PlatformImageNotFound", "imageReference");
        assertThat(server.http().get(VmFixture.vmUrl("vm1")).status()).isEqualTo(404);
    }

    @Test
    void aMalformedVersionIsRefused() {
        ObjectNode body = linux("vm1");
        obj(body, SP + ".imageReference").put("version", "newest-1");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", SP + ".imageReference.version");
    }

    // ---- custom images ----

    @Test
    void aCustomImageGivesTheOsTypeAndSize() {
        VmFixture.blobImage(server.http(), "win-img", "Windows", "Generalized");
        ObjectNode body = VmFixture.fromCustomImage("win1", "win-img");
        obj(body, OSP).put("adminPassword", VmFixture.WINDOWS_PASSWORD);
        JsonNode vm = create(server.http(), "vm1", body);
        assertThat(osDisk(vm).path("osType").asText()).isEqualTo("Windows");
        assertThat(osDisk(vm).path("diskSizeGB").asInt()).isEqualTo(30);
        assertThat(vm.path("properties").path("storageProfile").path("imageReference").path("id").asText())
                .isEqualTo(id("images", "win-img"));
        assertThat(vm.path("properties").path("osProfile").has("windowsConfiguration")).isTrue();
        assertThat(disk(server.http(), osDisk(vm).path("name").asText()).path("properties").path("osType").asText())
                .isEqualTo("Windows");
    }

    @Test
    void aCustomImageOsTypeSetsThePasswordRules() {
        VmFixture.blobImage(server.http(), "win-img", "Windows", "Generalized");
        ObjectNode body = VmFixture.fromCustomImage("win1", "win-img");
        obj(body, OSP).put("adminPassword", "Abc-123");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP + ".adminPassword");
    }

    @Test
    void aMissingCustomImageIsNotFound() {
        assertRefused(put(server.http(), "vm1", VmFixture.fromCustomImage("vm1", "nothing")), 404, "NotFound",
                SP + ".imageReference.id");
    }

    @Test
    void aGeneralizedImageNeedsAnOsProfile() {
        VmFixture.blobImage(server.http(), "img", "Linux", "Generalized");
        ObjectNode body = VmFixture.fromCustomImage("vm1", "img");
        ((ObjectNode) body.get("properties")).remove("osProfile");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP);
    }

    // ---- a user VHD image ----

    @Test
    void aUserVhdImageMakesAnUnmanagedOsDisk() {
        ObjectNode body = linux("vm1");
        ObjectNode storage = obj(body, SP);
        storage.remove("imageReference");
        ObjectNode os = obj(body, SP + ".osDisk");
        os.remove("managedDisk");
        os.put("osType", "Linux");
        os.putObject("image").put("uri", IMAGE_BLOB);
        String target = VmFixture.newVhd("vm1-os");
        os.putObject("vhd").put("uri", target);
        JsonNode out = osDisk(create(server.http(), "vm1", body));
        assertThat(out.path("image").path("uri").asText()).isEqualTo(IMAGE_BLOB);
        assertThat(out.path("vhd").path("uri").asText()).isEqualTo(target);
        assertThat(out.path("osType").asText()).isEqualTo("Linux");
        assertThat(out.has("managedDisk")).isFalse();
        assertThat(diskNames(server.http())).containsExactly("disk30");
    }

    @Test
    void aUserVhdImageNeedsAnOsType() {
        ObjectNode body = linux("vm1");
        obj(body, SP).remove("imageReference");
        ObjectNode os = obj(body, SP + ".osDisk");
        os.remove("managedDisk");
        os.putObject("image").put("uri", IMAGE_BLOB);
        os.putObject("vhd").put("uri", VmFixture.newVhd("vm1-os"));
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", SP + ".osDisk.osType");
    }

    @Test
    void anImageIsRequiredForFromImage() {
        ObjectNode body = linux("vm1");
        obj(body, SP).remove("imageReference");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", SP + ".imageReference");
    }

    // ---- attaching an existing OS disk ----

    private static ObjectNode attach(String disk) {
        ObjectNode body = linux("x");
        ObjectNode props = (ObjectNode) body.get("properties");
        props.remove("osProfile");
        ObjectNode storage = obj(body, SP);
        storage.remove("imageReference");
        ObjectNode os = storage.putObject("osDisk");
        os.put("createOption", "Attach");
        os.put("osType", "Linux");
        os.putObject("managedDisk").put("id", id("disks", disk));
        return body;
    }

    @Test
    void attachingAnExistingDisk() {
        JsonNode vm = create(server.http(), "vm1", attach("disk30"));
        assertThat(osDisk(vm).path("createOption").asText()).isEqualTo("Attach");
        assertThat(osDisk(vm).path("managedDisk").path("id").asText()).isEqualTo(id("disks", "disk30"));
        JsonNode disk = disk(server.http(), "disk30");
        assertThat(disk.path("managedBy").asText()).isEqualTo(vm.path("id").asText());
        assertThat(disk.path("properties").path("diskState").asText()).isEqualTo("Attached");
    }

    @Test
    void anAttachedDiskCannotBeAttachedAgain() {
        create(server.http(), "vm1", attach("disk30"));
        assertRefused(put(server.http(), "vm2", attach("disk30")), 409, "OperationNotAllowed", null);
        assertThat(server.http().get(VmFixture.vmUrl("vm2")).status()).isEqualTo(404);
    }

    @Test
    void anAttachedOsDiskTakesNoOsProfile() {
        ObjectNode body = attach("disk30");
        obj(body, OSP).put("computerName", "vm1").put("adminUsername", "azureuser");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP);
        assertThat(disk(server.http(), "disk30").has("managedBy")).isFalse();
    }

    @Test
    void attachingAMissingDiskIsNotFound() {
        assertRefused(put(server.http(), "vm1", attach("nothing")), 404, "NotFound", SP + ".osDisk.managedDisk.id");
    }

    // ---- managed, unmanaged and ephemeral OS disks ----

    @Test
    void aManagedOsDiskIsADiskResourceManagedByTheVm() {
        JsonNode vm = create(server.http(), "vm1", linux("vm1"));
        String name = osDisk(vm).path("name").asText();
        assertThat(name).matches("vm1_OsDisk_1_[0-9a-f]{32}");
        assertThat(osDisk(vm).path("managedDisk").path("id").asText()).isEqualTo(id("disks", name));
        JsonNode disk = disk(server.http(), name);
        assertThat(disk.path("managedBy").asText()).isEqualTo(vm.path("id").asText());
        assertThat(disk.path("properties").path("diskState").asText()).isEqualTo("Attached");
        assertThat(disk.path("properties").path("osType").asText()).isEqualTo("Linux");
        assertThat(diskNames(server.http())).containsExactlyInAnyOrder("disk30", name);
    }

    @Test
    void anUnmanagedOsDiskIsABlob() {
        String uri = VmFixture.newVhd("vm1-os");
        JsonNode vm = create(server.http(), "vm1", VmFixture.unmanaged("vm1", uri));
        assertThat(osDisk(vm).path("vhd").path("uri").asText()).isEqualTo(uri);
        assertThat(osDisk(vm).has("managedDisk")).isFalse();
        assertThat(diskNames(server.http())).containsExactly("disk30");
        assertRefused(put(server.http(), "vm2", VmFixture.unmanaged("vm2", uri)), 409, "BlobAlreadyExists", SP + ".osDisk.vhd.uri");
    }

    @Test
    void anEphemeralOsDiskIsNoDiskResource() {
        JsonNode vm = create(server.http(), "vm1", VmFixture.ephemeral("vm1"));
        assertThat(osDisk(vm).path("diffDiskSettings").path("option").asText()).isEqualTo("Local");
        assertThat(osDisk(vm).path("caching").asText()).isEqualTo("ReadOnly");
        assertThat(osDisk(vm).path("managedDisk").has("id")).isFalse();
        assertThat(diskNames(server.http())).containsExactly("disk30");
    }

    @Test
    void anEphemeralOsDiskCachesReadOnly() {
        ObjectNode body = VmFixture.ephemeral("vm1");
        obj(body, SP + ".osDisk").put("caching", "ReadWrite");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", SP + ".osDisk.caching");
        obj(body, SP + ".osDisk").remove("caching");
        assertThat(osDisk(create(server.http(), "vm1", body)).path("caching").asText()).as("the default").isEqualTo("ReadOnly");
    }

    // ---- data disks ----

    @Test
    void anEmptyDataDiskNeedsASize() {
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Empty");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", SP + ".dataDisks[0].diskSizeGB");
    }

    @Test
    void anEmptyDataDiskIsADiskResource() {
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Empty").put("diskSizeGB", 64);
        JsonNode vm = create(server.http(), "vm1", body);
        JsonNode data = vm.path("properties").path("storageProfile").path("dataDisks").get(0);
        assertThat(data.path("diskSizeGB").asInt()).isEqualTo(64);
        JsonNode disk = disk(server.http(), data.path("name").asText());
        assertThat(disk.path("properties").path("diskSizeGB").asInt()).isEqualTo(64);
        assertThat(disk.path("managedBy").asText()).isEqualTo(vm.path("id").asText());
        assertThat(disk.path("properties").path("diskState").asText()).isEqualTo("Attached");
    }

    @Test
    void attachingAnExistingDataDisk() {
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 3).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", "disk30"));
        JsonNode vm = create(server.http(), "vm1", body);
        JsonNode data = vm.path("properties").path("storageProfile").path("dataDisks").get(0);
        assertThat(data.path("lun").asInt()).isEqualTo(3);
        assertThat(data.path("managedDisk").path("id").asText()).isEqualTo(id("disks", "disk30"));
        assertThat(disk(server.http(), "disk30").path("managedBy").asText()).isEqualTo(vm.path("id").asText());
        ObjectNode again = linux("vm2");
        dataDisks(again).addObject().put("lun", 0).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", "disk30"));
        assertRefused(put(server.http(), "vm2", again), 409, "OperationNotAllowed", null);
    }

    @Test
    void lunsAreUnique() {
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 1).put("createOption", "Empty").put("diskSizeGB", 8);
        dataDisks(body).addObject().put("lun", 1).put("createOption", "Empty").put("diskSizeGB", 8);
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", SP + ".dataDisks[1].lun");
        assertThat(diskNames(server.http())).containsExactly("disk30");
    }

    // ---- size and location ----

    @Test
    void vmSizeIsRequired() {
        ObjectNode body = linux("vm1");
        obj(body, "properties.hardwareProfile").remove("vmSize");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", "properties.hardwareProfile.vmSize");
    }

    @Test
    void locationIsRequiredAndKnown() {
        ObjectNode body = linux("vm1");
        body.remove("location");
        assertRefused(put(server.http(), "vm1", body), 400, "LocationRequired", "location");
        body.put("location", "atlantis");
        assertRefused(put(server.http(), "vm1", body), 400, "LocationNotAvailableForResourceType", "location");
        body.put("location", "West US");
        assertThat(create(server.http(), "vm1", body).path("location").asText()).isEqualTo("westus");
    }

    @Test
    void theLocationCannotChange() {
        create(server.http(), "vm1", linux("vm1"));
        ObjectNode body = linux("vm1");
        body.put("location", "eastus");
        assertRefused(put(server.http(), "vm1", body), 409, "InvalidResourceLocation", null);
        Http.Response same = put(server.http(), "vm1", linux("vm1"));
        assertThat(same.status()).as(same.toString()).isEqualTo(200);
    }

    // ---- blobs left behind ----

    @Test
    void aRefusedCreateWritesNoBlob() {
        String uri = VmFixture.newVhd("vm1-os");
        ObjectNode bad = VmFixture.unmanaged("vm1", uri);
        obj(bad, OSP).put("adminPassword", "short");
        assertRefused(put(server.http(), "vm1", bad), 400, "InvalidParameter", OSP + ".adminPassword");
        create(server.http(), "vm1", VmFixture.unmanaged("vm1", uri));
    }

    @Test
    void resetEmptiesTheBlobStoreToo() {
        String uri = VmFixture.newVhd("vm1-os");
        create(server.http(), "vm1", VmFixture.unmanaged("vm1", uri));
        server.reset();
        VmFixture.sources(server.server());
        create(server.http(), "vm1", VmFixture.unmanaged("vm1", uri));
    }
}

package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static io.azimuth.compute.vms.VmFixture.RG;
import static io.azimuth.compute.vms.VmFixture.SP;
import static io.azimuth.compute.vms.VmFixture.act;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.dataDisks;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.id;
import static io.azimuth.compute.vms.VmFixture.imageUrl;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.obj;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static io.azimuth.compute.vms.VmFixture.vmUrl;
import static io.azimuth.support.Vhds.GIB;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes of VM disks: from a custom image (each image disk a copy of its source, kept when the source goes), a
 * user image VHD, a platform image (blank), empty data disks; reimage restores the image's bytes; deletion by
 * deleteOption, and with the group, frees them; an exported disk holds its VM back.
 */
class VmBytesTest {
    static final String OS_BLOB = "https://acct1.blob.core.windows.net/images/os.vhd";
    static final String DATA_BLOB = "https://acct1.blob.core.windows.net/images/data.vhd";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    byte[] os;
    byte[] data;

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
        os = Vhds.random(2 * MIB, 21);
        data = Vhds.random(3 * MIB, 22);
        Vhds.upload(server.http(), OS_BLOB, os);
        Vhds.upload(server.http(), DATA_BLOB, data);
    }

    // ---- helpers ----

    static String diskAction(String disk, String action) {
        return diskUrl(disk).replace("?", "/" + action + "?");
    }

    static Http.Response grantRequest(String disk) {
        return server.http().post(diskAction(disk, "beginGetAccess"), "{\"access\":\"Read\",\"durationInSeconds\":300}");
    }

    static String grant(String disk) {
        Http.Response r = grantRequest(disk);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("accessSAS").asText();
    }

    static void revoke(String disk) {
        Http.Response r = server.http().post(diskAction(disk, "endGetAccess"), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** A managed disk's bytes (its VM must be deallocated, or it unattached). */
    static byte[] bytes(String disk) {
        return VmFixture.diskBytes(server.http(), disk);
    }

    static String state(String disk) {
        return VmFixture.disk(server.http(), disk).path("properties").path("diskState").asText();
    }

    /** An image of {@link #OS_BLOB} with {@link #DATA_BLOB} at LUN 2. */
    static void blobImage(String name) {
        Http.Response r = server.http().put(imageUrl(name), "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{"
                + "\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\"" + OS_BLOB + "\"},"
                + "\"dataDisks\":[{\"lun\":2,\"blobUri\":\"" + DATA_BLOB + "\"}]}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.body()).doesNotContain("azimuthState");
    }

    /** A VM of the custom image, with its data disk at LUN 2. */
    static ObjectNode fromImage(String name, String image) {
        ObjectNode body = VmFixture.fromCustomImage(name, image);
        dataDisks(body).addObject().put("lun", 2).put("createOption", "FromImage");
        return body;
    }

    static String dataDiskName(JsonNode vm, int index) {
        return vm.path("properties").path("storageProfile").path("dataDisks").get(index).path("name").asText();
    }

    // ---- custom images ----

    @Test
    void aCustomImageGivesItsBytesToTheVmsDisks() {
        blobImage("img");
        Vhds.upload(server.http(), OS_BLOB, Vhds.random(2 * MIB, 99)); // the image keeps its own copy
        JsonNode vm = create(server.http(), "vm1", fromImage("vm1", "img"));
        act(server.http(), "vm1", "deallocate");
        assertThat(state(osDisk(vm).path("name").asText())).isEqualTo("Reserved");
        Vhds.assertSameDisk(bytes(osDisk(vm).path("name").asText()), os);
        Vhds.assertSameDisk(bytes(dataDiskName(vm, 0)), data);
    }

    @Test
    void theImagesDataDisksComeWithTheVmUnlessTheListLeavesThemOut() {
        blobImage("img");
        JsonNode vm = create(server.http(), "vm1", VmFixture.fromCustomImage("vm1", "img"));
        JsonNode disks = vm.path("properties").path("storageProfile").path("dataDisks");
        assertThat(disks).hasSize(1);
        assertThat(disks.get(0).path("lun").asInt()).isEqualTo(2);
        assertThat(disks.get(0).path("createOption").asText()).isEqualTo("FromImage");
        act(server.http(), "vm1", "deallocate");
        Vhds.assertSameDisk(bytes(dataDiskName(vm, 0)), data);

        ObjectNode partial = VmFixture.fromCustomImage("vm2", "img");
        dataDisks(partial).addObject().put("lun", 0).put("createOption", "Empty").put("diskSizeGB", 4);
        Http.Response refused = server.http().put(VmFixture.vmUrl("vm2"), partial.toString());
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("InvalidParameter");
        assertThat(refused.json().path("error").path("target").asText()).isEqualTo("storageProfile");
        assertThat(server.http().get(VmFixture.vmUrl("vm2")).status()).isEqualTo(404);
    }

    @Test
    void imagesOfADiskAndASnapshotKeepTheirBytesWhenTheSourcesGo() {
        Http.Response disk = server.http().put(diskUrl("src-disk"), "{\"location\":\"westus\",\"properties\":{\"osType\":"
                + "\"Linux\",\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + OS_BLOB + "\"}}}");
        assertThat(disk.status()).as(disk.toString()).isEqualTo(200);
        Http.Response snap = server.http().put(VmFixture.url("snapshots", "src-snap", VmFixture.DISK_V), "{\"location\":"
                + "\"westus\",\"properties\":{\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\""
                + DATA_BLOB + "\"}}}");
        assertThat(snap.status()).as(snap.toString()).isEqualTo(200);
        Http.Response image = server.http().put(imageUrl("img"), "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{"
                + "\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + id("disks", "src-disk") + "\"}},\"dataDisks\":[{\"lun\":2,\"snapshot\":{\"id\":\""
                + id("snapshots", "src-snap") + "\"}}]}}}");
        assertThat(image.status()).as(image.toString()).isEqualTo(201);
        assertThat(server.http().delete(diskUrl("src-disk")).status()).isEqualTo(200);
        assertThat(server.http().delete(VmFixture.url("snapshots", "src-snap", VmFixture.DISK_V)).status()).isEqualTo(200);

        JsonNode vm = create(server.http(), "vm1", fromImage("vm1", "img"));
        act(server.http(), "vm1", "deallocate");
        Vhds.assertSameDisk(bytes(osDisk(vm).path("name").asText()), os);
        Vhds.assertSameDisk(bytes(dataDiskName(vm, 0)), data);
    }

    @Test
    void aLargerOsDiskGrowsTheImagesBytesAndReimageKeepsTheSize() {
        blobImage("img");
        ObjectNode body = fromImage("vm1", "img");
        obj(body, SP + ".osDisk").put("diskSizeGB", 2);
        JsonNode vm = create(server.http(), "vm1", body);
        act(server.http(), "vm1", "deallocate");
        String first = osDisk(vm).path("name").asText();
        Vhds.assertGrown(server.http(), grant(first), os, 2 * GIB);
        revoke(first);
        Http.Response r = server.http().post(action("vm1", "reimage"), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String fresh = osDisk(VmFixture.get(server.http(), "vm1")).path("name").asText();
        assertThat(fresh).isNotEqualTo(first);
        act(server.http(), "vm1", "deallocate");
        Vhds.assertGrown(server.http(), grant(fresh), os, 2 * GIB);
    }

    @Test
    void anImageNoLongerThereCannotReimage() {
        blobImage("img");
        create(server.http(), "vm1", fromImage("vm1", "img"));
        assertThat(server.http().delete(imageUrl("img")).status()).isEqualTo(200);
        assertRefused(server.http().post(action("vm1", "reimage"), null), 409, "OperationNotAllowed", null);
    }

    @Test
    void deletingAnImageFreesItsBytesAndReplacingItsDisksFreesTheOldOnes() {
        long before = Vhds.blobCount(server.server());
        blobImage("img");
        Vhds.assertBlobCount(server.server(), before, 2, "an OS disk and a data disk");
        Http.Response r = server.http().put(imageUrl("img"), "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{"
                + "\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\"" + OS_BLOB + "\"}}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Vhds.assertBlobCount(server.server(), before, 1, "the data disk went");
        assertThat(server.http().delete(imageUrl("img")).status()).isEqualTo(200);
        Vhds.assertBlobCount(server.server(), before, 0, "a deleted image keeps no bytes");
    }

    // ---- user images, platform images, empty disks, ephemeral disks ----

    @Test
    void aUserImageVmsUnmanagedDiskHoldsTheImageAndReimageRestoresIt() {
        String vhd = VmFixture.newVhd("vm1-os");
        create(server.http(), "vm1", VmFixture.fromUserImage("vm1", OS_BLOB, vhd));
        Vhds.assertSameDisk(Vhds.blob(server.http(), vhd), os);
        Vhds.upload(server.http(), vhd, Vhds.random(2 * MIB, 5)); // what the VM wrote
        Http.Response r = server.http().post(action("vm1", "reimage"), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Vhds.assertSameDisk(Vhds.blob(server.http(), vhd), os);
    }

    @Test
    void reimageIsRefusedWhenTheUserImageVhdIsGoneAndTheDiskKeepsItsBytes() {
        String vhd = VmFixture.newVhd("vm1-os");
        create(server.http(), "vm1", VmFixture.fromUserImage("vm1", OS_BLOB, vhd));
        byte[] written = Vhds.random(2 * MIB, 6);
        Vhds.upload(server.http(), vhd, written); // what the VM wrote
        assertThat(server.http().delete("/_azimuth/blobs/acct1/images/os.vhd").status()).isEqualTo(204);
        Http.Response r = server.http().post(action("vm1", "reimage"), null);
        assertRefused(r, 409, "OperationNotAllowed", null);
        assertThat(r.json().path("error").path("message").asText()).contains(OS_BLOB);
        Vhds.assertSameDisk(Vhds.blob(server.http(), vhd), written);
    }

    @Test
    void aCustomImageVmsUnmanagedDiskHoldsTheImage() {
        blobImage("img");
        String vhd = VmFixture.newVhd("vm1-os");
        ObjectNode body = VmFixture.fromCustomImage("vm1", "img");
        ObjectNode osDisk = obj(body, SP + ".osDisk");
        osDisk.remove("managedDisk");
        osDisk.putObject("vhd").put("uri", vhd);
        create(server.http(), "vm1", body);
        Vhds.assertSameDisk(Vhds.blob(server.http(), vhd), os);
    }

    @Test
    void aPlatformImageGivesABlankDiskOfItsSizeAndEmptyDataDisksAreBlank() {
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Empty").put("diskSizeGB", 4);
        String dataVhd = VmFixture.newVhd("vm1-data");
        ObjectNode unmanaged = dataDisks(body).addObject().put("lun", 1).put("createOption", "Empty")
                .put("diskSizeGB", 1);
        unmanaged.putObject("vhd").put("uri", dataVhd);
        JsonNode vm = create(server.http(), "vm1", body);
        act(server.http(), "vm1", "deallocate");
        String osName = osDisk(vm).path("name").asText();
        Vhds.assertBlank(server.http(), grant(osName), 30 * GIB);
        revoke(osName);
        Vhds.assertBlank(server.http(), grant(dataDiskName(vm, 0)), 4 * GIB);
        Vhds.assertBlank(server.http(), Vhds.endpoint(dataVhd), GIB);
    }

    @Test
    void anEphemeralOsDiskKeepsItsBytesPrivatelyUntilTheVmGoes() {
        Http.Response image = server.http().put(imageUrl("img"), "{\"location\":\"westus\",\"properties\":"
                + "{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\""
                + OS_BLOB + "\"}}}}");
        assertThat(image.status()).as(image.toString()).isEqualTo(201);
        long before = Vhds.blobCount(server.server());
        ObjectNode body = VmFixture.fromCustomImage("vm1", "img");
        obj(body, SP + ".osDisk").put("caching", "ReadOnly").putObject("diffDiskSettings").put("option", "Local");
        create(server.http(), "vm1", body);
        Vhds.assertBlobCount(server.server(), before, 1, "the ephemeral OS disk's bytes");
        assertThat(server.http().get(vmUrl("vm1")).body()).doesNotContain("azimuthState").doesNotContain("vms/");
        assertThat(server.http().post(action("vm1", "reimage"), "{\"tempDisk\":true}").status()).isEqualTo(200);
        Vhds.assertBlobCount(server.server(), before, 1, "reimaged in place");
        assertThat(server.http().delete(vmUrl("vm1")).status()).isEqualTo(200);
        Vhds.assertBlobCount(server.server(), before, 0, "gone with the VM");
    }

    // ---- deletion ----

    @Test
    void deletingAVmFreesTheDisksItDeletesAndKeepsTheOthersBytes() {
        blobImage("img");
        long before = Vhds.blobCount(server.server());
        ObjectNode body = fromImage("vm1", "img");
        obj(body, SP + ".osDisk").put("deleteOption", "Delete");
        JsonNode vm = create(server.http(), "vm1", body);
        String osName = osDisk(vm).path("name").asText();
        String dataName = dataDiskName(vm, 0);
        Vhds.assertBlobCount(server.server(), before, 2, "an OS disk and a data disk");
        assertThat(server.http().delete(vmUrl("vm1")).status()).isEqualTo(200);
        assertThat(server.http().get(diskUrl(osName)).status()).isEqualTo(404);
        Vhds.assertBlobCount(server.server(), before, 1, "the OS disk went with its bytes");
        assertThat(state(dataName)).isEqualTo("Unattached");
        Vhds.assertSameDisk(bytes(dataName), data);
    }

    @Test
    void deletingTheGroupFreesEveryDiskSnapshotAndImageAndDetachesDisksElsewhere() {
        String other = TestServer.rg("elsewhere") + "?api-version=2025-04-01";
        assertThat(server.http().put(other, "{\"location\":\"westus\"}").status()).isIn(200, 201);
        String foreign = "/subscriptions/" + TestServer.SUB + "/resourceGroups/elsewhere/providers/Microsoft.Compute"
                + "/disks/foreign";
        Http.Response f = server.http().put(foreign + "?api-version=" + VmFixture.DISK_V, "{\"location\":\"westus\","
                + "\"properties\":{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}");
        assertThat(f.status()).as(f.toString()).isEqualTo(200);
        long before = Vhds.blobCount(server.server());
        blobImage("img");
        ObjectNode body = fromImage("vm1", "img");
        dataDisks(body).addObject().put("lun", 5).put("createOption", "Attach").putObject("managedDisk")
                .put("id", foreign);
        create(server.http(), "vm1", body);
        create(server.http(), "vm2", linux("vm2"));
        act(server.http(), "vm2", "deallocate");
        String vm2Os = osDisk(VmFixture.get(server.http(), "vm2")).path("name").asText();
        grant(vm2Os);
        Vhds.assertBlobCount(server.server(), before, 2 + 2 + 1 + 1, "image disks, vm1's disks, vm2's disk, an export");

        assertThat(server.http().delete(TestServer.rg(RG) + "?api-version=2025-04-01").status()).isIn(200, 202);
        Vhds.assertBlobCount(server.server(), before, -1, "the group's bytes are all gone, disk30's made before too");
        JsonNode kept = server.http().get(foreign + "?api-version=" + VmFixture.DISK_V).json();
        assertThat(kept.has("managedBy")).isFalse();
        assertThat(kept.path("properties").path("diskState").asText()).isEqualTo("Unattached");
    }

    // ---- a disk being exported ----

    @Test
    void aDiskIsExportedOnlyOffItsRunningVmAndHoldsItBackMeanwhile() {
        ObjectNode body = linux("vm1");
        obj(body, SP + ".osDisk").put("deleteOption", "Delete");
        JsonNode vm = create(server.http(), "vm1", body);
        String osName = osDisk(vm).path("name").asText();
        assertThat(state(osName)).isEqualTo("Attached");
        assertRefused(grantRequest(osName), 409, "OperationNotAllowed", null);
        act(server.http(), "vm1", "powerOff");
        assertRefused(grantRequest(osName), 409, "OperationNotAllowed", null);
        act(server.http(), "vm1", "deallocate");
        assertThat(state(osName)).isEqualTo("Reserved");
        grant(osName);
        assertThat(state(osName)).isEqualTo("ActiveSAS");
        assertRefused(server.http().post(action("vm1", "start"), null), 409, "OperationNotAllowed", null);
        assertRefused(server.http().post(action("vm1", "reimage"), null), 409, "OperationNotAllowed", null);
        assertRefused(server.http().delete(vmUrl("vm1")), 409, "OperationNotAllowed", null);
        revoke(osName);
        assertThat(state(osName)).isEqualTo("Reserved");
        act(server.http(), "vm1", "start");
        assertThat(state(osName)).isEqualTo("Attached");
    }

    @Test
    void aDiskBeingExportedIsNotAttached() {
        grant("disk30");
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 0).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", "disk30"));
        assertRefused(VmFixture.put(server.http(), "vm1", body), 409, "OperationNotAllowed", null);
        revoke("disk30");
        create(server.http(), "vm1", body);
    }

    @Test
    void aVmWithAnAttachedOsDiskHasNoImageToReimageFrom() {
        VmFixture.importDisk(server.http(), "os-disk", OS_BLOB);
        create(server.http(), "vm1", VmFixture.attachedOs("vm1", "os-disk"));
        assertRefused(server.http().post(action("vm1", "reimage"), null), 409, "OperationNotAllowed", null);
    }
}

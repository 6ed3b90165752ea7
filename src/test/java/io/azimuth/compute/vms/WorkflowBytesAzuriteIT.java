package io.azimuth.compute.vms;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.PageRange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.azure.StorageAccounts;
import io.azimuth.support.Azurite;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.util.Random;

import static io.azimuth.compute.vms.VmFixture.act;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.attachedOs;
import static io.azimuth.compute.vms.VmFixture.capture;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.dataDisks;
import static io.azimuth.compute.vms.VmFixture.diskBytes;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.fromCustomImage;
import static io.azimuth.compute.vms.VmFixture.id;
import static io.azimuth.compute.vms.VmFixture.imageOfVm;
import static io.azimuth.compute.vms.VmFixture.imageUri;
import static io.azimuth.compute.vms.VmFixture.importDisk;
import static io.azimuth.compute.vms.VmFixture.ok;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static io.azimuth.compute.vms.VmFixture.unmanagedOs;
import static io.azimuth.compute.vms.VmFixture.vmUrl;
import static io.azimuth.support.Azurite.hostStyleUri;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One VHD's bytes (and a data disk's) through a whole workflow with Azure Storage (a real Azurite) holding the user
 * blobs, compared at every step: uploaded with the storage SDK as sparse page blobs, imported as disks, booted as a
 * VM's attached disks, generalized, imaged from the VM, given to a new VM whose unmanaged disks are page blobs in
 * Azurite, reimaged after its OS disk's blob was replaced behind its back, written to, captured into Azurite, and
 * imported again as a managed disk read back through beginGetAccess. {@link WorkflowBytesTest} follows one through
 * the embedded store.
 */
class WorkflowBytesAzuriteIT {
    static Azurite azurite;
    static BlobServiceClient sdk;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        azurite = Azurite.start();
        sdk = azurite.sdk();
        server = TestServer.start(c -> c.withInMemory(false)
                .withStorageAccounts(StorageAccounts.defaults().with(azurite.account())));
        http = server.http;
        Http.Response r = http.put(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01",
                "{\"location\":\"westus\"}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    @AfterAll
    static void stop() {
        TestServer.closeAll(server, azurite);
    }

    @Test
    @Timeout(45)
    void oneVhdsBytesFollowEveryStepThroughAzureStorage() {
        Vhds.Sparse golden = Vhds.sparse(8 * MIB, 2027, 0, 64 * 1024, 3 * MIB, 512 * 1024, 7 * MIB + 4096, 8192);
        Vhds.Sparse data = Vhds.sparse(4 * MIB, 2028, 4096, 4096, 2 * MIB, 64 * 1024);

        // uploaded with the SDK as page blobs of only their data, imported (one host-style URI, one path-style) as
        // managed disks that keep their own copies
        BlobContainerClient uploads = sdk.getBlobContainerClient("uploads");
        golden.uploadAsPageBlob(uploads, "golden.vhd");
        data.uploadAsPageBlob(uploads, "data.vhd");
        Vhds.assertSamePageBlob(uploads.getBlobClient("golden.vhd"), golden, "the upload is sparse");
        importDisk(http, "golden", hostStyleUri("uploads", "golden.vhd"));
        importDisk(http, "golden-data", azurite.uri("uploads", "data.vhd"));
        uploads.getBlobClient("golden.vhd").delete();
        uploads.getBlobClient("data.vhd").delete();
        Vhds.assertSameDisk(diskBytes(http, "golden"), golden.bytes());
        Vhds.assertSameDisk(diskBytes(http, "golden-data"), data.bytes());

        // a VM of the disks, attached as its OS disk and its data disk at LUN 0
        ObjectNode vmA = attachedOs("vm-a", "golden");
        dataDisks(vmA).addObject().put("lun", 0).put("createOption", "Attach").putObject("managedDisk")
                .put("id", id("disks", "golden-data"));
        create(http, "vm-a", vmA);
        act(http, "vm-a", "deallocate");
        Vhds.assertSameDisk(diskBytes(http, "golden"), golden.bytes());
        Vhds.assertSameDisk(diskBytes(http, "golden-data"), data.bytes());

        // generalized, and imaged; the image keeps its own copies once the VM and its disks are gone
        act(http, "vm-a", "generalize");
        imageOfVm(http, "img", "vm-a");
        ok(http.delete(vmUrl("vm-a")), 200);
        ok(http.delete(diskUrl("golden")), 200);
        ok(http.delete(diskUrl("golden-data")), 200);

        // a new VM of the image, its disks unmanaged VHDs in Azurite (the OS disk's URI path-style, the data
        // disk's host-style): page blobs of the image's bytes, written sparse
        String osVhd = azurite.uri("vms", "vm-b-os.vhd");
        ObjectNode vmB = unmanagedOs(fromCustomImage("vm-b", "img"), osVhd);
        dataDisks(vmB).addObject().put("lun", 0).put("createOption", "FromImage").putObject("vhd")
                .put("uri", hostStyleUri("vms", "vm-b-data.vhd"));
        create(http, "vm-b", vmB);
        BlobClient os = azurite.blob(osVhd);
        Vhds.assertSamePageBlob(os, golden, "only the image's data was written");
        Vhds.assertSamePageBlob(azurite.blob(hostStyleUri("vms", "vm-b-data.vhd")), data,
                "only the image's data was written");

        // the OS disk's blob replaced behind the VM's back (other data in other pages); reimage restores the image's
        // bytes, and no page of the replacement stays
        Vhds.Sparse other = Vhds.sparse(8 * MIB, 7, 0, 4096, MIB, 8192, 5 * MIB, MIB);
        other.uploadAsPageBlob(sdk.getBlobContainerClient("vms"), "vm-b-os.vhd");
        assertThat(Vhds.sha256(Vhds.download(os))).as("the blob was replaced").isEqualTo(other.sha256());
        ok(http.post(action("vm-b", "reimage"), "{}"), 200);
        assertThat(osDisk(VmFixture.get(http, "vm-b")).path("vhd").path("uri").asText()).isEqualTo(osVhd);
        Vhds.assertSamePageBlob(os, golden, "the replacement's pages are gone");

        // what the VM writes to its OS disk
        byte[] write = new byte[8192];
        new Random(9).nextBytes(write);
        long at = 2 * MIB;
        os.getPageBlobClient().uploadPages(new PageRange().setStart(at).setEnd(at + write.length - 1),
                new ByteArrayInputStream(write));
        Vhds.Sparse written = golden.written(at, write);
        Vhds.assertSamePageBlob(os, written, "the image's data and the VM's write");

        // captured into Azurite: the template's image VHDs are page blobs of the disks' bytes, as the VM left them
        act(http, "vm-b", "powerOff");
        act(http, "vm-b", "generalize");
        JsonNode template = capture(http, "vm-b", "golden", "captures");
        String osImage = imageUri(template.path("osDisk"));
        String captures = hostStyleUri("system", "Microsoft.Compute/Images/captures/");
        assertThat(osImage).startsWith(captures + "golden-osDisk.");
        Vhds.assertSamePageBlob(azurite.blob(osImage), Vhds.download(os));
        Vhds.assertSamePageBlob(azurite.blob(osImage), written, "the capture is sparse");
        String dataImage = imageUri(template.path("dataDisks").path(0));
        assertThat(dataImage).startsWith(captures + "golden-dataDisk-0.");
        Vhds.assertSamePageBlob(azurite.blob(dataImage), data, "the capture is sparse");

        // the captured OS disk imported (path-style URI) as a managed disk, read back through beginGetAccess
        BlobRef c = BlobRef.parse(osImage);
        importDisk(http, "captured", azurite.uri(c.container(), c.path()));
        Vhds.assertSameDisk(diskBytes(http, "captured"), written.bytes());
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.azimuth.compute.ComputeFixture.BLOB;
import static io.azimuth.compute.ComputeFixture.DATA_BLOB;
import static io.azimuth.compute.ComputeFixture.assertRefused;
import static io.azimuth.compute.ComputeFixture.id;
import static io.azimuth.compute.ComputeFixture.osDiskImage;
import static io.azimuth.compute.ComputeFixture.url;
import static org.assertj.core.api.Assertions.assertThat;

/** Every rule of the image documents, each on its own, with the exact status and error code. */
class ImageRulesTest {
    static final String OS = "properties.storageProfile.osDisk";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        ComputeFixture.sources(server.server());
    }

    private static Http.Response put(String body) {
        return server.http().put(url("images", "img"), body);
    }

    private static JsonNode created(String body) {
        Http.Response r = put(body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static String blobDisk(String extra) {
        return "{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\"" + BLOB + "\"" + extra + "}";
    }

    // ---- sources ----

    @Test
    void anOsDiskOrASourceVmIsRequired() {
        assertRefused(put("{\"location\":\"westus\",\"properties\":{\"storageProfile\":{}}}"), 400, "InvalidParameter", OS);
        assertRefused(put("{\"location\":\"westus\",\"properties\":{}}"), 400, "InvalidParameter", OS);
    }

    @Test
    void notBothAnOsDiskAndASourceVm() {
        assertRefused(put("{\"location\":\"westus\",\"properties\":{\"sourceVirtualMachine\":{\"id\":\""
                        + id("virtualMachines", "vm1") + "\"},\"storageProfile\":{\"osDisk\":" + blobDisk("") + "}}}"),
                400, "InvalidParameter", "properties.sourceVirtualMachine");
    }

    @Test
    void anOsDiskHasExactlyOneSource() {
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\"}")), 400, "InvalidParameter", OS);
        assertRefused(put(osDiskImage(blobDisk(",\"managedDisk\":{\"id\":\"" + id("disks", "disk30") + "\"}"))), 400,
                "InvalidParameter", OS);
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"snapshot\":{\"id\":\""
                        + id("snapshots", "snap30") + "\"},\"managedDisk\":{\"id\":\"" + id("disks", "disk30") + "\"}}")),
                400, "InvalidParameter", OS);
    }

    @Test
    void aDataDiskHasExactlyOneSource() {
        String none = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"lun\":0}]}}}";
        assertRefused(put(none), 400, "InvalidParameter", "properties.storageProfile.dataDisks[0]");
        String two = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"lun\":0,\"blobUri\":\"" + DATA_BLOB + "\",\"snapshot\":{\"id\":\""
                + id("snapshots", "snap30") + "\"}}]}}}";
        assertRefused(put(two), 400, "InvalidParameter", "properties.storageProfile.dataDisks[0]");
    }

    @Test
    void eachKindOfSourceMakesAnImage() {
        assertThat(created(osDiskImage(blobDisk(""))).path("properties").path("storageProfile").path("osDisk")
                .path("blobUri").asText()).isEqualTo(BLOB);
        server.http().delete(url("images", "img"));
        JsonNode fromSnapshot = created(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"snapshot\":{\"id\":\""
                + id("snapshots", "snap30") + "\"}}"));
        assertThat(fromSnapshot.path("properties").path("storageProfile").path("osDisk").path("snapshot").path("id")
                .asText()).isEqualTo(id("snapshots", "snap30"));
        server.http().delete(url("images", "img"));
        JsonNode fromDisk = created(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + id("disks", "disk30").substring(1) + "\"}}"));
        assertThat(fromDisk.path("properties").path("storageProfile").path("osDisk").path("managedDisk").path("id")
                .asText()).as("an id without the leading slash is accepted and echoed").isEqualTo(id("disks", "disk30").substring(1));
    }

    // ---- OS type and state, enums ----

    @Test
    void osTypeIsRequiredAndKnown() {
        assertRefused(put(osDiskImage("{\"osState\":\"Generalized\",\"blobUri\":\"" + BLOB + "\"}")), 400,
                "InvalidParameter", OS + ".osType");
        assertRefused(put(osDiskImage("{\"osType\":\"Solaris\",\"osState\":\"Generalized\",\"blobUri\":\"" + BLOB + "\"}")),
                400, "InvalidParameter", OS + ".osType");
    }

    @Test
    void osStateIsRequiredAndKnown() {
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"blobUri\":\"" + BLOB + "\"}")), 400, "InvalidParameter",
                OS + ".osState");
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Frozen\",\"blobUri\":\"" + BLOB + "\"}")), 400,
                "InvalidParameter", OS + ".osState");
    }

    @Test
    void enumsAreCaseInsensitiveAndAnsweredInAzureCasing() {
        JsonNode os = created(osDiskImage("{\"osType\":\"windows\",\"osState\":\"specialized\",\"blobUri\":\"" + BLOB
                + "\",\"caching\":\"readonly\",\"storageAccountType\":\"premium_lrs\"}")).path("properties")
                .path("storageProfile").path("osDisk");
        assertThat(os.path("osType").asText()).isEqualTo("Windows");
        assertThat(os.path("osState").asText()).isEqualTo("Specialized");
        assertThat(os.path("caching").asText()).isEqualTo("ReadOnly");
        assertThat(os.path("storageAccountType").asText()).isEqualTo("Premium_LRS");
    }

    // ---- data disks ----

    @Test
    void dataDisksNeedAUniqueLun() {
        String missing = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"blobUri\":\"" + DATA_BLOB + "\"}]}}}";
        assertRefused(put(missing), 400, "InvalidParameter", "properties.storageProfile.dataDisks[0].lun");
        String twice = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"lun\":1,\"blobUri\":\"" + DATA_BLOB + "\"},{\"lun\":1,\"snapshot\":{\"id\":\""
                + id("snapshots", "snap30") + "\"}}]}}}";
        assertRefused(put(twice), 400, "InvalidParameter", "properties.storageProfile.dataDisks[1].lun");
        String asText = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"lun\":\"1\",\"blobUri\":\"" + DATA_BLOB + "\"},{\"lun\":2,\"managedDisk\":{\"id\":\""
                + id("disks", "disk30") + "\"}}]}}}";
        JsonNode data = created(asText).path("properties").path("storageProfile").path("dataDisks");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).path("lun").asInt()).isEqualTo(1);
        assertThat(data.get(0).path("diskSizeGB").asInt()).isEqualTo(10);
        assertThat(data.get(1).path("managedDisk").path("id").asText()).isEqualTo(id("disks", "disk30"));
    }

    // ---- sizes ----

    @Test
    void sizeMayGrowButNotShrinkBelowTheSource() {
        assertRefused(put(osDiskImage(blobDisk(",\"diskSizeGB\":20"))), 400, "InvalidParameter", OS + ".diskSizeGB");
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"diskSizeGB\":29,\"managedDisk\":"
                + "{\"id\":\"" + id("disks", "disk30") + "\"}}")), 400, "InvalidParameter", OS + ".diskSizeGB");
        assertThat(created(osDiskImage(blobDisk(",\"diskSizeGB\":64"))).path("properties").path("storageProfile")
                .path("osDisk").path("diskSizeGB").asInt()).isEqualTo(64);
        server.http().delete(url("images", "img"));
        assertThat(created(osDiskImage(blobDisk(""))).path("properties").path("storageProfile").path("osDisk")
                .path("diskSizeGB").asInt()).as("the source's size when none is asked").isEqualTo(30);
    }

    @Test
    void imageDisksAreAtMost1023Gb() {
        String data = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"lun\":0,\"blobUri\":\"" + DATA_BLOB + "\",\"diskSizeGB\":1024}]}}}";
        assertRefused(put(data), 400, "InvalidParameter", "properties.storageProfile.dataDisks[0].diskSizeGB");
        assertThat(put(data.replace("1024", "1023")).status()).isEqualTo(201);
    }

    // ---- storage account types, caching ----

    @Test
    void storageAccountTypeIsOneOfSevenAndDefaultsToStandardLrs() {
        assertRefused(put(osDiskImage(blobDisk(",\"storageAccountType\":\"Floppy_LRS\""))), 400, "InvalidParameter",
                OS + ".storageAccountType");
        assertThat(created(osDiskImage(blobDisk(""))).path("properties").path("storageProfile").path("osDisk")
                .path("storageAccountType").asText()).isEqualTo("Standard_LRS");
    }

    @Test
    void ultraSsdIsForDataDisksOnly() {
        assertRefused(put(osDiskImage(blobDisk(",\"storageAccountType\":\"UltraSSD_LRS\""))), 400, "InvalidParameter",
                OS + ".storageAccountType");
        String data = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + ",\"dataDisks\":[{\"lun\":0,\"blobUri\":\"" + DATA_BLOB + "\",\"storageAccountType\":\"UltraSSD_LRS\"}]}}}";
        assertThat(created(data).path("properties").path("storageProfile").path("dataDisks").get(0)
                .path("storageAccountType").asText()).isEqualTo("UltraSSD_LRS");
    }

    @Test
    void cachingIsNoneReadOnlyOrReadWriteAndHostCachingIsAccepted() {
        assertRefused(put(osDiskImage(blobDisk(",\"caching\":\"WriteBack\""))), 400, "InvalidParameter", OS + ".caching");
        assertThat(created(osDiskImage(blobDisk(""))).path("properties").path("storageProfile").path("osDisk")
                .path("caching").asText()).as("default").isEqualTo("ReadWrite");
        Http.Response old = server.http().put(url("images", "old", "2017-03-30"), osDiskImage(blobDisk(",\"hostCaching\":\"readonly\"")));
        assertThat(old.status()).as(old.toString()).isEqualTo(201);
        assertThat(old.json().path("properties").path("storageProfile").path("osDisk").path("caching").asText())
                .isEqualTo("ReadOnly");
    }

    // ---- Hyper-V generation, encryption sets ----

    @Test
    void hyperVGenerationIsV1OrV2AndInferredFromManagedSources() {
        assertRefused(put("{\"location\":\"westus\",\"properties\":{\"hyperVGeneration\":\"V3\",\"storageProfile\":{\"osDisk\":"
                + blobDisk("") + "}}}"), 400, "InvalidParameter", "properties.hyperVGeneration");
        assertThat(created("{\"location\":\"westus\",\"properties\":{\"hyperVGeneration\":\"v2\",\"storageProfile\":{\"osDisk\":"
                + blobDisk("") + "}}}").path("properties").path("hyperVGeneration").asText()).isEqualTo("V2");
        server.http().delete(url("images", "img"));
        assertThat(created(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + id("disks", "disk30") + "\"}}")).path("properties").path("hyperVGeneration").asText())
                .as("from the V2 disk").isEqualTo("V2");
    }

    @Test
    void diskEncryptionSetIdMustBeWellFormed() {
        assertRefused(put(osDiskImage(blobDisk(",\"diskEncryptionSet\":{\"id\":\"not-an-id\"}"))), 400,
                "InvalidParameter", OS + ".diskEncryptionSet.id");
        String des = "/subscriptions/" + TestServer.SUB + "/resourceGroups/keys/providers/Microsoft.Compute/diskEncryptionSets/des1";
        assertThat(created(osDiskImage(blobDisk(",\"diskEncryptionSet\":{\"id\":\"" + des + "\"}"))).path("properties")
                .path("storageProfile").path("osDisk").path("diskEncryptionSet").path("id").asText()).isEqualTo(des);
    }

    // ---- references ----

    @Test
    void missingSourcesAre404() {
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"snapshot\":{\"id\":\""
                + id("snapshots", "nope") + "\"}}")), 404, "NotFound", OS + ".snapshot.id");
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + id("disks", "nope") + "\"}}")), 404, "NotFound", OS + ".managedDisk.id");
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":"
                + "\"https://acct1.blob.core.windows.net/vhds/missing.vhd\"}")), 404, "NotFound", OS + ".blobUri");
        assertRefused(put("{\"location\":\"westus\",\"properties\":{\"sourceVirtualMachine\":{\"id\":\""
                + id("virtualMachines", "vm1") + "\"}}}"), 404, "NotFound", "properties.sourceVirtualMachine.id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-id", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/d",
            "/subscriptions/6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f/resourceGroups/images-rg/providers/Microsoft.Compute/snapshots/snap30"})
    void malformedOrMistypedIdsAre400(String badDiskId) {
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + badDiskId + "\"}}")), 400, "InvalidParameter", OS + ".managedDisk.id");
    }

    @Test
    void aBlobThatIsNotAFixedVhdIs400() {
        server.putVhd("acct1", "vhds", "odd.vhd", (1L << 20) + 512); // not a whole number of MiB
        Http.Response r = put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":"
                + "\"https://acct1.blob.core.windows.net/vhds/odd.vhd\"}"));
        assertRefused(r, 400, "InvalidParameter", OS + ".blobUri");
        assertThat(r.json().path("error").path("message").asText()).contains("odd.vhd");
        assertRefused(put(osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\"ftp://x/y\"}")),
                400, "InvalidParameter", OS + ".blobUri");
    }

    @Test
    void theGroupMustExist() {
        Http.Response r = server.http().put(url("images", "img").replace(ComputeFixture.RG, "no-such-group"), osDiskImage(blobDisk("")));
        assertRefused(r, 404, "ResourceGroupNotFound", null);
    }

    @Test
    void locationIsRequiredAndNormalised() {
        assertRefused(put("{\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("") + "}}}"), 400,
                "LocationRequired", "location");
        assertThat(created("{\"location\":\"West US\",\"properties\":{\"storageProfile\":{\"osDisk\":" + blobDisk("")
                + "}}}").path("location").asText()).isEqualTo("westus");
    }

    // ---- lifecycle ----

    @Test
    void createUpdateGetPatchListDelete() {
        JsonNode first = created(osDiskImage(blobDisk("")));
        assertThat(first.path("id").asText()).isEqualTo(id("images", "img"));
        assertThat(first.path("type").asText()).isEqualTo("Microsoft.Compute/images");
        assertThat(first.path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(first.path("properties").path("storageProfile").path("dataDisks")).isEmpty();
        assertThat(first.path("properties").path("storageProfile").path("zoneResilient").asBoolean()).isFalse();

        Http.Response updated = put("{\"location\":\"westus\",\"tags\":{\"v\":\"2\"},\"properties\":{\"storageProfile\":"
                + "{\"osDisk\":" + blobDisk("") + "}}}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("tags").path("v").asText()).isEqualTo("2");

        Http.Response patched = server.http().patch(url("images", "img"), "{\"tags\":{\"v\":\"3\"},\"properties\":{\"hyperVGeneration\":\"V2\"}}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("tags").path("v").asText()).isEqualTo("3");
        assertThat(patched.json().path("properties").path("hyperVGeneration").asText()).isEqualTo("V2");
        assertThat(server.http().get(url("images", "IMG")).json().path("name").asText()).isEqualTo("img");

        assertThat(server.http().get(url("images", null)).json().path("value")).hasSize(1);
        assertThat(server.http().get("/subscriptions/" + TestServer.SUB + "/providers/Microsoft.Compute/images?api-version=2024-03-01")
                .json().path("value")).hasSize(1);

        assertThat(server.http().delete(url("images", "img")).status()).isEqualTo(200);
        assertRefused(server.http().get(url("images", "img")), 404, "ResourceNotFound", null);
        assertThat(server.http().delete(url("images", "img")).status()).isEqualTo(204);
        assertRefused(server.http().patch(url("images", "img"), "{\"tags\":{}}"), 404, "ResourceNotFound", null);
    }

    @Test
    void deletingTheGroupDeletesItsImagesDisksAndSnapshots() {
        created(osDiskImage(blobDisk("")));
        assertThat(server.http().delete(TestServer.rg(ComputeFixture.RG) + "?api-version=2025-04-01").status()).isEqualTo(200);
        server.http().put(TestServer.rg(ComputeFixture.RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        assertThat(server.http().get(url("images", "img")).status()).isEqualTo(404);
        assertThat(server.http().get(url("disks", "disk30", "2024-03-02")).status()).isEqualTo(404);
        assertThat(server.http().get(url("snapshots", "snap30", "2024-03-02")).status()).isEqualTo(404);
        assertThat(server.http().get("/subscriptions/" + TestServer.SUB + "/providers/Microsoft.Compute/disks?api-version=2024-03-02")
                .json().path("value")).isEmpty();
    }
}

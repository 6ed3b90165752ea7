package io.azimuth.it;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.azure.StorageAccount;
import io.azimuth.blobs.azure.StorageAccounts;
import io.azimuth.support.Azurite;
import io.azimuth.support.Http;
import io.azimuth.support.Network;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.Vhds.MIB;
import static io.azimuth.support.Vhds.describe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulator with Azurite's development account as a blob backend: VHD checks of images and disk imports,
 * disks copied to and from Azurite for VMs, capture output landing in Azurite, the blob endpoints, reset, an
 * unreachable account, and the flag on the packaged jar.
 */
class AzuriteBlobsIT {
    static final String RG = "azurite-rg";
    static final String V = "2024-03-01";
    static final String DISK_V = "2024-03-02";

    static Azurite azurite;
    static BlobServiceClient sdk;
    static BlobContainerClient vhds;
    static TestServer server;
    static Http http;
    static int deadPort;

    @BeforeAll
    static void start() throws IOException {
        azurite = Azurite.start();
        sdk = azurite.sdk();
        vhds = sdk.getBlobContainerClient("vhds");
        vhds.createIfNotExists();
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        StorageAccounts accounts = StorageAccounts.defaults().with(azurite.account()).with(new StorageAccount(
                "deadaccount", "http://127.0.0.1:" + deadPort + "/deadaccount", StorageAccount.DEVELOPMENT_KEY, null));
        server = TestServer.start(c -> c.withStorageAccounts(accounts));
        http = server.http;
        Http.Response r = http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    @AfterAll
    static void stop() {
        TestServer.closeAll(server, azurite);
    }

    static String url(String type, String name, String version) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type + "/" + name
                + "?api-version=" + version;
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Http.Response putImage(Http client, String name, String blobUri) {
        return client.put(url("images", name, V), "{\"location\":\"westus\",\"properties\":{\"storageProfile\":"
                + "{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\"" + blobUri + "\"}}}}");
    }

    static void assertError(Http.Response r, int status, String code, String... messageParts) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode error = r.json().path("error");
        assertThat(error.path("code").asText()).as(r.toString()).isEqualTo(code);
        if (messageParts.length > 0) {
            assertThat(error.path("message").asText()).as(r.toString()).contains(messageParts);
        }
    }

    /** A VHD uploaded to Azurite as a page blob; its path-style URI. */
    static String azuriteVhd(Vhds.Sparse vhd, String name) {
        vhd.uploadAsPageBlob(vhds, name);
        return azurite.uri("vhds", name);
    }

    // ---- the VHD check

    /**
     * azimuth vhd upload against Azurite, by a SAS URL: a sparse VHD arrives as a page blob holding exactly the file's
     * bytes, read back through the Azure SDK.
     */
    @Test
    void theVhdCommandUploadsToAzuriteBySas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tool.vhd");
        Vhds.Sparse sparse = Vhds.sparse(64 * MIB, 77, 0, MIB, 40 * MIB + 512, 3 * MIB);
        Files.write(file, sparse.bytes());
        com.azure.storage.blob.BlobClient blob = vhds.getBlobClient(unique("tool") + ".vhd");
        String sas = blob.generateSas(new com.azure.storage.blob.sas.BlobServiceSasSignatureValues(
                java.time.OffsetDateTime.now().plusHours(1),
                new com.azure.storage.blob.sas.BlobSasPermission().setCreatePermission(true).setWritePermission(true)
                        .setReadPermission(true)));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = io.azimuth.tools.VhdCommand.run(new String[] {"upload", "--quiet", file.toString(),
                blob.getBlobUrl() + "?" + sas}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("page writes");
        assertThat(blob.getProperties().getBlobType()).isEqualTo(com.azure.storage.blob.models.BlobType.PAGE_BLOB);
        Vhds.assertSamePageBlob(blob, sparse.bytes());
    }

    @Test
    void imagesAndDiskImportsTakeAzuriteVhdsByEitherUriStyle() {
        String name = unique("image") + ".vhd";
        String pathStyle = azuriteVhd(Vhds.sparse(8 * MIB, 1, 0, 4096, 3 * MIB, 8192), name);
        Http.Response image = putImage(http, unique("img"), pathStyle);
        assertThat(image.status()).as(image.toString()).isEqualTo(201);
        assertThat(image.json().path("properties").path("storageProfile").path("osDisk").path("blobUri").asText())
                .isEqualTo(pathStyle);

        Http.Response hostStyle = putImage(http, unique("img"), "https://devstoreaccount1.blob.core.windows.net/vhds/"
                + name);
        assertThat(hostStyle.status()).as(hostStyle.toString()).isEqualTo(201);

        Http.Response disk = http.put(url("disks", unique("imported"), DISK_V), "{\"location\":\"westus\",\"properties\":"
                + "{\"osType\":\"Linux\",\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + pathStyle
                + "\"}}}");
        assertThat(disk.status()).as(disk.toString()).isEqualTo(200);
        assertThat(disk.json().path("properties").path("creationData").path("sourceUri").asText()).isEqualTo(pathStyle);
    }

    @Test
    void aBlockBlobIs400NamingTheBlob() {
        String name = unique("block") + ".vhd";
        Vhds.sparse(MIB, 2, 0, 4096).uploadAsBlockBlob(vhds, name);
        Http.Response r = putImage(http, unique("img"), azurite.uri("vhds", name));
        assertError(r, 400, "InvalidParameter", azurite.uri("vhds", name), "block blob", "page blob");
        assertThat(r.json().path("error").path("target").asText()).isEqualTo("properties.storageProfile.osDisk.blobUri");
    }

    @Test
    void aMissingBlobIs404AndACorruptFooter400() {
        String missing = azurite.uri("vhds", unique("missing") + ".vhd");
        assertError(putImage(http, unique("img"), missing), 404, "NotFound", missing);
        assertError(putImage(http, unique("img"), azurite.uri("no-such-container", "d.vhd")), 404, "NotFound");

        Vhds.Sparse corrupt = Vhds.sparse(2 * MIB, 3, 0, 4096);
        corrupt.bytes()[corrupt.bytes().length - 512] = 'X'; // the cookie
        String uri = azuriteVhd(corrupt, unique("corrupt") + ".vhd");
        assertError(putImage(http, unique("img"), uri), 400, "InvalidParameter", uri, "not a valid fixed VHD",
                "conectix");
    }

    // ---- disks copied to, from and inside Azurite

    /** A Linux VM from the user image {@code imageUri} whose OS disk is the VHD {@code vhdUri}. */
    static ObjectNode vm(String name, String imageUri, String vhdUri) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("location", "westus");
        ObjectNode props = body.putObject("properties");
        props.putObject("hardwareProfile").put("vmSize", "Standard_D2s_v3");
        ObjectNode os = props.putObject("storageProfile").putObject("osDisk");
        os.put("osType", "Linux");
        os.put("createOption", "FromImage");
        os.putObject("image").put("uri", imageUri);
        os.putObject("vhd").put("uri", vhdUri);
        ObjectNode profile = props.putObject("osProfile");
        profile.put("computerName", name);
        profile.put("adminUsername", "azureuser");
        profile.put("adminPassword", "Linux-Pass1");
        props.putObject("networkProfile").putArray("networkInterfaces").addObject().put("id", "/subscriptions/" + SUB
                + "/resourceGroups/" + RG + "/providers/Microsoft.Network/networkInterfaces/nic-" + name);
        return body;
    }

    static void act(String vm, String action) {
        Http.Response r = http.post("/subscriptions/" + SUB + "/resourceGroups/" + RG
                + "/providers/Microsoft.Compute/virtualMachines/" + vm + "/" + action + "?api-version=" + V, null);
        assertThat(r.status()).as(action + ": " + r).isEqualTo(200);
    }

    @Test
    void aVmDiskCopiedIntoAzuriteAndItsCaptureLandThereAsSparsePageBlobs() {
        Vhds.Sparse image = Vhds.sparse(16 * MIB, 4, 0, 64 * 1024, 5 * MIB, 3 * MIB, 15 * MIB, 4096);
        String local = "vhds/" + unique("embedded-image") + ".vhd";
        Http.Response put = http.putBytes("/_azimuth/blobs/acct1/" + local, image.bytes());
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        String imageUri = "https://acct1.blob.core.windows.net/" + local;

        String vmName = unique("vm");
        String osVhd = azurite.uri("vms", unique("os") + ".vhd");
        Network.nicsFor(http, vm(vmName, imageUri, osVhd));
        Http.Response created = http.put(url("virtualMachines", vmName, V), vm(vmName, imageUri, osVhd).toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        BlobClient os = azurite.blob(osVhd);
        assertThat(os.getProperties().getBlobType()).isEqualTo(BlobType.PAGE_BLOB);
        assertThat(Vhds.sha256(Vhds.download(os))).isEqualTo(image.sha256());
        assertThat(describe(Vhds.pageRanges(os))).as("only the data was sent").isEqualTo(describe(image.regions()));

        act(vmName, "deallocate");
        act(vmName, "generalize");
        Http.Response capture = http.post("/subscriptions/" + SUB + "/resourceGroups/" + RG
                        + "/providers/Microsoft.Compute/virtualMachines/" + vmName + "/capture?api-version=" + V,
                "{\"vhdPrefix\":\"pfx\",\"destinationContainerName\":\"images\",\"overwriteVhds\":false}");
        assertThat(capture.status()).as(capture.toString()).isEqualTo(200);
        String captured = capture.json().path("resources").get(0).path("properties").path("storageProfile")
                .path("osDisk").path("image").path("uri").asText();
        assertThat(captured).startsWith("https://devstoreaccount1.blob.core.windows.net/system/Microsoft.Compute/Images/"
                + "images/pfx-osDisk.");
        BlobClient out = azurite.blob(captured);
        assertThat(out.getProperties().getBlobType()).isEqualTo(BlobType.PAGE_BLOB);
        assertThat(Vhds.sha256(Vhds.download(out))).isEqualTo(image.sha256());
        assertThat(describe(Vhds.pageRanges(out))).isEqualTo(describe(image.regions()));

        Http.Response fromCapture = putImage(http, unique("captured"), captured);
        assertThat(fromCapture.status()).as(fromCapture.toString()).isEqualTo(201);
    }

    @Test
    void aVmDiskCopiedOutOfAzuriteKeepsItsBytes() {
        Vhds.Sparse image = Vhds.sparse(8 * MIB, 5, 512, 4096, 7 * MIB, 8192);
        String imageUri = azuriteVhd(image, unique("azure-image") + ".vhd");
        String vmName = unique("vm");
        String local = "vms/" + unique("local-os") + ".vhd";
        Network.nicsFor(http, vm(vmName, imageUri, "https://acct1.blob.core.windows.net/" + local));
        Http.Response created = http.put(url("virtualMachines", vmName, V),
                vm(vmName, imageUri, "https://acct1.blob.core.windows.net/" + local).toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Http.Bytes bytes = http.getBytes("/_azimuth/blobs/acct1/" + local, Map.of());
        assertThat(bytes.status()).isEqualTo(200);
        assertThat(Vhds.sha256(bytes.body())).isEqualTo(image.sha256());
    }

    // ---- the blob endpoints, reset

    @Test
    void theBlobEndpointsReachAzuriteForItsAccount() {
        Vhds.Sparse vhd = Vhds.sparse(2 * MIB, 6, 0, 4096);
        String name = unique("uploaded") + ".vhd";
        Http.Response put = http.putBytes("/_azimuth/blobs/devstoreaccount1/uploads/" + name, vhd.bytes());
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.json().path("vhd").path("valid").asBoolean()).as(put.toString()).isTrue();
        BlobClient blob = sdk.getBlobContainerClient("uploads").getBlobClient(name);
        assertThat(blob.getProperties().getBlobType()).isEqualTo(BlobType.PAGE_BLOB);
        assertThat(Vhds.sha256(Vhds.download(blob))).isEqualTo(vhd.sha256());
        Http.Bytes back = http.getBytes("/_azimuth/blobs/devstoreaccount1/uploads/" + name, Map.of());
        assertThat(Vhds.sha256(back.body())).isEqualTo(vhd.sha256());
        assertThat(http.get("/_azimuth/blobs/devstoreaccount1/uploads").json().path("value").findValuesAsText("name"))
                .contains(name);
    }

    @Test
    void resetLeavesTheAccountsBlobsAlone() {
        String name = unique("kept") + ".vhd";
        azuriteVhd(Vhds.sparse(MIB, 7, 0, 512), name);
        server.reset();
        assertThat(vhds.getBlobClient(name).exists()).isTrue();
        Http.Response r = http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    // ---- an unreachable account

    @Test
    void anUnreachableAccountIsA502NamingItWithinSeconds() {
        long started = System.nanoTime();
        String uri = "http://127.0.0.1:" + deadPort + "/deadaccount/vhds/os.vhd";
        assertError(putImage(http, unique("img"), uri), 502, "StorageAccountUnreachable", "deadaccount",
                "http://127.0.0.1:" + deadPort + "/deadaccount", "cannot be reached");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
    }

    // ---- the packaged jar

    @Test
    void theJarTakesTheAccountFromItsFlagAndLoadsTheSdkOnlyWhenABlobIsThere(@TempDir Path dir) throws IOException {
        String uri = azuriteVhd(Vhds.sparse(MIB, 8, 0, 4096), unique("jar") + ".vhd");
        Path classes = dir.resolve("classes.log");
        try (JarProcess jar = JarProcess.start(List.of("-Xlog:class+load=info:file=" + classes), dir.resolve("data"),
                "--in-memory", "--storage-account", "devstoreaccount1=http://127.0.0.1:" + azurite.port)) {
            Http client = jar.http();
            Http.Response rg = client.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
            assertThat(rg.status()).as(rg.toString()).isIn(200, 201);
            Http.Response upload = client.putBytes("/_azimuth/blobs/acct1/vhds/local.vhd",
                    Vhds.sparse(MIB, 9, 0, 4096).bytes());
            assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
            Http.Response local = putImage(client, "embedded", "https://acct1.blob.core.windows.net/vhds/local.vhd");
            assertThat(local.status()).as(local.toString()).isEqualTo(201);
            assertThat(Files.readString(classes)).as("no Azure SDK class while no remote blob was named")
                    .contains("io.azimuth.blobs.azure.RoutingVhdStore").doesNotContain("com.azure.", "reactor.");
            Http.Response image = putImage(client, "from-azurite", uri);
            assertThat(image.status()).as(image.toString() + "\n" + jar.stderr()).isEqualTo(201);
            assertError(putImage(client, "missing", azurite.uri("vhds", "missing.vhd")), 404, "NotFound");
            assertThat(Files.readString(classes)).contains("com.azure.storage.blob.BlobServiceClient");
        }
    }
}

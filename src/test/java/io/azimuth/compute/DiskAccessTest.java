package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.server.AzimuthServer;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.azimuth.compute.DiskFixture.SOURCE;
import static io.azimuth.compute.DiskFixture.action;
import static io.azimuth.compute.DiskFixture.url;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * beginGetAccess and endGetAccess as the Disk RP answers them, and the export URL as Azure Storage serves a SAS:
 * ranges, HEAD, 403 AuthenticationFailed once expired, revoked or replaced; diskState ActiveSAS meanwhile; what an
 * active SAS forbids.
 */
class DiskAccessTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    @RegisterExtension
    static final ServerExtension delayed = ServerExtension.start(c -> c.withOperationDelay(300));
    byte[] vhd;

    @BeforeEach
    void disk() {
        vhd = Vhds.random(2 * MIB, 11);
        DiskFixture.group(server.server(), vhd);
        DiskFixture.group(delayed.server(), vhd);
        DiskFixture.imported(http(), "disks", "d1");
    }

    static Http http() {
        return server.http();
    }

    static String state(String type, String name) {
        return DiskFixture.diskState(http(), type, name);
    }

    static Http.Response grantRequest(String body) {
        return http().post(action("disks", "d1", "beginGetAccess"), body);
    }

    static void assertStorageError(Http.Bytes r, int status, String code) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("x-ms-error-code")).isEqualTo(code);
        assertThat(r.header("Content-Type")).startsWith("application/xml");
        assertThat(new String(r.body())).startsWith("<?xml").contains("<Code>" + code + "</Code>");
    }

    @Test
    void theExportUrlServesRangesAndHeadAsABlob() {
        String sas = DiskFixture.grant(http(), "disks", "d1", 300);
        assertThat(sas).matches(".*/_azimuth/exports/[0-9a-f]{32}\\?sv=[0-9-]+&sr=b&sp=r&st=[0-9T:-]+Z&se=[0-9T:-]+Z"
                + "&sig=[A-Za-z0-9_-]{43}");
        Http.Bytes part = http().getBytes(sas, Map.of("Range", "bytes=1000-1999"));
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.header("Content-Range")).isEqualTo("bytes 1000-1999/" + vhd.length);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(vhd, 1000, 2000));
        Http.Bytes tail = http().getBytes(sas, Map.of("x-ms-range", "bytes=" + (vhd.length - 512) + "-"));
        assertThat(tail.status()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(vhd, vhd.length - 512, vhd.length));
        assertStorageError(http().getBytes(sas, Map.of("Range", "bytes=" + vhd.length + "-")), 416, "InvalidRange");
        Http.Response head = http().head(sas, Map.of());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(vhd.length));
        assertThat(head.header("x-ms-blob-type")).isEqualTo("PageBlob");
        assertThat(head.header("x-ms-request-id")).isNotBlank();
    }

    @Test
    void theDiskIsActiveSasUntilAccessEnds() {
        assertThat(state("disks", "d1")).isEqualTo("Unattached");
        String sas = DiskFixture.grant(http(), "disks", "d1", 300);
        assertThat(state("disks", "d1")).isEqualTo("ActiveSAS");
        JsonNode listed = http().get(url("disks", null)).json().path("value").get(0);
        assertThat(listed.path("properties").path("diskState").asText()).isEqualTo("ActiveSAS");
        assertThat(listed.toString()).doesNotContain("azimuthState").doesNotContain("exports/");
        Vhds.assertSameDisk(Vhds.download(http(), sas), vhd);
        DiskFixture.revoke(http(), "disks", "d1");
        assertThat(state("disks", "d1")).isEqualTo("Unattached");
        assertStorageError(http().getBytes(sas, Map.of()), 403, "AuthenticationFailed");
        DiskFixture.revoke(http(), "disks", "d1");
    }

    @Test
    void theAccessUrlIsTheSourceOfABlobCopy() {
        // Packer's VHD output: Copy Blob from the disk's SAS into a storage account's container
        String sas = DiskFixture.grant(http(), "disks", "d1", 300);
        String target = "/_azimuth/blobs/exportacct/vhds/copied.vhd";
        Http.Response copy = http().send("PUT", target, null, Map.of("x-ms-copy-source", sas));
        assertThat(copy.status()).as(copy.body()).isEqualTo(202);
        assertThat(copy.header("x-ms-copy-status")).isEqualTo("success");
        Http.Bytes copied = http().getBytes(target, Map.of());
        assertThat(copied.status()).isEqualTo(200);
        assertThat(copied.body()).isEqualTo(vhd);

        String wrong = sas.substring(0, sas.length() - 4) + (sas.endsWith("AAAA") ? "BBBB" : "AAAA");
        Http.Response refused = http().send("PUT", "/_azimuth/blobs/exportacct/vhds/refused.vhd", null,
                Map.of("x-ms-copy-source", wrong));
        assertThat(refused.status()).isEqualTo(403);
        DiskFixture.revoke(http(), "disks", "d1");
        Http.Response revoked = http().send("PUT", "/_azimuth/blobs/exportacct/vhds/refused.vhd", null,
                Map.of("x-ms-copy-source", sas));
        assertThat(revoked.status()).as("a revoked grant is no source").isEqualTo(403);
        assertThat(http().getBytes("/_azimuth/blobs/exportacct/vhds/refused.vhd", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aSignatureThatIsWrongOrMissingIsRefused() {
        String sas = DiskFixture.grant(http(), "disks", "d1", 300);
        String wrong = sas.substring(0, sas.length() - 4) + (sas.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertStorageError(http().getBytes(wrong, Map.of()), 403, "AuthenticationFailed");
        assertStorageError(http().getBytes(sas.substring(0, sas.indexOf("&sig=")), Map.of()), 403,
                "AuthenticationFailed");
        String otherExport = sas.replaceFirst("exports/[0-9a-f]{32}", "exports/" + "0".repeat(32));
        assertStorageError(http().getBytes(otherExport, Map.of()), 403, "AuthenticationFailed");
        assertThat(Vhds.download(http(), sas)).hasSize(vhd.length);
    }

    @Test
    void anExpiredGrantIsRefusedAndTheStateReturns() throws InterruptedException {
        String sas = DiskFixture.grant(http(), "disks", "d1", 1);
        assertThat(state("disks", "d1")).isEqualTo("ActiveSAS");
        Thread.sleep(2100);
        Http.Bytes r = http().getBytes(sas, Map.of());
        assertStorageError(r, 403, "AuthenticationFailed");
        assertThat(new String(r.body())).contains("<AuthenticationErrorDetail>Signature not valid in the specified "
                + "time frame");
        assertThat(state("disks", "d1")).isEqualTo("Unattached");
        assertThat(http().delete(url("disks", "d1")).status()).isEqualTo(200);
    }

    @Test
    void aNewGrantReplacesTheOldOne() {
        String first = DiskFixture.grant(http(), "disks", "d1", 300);
        String second = DiskFixture.grant(http(), "disks", "d1", 300);
        assertThat(second).isNotEqualTo(first);
        assertStorageError(http().getBytes(first, Map.of()), 403, "AuthenticationFailed");
        Vhds.assertSameDisk(Vhds.download(http(), second), vhd);
    }

    @Test
    void anActiveSasForbidsDeletingAndResizingButNotTagging() {
        DiskFixture.grant(http(), "disks", "d1", 300);
        Http.Response delete = http().delete(url("disks", "d1"));
        assertThat(delete.status()).isEqualTo(409);
        assertThat(delete.errorCode()).isEqualTo("OperationNotAllowed");
        Http.Response grow = http().patch(url("disks", "d1"), "{\"properties\":{\"diskSizeGB\":4}}");
        assertThat(grow.status()).isEqualTo(409);
        assertThat(grow.errorCode()).isEqualTo("ChangeDiskSizeWhileActiveSasNotAllowed");
        Http.Response tag = http().patch(url("disks", "d1"), "{\"tags\":{\"a\":\"b\"}}");
        assertThat(tag.status()).as(tag.toString()).isEqualTo(200);
        assertThat(tag.json().path("properties").path("diskState").asText()).isEqualTo("ActiveSAS");
        DiskFixture.revoke(http(), "disks", "d1");
        assertThat(http().delete(url("disks", "d1")).status()).isEqualTo(200);
    }

    @Test
    void snapshotsAreGrantedAccessToo() {
        DiskFixture.copied(http(), "snapshots", "s1", "disks", "d1");
        String sas = DiskFixture.grant(http(), "snapshots", "s1", 300);
        assertThat(state("snapshots", "s1")).isEqualTo("ActiveSAS");
        assertThat(http().delete(url("snapshots", "s1")).status()).isEqualTo(409);
        Vhds.assertSameDisk(Vhds.download(http(), sas), vhd);
        DiskFixture.revoke(http(), "snapshots", "s1");
        assertThat(state("snapshots", "s1")).isEqualTo("Unattached");
    }

    @Test
    void theGrantDataIsChecked() {
        assertThat(grantRequest("{\"durationInSeconds\":60}").status()).isEqualTo(400);
        assertThat(grantRequest("{\"access\":\"Read\"}").status()).isEqualTo(400);
        assertThat(grantRequest("{\"access\":\"Read\",\"durationInSeconds\":0}").status()).isEqualTo(400);
        assertThat(grantRequest("{\"access\":\"Sometimes\",\"durationInSeconds\":60}").status()).isEqualTo(400);
        assertThat(grantRequest("{\"access\":\"None\",\"durationInSeconds\":60}").status()).isEqualTo(400);
        assertThat(grantRequest("{\"access\":\"Read\",\"durationInSeconds\":60,\"fileFormat\":\"VHDX\"}").status())
                .isEqualTo(400);
        Http.Response write = grantRequest("{\"access\":\"Write\",\"durationInSeconds\":60}");
        assertThat(write.status()).isEqualTo(409);
        assertThat(write.errorCode()).isEqualTo("OperationNotAllowed");
        assertThat(http().post(action("disks", "nothing", "beginGetAccess"), "{\"access\":\"Read\","
                + "\"durationInSeconds\":60}").status()).isEqualTo(404);
        assertThat(http().post(action("disks", "nothing", "endGetAccess"), null).status()).isEqualTo(404);
        assertThat(state("disks", "d1")).isEqualTo("Unattached");
        Http.Response read = grantRequest("{\"access\":\"read\",\"durationInSeconds\":\"60\",\"fileFormat\":\"VHD\"}");
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
    }

    @Test
    void withAnOperationDelayGrantAndRevokeAreLongRunning() throws InterruptedException {
        Http http = delayed.http();
        Http.Response created = http.put(url("disks", "d1"), "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                + "{\"createOption\":\"Import\",\"sourceUri\":\"" + SOURCE + "\"}}}");
        assertThat(created.status()).as(created.toString()).isIn(200, 202);
        awaitSucceeded(http, url("disks", "d1"));

        Http.Response r = http.post(action("disks", "d1", "beginGetAccess"), "{\"access\":\"Read\","
                + "\"durationInSeconds\":300}");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.header("Azure-AsyncOperation")).startsWith(http.base() + "/subscriptions/");
        String location = r.header("Location");
        assertThat(location).startsWith(http.base() + "/subscriptions/");
        assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
        JsonNode result = poll(http, location);
        String sas = result.path("accessSAS").asText();
        assertThat(sas).startsWith(http.base() + "/_azimuth/exports/");
        Vhds.assertSameDisk(Vhds.download(http, sas), vhd);

        Http.Response end = http.post(action("disks", "d1", "endGetAccess"), null);
        assertThat(end.status()).isEqualTo(202);
        poll(http, end.header("Location"));
        assertThat(http.getBytes(sas, Map.of()).status()).isEqualTo(403);
    }

    /** GETs an operation's result URL until it stops answering 202; its body (or null when it has none). */
    static JsonNode poll(Http http, String location) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            Http.Response r = http.get(location);
            if (r.status() != 202) {
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                return r.body().isEmpty() ? null : r.json();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the operation did not end: " + location);
    }

    static void awaitSucceeded(Http http, String url) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (http.get(url).json().path("properties").path("provisioningState").asText().equals("Succeeded")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(url + " did not succeed");
    }

    @Test
    void aGrantSurvivesARestart() throws Exception {
        Path dir = Files.createTempDirectory("azimuth-grant");
        try {
            Config config = Config.forTests(dir).withInMemory(false);
            String sas;
            try (AzimuthServer first = AzimuthServer.start(config)) {
                Http http = Http.plain("http://127.0.0.1:" + first.httpPort());
                assertThat(http.put(TestServer.rg(DiskFixture.RG) + "?api-version=2025-04-01",
                        "{\"location\":\"westus\"}").status()).isIn(200, 201);
                Vhds.upload(http, SOURCE, vhd);
                DiskFixture.imported(http, "disks", "d1");
                sas = DiskFixture.grant(http, "disks", "d1", 300);
            }
            try (AzimuthServer second = AzimuthServer.start(config)) {
                Http http = Http.plain("http://127.0.0.1:" + second.httpPort());
                URI old = URI.create(sas);
                String moved = http.base() + old.getRawPath() + "?" + old.getRawQuery();
                Vhds.assertSameDisk(Vhds.download(http, moved), vhd);
                assertThat(http.get(url("disks", "d1")).json().path("properties").path("diskState").asText())
                        .isEqualTo("ActiveSAS");
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    /**
     * Grants and revocations in progress when the process stops end, after the restart, in the order they were
     * answered, as they would have without the stop: the last one acknowledged is the one in force.
     */
    @Test
    void grantsAndRevocationsInProgressAtAStopEndInTheirOrderAfterARestart() throws Exception {
        Path dir = Files.createTempDirectory("azimuth-grant-order");
        int disks = 8;
        String[] last = new String[disks];
        String[] replaced = new String[disks];
        try {
            Config config = Config.forTests(dir).withInMemory(false).withOperationDelay(1000);
            try (AzimuthServer first = AzimuthServer.start(config)) {
                Http http = Http.plain("http://127.0.0.1:" + first.httpPort());
                assertThat(http.put(TestServer.rg(DiskFixture.RG) + "?api-version=2025-04-01",
                        "{\"location\":\"westus\"}").status()).isIn(200, 201);
                for (int i = 0; i < disks; i++) {
                    assertThat(http.put(url("disks", "o" + i), "{\"location\":\"westus\",\"properties\":{"
                            + "\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}").status())
                            .isIn(200, 202);
                }
                for (int i = 0; i < disks; i++) {
                    awaitSucceeded(http, url("disks", "o" + i));
                }
                String grant = "{\"access\":\"Read\",\"durationInSeconds\":300}";
                for (int i = 0; i < disks; i++) {
                    Http.Response granted = http.post(action("disks", "o" + i, "beginGetAccess"), grant);
                    assertThat(granted.status()).as(granted.toString()).isEqualTo(202);
                    replaced[i] = granted.header("Location");
                    Http.Response then = i % 2 == 0 ? http.post(action("disks", "o" + i, "endGetAccess"), null)
                            : http.post(action("disks", "o" + i, "beginGetAccess"), grant);
                    assertThat(then.status()).as(then.toString()).isEqualTo(202);
                    last[i] = then.header("Location");
                }
            }
            Thread.sleep(1200); // every one of them is due when the next process starts
            try (AzimuthServer second = AzimuthServer.start(config)) {
                Http http = Http.plain("http://127.0.0.1:" + second.httpPort());
                for (int i = 0; i < disks; i++) {
                    poll(http, moved(http, replaced[i]));
                    JsonNode result = poll(http, moved(http, last[i]));
                    String state = http.get(url("disks", "o" + i)).json().path("properties").path("diskState")
                            .asText();
                    if (i % 2 == 0) {
                        assertThat(state).as("o%d, revoked after it was granted", i).isEqualTo("Unattached");
                    } else {
                        assertThat(state).as("o%d, granted twice", i).isEqualTo("ActiveSAS");
                        String sas = moved(http, result.path("accessSAS").asText());
                        assertThat(http.getBytes(sas, Map.of("Range", "bytes=-512")).status())
                                .as("o%d: the second grant's URL", i).isEqualTo(206);
                        String first = moved(http, poll(http, moved(http, replaced[i])).path("accessSAS").asText());
                        assertThat(http.getBytes(first, Map.of("Range", "bytes=-512")).status())
                                .as("o%d: the replaced grant's URL", i).isEqualTo(403);
                    }
                }
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    /** {@code url} on {@code http}'s host: the instance that answered it has gone. */
    static String moved(Http http, String url) {
        URI u = URI.create(url);
        return http.base() + u.getRawPath() + "?" + u.getRawQuery();
    }
}

package io.azimuth.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.azimuth.blobs.VhdFooter.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page blob writes on the blob endpoint, as Azure page blob clients send them: a blob of zeros created by size,
 * then pages written or cleared in place; and Copy Blob.
 */
class PageBlobEndpointsTest {
    static final String BLOBS = "/_azimuth/blobs";
    static final String DISK = BLOBS + "/acct1/vhds/sparse.vhd";
    static final long VIRTUAL = 64 * MIB;
    static final long SIZE = VIRTUAL + VhdFooter.SIZE;

    @RegisterExtension
    static final ServerExtension s = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void reset() {
        s.reset();
    }

    static Http.Response create(String blob, String length) {
        Map<String, String> headers = new HashMap<>();
        headers.put("x-ms-blob-type", "PageBlob");
        if (length != null) {
            headers.put("x-ms-blob-content-length", length);
        }
        return s.http().sendBody("PUT", blob, HttpRequest.BodyPublishers.noBody(), headers);
    }

    static Http.Response page(String blob, String mode, String range, byte[] body) {
        Map<String, String> headers = new HashMap<>();
        if (mode != null) {
            headers.put("x-ms-page-write", mode);
        }
        if (range != null) {
            headers.put("x-ms-range", range);
        }
        return s.http().sendBody("PUT", blob + "?comp=page", body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    /** Random bytes, none zero (so that chunks of them are stored whole). */
    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < n; i++) {
            b[i] = b[i] == 0 ? 1 : b[i];
        }
        return b;
    }

    static byte[] range(String blob, long first, long last) {
        Http.Bytes got = s.http().getBytes(blob, Map.of("Range", "bytes=" + first + "-" + last));
        assertThat(got.status()).isEqualTo(206);
        return got.body();
    }

    static JsonNode stats() {
        return s.http().get("/_azimuth/health").json().path("blobs");
    }

    @Test
    void aSparseVhdIsUploadedPageByPageWithoutItsZeros() {
        Http.Response created = create(DISK, String.valueOf(SIZE));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.header("x-ms-blob-type")).isEqualTo("PageBlob");
        assertThat(created.json().path("size").asLong()).isEqualTo(SIZE);
        Http.Response head = s.http().send("HEAD", DISK, null, Map.of());
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(SIZE));
        assertThat(head.header("x-ms-blob-type")).isEqualTo("PageBlob");
        assertThat(stats().path("chunks").asLong()).as("zeros cost nothing").isZero();

        byte[] data = random(4 * 1024 * 1024, 1);
        long at = 10 * MIB + 512; // not chunk-aligned
        Http.Response written = page(DISK, "update", "bytes=" + at + "-" + (at + data.length - 1), data);
        assertThat(written.status()).as("%s", written).isEqualTo(201);
        assertThat(page(DISK, "update", "bytes=" + VIRTUAL + "-" + (SIZE - 1), VhdFooter.fixed(VIRTUAL)).status())
                .isEqualTo(201);

        assertThat(range(DISK, at, at + data.length - 1)).isEqualTo(data);
        assertThat(range(DISK, at - 512, at - 1)).isEqualTo(new byte[512]);
        assertThat(range(DISK, 0, 4095)).isEqualTo(new byte[4096]);
        assertThat(s.http().send("HEAD", DISK, null, Map.of()).header("Content-Length")).as("the size stays")
                .isEqualTo(String.valueOf(SIZE));
        JsonNode stats = stats();
        assertThat(stats.path("chunks").asLong()).as("5 chunks of data and the footer's").isEqualTo(6);
        assertThat(stats.path("storedBytes").asLong()).as("4 MiB of data over 5 chunks and the footer, in whole 4 KiB blocks")
                .isEqualTo(4 * MIB + 2 * 4096);

        Http.Response listed = s.http().get(BLOBS + "/acct1/vhds");
        assertThat(listed.json().path("value").get(0).path("size").asLong()).isEqualTo(SIZE);
    }

    @Test
    void clearZeroesPagesAndReplacingThePageBlobStartsOverFromZeros() {
        create(DISK, String.valueOf(4 * MIB));
        byte[] data = random((int) (2 * MIB), 2);
        assertThat(page(DISK, "update", "bytes=0-" + (data.length - 1), data).status()).isEqualTo(201);
        assertThat(stats().path("chunks").asLong()).isEqualTo(2);

        Http.Response cleared = page(DISK, "clear", "bytes=1024-" + (MIB + MIB - 1), null);
        assertThat(cleared.status()).as("%s", cleared).isEqualTo(201);
        byte[] expected = data.clone();
        Arrays.fill(expected, 1024, (int) (2 * MIB), (byte) 0);
        assertThat(range(DISK, 0, data.length - 1)).isEqualTo(expected);
        assertThat(stats().path("chunks").asLong()).as("the second chunk is all zeros now").isEqualTo(1);

        assertThat(create(DISK, String.valueOf(MIB)).status()).isEqualTo(201);
        assertThat(range(DISK, 0, 1023)).isEqualTo(new byte[1024]);
        assertThat(stats().path("chunks").asLong()).isZero();
        assertThat(stats().path("storedBytes").asLong()).isZero();
    }

    @Test
    void theRangeMayComeInRangeAndPagesOfACopyAreTheCopysOwn() {
        create(DISK, String.valueOf(2 * MIB));
        byte[] first = random(512, 3);
        Http.Response r = s.http().sendBody("PUT", DISK + "?comp=page", HttpRequest.BodyPublishers.ofByteArray(first),
                Map.of("x-ms-page-write", "update", "Range", "bytes=512-1023"));
        assertThat(r.status()).as("%s", r).isEqualTo(201);

        String copy = BLOBS + "/acct1/vhds/copy.vhd";
        Http.Response copied = s.http().sendBody("PUT", copy, HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-copy-source", "https://acct1.blob.core.windows.net/vhds/sparse.vhd"));
        assertThat(copied.status()).as("%s", copied).isEqualTo(202);
        assertThat(copied.header("x-ms-copy-status")).isEqualTo("success");
        assertThat(stats().path("contents").asLong()).as("one content, two names").isEqualTo(1);

        assertThat(page(copy, "update", "bytes=512-1023", random(512, 4)).status()).isEqualTo(201);
        assertThat(range(DISK, 512, 1023)).as("the source keeps its page").isEqualTo(first);
        assertThat(range(copy, 512, 1023)).isEqualTo(random(512, 4));
        assertThat(stats().path("contents").asLong()).isEqualTo(2);

        Http.Response exists = s.http().sendBody("PUT", copy, HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-copy-source", "https://acct1.blob.core.windows.net/vhds/sparse.vhd", "If-None-Match", "*"));
        assertThat(exists.status()).isEqualTo(409);
        assertThat(exists.errorCode()).isEqualTo("BlobAlreadyExists");
        Http.Response missing = s.http().sendBody("PUT", copy, HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-copy-source", "https://acct1.blob.core.windows.net/vhds/none.vhd"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("CannotVerifyCopySource");
        Http.Response bad = s.http().sendBody("PUT", copy, HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-copy-source", "not a uri"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").path("target").asText()).isEqualTo("x-ms-copy-source");
    }

    static void assertRefused(Http.Response r, int status, String code, String target) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.errorCode()).as("%s", r).isEqualTo(code);
        if (target != null) {
            assertThat(r.json().path("error").path("target").asText()).isEqualTo(target);
        }
    }

    @Test
    void badCreatesAndPageWritesAreRefusedAsAzureDoes() {
        assertRefused(create(DISK, "1000"), 400, "InvalidHeaderValue", "x-ms-blob-content-length");
        assertRefused(create(DISK, "-512"), 400, "InvalidHeaderValue", "x-ms-blob-content-length");
        assertRefused(create(DISK, "lots"), 400, "InvalidHeaderValue", "x-ms-blob-content-length");
        assertRefused(create(DISK, null), 400, "MissingRequiredHeader", "x-ms-blob-content-length");
        assertRefused(s.http().sendBody("PUT", DISK, HttpRequest.BodyPublishers.ofByteArray(new byte[512]),
                Map.of("x-ms-blob-type", "PageBlob", "x-ms-blob-content-length", "512")), 400, "InvalidHeaderValue",
                "Content-Length");
        assertRefused(s.http().sendBody("PUT", DISK, HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-blob-type", "AppendBlob")), 400, "InvalidHeaderValue", "x-ms-blob-type");
        assertThat(s.http().send("HEAD", DISK, null, Map.of()).status()).as("nothing was created").isEqualTo(404);

        assertRefused(page(DISK, "update", "bytes=0-511", new byte[512]), 404, "BlobNotFound", null);
        assertThat(create(DISK, String.valueOf(8 * MIB)).status()).isEqualTo(201);
        assertRefused(page(DISK, null, "bytes=0-511", new byte[512]), 400, "MissingRequiredHeader", "x-ms-page-write");
        assertRefused(page(DISK, "append", "bytes=0-511", new byte[512]), 400, "InvalidHeaderValue", "x-ms-page-write");
        assertRefused(page(DISK, "update", null, new byte[512]), 400, "MissingRequiredHeader", "x-ms-range");
        assertRefused(page(DISK, "update", "0-511", new byte[512]), 400, "InvalidHeaderValue", "x-ms-range");
        assertRefused(page(DISK, "update", "bytes=1-512", new byte[512]), 416, "InvalidPageRange", null);
        assertRefused(page(DISK, "update", "bytes=0-1000", new byte[1001]), 416, "InvalidPageRange", null);
        assertRefused(page(DISK, "update", "bytes=512-0", new byte[512]), 416, "InvalidPageRange", null);
        assertRefused(page(DISK, "update", "bytes=0-1023", new byte[512]), 400, "InvalidHeaderValue", "Content-Length");
        assertRefused(page(DISK, "update", "bytes=" + 8 * MIB + "-" + (8 * MIB + 511), new byte[512]), 416,
                "InvalidPageRange", null);
        assertRefused(page(DISK, "clear", "bytes=" + (8 * MIB - 512) + "-" + 8 * MIB, null), 416, "InvalidPageRange",
                null);
        assertRefused(page(DISK, "update", "bytes=0-" + (4 * MIB + 511), new byte[(int) (4 * MIB + 512)]), 413,
                "RequestBodyTooLarge", null);
        assertRefused(page(DISK, "clear", "bytes=0-511", new byte[512]), 400, "InvalidHeaderValue", "Content-Length");
        assertRefused(s.http().sendBody("PUT", DISK + "?comp=block", HttpRequest.BodyPublishers.noBody(), Map.of()), 400,
                "InvalidQueryParameterValue", "comp");

        s.http().putBytes(BLOBS + "/acct1/vhds/text", "six by".getBytes(StandardCharsets.UTF_8));
        assertRefused(page(BLOBS + "/acct1/vhds/text", "clear", "bytes=0-511", null), 409, "InvalidBlobType", null);
        assertThat(stats().path("chunks").asLong()).as("only the text was stored").isEqualTo(1);
        assertThat(range(DISK, 0, 511)).isEqualTo(new byte[512]);
    }

    @Test
    void aPageWriteCutOffMidBodyChangesNothing() throws Exception {
        create(DISK, String.valueOf(4 * MIB));
        try (Socket socket = new Socket("127.0.0.1", s.server().server.httpPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + DISK + "?comp=page HTTP/1.1\r\nHost: 127.0.0.1\r\nx-ms-page-write: update\r\n"
                    + "x-ms-range: bytes=0-" + (MIB - 1) + "\r\nContent-Length: " + MIB + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.write(random(1000, 5));
            out.flush();
        }
        Thread.sleep(200);
        assertThat(range(DISK, 0, 4095)).isEqualTo(new byte[4096]);
        assertThat(stats().path("chunks").asLong()).isZero();
        assertThat(BlobEndpointsTest.chunkFiles(s.server().dataDir)).isEmpty();
        // and the server still answers
        try (Socket socket = new Socket("127.0.0.1", s.server().server.httpPort())) {
            socket.getOutputStream().write(("GET /_azimuth/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] b = new byte[12];
            assertThat(in.readNBytes(b, 0, 12)).isEqualTo(12);
            assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        }
    }

    @Test
    void deletingTheLastNameFreesTheSpace() throws IOException {
        create(DISK, String.valueOf(4 * MIB));
        page(DISK, "update", "bytes=0-" + (2 * MIB - 1), random((int) (2 * MIB), 6));
        String copy = BLOBS + "/acct1/vhds/copy.vhd";
        s.http().sendBody("PUT", copy, HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-copy-source", "https://acct1.blob.core.windows.net/vhds/sparse.vhd"));
        assertThat(stats().path("storedBytes").asLong()).isEqualTo(2 * MIB);
        assertThat(s.http().send("DELETE", DISK, null, Map.of()).status()).isEqualTo(204);
        assertThat(stats().path("storedBytes").asLong()).as("the copy still holds it").isEqualTo(2 * MIB);
        assertThat(s.http().send("DELETE", copy, null, Map.of()).status()).isEqualTo(204);
        JsonNode stats = stats();
        assertThat(stats.path("blobs").asLong()).isZero();
        assertThat(stats.path("contents").asLong()).isZero();
        assertThat(stats.path("chunks").asLong()).isZero();
        assertThat(stats.path("storedBytes").asLong()).isZero();
        assertThat(BlobEndpointsTest.chunkFiles(s.server().dataDir)).isEmpty();
    }
}

package io.azimuth.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.azimuth.blobs.VhdFooter.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/** The blob endpoints under /_azimuth/blobs through which VHDs get into the VHD store. */
class BlobEndpointsTest {
    static final String BLOBS = "/_azimuth/blobs";
    static final String DISK = BLOBS + "/acct1/vhds/images/disk.vhd";
    static final long VIRTUAL = 64 * MIB;

    TestServer s;

    @BeforeEach
    void start() {
        s = TestServer.start(c -> c.withInMemory(false)); // blobs under the data directory, to look at the files
    }

    @AfterEach
    void stop() {
        s.close();
    }

    /** A fixed VHD of 64 MiB whose MiB 1, 10, 11 and 40 hold data and the rest zeros. */
    static byte[] fixedVhd() {
        byte[] vhd = new byte[(int) VIRTUAL + VhdFooter.SIZE];
        Random random = new Random(42);
        for (int mib : new int[]{1, 10, 11, 40}) {
            byte[] data = new byte[(int) MIB];
            random.nextBytes(data);
            System.arraycopy(data, 0, vhd, (int) (mib * MIB), data.length);
        }
        System.arraycopy(VhdFooter.fixed(VIRTUAL), 0, vhd, (int) VIRTUAL, VhdFooter.SIZE);
        return vhd;
    }

    /** The chunk files of the blob store (temporary files not counted). */
    List<Path> storedFiles() throws IOException {
        return chunkFiles(s.dataDir);
    }

    static List<Path> chunkFiles(Path dataDir) throws IOException {
        Path root = dataDir.resolve("blobs/chunks");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> all = Files.walk(root)) {
                return all.filter(p -> Files.isRegularFile(p) && !p.getParent().getFileName().toString().equals(".tmp"))
                        .toList();
            } catch (java.io.UncheckedIOException e) {
                // a chunk freed (or a directory emptied) while the walk passed by: look again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** The "blobs" object of the health output: the blob store's counts. */
    static JsonNode blobStats(Http http) {
        return http.get("/_azimuth/health").json().path("blobs");
    }

    @Test
    void aFixedVhdUploadsSparseAndIsServedWholeAndInRanges() throws IOException {
        byte[] vhd = fixedVhd();
        long size = vhd.length;
        Http.Response created = s.http.putBytes(DISK, vhd);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.path("uri").asText()).isEqualTo("https://acct1.blob.core.windows.net/vhds/images/disk.vhd");
        assertThat(body.path("account").asText()).isEqualTo("acct1");
        assertThat(body.path("container").asText()).isEqualTo("vhds");
        assertThat(body.path("name").asText()).isEqualTo("images/disk.vhd");
        assertThat(body.path("size").asLong()).as("far beyond the 4 MiB body limit of plain routes").isEqualTo(size);
        assertThat(body.path("vhd").path("valid").asBoolean()).isTrue();
        assertThat(body.path("vhd").path("virtualSize").asLong()).isEqualTo(VIRTUAL);

        JsonNode stats = blobStats(s.http);
        assertThat(stats.path("blobs").asLong()).isEqualTo(1);
        assertThat(stats.path("chunks").asLong()).as("the 4 MiB of data and the footer").isEqualTo(5);
        assertThat(stats.path("storedBytes").asLong()).as("whole 4 KiB blocks").isEqualTo(4 * MIB + 4096);
        assertThat(storedFiles()).hasSize(5);

        Http.Response head = s.http.send("HEAD", DISK, null, Map.of());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(size));
        assertThat(head.header("x-ms-blob-type")).isEqualTo("PageBlob");

        Http.Bytes whole = s.http.getBytes(DISK, Map.of());
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.header("Content-Length")).isEqualTo(String.valueOf(size));
        assertThat(whole.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(whole.header("x-ms-blob-type")).isEqualTo("PageBlob");
        assertThat(Arrays.equals(whole.body(), vhd)).as("the same bytes back").isTrue();

        long from = 10 * MIB - 5;
        Http.Bytes range = s.http.getBytes(DISK, Map.of("Range", "bytes=" + from + "-" + (from + 9)));
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.header("Content-Range")).isEqualTo("bytes " + from + "-" + (from + 9) + "/" + size);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(vhd, (int) from, (int) from + 10));

        Http.Bytes footer = s.http.getBytes(DISK, Map.of("Range", "bytes=-512"));
        assertThat(footer.status()).isEqualTo(206);
        assertThat(footer.body()).isEqualTo(Arrays.copyOfRange(vhd, (int) VIRTUAL, vhd.length));
        Http.Bytes tail = s.http.getBytes(DISK, Map.of("Range", "bytes=" + (size - 2) + "-" + (size + 100)));
        assertThat(tail.header("Content-Range")).isEqualTo("bytes " + (size - 2) + "-" + (size - 1) + "/" + size);
        assertThat(tail.body()).hasSize(2);

        Http.Response beyond = s.http.send("GET", DISK, null, Map.of("Range", "bytes=" + size + "-"));
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.errorCode()).isEqualTo("InvalidRange");
        assertThat(beyond.header("Content-Range")).isEqualTo("bytes */" + size);
        assertThat(s.http.getBytes(DISK, Map.of("Range", "items=0-1")).status()).as("another unit: ignored")
                .isEqualTo(200);

        JsonNode list = s.http.get(BLOBS + "/acct1/vhds").json().path("value");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("uri").asText()).isEqualTo(body.path("uri").asText());
        assertThat(list.get(0).path("name").asText()).isEqualTo("images/disk.vhd");
        assertThat(list.get(0).path("size").asLong()).isEqualTo(size);
        assertThat(s.http.get(BLOBS + "/acct1/vhds?prefix=images/").json().path("value")).hasSize(1);
        assertThat(s.http.get(BLOBS + "/acct1/vhds?prefix=other").json().path("value")).isEmpty();

        assertThat(s.http.send("DELETE", DISK, null, Map.of()).status()).isEqualTo(204);
        assertThat(s.http.send("DELETE", DISK, null, Map.of()).status()).isEqualTo(404);
        assertThat(s.http.send("HEAD", DISK, null, Map.of()).status()).isEqualTo(404);
        assertThat(s.http.get(BLOBS + "/acct1/vhds").json().path("value")).isEmpty();
        assertThat(storedFiles()).isEmpty();
        assertThat(blobStats(s.http).path("storedBytes").asLong()).isZero();
    }

    @Test
    void anInvalidVhdUploadsButSaysWhyItIsNotOne() {
        Http.Response text = s.http.putBytes(BLOBS + "/acct1/vhds/notes.txt", "no VHD".getBytes(StandardCharsets.UTF_8));
        assertThat(text.status()).isEqualTo(201);
        assertThat(text.json().path("size").asLong()).isEqualTo(6);
        assertThat(text.json().path("vhd").path("valid").asBoolean()).isFalse();
        assertThat(text.json().path("vhd").path("reason").asText()).contains("not a multiple of 512 bytes");
        assertThat(text.json().path("vhd").has("virtualSize")).isFalse();
        assertThat(s.http.send("HEAD", BLOBS + "/acct1/vhds/notes.txt", null, Map.of()).header("x-ms-blob-type"))
                .as("not whole pages").isEqualTo("BlockBlob");

        byte[] noFooter = new byte[(int) MIB];
        Arrays.fill(noFooter, (byte) 1);
        JsonNode vhd = s.http.putBytes(BLOBS + "/acct1/vhds/raw.img", noFooter).json().path("vhd");
        assertThat(vhd.path("valid").asBoolean()).isFalse();
        assertThat(vhd.path("reason").asText()).contains("cookie 'conectix'");

        byte[] shortVhd = new byte[(int) MIB + VhdFooter.SIZE]; // the footer says 2 MiB
        System.arraycopy(VhdFooter.fixed(2 * MIB), 0, shortVhd, (int) MIB, VhdFooter.SIZE);
        vhd = s.https().putBytes(BLOBS + "/acct1/vhds/short.vhd", shortVhd).json().path("vhd");
        assertThat(vhd.path("valid").asBoolean()).isFalse();
        assertThat(vhd.path("reason").asText()).contains("is not its virtual size");

        // replacing a blob: the new bytes, a new verdict
        byte[] valid = new byte[(int) MIB + VhdFooter.SIZE];
        System.arraycopy(VhdFooter.fixed(MIB), 0, valid, (int) MIB, VhdFooter.SIZE);
        Http.Response replaced = s.http.putBytes(BLOBS + "/acct1/vhds/raw.img", valid);
        assertThat(replaced.status()).isEqualTo(201);
        assertThat(replaced.json().path("vhd").path("valid").asBoolean()).isTrue();
        assertThat(s.http.send("HEAD", BLOBS + "/acct1/vhds/raw.img", null, Map.of()).header("Content-Length"))
                .isEqualTo(String.valueOf(valid.length));
    }

    @Test
    void badNamesAre400NamingTheBadPart() throws IOException {
        byte[] body = new byte[(int) (2 * MIB)];
        Map<String, String> cases = Map.of(
                BLOBS + "/Bad_Acct/vhds/a.vhd", "account:'Bad_Acct' is not a storage account name",
                BLOBS + "/acct1/x/a.vhd", "container:'x' is not a container name",
                BLOBS + "/acct1/a--b/a.vhd", "container:'a--b' is not a container name",
                BLOBS + "/acct1/vhds/a//b.vhd", "blob:The blob name 'a//b.vhd' has an empty, '.' or '..' segment",
                BLOBS + "/acct1/vhds/a/%2E%2E/%2E%2E/b.vhd", "blob:The blob name 'a/../../b.vhd' has an empty",
                BLOBS + "/acct1/vhds/a%5Cb.vhd", "blob:The blob name 'a\\b.vhd' has control characters or backslashes");
        cases.forEach((path, expected) -> {
            String target = expected.substring(0, expected.indexOf(':'));
            String message = expected.substring(expected.indexOf(':') + 1);
            for (Http.Response r : List.of(s.http.putBytes(path, body), s.http.get(path),
                    s.http.send("DELETE", path, null, Map.of()))) {
                assertThat(r.status()).as("%s: %s", path, r).isEqualTo(400);
                assertThat(r.errorCode()).isEqualTo("InvalidResourceName");
                assertThat(r.json().path("error").path("target").asText()).isEqualTo(target);
                assertThat(r.json().path("error").path("message").asText()).startsWith(message);
            }
            assertThat(s.http.send("HEAD", path, null, Map.of()).status()).isEqualTo(400);
        });
        Http.Response list = s.http.get(BLOBS + "/acct1/NO");
        assertThat(list.status()).isEqualTo(400);
        assertThat(list.json().path("error").path("target").asText()).isEqualTo("container");
        assertThat(s.http.get(BLOBS + "/a/vhds").json().path("error").path("target").asText()).isEqualTo("account");
        assertThat(blobStats(s.http).path("blobs").asLong()).isZero();
        assertThat(chunkFiles(s.dataDir)).isEmpty();
    }

    @Test
    void missingBlobsAre404AndOtherMethodsAre405() {
        Http.Response get = s.http.get(BLOBS + "/acct1/vhds/none.vhd");
        assertThat(get.status()).isEqualTo(404);
        assertThat(get.errorCode()).isEqualTo("BlobNotFound");
        assertThat(get.json().path("error").path("message").asText()).contains("https://acct1.blob.core.windows.net/vhds/none.vhd");
        assertThat(s.http.send("HEAD", BLOBS + "/acct1/vhds/none.vhd", null, Map.of()).status()).isEqualTo(404);
        assertThat(s.http.send("DELETE", BLOBS + "/acct1/vhds/none.vhd", null, Map.of()).status()).isEqualTo(404);
        assertThat(s.http.get(BLOBS + "/acct1/empty").json().path("value")).isEmpty();
        Http.Response post = s.http.send("POST", BLOBS + "/acct1/vhds/none.vhd", null, Map.of());
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("PUT, GET, HEAD, DELETE");
    }

    @Test
    void resetEmptiesTheBlobStore() throws IOException {
        s.http.putBytes(DISK, new byte[]{1, 2, 3});
        s.http.putBytes(BLOBS + "/acct2/other/x.vhd", new byte[]{4});
        assertThat(storedFiles()).hasSize(2);

        s.reset();

        assertThat(s.http.send("HEAD", DISK, null, Map.of()).status()).isEqualTo(404);
        assertThat(s.http.get(BLOBS + "/acct1/vhds").json().path("value")).isEmpty();
        assertThat(s.http.get(BLOBS + "/acct2/other").json().path("value")).isEmpty();
        assertThat(storedFiles()).isEmpty();
        assertThat(s.http.putBytes(DISK, new byte[]{1}).status()).as("usable afterwards").isEqualTo(201);
    }

    @Test
    void anInterruptedUploadLeavesNothingBehind() throws Exception {
        byte[] chunk = new byte[(int) MIB];
        Arrays.fill(chunk, (byte) 0x5a);
        try (Socket socket = new Socket("127.0.0.1", s.server.httpPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + DISK + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + (64 * MIB)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 6; i++) {
                out.write(chunk);
            }
            out.flush();
            awaitUntil(() -> !storedFiles().isEmpty()); // the partial upload is being written
            assertThat(s.http.send("HEAD", DISK, null, Map.of()).status()).as("not visible yet").isEqualTo(404);
        } // the client goes away half-way
        awaitUntil(() -> storedFiles().isEmpty());
        assertThat(s.http.send("HEAD", DISK, null, Map.of()).status()).isEqualTo(404);
        assertThat(s.http.get(BLOBS + "/acct1/vhds").json().path("value")).isEmpty();
    }

    @Test
    void aRefusedUploadDoesNotSpoilTheConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", s.server.httpPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] body = new byte[300_000];
            out.write(("PUT " + BLOBS + "/acct1/X/a.vhd HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write(("GET /_azimuth/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(10_000);
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[8192];
            while (!seen.toString().contains("\"healthy\"")) {
                int n = in.read(buffer);
                assertThat(n).as("the connection stays open: %s", seen).isPositive();
                seen.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            assertThat(seen.toString()).startsWith("HTTP/1.1 400").contains("HTTP/1.1 200");
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void awaitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}

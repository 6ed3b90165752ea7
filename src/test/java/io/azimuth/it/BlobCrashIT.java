package io.azimuth.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.blobs.HaltPoints;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar halted at chosen points of blob operations (as a crash there would stop it), then started again
 * on the same data directory: every blob acknowledged before reads back byte for byte, the interrupted operation
 * happened whole or not at all, and no chunk is left that the catalog does not count, nor any once every blob is
 * deleted.
 */
class BlobCrashIT {
    static final long MIB = 1024 * 1024;
    static final String BLOBS = "/_azimuth/blobs/acct1/vhds/";
    static final String A = BLOBS + "a.vhd";
    static final String B = BLOBS + "b.vhd";
    static final String C = BLOBS + "c.vhd";
    static final String D = BLOBS + "d.vhd";
    static final String A_URI = "https://acct1.blob.core.windows.net/vhds/a.vhd";

    /** A data directory holding the acknowledged blobs, copied for each test. */
    static Path template;
    static byte[] a;
    static byte[] b;
    Path dataDir;

    /** The acknowledged blobs, written by a process that is not told to halt and then stopped. */
    @BeforeAll
    static void acknowledgedBlobs() throws IOException {
        template = Files.createTempDirectory("azimuth-crash-it-template");
        a = random((int) (8 * MIB), 1);
        b = pageBlob(a);
        try (JarProcess first = JarProcess.start(template)) {
            Http http = first.http();
            assertThat(http.putBytes(A, a).status()).isEqualTo(201);
            assertThat(http.sendBody("PUT", B, HttpRequest.BodyPublishers.noBody(), Map.of("x-ms-blob-type",
                    "PageBlob", "x-ms-blob-content-length", String.valueOf(b.length))).status()).isEqualTo(201);
            putPages(http, B, 16 * MIB, Arrays.copyOfRange(b, (int) (16 * MIB), (int) (18 * MIB)));
            putPages(http, B, 32 * MIB, Arrays.copyOfRange(b, (int) (32 * MIB), (int) (33 * MIB)));
            assertThat(copy(http, C).status()).isEqualTo(202);
            assertThat(stats(http).path("chunks").asLong()).as("a's 8 chunks and b's 2 of its own").isEqualTo(10);
        }
    }

    @AfterAll
    static void removeTemplate() {
        TestServer.deleteTree(template);
    }

    @BeforeEach
    void dir() throws IOException {
        dataDir = Files.createTempDirectory("azimuth-crash-it");
        try (Stream<Path> all = Files.walk(template)) {
            for (Path p : all.toList()) {
                Path to = dataDir.resolve(template.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getFileName().toString().equals("azimuth.lock")) {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @AfterEach
    void clean() {
        TestServer.deleteTree(dataDir);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of page blob b.vhd: 64 MiB, two chunks of its own and one it shares with a.vhd. */
    static byte[] pageBlob(byte[] a) {
        byte[] b = new byte[(int) (64 * MIB)];
        System.arraycopy(random((int) (2 * MIB), 2), 0, b, (int) (16 * MIB), (int) (2 * MIB));
        System.arraycopy(a, (int) (3 * MIB), b, (int) (32 * MIB), (int) MIB);
        return b;
    }

    static void putPages(Http http, String blob, long at, byte[] bytes) {
        Http.Response r = http.sendBody("PUT", blob + "?comp=page", HttpRequest.BodyPublishers.ofByteArray(bytes),
                Map.of("x-ms-page-write", "update", "x-ms-range", "bytes=" + at + "-" + (at + bytes.length - 1)));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
    }

    static Http.Response copy(Http http, String target) {
        return http.sendBody("PUT", target, HttpRequest.BodyPublishers.noBody(), Map.of("x-ms-copy-source", A_URI));
    }

    long chunkFiles() throws IOException {
        Path root = dataDir.resolve("blobs/chunks");
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> Files.isRegularFile(p) && !p.getParent().equals(root.resolve(".tmp"))).count();
        }
    }

    static JsonNode stats(Http http) {
        return http.get("/_azimuth/health").json().path("blobs");
    }

    @ParameterizedTest
    @ValueSource(strings = {HaltPoints.UPLOAD_BEFORE_COMMIT, HaltPoints.EDIT_BEFORE_COMMIT,
            HaltPoints.COPY_BEFORE_COMMIT, HaltPoints.COPY_AFTER_COMMIT, HaltPoints.DELETE_AFTER_COMMIT})
    void aHaltLeavesEveryAcknowledgedBlobWholeAndNothingLeaked(String point) throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(A, sha256(a));
        expected.put(B, sha256(b));
        expected.put(C, sha256(a));

        // the operation, in a process that halts part-way through it
        byte[] replacement = random((int) (4 * MIB), 3);
        byte[] page = random(512, 4);
        JarProcess crashing = JarProcess.start(List.of("-D" + HaltPoints.PROPERTY + "=" + point), dataDir);
        try {
            Http http = crashing.http();
            try {
                switch (point) {
                    case HaltPoints.UPLOAD_BEFORE_COMMIT -> http.putBytes(A, replacement);
                    case HaltPoints.EDIT_BEFORE_COMMIT -> putPages(http, B, 16 * MIB + 4096, page);
                    case HaltPoints.COPY_BEFORE_COMMIT, HaltPoints.COPY_AFTER_COMMIT -> copy(http, D);
                    case HaltPoints.DELETE_AFTER_COMMIT -> http.send("DELETE", B, null, Map.of());
                    default -> throw new IllegalArgumentException(point);
                }
                throw new AssertionError("the operation was answered: the process did not halt at " + point);
            } catch (IllegalStateException e) {
                // the connection went with the process
            }
            assertThat(crashing.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(crashing.process.exitValue()).isEqualTo(HaltPoints.STATUS);
            assertThat(crashing.stderr()).contains("halting at " + point);
        } finally {
            crashing.close();
        }

        // a restart: everything acknowledged is there, the operation whole or not at all, nothing leaked
        try (JarProcess again = JarProcess.start(dataDir)) {
            Http http = again.http();
            switch (point) {
                case HaltPoints.COPY_AFTER_COMMIT -> expected.put(D, sha256(a));
                case HaltPoints.DELETE_AFTER_COMMIT -> expected.remove(B);
                default -> {
                    // not committed: nothing changed
                }
            }
            for (Map.Entry<String, String> e : expected.entrySet()) {
                Http.Bytes got = http.getBytes(e.getKey(), Map.of());
                assertThat(got.status()).as(e.getKey()).isEqualTo(200);
                assertThat(sha256(got.body())).as("%s after a halt at %s", e.getKey(), point).isEqualTo(e.getValue());
            }
            if (!expected.containsKey(D)) {
                assertThat(http.send("HEAD", D, null, Map.of()).status()).isEqualTo(404);
            }
            if (!expected.containsKey(B)) {
                assertThat(http.send("HEAD", B, null, Map.of()).status()).isEqualTo(404);
            }
            JsonNode stats = stats(http);
            assertThat(stats.path("blobs").asLong()).isEqualTo(expected.size());
            assertThat(stats.path("chunks").asLong()).as("b's own chunks go with it")
                    .isEqualTo(point.equals(HaltPoints.DELETE_AFTER_COMMIT) ? 8 : 10);
            assertThat(chunkFiles()).as("chunk files on disk, after a halt at %s", point)
                    .isEqualTo(stats.path("chunks").asLong());

            for (String blob : expected.keySet()) {
                assertThat(http.send("DELETE", blob, null, Map.of()).status()).isEqualTo(204);
            }
            stats = stats(http);
            assertThat(stats.path("blobs").asLong()).isZero();
            assertThat(stats.path("contents").asLong()).isZero();
            assertThat(stats.path("chunks").asLong()).isZero();
            assertThat(stats.path("storedBytes").asLong()).isZero();
            assertThat(chunkFiles()).isZero();
        }
    }
}

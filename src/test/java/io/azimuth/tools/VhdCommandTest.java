package io.azimuth.tools;

import io.azimuth.blobs.VhdFooter;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code azimuth vhd}: an empty fixed VHD made, described, and a sparse 2 GiB one uploaded to the embedded blob
 * store as page writes of its data only, the blob read back whole and compared; a raw image converted on the fly.
 */
class VhdCommandTest {
    static final long MIB = 1024 * 1024;
    static final long GIB = 1024 * MIB;

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    static Run vhd(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = VhdCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        for (int n; (n = in.read(buf)) > 0; ) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static void write(Path file, long at, byte[] bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void anEmptyFixedVhdIsMadeSparseAndDescribed() throws Exception {
        Path file = dir.resolve("empty.vhd");
        Run made = vhd("create-fixed", "3G", file.toString());
        assertThat(made.status()).as(made.err()).isZero();
        assertThat(Files.size(file)).isEqualTo(3 * GIB + 512);
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            assertThat(VhdFooter.check(ch)).isEqualTo(3 * GIB);
        }
        Run info = vhd("info", file.toString());
        assertThat(info.status()).isZero();
        assertThat(info.out()).contains("a fixed VHD of 3.0 GiB").contains("data (non-zero 512-byte pages): 512 B");
        assertThat(vhd("create-fixed", "1000000", dir.resolve("odd.vhd").toString()).err())
                .contains("whole number of MiB");
        assertThat(vhd("create-fixed", "1G", file.toString()).err()).contains("exists");
        Path raw = dir.resolve("raw.img");
        Files.write(raw, random(4096, 1));
        Run notVhd = vhd("info", raw.toString());
        assertThat(notVhd.status()).isEqualTo(3);
        assertThat(notVhd.out()).contains("not a fixed VHD");
    }

    @Test
    void aSparse2GibVhdIsSentAsItsDataOnlyAndReadsBackTheSame() throws Exception {
        Path file = dir.resolve("sparse.vhd");
        assertThat(vhd("create-fixed", "2G", file.toString()).status()).isZero();
        write(file, 0, random(1 << 20, 2));                       // a boot area
        write(file, GIB + 4096, random(3 << 20, 3));              // a run longer than one page write
        write(file, 2 * GIB - 700_000, random(300_000, 4));       // near the end, not page-aligned
        try (TestServer s = TestServer.start(c -> c.withInMemory(false))) {
            String uri = "http://127.0.0.1:" + s.server.httpPort() + "/_azimuth/blobs/vhdtool/vhds/sparse.vhd";
            long started = System.nanoTime();
            Run up = vhd("upload", "--quiet", file.toString(), uri);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(up.status()).as(up.err()).isZero();
            System.out.printf("vhd upload of a sparse 2 GiB VHD: %s -> %.2f s, %.0f MiB/s of blob%n", up.out().trim(),
                    seconds, 2048 / seconds);
            // 1 MiB, 3 MiB + a partial page's neighbours, 300,000 bytes rounded to pages, the footer
            assertThat(up.out()).contains("uploaded 2.0 GiB").contains("page writes");
            long data = Long.parseLong(vhd("info", file.toString()).out().replaceAll("(?s).*\\((\\d+) bytes\\)\\s*$",
                    "$1"));
            assertThat(data).isBetween((4L << 20) + 300_000, (5L << 20) + 600_000);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<InputStream> blob = http.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(blob.statusCode()).isEqualTo(200);
            assertThat(blob.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(2 * GIB + 512);
            String sent;
            try (InputStream in = Files.newInputStream(file)) {
                sent = sha256(in);
            }
            try (InputStream in = blob.body()) {
                assertThat(sha256(in)).as("the blob's bytes are the file's").isEqualTo(sent);
            }
            long stored = s.http.get("/_azimuth/health").json().path("blobs").path("storedBytes").asLong();
            assertThat(stored).as("the zeros were neither sent nor stored").isLessThan(16 * MIB);
        }
    }

    @Test
    void aRawImageIsConvertedOnTheFlyAndBadInputIsRefused() throws Exception {
        Path raw = dir.resolve("disk.img");
        byte[] image = random(10 * (int) MIB + 100, 5);
        Files.write(raw, image);
        try (TestServer s = TestServer.start()) {
            String uri = "http://127.0.0.1:" + s.server.httpPort() + "/_azimuth/blobs/vhdtool/vhds/converted.vhd";
            Run refused = vhd("upload", "--quiet", raw.toString(), uri);
            assertThat(refused.status()).isEqualTo(1);
            assertThat(refused.err()).contains("is not a fixed VHD").contains("--convert");
            Run up = vhd("upload", "--quiet", "--convert", raw.toString(), uri);
            assertThat(up.status()).as(up.err()).isZero();
            byte[] blob = s.http.getBytes(uri.substring(uri.indexOf("/_azimuth")), java.util.Map.of()).body();
            assertThat(blob.length).as("rounded up to a whole MiB, with the footer").isEqualTo(11 * MIB + 512);
            assertThat(java.util.Arrays.copyOf(blob, image.length)).isEqualTo(image);
            for (int i = image.length; i < 11 * MIB; i++) {
                if (blob[i] != 0) {
                    throw new AssertionError("byte " + i + " of the padding is not zero");
                }
            }
            assertThat(s.http.get("/_azimuth/blobs/vhdtool/vhds").json().path("value").get(0).path("name").asText())
                    .isEqualTo("converted.vhd");
            assertThat(s.http.send("HEAD", uri.substring(uri.indexOf("/_azimuth")), null, java.util.Map.of())
                    .status()).isEqualTo(200);
            Run noSas = vhd("upload", "--quiet", "--convert", raw.toString(),
                    "https://acct.blob.core.windows.net/vhds/x.vhd");
            assertThat(noSas.status()).isEqualTo(1);
            assertThat(noSas.err()).contains("needs a SAS");
        }
    }
}

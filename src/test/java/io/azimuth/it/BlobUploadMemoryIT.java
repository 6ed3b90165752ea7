package io.azimuth.it;

import io.azimuth.support.Disk;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Blob bodies are streamed both ways: 300 MiB go in and out of a server whose whole heap is 48 MiB. */
class BlobUploadMemoryIT {
    static final long MIB = 1024 * 1024;
    static final long SIZE = 300 * MIB;
    static final String BLOB = "/_azimuth/blobs/acct1/vhds/big.vhd";
    Path dataDir;

    @BeforeEach
    void dir() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-blob-it");
    }

    @AfterEach
    void clean() {
        TestServer.deleteTree(dataDir);
    }

    /** Byte {@code p} of the test blob: the first 4 KiB of every MiB hold data, the rest is zeros. */
    static byte at(long p) {
        return p % MIB < 4096 ? (byte) (p / MIB % 251 + 1) : 0;
    }

    /** The test blob, generated as it is read. */
    static final class Generated extends InputStream {
        long position;

        @Override
        public int read() {
            return position < SIZE ? at(position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= SIZE) {
                return -1;
            }
            int n = (int) Math.min(len, SIZE - position);
            int done = 0;
            while (done < n) {
                long inMib = position % MIB;
                int run = (int) Math.min(n - done, inMib < 4096 ? 4096 - inMib : MIB - inMib);
                Arrays.fill(b, off + done, off + done + run, at(position));
                done += run;
                position += run;
            }
            return n;
        }
    }

    @Test
    void a300MibBlobStreamsInAndOutOfA48MibHeap() throws Exception {
        try (JarProcess server = JarProcess.start(List.of("-Xmx48m"), dataDir)) {
            Http http = server.http();
            HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create(http.base() + BLOB);

            HttpResponse<String> put = http11.send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers
                    .fromPublisher(HttpRequest.BodyPublishers.ofInputStream(Generated::new), SIZE)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            assertThat(Http.JSON.readTree(put.body()).path("size").asLong()).isEqualTo(SIZE);
            long stored = http.get("/_azimuth/health").json().path("blobs").path("storedBytes").asLong();
            // 4 KiB of data in each MiB, the same again every 251 MiB
            assertThat(stored).as("the zeros were not written, nor a chunk twice").isEqualTo(251 * 4096);
            assertThat(Disk.allocatedBytes(dataDir.resolve("blobs"))).isLessThan(32 * MIB);

            Http.Bytes block = http.getBytes(BLOB, Map.of("Range", "bytes=" + 150 * MIB + "-" + (150 * MIB + 4096)));
            assertThat(block.status()).isEqualTo(206);
            byte[] expected = new byte[4097];
            Arrays.fill(expected, 0, 4096, at(150 * MIB));
            assertThat(block.body()).isEqualTo(expected);

            HttpResponse<InputStream> get = http11.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(get.statusCode()).isEqualTo(200);
            try (InputStream body = get.body(); InputStream reference = new Generated()) {
                byte[] got = new byte[1 << 16];
                byte[] want = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = body.readNBytes(got, 0, got.length)) > 0) {
                    assertThat(reference.readNBytes(want, 0, n)).isEqualTo(n);
                    assertThat(Arrays.mismatch(got, 0, n, want, 0, n)).as("at %d", total).isEqualTo(-1);
                    total += n;
                }
                assertThat(total).isEqualTo(SIZE);
            }
            assertThat(http.get("/_azimuth/health").status()).isEqualTo(200);
            assertThat(server.stderr()).doesNotContain("OutOfMemoryError");
            System.out.printf("300 MiB in and out of a 48 MiB heap; resident memory afterwards: %d MiB%n",
                    server.residentKib() / 1024);
        }
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.azimuth.compute.ComputeFixture.BLOB;
import static io.azimuth.compute.ComputeFixture.RG;
import static io.azimuth.compute.ComputeFixture.osDiskImage;
import static io.azimuth.compute.ComputeFixture.url;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GETs of images, disks and snapshots answered from the resource cache (on the event loop): the same bytes and
 * headers as from the store, HEAD included, and never a document older than the last acknowledged change, on disk
 * and in memory.
 */
class CachedGetTest {
    private static final String IMAGE = osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\""
            + BLOB + "\"}");
    private static final String GROUP = TestServer.rg(RG) + "?api-version=2025-04-01";

    @RegisterExtension
    static final ServerExtension disk = ServerExtension.start(c -> c.withInMemory(false));
    @RegisterExtension
    static final ServerExtension memory = ServerExtension.start();

    @BeforeEach
    void sources() {
        for (ServerExtension s : List.of(disk, memory)) {
            s.reset();
            ComputeFixture.sources(s.server());
        }
    }

    private static long hits(Http http) {
        return http.get("/_azimuth/health").json().path("resourceCache").path("hits").asLong();
    }

    private static String tag(Http.Response r) {
        return r.json().path("tags").path("v").asText(null);
    }

    private static void create(Http http, String name) {
        assertThat(http.put(url("images", name), IMAGE).status()).isEqualTo(201);
    }

    @Test
    void aSecondGetIsAnsweredFromTheCacheWithTheSameBytesAndHeaders() {
        Http http = disk.http();
        create(http, "img");
        for (String path : List.of(url("images", "img"), url("disks", "disk30", "2024-03-02"),
                url("snapshots", "snap30", "2024-03-02"))) {
            Http.Response fromStore = http.get(path); // from the cache too: written through (see the next test)
            long before = hits(http);
            Http.Response fromCache = http.get(path);
            assertThat(hits(http)).as(path).isEqualTo(before + 1);
            assertThat(fromCache.status()).isEqualTo(200);
            assertThat(fromCache.body()).as(path).isEqualTo(fromStore.body());
            for (String h : List.of("Content-Type", "Content-Length", "Cache-Control")) {
                assertThat(fromCache.header(h)).as(h).isNotNull().isEqualTo(fromStore.header(h));
            }
            assertThat(fromCache.header("x-ms-request-id")).isNotNull().isNotEqualTo(fromStore.header("x-ms-request-id"));
            assertThat(fromCache.header("x-ms-correlation-request-id")).isNotNull();
        }
        Http.Response listed = http.get(url("images", null));
        assertThat(listed.json().path("value").get(0)).isEqualTo(http.get(url("images", "img")).json());
    }

    private static long misses(Http http) {
        return http.get("/_azimuth/health").json().path("resourceCache").path("misses").asLong();
    }

    /**
     * What a write leaves in the cache (derived by the writer) is byte for byte what a GET reads from the store: after
     * a restart, with the cache empty, the same paths answer the same bytes.
     */
    @Test
    void aGetRightAfterAWriteIsAnsweredFromTheCacheWithTheStoresBytes() {
        TestServer s = TestServer.start(c -> c.withInMemory(false));
        try {
            ComputeFixture.sources(s);
            Http http = s.http;
            create(http, "written");
            List<String> paths = List.of(url("images", "written"), url("disks", "disk30", "2024-03-02"),
                    url("snapshots", "snap30", "2024-03-02"));
            Map<String, Http.Response> written = new java.util.LinkedHashMap<>();
            long hits = hits(http);
            long misses = misses(http);
            for (String path : paths) {
                written.put(path, http.get(path));
            }
            assertThat(hits(http) - hits).as("every first GET answered from what the writes kept").isEqualTo(3);
            assertThat(misses(http)).isEqualTo(misses);
            s.server.close();
            try (io.azimuth.server.AzimuthServer again = io.azimuth.server.AzimuthServer.start(s.server.config())) {
                Http fresh = Http.plain("http://127.0.0.1:" + again.httpPort());
                for (String path : paths) {
                    Http.Response fromStore = fresh.get(path);
                    assertThat(fromStore.status()).isEqualTo(200);
                    assertThat(written.get(path).body()).as(path).isEqualTo(fromStore.body());
                    for (String h : List.of("Content-Type", "Content-Length")) {
                        assertThat(written.get(path).header(h)).as(h).isEqualTo(fromStore.header(h));
                    }
                }
                assertThat(misses(fresh)).as("read from the store after the restart").isEqualTo(3);
            }
        } finally {
            TestServer.deleteTree(s.dataDir);
        }
    }

    @Test
    void headIsAnsweredFromTheCacheWithoutABody() {
        Http http = disk.http();
        create(http, "img");
        Http.Response miss = http.head(url("images", "img"));
        Http.Response get = http.get(url("images", "img"));
        long before = hits(http);
        Http.Response head = http.head(url("images", "img"));
        assertThat(hits(http)).isEqualTo(before + 1);
        for (Http.Response r : List.of(miss, head)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(get.body().length()));
            assertThat(r.header("Content-Type")).isEqualTo(get.header("Content-Type"));
            assertThat(r.header("x-ms-request-id")).isNotNull();
        }
    }

    @Test
    void theChecksComeFirst() {
        Http http = disk.http();
        create(http, "img");
        http.get(url("images", "img"));
        Http.Response anonymous = http.sendBody("GET", url("images", "img"), HttpRequest.BodyPublishers.noBody(),
                Map.of());
        assertThat(anonymous.status()).isEqualTo(401);
        Http.Response noVersion = http.get(url("images", "img").replaceAll("\\?api-version=.*", ""));
        assertThat(noVersion.status()).isEqualTo(400);
    }

    @Test
    void notFoundIsNotKept() {
        Http http = disk.http();
        long before = hits(http);
        assertThat(http.get(url("images", "none")).status()).isEqualTo(404);
        assertThat(http.get(url("images", "none")).status()).isEqualTo(404);
        assertThat(hits(http)).isEqualTo(before);
    }

    /** Each acknowledged change is what the next GET answers, right after a GET that was answered from the cache. */
    @Test
    void aGetAfterAnAcknowledgedChangeNeverAnswersTheOldDocument() throws Exception {
        for (ServerExtension s : List.of(disk, memory)) {
            Http http = s.http();
            String img = url("images", "img");
            create(http, "img");
            cached(http, img);
            assertThat(http.put(img, IMAGE.replace("{\"location\"", "{\"tags\":{\"v\":\"put\"},\"location\""))
                    .status()).isEqualTo(200);
            assertThat(tag(cached(http, img))).isEqualTo("put");

            assertThat(http.patch(img, "{\"tags\":{\"v\":\"patch\"}}").status()).isEqualTo(200);
            assertThat(tag(cached(http, img))).isEqualTo("patch");

            String disk30 = url("disks", "disk30", "2024-03-02");
            cached(http, disk30);
            assertThat(http.patch(disk30, "{\"tags\":{\"v\":\"patch\"}}").status()).isIn(200, 202);
            assertThat(tag(cached(http, disk30))).isEqualTo("patch");

            assertThat(http.delete(img).status()).isEqualTo(200);
            assertThat(http.get(img).status()).isEqualTo(404);
            assertThat(http.get(img).status()).isEqualTo(404);

            create(http, "img");
            cached(http, img);
            assertThat(http.delete(GROUP).status()).isEqualTo(200);
            assertThat(http.get(img).status()).isEqualTo(404);
            assertThat(http.get(disk30).status()).isEqualTo(404);

            ComputeFixture.sources(s.server());
            create(http, "img");
            cached(http, img);
            cached(http, disk30);
            s.reset();
            assertThat(http.get(img).status()).isEqualTo(404);
            assertThat(http.get(disk30).status()).isEqualTo(404);
        }
    }

    /** A GET that the cache answered (the second of two), checked to be one. */
    private static Http.Response cached(Http http, String path) {
        Http.Response first = http.get(path);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        long before = hits(http);
        Http.Response second = http.get(path);
        assertThat(hits(http)).as("answered from the cache").isEqualTo(before + 1);
        assertThat(second.body()).isEqualTo(first.body());
        return second;
    }

    /**
     * One client changing an image's tag over and over, another changing other images, and readers GETting the
     * first all along: a GET begun after a change was acknowledged never answers an older tag.
     */
    @Test
    void readersNeverSeeATagOlderThanTheLastAcknowledgedChange() throws Exception {
        for (ServerExtension s : List.of(disk, memory)) {
            Http http = s.http();
            String hot = url("images", "hot");
            create(http, "hot");
            for (int i = 0; i < 4; i++) {
                create(http, "other" + i);
            }
            AtomicLong acknowledged = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger reads = new AtomicInteger();
            Map<String, String> token = Map.of("Authorization", "Bearer test-token");
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                threads.add(new Thread(() -> {
                    while (!done.get()) {
                        long floor = acknowledged.get();
                        Http.Response r = http.sendBody("GET", hot, HttpRequest.BodyPublishers.noBody(), token);
                        reads.incrementAndGet();
                        JsonNode v = r.status() == 200 ? r.json().path("tags").path("v") : null;
                        long seen = v == null || v.isMissingNode() ? 0 : v.asLong();
                        if (r.status() != 200 || seen < floor) {
                            failures.add(r.status() + ": read " + seen + " after " + floor + " was acknowledged");
                        }
                    }
                }));
            }
            threads.add(new Thread(() -> {
                for (int n = 0; !done.get(); n++) {
                    http.sendBody("PATCH", url("images", "other" + (n % 4)),
                            HttpRequest.BodyPublishers.ofString("{\"tags\":{\"n\":\"" + n + "\"}}"),
                            Map.of("Authorization", "Bearer test-token", "Content-Type", "application/json"));
                }
            }));
            threads.forEach(Thread::start);
            long deadline = System.nanoTime() + 2_000_000_000L;
            for (long v = 1; System.nanoTime() < deadline; v++) {
                Http.Response r = http.sendBody("PATCH", hot,
                        HttpRequest.BodyPublishers.ofString("{\"tags\":{\"v\":\"" + v + "\"}}"),
                        Map.of("Authorization", "Bearer test-token", "Content-Type", "application/json"));
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                acknowledged.set(v);
            }
            done.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).as(s.server().server.describe()).isEmpty();
            assertThat(reads.get()).isGreaterThan(100);
            assertThat(acknowledged.get()).isGreaterThan(20);
        }
    }
}

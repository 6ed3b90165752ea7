package io.azimuth.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/** What was acknowledged survives SIGKILL; with --in-memory nothing does; operations in flight finish afterwards. */
class RestartIT {
    static final String V = "?api-version=2025-04-01";
    Path dataDir;

    @BeforeEach
    void dir() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-restart-it");
    }

    @AfterEach
    void clean() {
        TestServer.deleteTree(dataDir);
    }

    @Test
    void acknowledgedWritesSurviveAKill() {
        JarProcess first = JarProcess.start(dataDir);
        System.out.printf("start-up to healthy: %d ms; idle resident memory: %d MiB%n", first.startupMillis,
                first.residentKib() / 1024);
        Http http = first.http();
        for (int i = 0; i < 20; i++) {
            assertThat(http.put(rg("durable-" + i) + V, "{\"location\":\"westus\",\"tags\":{\"n\":\"" + i + "\"}}")
                    .status()).isEqualTo(201);
        }
        http.patch(rg("durable-7") + V, "{\"tags\":{\"patched\":\"yes\"}}");
        String certificate = first.certificatePem();
        first.kill();

        try (JarProcess second = JarProcess.start(dataDir)) {
            Http again = second.http();
            for (int i = 0; i < 20; i++) {
                Http.Response r = again.get(rg("durable-" + i) + V);
                assertThat(r.status()).isEqualTo(200);
            }
            assertThat(again.get(rg("durable-3") + V).json().path("tags").path("n").asText()).isEqualTo("3");
            assertThat(again.get(rg("durable-7") + V).json().path("tags").path("patched").asText()).isEqualTo("yes");
            assertThat(second.certificatePem()).as("the certificate is reused").isEqualTo(certificate);
        }
    }

    /**
     * Writes acknowledged while many others are in flight (and so committed together) all survive a SIGKILL
     * that comes in the middle of that load.
     */
    @Test
    void concurrentAcknowledgedWritesSurviveAKillMidLoad() throws Exception {
        JarProcess first = JarProcess.start(dataDir, "--vhd-check", "lenient");
        Http http = first.http();
        assertThat(http.put(rg("busy") + V, "{\"location\":\"westus\"}").status()).isEqualTo(201);
        String images = "/subscriptions/" + TestServer.SUB + "/resourceGroups/busy/providers/Microsoft.Compute/images/";
        String image = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":"
                + "\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\"https://acct1.blob.core.windows.net/vhds/os.vhd\"}}}}";
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 24; t++) {
            workers.add(pool.submit(() -> {
                while (!stop.get()) {
                    String name = "img-" + next.getAndIncrement();
                    try {
                        if (http.put(images + name + "?api-version=2024-03-01", image).status() == 201) {
                            acknowledged.add(name);
                        }
                    } catch (RuntimeException e) {
                        return; // the process is gone
                    }
                }
            }));
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (acknowledged.size() < 300 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        first.kill(); // with requests still in flight
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        Set<String> answered = Set.copyOf(acknowledged);
        assertThat(answered.size()).isGreaterThanOrEqualTo(300);

        try (JarProcess second = JarProcess.start(dataDir, "--vhd-check", "lenient", "--page-size", "1000")) {
            Set<String> stored = new HashSet<>();
            String page = images.substring(0, images.length() - 1) + "?api-version=2024-03-01";
            while (page != null) {
                JsonNode list = second.http().get(page).json();
                list.path("value").forEach(i -> stored.add(i.path("name").asText()));
                page = list.path("nextLink").isTextual()
                        ? URI.create(list.path("nextLink").asText()).getRawPath() + "?"
                        + URI.create(list.path("nextLink").asText()).getRawQuery() : null;
            }
            assertThat(stored).as("every acknowledged image, after the kill").containsAll(answered);
        }
    }

    @Test
    void inMemoryKeepsNothing() {
        JarProcess first = JarProcess.start(dataDir, "--in-memory");
        assertThat(first.http().put(rg("ephemeral") + V, "{\"location\":\"westus\"}").status()).isEqualTo(201);
        assertThat(first.http().get(rg("ephemeral") + V).status()).isEqualTo(200);
        first.kill();
        try (JarProcess second = JarProcess.start(dataDir, "--in-memory")) {
            assertThat(second.http().get(rg("ephemeral") + V).status()).isEqualTo(404);
        }
        assertThat(dataDir.resolve("azimuth.db")).doesNotExist();
    }

    @Test
    void anOperationInFlightAtAKillFinishesAfterRestart() throws Exception {
        JarProcess first = JarProcess.start(dataDir, "--operation-delay", "3s");
        first.http().put(rg("half-deleted") + V, "{\"location\":\"westus\"}");
        Http.Response accepted = first.http().delete(rg("half-deleted") + V);
        assertThat(accepted.status()).isEqualTo(202);
        String statusPath = URI.create(accepted.header("Azure-AsyncOperation")).getRawPath() + V;
        first.kill();

        try (JarProcess second = JarProcess.start(dataDir, "--operation-delay", "3s")) {
            Http http = second.http();
            assertThat(http.get(rg("half-deleted") + V).json().path("properties").path("provisioningState").asText())
                    .isIn("Deleting", "");
            String status = "InProgress";
            long deadline = System.currentTimeMillis() + 15_000;
            while (status.equals("InProgress") && System.currentTimeMillis() < deadline) {
                Http.Response r = http.get(statusPath);
                assertThat(r.status()).isEqualTo(200);
                status = r.json().path("status").asText();
                Thread.sleep(100);
            }
            assertThat(status).isEqualTo("Succeeded");
            assertThat(http.get(rg("half-deleted") + V).status()).isEqualTo(404);
        }
    }

    @Test
    void aGalleryVersionReplicatingAtAKillFinishesAfterRestart() throws Exception {
        String[] flags = {"--replication-time", "3s"};
        JarProcess first = JarProcess.start(dataDir, flags);
        Http http1 = first.http();
        String compute = rg("gallery-rg") + "/providers/Microsoft.Compute/";
        String gv = "?api-version=2024-03-03";
        assertThat(http1.put(rg("gallery-rg") + V, "{\"location\":\"westus\"}").status()).isIn(200, 201);
        assertThat(http1.put(compute + "galleries/g1" + gv, "{\"location\":\"westus\"}").status()).isIn(200, 201);
        assertThat(http1.put(compute + "galleries/g1/images/linux" + gv, "{\"location\":\"westus\",\"properties\":"
                + "{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"identifier\":{\"publisher\":\"p\","
                + "\"offer\":\"o\",\"sku\":\"s\"}}}").status()).isIn(200, 201);
        Http.Response disk = http1.put(compute + "disks/d1?api-version=2024-03-02", "{\"location\":\"westus\","
                + "\"properties\":{\"osType\":\"Linux\",\"diskSizeGB\":1,\"creationData\":{\"createOption\":\"Empty\"}}}");
        assertThat(disk.status()).as(disk.toString()).isIn(200, 201);
        String version = compute + "galleries/g1/images/linux/versions/1.0.0" + gv;
        Http.Response accepted = http1.put(version, "{\"location\":\"westus\",\"properties\":{\"storageProfile\":"
                + "{\"osDiskImage\":{\"source\":{\"id\":\"" + disk.json().path("id").asText() + "\"}}}}}");
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        assertThat(accepted.json().path("properties").path("provisioningState").asText()).isEqualTo("Creating");
        String statusPath = URI.create(accepted.header("Azure-AsyncOperation")).getRawPath() + gv;
        first.kill();

        try (JarProcess second = JarProcess.start(dataDir, flags)) {
            Http http = second.http();
            String status = "InProgress";
            long deadline = System.currentTimeMillis() + 60_000;
            while (status.equals("InProgress") && System.currentTimeMillis() < deadline) {
                Http.Response r = http.get(statusPath);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                status = r.json().path("status").asText();
                Thread.sleep(100);
            }
            assertThat(status).isEqualTo("Succeeded");
            JsonNode done = http.get(version + "&$expand=ReplicationStatus").json().path("properties");
            assertThat(done.path("provisioningState").asText()).isEqualTo("Succeeded");
            assertThat(done.path("replicationStatus").path("aggregatedState").asText()).isEqualTo("Completed");
        }
    }
}

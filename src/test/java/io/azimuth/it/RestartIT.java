package io.azimuth.it;

import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

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
}

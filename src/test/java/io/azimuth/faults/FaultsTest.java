package io.azimuth.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.server.AzimuthServer;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fault rules at /_azimuth/faults: their API, each effect as a client sees it, persistence, --faults. */
class FaultsTest {
    static final String V = "?api-version=2024-03-02";
    static final String DISKS = "/subscriptions/" + SUB + "/resourceGroups/faults/providers/Microsoft.Compute/disks/";
    static final String DISK = "{\"location\":\"westus\",\"properties\":{\"creationData\":{\"createOption\":\"Empty\"},"
            + "\"diskSizeGB\":1}}";

    @TempDir
    Path dir;

    private static JsonNode add(Http http, String rule) {
        Http.Response r = http.post("/_azimuth/faults", rule);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static void group(Http http) {
        assertThat(http.put(rg("faults") + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                .isEqualTo(201);
    }

    @Test
    void rulesAreListedFoundAndDeleted() {
        try (TestServer s = TestServer.start()) {
            JsonNode rule = add(s.http, "{\"match\":{\"method\":\"put\",\"resourceType\":\"Microsoft.Compute/images\","
                    + "\"name\":\"img-.*\",\"operation\":\"PUT\",\"probability\":1.0},\"effect\":{\"status\":429,"
                    + "\"code\":\"TooManyRequests\",\"message\":\"slow down\",\"retryAfter\":2,\"latencyMs\":0,"
                    + "\"drop\":false,\"failOperationAfterMs\":null},\"times\":1}");
            String id = rule.path("id").asText();
            assertThat(id).isNotBlank();
            assertThat(rule.path("match").path("method").asText()).isEqualTo("PUT");
            assertThat(rule.path("effect").path("retryAfter").asInt()).isEqualTo(2);
            assertThat(rule.path("times").asInt()).isEqualTo(1);
            assertThat(rule.path("remaining").asInt()).isEqualTo(1);
            JsonNode other = add(s.http, "{\"effect\":{\"latencyMs\":1},\"match\":{\"route\":\"/nowhere\"}}");
            assertThat(other.path("effect").path("latencyMs").asInt()).isEqualTo(1);
            assertThat(other.path("times").isNull()).isTrue();

            assertThat(s.http.get("/_azimuth/faults").json().path("value")).extracting(n -> n.path("id").asText())
                    .containsExactly(id, other.path("id").asText());
            assertThat(s.http.get("/_azimuth/faults/" + id).json().path("effect").path("code").asText())
                    .isEqualTo("TooManyRequests");
            assertThat(s.http.delete("/_azimuth/faults/" + id).status()).isEqualTo(200);
            assertThat(s.http.delete("/_azimuth/faults/" + id).status()).isEqualTo(204);
            Http.Response gone = s.http.get("/_azimuth/faults/" + id);
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.errorCode()).isEqualTo("FaultRuleNotFound");
            assertThat(s.http.delete("/_azimuth/faults").status()).isEqualTo(200);
            assertThat(s.http.get("/_azimuth/faults").json().path("value")).isEmpty();
        }
    }

    @Test
    void aMalformedRuleIsRefusedNamingTheField() {
        try (TestServer s = TestServer.start()) {
            Map<String, String> refused = new java.util.LinkedHashMap<>();
            refused.put("{\"match\":{\"probability\":2},\"effect\":{\"status\":500}}", "match.probability");
            refused.put("{\"match\":{\"probability\":0},\"effect\":{\"status\":500}}", "match.probability");
            refused.put("{\"match\":{\"method\":\"FETCH\"},\"effect\":{\"status\":500}}", "match.method");
            refused.put("{\"match\":{\"name\":\"(\"},\"effect\":{\"status\":500}}", "match.name");
            refused.put("{\"match\":{\"resourceType\":\"images\"},\"effect\":{\"status\":500}}", "match.resourceType");
            refused.put("{\"match\":{\"route\":\"subscriptions\"},\"effect\":{\"status\":500}}", "match.route");
            refused.put("{\"match\":{\"colour\":\"red\"},\"effect\":{\"status\":500}}", "match.colour");
            refused.put("{\"match\":{}}", "effect");
            refused.put("{\"effect\":{}}", "effect");
            refused.put("{\"effect\":{\"status\":200}}", "effect.status");
            refused.put("{\"effect\":{\"status\":\"429\"}}", "effect.status");
            refused.put("{\"effect\":{\"status\":500,\"drop\":true}}", "effect");
            refused.put("{\"effect\":{\"drop\":\"yes\"}}", "effect.drop");
            refused.put("{\"effect\":{\"latencyMs\":-1}}", "effect.latencyMs");
            refused.put("{\"effect\":{\"failOperationAfterMs\":1.5}}", "effect.failOperationAfterMs");
            refused.put("{\"effect\":{\"status\":429,\"retryAfter\":-3}}", "effect.retryAfter");
            refused.put("{\"effect\":{\"latencyMs\":5,\"code\":\"X\"}}", "effect.code");
            refused.put("{\"effect\":{\"status\":500,\"code\":\"no spaces\"}}", "effect.code");
            refused.put("{\"effect\":{\"status\":500},\"times\":0}", "times");
            refused.put("{\"effect\":{\"status\":500},\"when\":\"now\"}", "when");
            refused.put("[]", "body");
            refused.forEach((body, field) -> {
                Http.Response r = s.http.post("/_azimuth/faults", body);
                assertThat(r.status()).as(body + " → " + r).isEqualTo(400);
                assertThat(r.errorCode()).as(body).isEqualTo("InvalidFaultRule");
                assertThat(r.json().path("error").path("target").asText()).as(body).isEqualTo(field);
                assertThat(r.json().path("error").path("message").asText()).as(body).contains(field);
            });
            Http.Response notJson = s.http.post("/_azimuth/faults", "{\"effect\":");
            assertThat(notJson.status()).isEqualTo(400);
            assertThat(notJson.errorCode()).isEqualTo("InvalidRequestContent");
            assertThat(s.http.get("/_azimuth/faults").json().path("value")).as("nothing was added").isEmpty();
        }
    }

    @Test
    void anErrorIsAnsweredInTheApisOwnFormatForAsManyTimesAsTheRuleSays() {
        try (TestServer s = TestServer.start()) {
            group(s.http);
            String id = add(s.http, "{\"match\":{\"method\":\"PUT\",\"resourceType\":\"Microsoft.Compute/disks\","
                    + "\"name\":\"^d-.*\"},\"effect\":{\"status\":429,\"code\":\"TooManyRequests\",\"message\":"
                    + "\"Throttled on purpose.\",\"retryAfter\":3},\"times\":2}").path("id").asText();
            Http.Response other = s.http.put(DISKS + "other" + V, DISK);
            assertThat(other.status()).as("a name the rule does not match").isEqualTo(200);
            for (int i = 0; i < 2; i++) {
                Http.Response r = s.http.put(DISKS + "d-1" + V, DISK);
                assertThat(r.status()).isEqualTo(429);
                assertThat(r.header("Retry-After")).isEqualTo("3");
                assertThat(r.errorCode()).isEqualTo("TooManyRequests");
                assertThat(r.json().path("error").path("message").asText()).isEqualTo("Throttled on purpose.");
                assertThat(r.header("x-ms-request-id")).as("ARM's headers as on any answer").isNotBlank();
                assertThat(s.http.get(DISKS + "d-1" + V).status()).as("the refused PUT stored nothing")
                        .isEqualTo(404);
            }
            assertThat(s.http.put(DISKS + "d-1" + V, DISK).status()).as("the rule is used up").isEqualTo(200);
            JsonNode rule = s.http.get("/_azimuth/faults/" + id).json();
            assertThat(rule.path("fired").asInt()).isEqualTo(2);
            assertThat(rule.path("remaining").asInt()).isEqualTo(0);

            // the classic API answers its own XML error
            add(s.http, "{\"match\":{\"method\":\"GET\",\"name\":\"flaky-image\"},\"effect\":{\"status\":503,"
                    + "\"code\":\"ServiceUnavailable\",\"message\":\"Try later.\"}}");
            Http.Response classic = s.http.send("GET", "/" + SUB + "/services/images/flaky-image", null,
                    Map.of("x-ms-version", "2015-04-01"));
            assertThat(classic.status()).isEqualTo(503);
            assertThat(classic.body()).contains("<Code>ServiceUnavailable</Code>").contains("<Message>Try later."
                    + "</Message>").contains("http://schemas.microsoft.com/windowsazure");
            // the emulator's own endpoints are never hit
            add(s.http, "{\"effect\":{\"status\":500}}");
            assertThat(s.http.get("/_azimuth/health").status()).isEqualTo(200);
            assertThat(s.http.get(DISKS + "other" + V).status()).isEqualTo(500);
        }
    }

    @Test
    void actionsAreMatchedByTheOperationTheyName() {
        try (TestServer s = TestServer.start()) {
            group(s.http);
            assertThat(s.http.put(DISKS + "d1" + V, DISK).status()).isEqualTo(200);
            add(s.http, "{\"match\":{\"resourceType\":\"microsoft.compute/disks\",\"operation\":\"beginGetAccess\"},"
                    + "\"effect\":{\"status\":409,\"code\":\"OperationNotAllowed\"}}");
            assertThat(s.http.get(DISKS + "d1" + V).status()).isEqualTo(200);
            Http.Response r = s.http.post(DISKS + "d1/beginGetAccess" + V, "{\"access\":\"Read\","
                    + "\"durationInSeconds\":60}");
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("OperationNotAllowed");
            assertThat(s.http.post(DISKS + "d1/endGetAccess" + V, null).status()).as("another action")
                    .isIn(200, 202);
        }
    }

    @Test
    void latencyDelaysTheAnswerAndAProbabilityHitsSomeRequestsOnly() {
        try (TestServer s = TestServer.start()) {
            group(s.http);
            String slow = add(s.http, "{\"match\":{\"method\":\"GET\",\"resourceType\":\"Microsoft.Resources/"
                    + "resourceGroups\"},\"effect\":{\"latencyMs\":400}}").path("id").asText();
            long start = System.nanoTime();
            assertThat(s.http.get(rg("faults") + "?api-version=2025-04-01").status()).isEqualTo(200);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(400);
            s.http.delete("/_azimuth/faults/" + slow);

            add(s.http, "{\"match\":{\"method\":\"GET\",\"probability\":0.5},\"effect\":{\"status\":500}}");
            int failed = 0;
            for (int i = 0; i < 200; i++) {
                if (s.http.get(rg("faults") + "?api-version=2025-04-01").status() == 500) {
                    failed++;
                }
            }
            assertThat(failed).as("about half of 200").isBetween(50, 150);
        }
    }

    @Test
    void aDroppedConnectionGetsNoAnswer() throws Exception {
        try (TestServer s = TestServer.start()) {
            add(s.http, "{\"match\":{\"method\":\"GET\",\"resourceType\":\"Microsoft.Resources/resourceGroups\"},"
                    + "\"effect\":{\"drop\":true},\"times\":1}");
            String path = rg("faults") + "?api-version=2025-04-01";
            assertThat(raw(s.server.httpPort(), path)).as("the connection closed with no answer").isEmpty();
            assertThat(raw(s.server.httpPort(), path)).startsWith("HTTP/1.1 404");
        }
    }

    private static String raw(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer any\r\n"
                    + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                return "";
            }
        }
    }

    @Test
    void anOperationMadeToFailEndsFailedWithTheChosenErrorAndLeavesTheResourceFailed() throws Exception {
        try (TestServer s = TestServer.start()) {
            group(s.http);
            add(s.http, "{\"match\":{\"method\":\"PUT\",\"resourceType\":\"Microsoft.Compute/disks\"},\"effect\":"
                    + "{\"failOperationAfterMs\":300,\"code\":\"OSProvisioningTimedOut\",\"message\":\"The disk did not "
                    + "come up.\"},\"times\":1}");
            Http.Response accepted = s.http.put(DISKS + "late" + V, DISK);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            assertThat(accepted.json().path("properties").path("provisioningState").asText()).isNotEqualTo("Succeeded");
            String status = accepted.header("Azure-AsyncOperation");
            assertThat(status).isNotNull();
            JsonNode first = s.http.get(status.substring(status.indexOf("/subscriptions"))).json();
            assertThat(first.path("status").asText()).isEqualTo("InProgress");
            assertThat(first.has("error")).as("the planned error is not shown before the end").isFalse();
            JsonNode done = s.http.awaitOperation(status, 10_000);
            assertThat(done.path("status").asText()).isEqualTo("Failed");
            assertThat(done.path("error").path("code").asText()).isEqualTo("OSProvisioningTimedOut");
            assertThat(done.path("error").path("message").asText()).isEqualTo("The disk did not come up.");
            String result = accepted.header("Location");
            Http.Response outcome = s.http.get(result.substring(result.indexOf("/subscriptions")));
            assertThat(outcome.errorCode()).isEqualTo("OSProvisioningTimedOut");
            assertThat(s.http.get(DISKS + "late" + V).json().path("properties").path("provisioningState").asText())
                    .isEqualTo("Failed");
            Http.Response again = s.http.put(DISKS + "late" + V, DISK);
            assertThat(again.status()).as("a failed resource may be put again").isEqualTo(200);
            assertThat(again.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        }
    }

    @Test
    void rulesSurviveARestartAndAResetClearsThem() {
        Config config = Config.forTests(dir).withInMemory(false);
        String id;
        try (AzimuthServer first = AzimuthServer.start(config)) {
            Http http = Http.plain("http://127.0.0.1:" + first.httpPort());
            id = add(http, "{\"match\":{\"method\":\"DELETE\"},\"effect\":{\"status\":503},\"times\":3}")
                    .path("id").asText();
            assertThat(http.delete(rg("x") + "?api-version=2025-04-01").status()).isEqualTo(503);
            assertThat(http.get("/_azimuth/faults/" + id).json().path("fired").asInt()).isEqualTo(1);
        }
        try (AzimuthServer second = AzimuthServer.start(config)) {
            Http http = Http.plain("http://127.0.0.1:" + second.httpPort());
            JsonNode rule = http.get("/_azimuth/faults/" + id).json();
            assertThat(rule.path("remaining").asInt()).as("what is left of it, too").isEqualTo(2);
            assertThat(http.delete(rg("x") + "?api-version=2025-04-01").status()).isEqualTo(503);
            assertThat(http.post("/_azimuth/reset", null).status()).isEqualTo(204);
            assertThat(http.get("/_azimuth/faults").json().path("value")).isEmpty();
            assertThat(http.delete(rg("x") + "?api-version=2025-04-01").status()).isEqualTo(404);
        }
    }

    @Test
    void aFaultsFileReplacesTheRulesAtStartAndABadOneStopsTheStart() throws IOException {
        Path file = dir.resolve("faults.json");
        Files.writeString(file, "{\"value\":[{\"match\":{\"method\":\"GET\",\"resourceType\":"
                + "\"Microsoft.Resources/resourceGroups\"},\"effect\":{\"status\":500,\"code\":\"Boom\"}}]}");
        try (TestServer s = TestServer.start(c -> c.withTesting(new Config.Testing(file, null, false)))) {
            Http.Response r = s.http.get(rg("any") + "?api-version=2025-04-01");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.errorCode()).isEqualTo("Boom");
        }
        Files.writeString(file, "[{\"effect\":{\"status\":500}},{\"effect\":{\"status\":99}}]");
        assertThatThrownBy(() -> TestServer.start(c -> c.withTesting(new Config.Testing(file, null, false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1].effect.status");
    }
}

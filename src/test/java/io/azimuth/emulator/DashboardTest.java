package io.azimuth.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's page and data (the browser drives both in .ci/dashboard.sh): the page is one HTML document with
 * nothing fetched from elsewhere; the data lists groups and their resources with their states, operations in flight
 * and failed with their codes, and the fault rules, and never a resource's secrets.
 */
class DashboardTest {
    static final String DISKS = "/subscriptions/" + SUB + "/resourceGroups/dash/providers/Microsoft.Compute/disks/";
    static final String DISK = "{\"location\":\"westus\",\"properties\":{\"creationData\":{\"createOption\":\"Empty\"},"
            + "\"diskSizeGB\":1}}";

    @Test
    void thePageIsSelfContainedAndTheDataShowsStatesAndFailures() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http.Response page = s.http.send("GET", "/_azimuth/", null, Map.of());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Azimuth</title>").contains("/_azimuth/dashboard/data")
                    .doesNotContain("http://").doesNotContain("https://").doesNotContain("src=\"//");
            assertThat(s.http.send("GET", "/_azimuth", null, Map.of()).body()).isEqualTo(page.body());

            assertThat(s.http.put(rg("dash") + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                    .isEqualTo(201);
            assertThat(s.http.put(DISKS + "ok?api-version=2024-03-02", DISK).status()).isEqualTo(200);
            s.http.post("/_azimuth/faults", "{\"match\":{\"name\":\"slow\"},\"effect\":{\"failOperationAfterMs\":600000}}");
            s.http.post("/_azimuth/faults", "{\"match\":{\"name\":\"bad\"},\"effect\":{\"failOperationAfterMs\":1,"
                    + "\"code\":\"Broken\",\"message\":\"On purpose.\"}}");
            assertThat(s.http.put(DISKS + "slow?api-version=2024-03-02", DISK).status()).isEqualTo(202);
            Http.Response bad = s.http.put(DISKS + "bad?api-version=2024-03-02", DISK);
            s.http.awaitOperation(bad.header("Azure-AsyncOperation"), 10_000);

            JsonNode data = s.http.get("/_azimuth/dashboard/data").json();
            assertThat(data.path("health").path("status").asText()).isEqualTo("healthy");
            JsonNode group = data.path("resourceGroups").get(0);
            assertThat(group.path("name").asText()).isEqualTo("dash");
            assertThat(group.path("resources")).extracting(r -> r.path("name").asText() + ":"
                    + r.path("provisioningState").asText()).contains("ok:Succeeded", "bad:Failed", "slow:Updating");
            assertThat(group.path("resources").get(0).path("type").asText()).isEqualTo("Microsoft.Compute/disks");
            assertThat(data.path("operationsInFlight")).extracting(o -> o.path("target").asText())
                    .anyMatch(t -> t.endsWith("/disks/slow"));
            JsonNode failure = data.path("recentFailures").get(0);
            assertThat(failure.path("code").asText()).isEqualTo("Broken");
            assertThat(failure.path("message").asText()).isEqualTo("On purpose.");
            assertThat(data.path("faults")).hasSize(2);
            assertThat(data.toString()).as("only names, ids and states: no documents")
                    .doesNotContain("creationData").doesNotContain("azimuthState");
        }
    }
}

package io.azimuth.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/** Deleting a group as a long-running operation, with {@code --operation-delay} set. */
class ResourceGroupDeleteOperationTest {
    static final String V = "?api-version=2025-04-01";
    static final long DELAY = 2500;
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withOperationDelay(DELAY));

    @Test
    void deleteIsAcceptedThenPolledToTheEnd() throws Exception {
        server.http().put(rg("doomed") + V, "{\"location\":\"northeurope\"}");
        long started = System.currentTimeMillis();
        Http.Response accepted = server.http().delete(rg("doomed") + V);
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.body()).isEmpty();
        String status = accepted.header("Azure-AsyncOperation");
        String location = accepted.header("Location");
        assertThat(status).startsWith(server.http().base() + "/subscriptions/" + SUB
                + "/providers/Microsoft.Resources/locations/northeurope/operations/").endsWith("?api-version=2025-04-01");
        assertThat(location).startsWith(server.http().base() + "/subscriptions/" + SUB
                + "/providers/Microsoft.Resources/locations/northeurope/operationResults/");
        assertThat(accepted.header("Retry-After")).matches("[1-9][0-9]*");

        JsonNode deleting = server.http().get(rg("doomed") + V).json();
        assertThat(deleting.path("properties").path("provisioningState").asText()).isEqualTo("Deleting");
        Http.Response blocked = server.http().put(rg("doomed") + V, "{\"location\":\"northeurope\"}");
        assertThat(blocked.status()).isEqualTo(409);
        assertThat(blocked.errorCode()).isEqualTo("ResourceGroupBeingDeleted");

        Http.Response second = server.http().delete(rg("doomed") + V);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.header("Azure-AsyncOperation")).as("a second delete joins the first").isEqualTo(status);

        Http.Response running = server.http().get(status);
        assertThat(running.status()).isEqualTo(200);
        assertThat(running.json().path("status").asText()).isEqualTo("InProgress");
        assertThat(running.json().path("startTime").asText()).isNotBlank();
        assertThat(running.json().has("endTime")).isFalse();
        assertThat(running.header("Retry-After")).matches("[1-9][0-9]*");
        Http.Response pending = server.http().get(location);
        assertThat(pending.status()).isEqualTo(202);
        assertThat(pending.header("Location")).isEqualTo(location);

        JsonNode done = server.http().awaitOperation(status, 10_000);
        assertThat(done.path("status").asText()).isEqualTo("Succeeded");
        assertThat(System.currentTimeMillis() - started).as("took the configured delay").isGreaterThanOrEqualTo(DELAY);
        assertThat(done.path("endTime").asText()).isNotBlank();
        assertThat(done.path("name").asText()).isEqualTo(status.replaceAll(".*/operations/([^?]+).*", "$1"));
        assertThat(server.http().get(location).status()).isEqualTo(200);
        assertThat(server.http().get(rg("doomed") + V).status()).isEqualTo(404);
        assertThat(server.http().put(rg("doomed") + V, "{\"location\":\"westus\"}").status())
                .as("the name is free again").isEqualTo(201);
    }

    @Test
    void unknownOperationsAre404() {
        Http.Response r = server.http().get("/subscriptions/" + SUB + "/providers/Microsoft.Resources/locations/westus/"
                + "operations/00000000-0000-0000-0000-000000000000" + V);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("OperationNotFound");
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.ComputeFixture.assertRefused;
import static io.azimuth.compute.ComputeFixture.id;
import static io.azimuth.compute.ComputeFixture.url;
import static org.assertj.core.api.Assertions.assertThat;

/** Images and disks as long-running operations (--operation-delay): in progress, conflicts, then done. */
class ComputeOperationsTest {
    static final long DELAY = 3000;
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false).withOperationDelay(DELAY));

    @BeforeAll
    static void start() {
        server.http().put(TestServer.rg(ComputeFixture.RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        server.putVhd("acct1", "vhds", "os30.vhd", 30L << 30);
    }

    @Test
    void imageCreationIsCreatingThenSucceeded() throws Exception {
        String body = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\","
                + "\"osState\":\"Generalized\",\"blobUri\":\"" + ComputeFixture.BLOB + "\"}}}}";
        Http.Response created = server.http().put(url("images", "slow"), body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("properties").path("provisioningState").asText()).isEqualTo("Creating");
        String status = created.header("Azure-AsyncOperation");
        assertThat(status).startsWith(server.http().base() + "/subscriptions/" + TestServer.SUB
                + "/providers/Microsoft.Compute/locations/westus/operations/");
        assertThat(created.header("Retry-After")).matches("[1-9][0-9]*");

        assertRefused(server.http().put(url("images", "slow"), body), 409, "OperationNotAllowed", null);
        assertRefused(server.http().delete(url("images", "slow")), 409, "OperationNotAllowed", null);

        assertThat(server.http().awaitOperation(status, 10_000)
                .path("status").asText()).isEqualTo("Succeeded");
        assertThat(server.http().get(url("images", "slow")).json().path("properties").path("provisioningState").asText())
                .isEqualTo("Succeeded");

        Http.Response deleting = server.http().delete(url("images", "slow"));
        assertThat(deleting.status()).isEqualTo(202);
        assertThat(server.http().awaitOperation(deleting.header("Azure-AsyncOperation"), 10_000)
                .path("status").asText()).isEqualTo("Succeeded");
        assertThat(server.http().get(deleting.header("Location")).status()).isEqualTo(200);
        assertThat(server.http().get(url("images", "slow")).status()).isEqualTo(404);
    }

    @Test
    void diskCreationIsAcceptedNever201AndABusySourceIsAConflict() throws Exception {
        Http.Response accepted = server.http().put(url("disks", "busy", "2024-03-02"), "{\"location\":\"westus\",\"properties\":"
                + "{\"osType\":\"Linux\",\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":8}}");
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json().path("properties").path("provisioningState").asText()).isEqualTo("Updating");
        assertThat(accepted.header("Location")).isNotBlank();

        Http.Response fromBusy = server.http().put(url("images", "from-busy"), "{\"location\":\"westus\",\"properties\":"
                + "{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":"
                + "{\"id\":\"" + id("disks", "busy") + "\"}}}}}");
        assertRefused(fromBusy, 409, "OperationNotAllowed", null);

        assertThat(server.http().awaitOperation(accepted.header("Azure-AsyncOperation"), 10_000)
                .path("status").asText()).isEqualTo("Succeeded");
        assertThat(server.http().put(url("images", "from-busy"), "{\"location\":\"westus\",\"properties\":{\"storageProfile\":"
                + "{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + id("disks", "busy") + "\"}}}}}").status()).isEqualTo(201);
    }
}

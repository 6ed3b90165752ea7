package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.server.AzimuthServer;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployments whose resources take time: Running while they do, cancelled mid-way, and finished after a restart
 * that interrupted them.
 */
class DeploymentLifecycleTest {
    static final String V = "?api-version=2024-03-01";

    /** A virtual network, a public IP and a NIC that needs both: two rounds of long-running writes. */
    static String network(String prefix) {
        return ("{`resources`: ["
                + "{`type`: `Microsoft.Network/virtualNetworks`, `apiVersion`: `2023-09-01`, `name`: `" + prefix + "-vnet`,"
                + " `location`: `[resourceGroup().location]`, `properties`: {`addressSpace`: {`addressPrefixes`: [`10.1.0.0/16`]},"
                + "  `subnets`: [{`name`: `default`, `properties`: {`addressPrefix`: `10.1.0.0/24`}}]}},"
                + "{`type`: `Microsoft.Network/publicIPAddresses`, `apiVersion`: `2023-09-01`, `name`: `" + prefix + "-ip`,"
                + " `location`: `[resourceGroup().location]`, `properties`: {`publicIPAllocationMethod`: `Static`}},"
                + "{`type`: `Microsoft.Network/networkInterfaces`, `apiVersion`: `2023-09-01`, `name`: `" + prefix + "-nic`,"
                + " `location`: `[resourceGroup().location]`,"
                + " `dependsOn`: [`" + prefix + "-vnet`, `" + prefix + "-ip`],"
                + " `properties`: {`ipConfigurations`: [{`name`: `ip1`, `properties`: {"
                + "  `subnet`: {`id`: `[resourceId('Microsoft.Network/virtualNetworks/subnets', '" + prefix + "-vnet', 'default')]`},"
                + "  `publicIPAddress`: {`id`: `[resourceId('Microsoft.Network/publicIPAddresses', '" + prefix + "-ip')]`}}}]}}],"
                + "`outputs`: {`address`: {`type`: `string`,"
                + " `value`: `[reference(resourceId('Microsoft.Network/networkInterfaces', '" + prefix + "-nic')).ipConfigurations[0].properties.privateIPAddress]`}}}")
                .replace('`', '"');
    }

    static String put(Http http, String name, String template) {
        Http.Response r = http.put(rg("life") + "/providers/Microsoft.Resources/deployments/" + name + V,
                "{\"properties\":{\"mode\":\"Incremental\",\"template\":" + template + "}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String status = r.header("Azure-AsyncOperation");
        return status.substring(status.indexOf("/subscriptions/"));
    }

    static JsonNode deployment(Http http, String name) {
        return http.get(rg("life") + "/providers/Microsoft.Resources/deployments/" + name + V).json();
    }

    static void group(Http http) {
        assertThat(http.put(rg("life") + "?api-version=2025-04-01", "{\"location\":\"westeurope\"}").status())
                .isIn(200, 201);
    }

    @Test
    void aDeploymentRunsWhileItsResourcesDoAndCanBeCancelled() throws Exception {
        try (TestServer s = TestServer.start(c -> c.withOperationDelay(400))) {
            group(s.http);
            String status = put(s.http, "slow", network("slow"));
            assertThat(s.http.get(status).json().path("status").asText()).isIn("Accepted", "Running");
            assertThat(deployment(s.http, "slow").path("properties").path("provisioningState").asText())
                    .isIn("Accepted", "Running");
            Http.Response again = s.http.put(rg("life") + "/providers/Microsoft.Resources/deployments/slow" + V,
                    "{\"properties\":{\"mode\":\"Incremental\",\"template\":" + network("slow") + "}}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.errorCode()).isEqualTo("DeploymentActive");
            JsonNode done = s.http.awaitOperation(status, 30_000);
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("Succeeded");
            JsonNode d = deployment(s.http, "slow").path("properties");
            assertThat(d.path("outputs").path("address").path("value").asText()).isEqualTo("10.1.0.4");

            String second = put(s.http, "cancelled", network("other"));
            Http.Response cancel = s.http.post(rg("life") + "/providers/Microsoft.Resources/deployments/cancelled/cancel"
                    + V, null);
            assertThat(cancel.status()).as(cancel.body()).isEqualTo(204);
            assertThat(s.http.awaitOperation(second, 30_000).path("status").asText()).isEqualTo("Canceled");
            assertThat(deployment(s.http, "cancelled").path("properties").path("provisioningState").asText())
                    .isEqualTo("Canceled");
            Http.Response late = s.http.post(rg("life") + "/providers/Microsoft.Resources/deployments/cancelled/cancel"
                    + V, null);
            assertThat(late.status()).isEqualTo(409);
            assertThat(late.errorCode()).isEqualTo("DeploymentCannotBeCancelled");
            assertThat(s.http.get(rg("life") + "/providers/Microsoft.Network/networkInterfaces/other-nic"
                    + "?api-version=2023-09-01").status()).as("a cancelled deployment starts nothing more")
                    .isEqualTo(404);
        }
    }

    @Test
    void aDeploymentInterruptedByARestartFinishesAfterwards() throws Exception {
        TestServer s = TestServer.start(c -> c.withInMemory(false).withOperationDelay(600));
        try {
            group(s.http);
            String status = put(s.http, "interrupted", network("int"));
            s.server.close();
            try (AzimuthServer again = AzimuthServer.start(s.server.config())) {
                Http fresh = Http.plain("http://127.0.0.1:" + again.httpPort());
                JsonNode done = fresh.awaitOperation(status, 30_000);
                assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("Succeeded");
                JsonNode d = deployment(fresh, "interrupted").path("properties");
                assertThat(d.path("outputs").path("address").path("value").asText()).isEqualTo("10.1.0.4");
                assertThat(fresh.get(rg("life") + "/providers/Microsoft.Network/networkInterfaces/int-nic"
                        + "?api-version=2023-09-01").status()).isEqualTo(200);
                JsonNode ops = fresh.get(rg("life") + "/providers/Microsoft.Resources/deployments/interrupted/operations"
                        + V).json().path("value");
                assertThat(ops.size()).isEqualTo(3);
                ops.forEach(op -> assertThat(op.path("properties").path("provisioningState").asText())
                        .isEqualTo("Succeeded"));
            }
        } finally {
            TestServer.deleteTree(s.dataDir);
        }
    }
}

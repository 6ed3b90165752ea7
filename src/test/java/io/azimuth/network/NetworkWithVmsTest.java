package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.network.NetworkTestSupport.id;
import static io.azimuth.network.NetworkTestSupport.nic;
import static io.azimuth.network.NetworkTestSupport.refused;
import static io.azimuth.network.NetworkTestSupport.url;
import static io.azimuth.network.NetworkTestSupport.vmBody;
import static io.azimuth.network.NetworkTestSupport.vmUrl;
import static org.assertj.core.api.Assertions.assertThat;

/** NICs attached to VMs: the VM's checks of its NICs, what an attachment shows, in-use refusals, group deletion. */
class NetworkWithVmsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();

    static Http http() {
        return server.http();
    }

    @BeforeEach
    void reset() {
        server.reset();
        NetworkTestSupport.group(http());
        NetworkTestSupport.vnet(http());
    }

    @Test
    void aVmChecksItsNics() {
        Http.Response missing = http().put(vmUrl("vm1"), vmBody("westus", "nope"));
        refused(missing, 404, "NotFound");
        assertThat(missing.json().path("error").path("target").asText())
                .isEqualTo("properties.networkProfile.networkInterfaces[0].id");
        assertThat(http().get(vmUrl("vm1")).status()).isEqualTo(404);

        assertThat(nic(http(), "nic1", "a", "").status()).isEqualTo(201);
        refused(http().put(vmUrl("vm1"), vmBody("eastus", "nic1")), 400, "InvalidParameter");
        Http.Response vm = http().put(vmUrl("vm1"), vmBody("westus", "nic1"));
        assertThat(vm.status()).as(vm.toString()).isEqualTo(201);
        refused(http().put(vmUrl("vm2"), vmBody("westus", "nic1")), 400, "NicInUse");
        assertThat(http().get(vmUrl("vm2")).status()).isEqualTo(404);
        // the VM's own PUT again is fine
        assertThat(http().put(vmUrl("vm1"), vmBody("westus", "nic1")).status()).isEqualTo(200);
    }

    @Test
    void anAttachedNicShowsItsVmAndCannotBeDeletedUntilTheVmGoes() {
        http().put(url("publicIPAddresses/pip1"), "{\"location\":\"westus\",\"properties\":"
                + "{\"publicIPAllocationMethod\":\"Dynamic\"}}");
        assertThat(nic(http(), "nic1", "a", ",\"publicIPAddress\":{\"id\":\"" + id("publicIPAddresses/pip1") + "\"}")
                .status()).isEqualTo(201);
        assertThat(http().get(url("publicIPAddresses/pip1")).json().path("properties").has("ipAddress")).isFalse();
        assertThat(http().put(vmUrl("vm1"), vmBody("westus", "nic1")).status()).isEqualTo(201);

        JsonNode nic = http().get(url("networkInterfaces/nic1")).json().path("properties");
        assertThat(nic.path("virtualMachine").path("id").asText()).isEqualTo("/subscriptions/" + TestServer.SUB
                + "/resourceGroups/" + NetworkTestSupport.RG + "/providers/Microsoft.Compute/virtualMachines/vm1");
        assertThat(nic.path("macAddress").asText()).matches("00-0D-3A-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}");
        assertThat(nic.path("primary").asBoolean()).isTrue();
        assertThat(http().get(url("publicIPAddresses/pip1")).json().path("properties").path("ipAddress").asText())
                .startsWith("203.0.113.");

        Http.Response refusal = http().delete(url("networkInterfaces/nic1"));
        refused(refusal, 400, "NicInUse");
        assertThat(refusal.json().path("error").path("message").asText()).isEqualTo("Network Interface "
                + id("networkInterfaces/nic1") + " is used by existing resource " + nic.path("virtualMachine")
                .path("id").asText() + ". In order to delete the network interface, it must be dissociated from the "
                + "resource. To learn more, see aka.ms/deletenic.");
        assertThat(http().get(url("networkInterfaces/nic1")).status()).isEqualTo(200);

        assertThat(http().delete(vmUrl("vm1")).status()).isIn(200, 202);
        assertThat(http().get(vmUrl("vm1")).status()).isEqualTo(404);
        assertThat(http().get(url("networkInterfaces/nic1")).json().path("properties").has("virtualMachine"))
                .isFalse();
        assertThat(http().get(url("publicIPAddresses/pip1")).json().path("properties").has("ipAddress")).isFalse();
        assertThat(http().delete(url("networkInterfaces/nic1")).status()).isEqualTo(200);
    }

    @Test
    void deletingTheGroupRemovesEverythingWithAVmAttached() {
        http().put(url("networkSecurityGroups/nsg1"), "{\"location\":\"westus\"}");
        http().put(url("virtualNetworks/vnet1/subnets/c"), "{\"properties\":{\"addressPrefix\":\"10.0.2.0/24\","
                + "\"networkSecurityGroup\":{\"id\":\"" + id("networkSecurityGroups/nsg1") + "\"}}}");
        http().put(url("publicIPAddresses/pip1"), "{\"location\":\"westus\",\"sku\":{\"name\":\"Standard\"}}");
        assertThat(nic(http(), "nic1", "c", ",\"publicIPAddress\":{\"id\":\"" + id("publicIPAddresses/pip1") + "\"}")
                .status()).isEqualTo(201);
        assertThat(http().put(vmUrl("vm1"), vmBody("westus", "nic1")).status()).isEqualTo(201);
        String address = http().get(url("publicIPAddresses/pip1")).json().path("properties").path("ipAddress").asText();

        Http.Response deleted = http().delete(TestServer.rg(NetworkTestSupport.RG) + "?api-version=2025-04-01");
        assertThat(deleted.status()).as(deleted.toString()).isIn(200, 202);
        assertThat(http().get(TestServer.rg(NetworkTestSupport.RG) + "?api-version=2025-04-01").status())
                .isEqualTo(404);
        // the group again, empty: the public address is free once more
        NetworkTestSupport.group(http());
        for (String r : new String[]{"virtualNetworks/vnet1", "networkInterfaces/nic1", "publicIPAddresses/pip1",
                "networkSecurityGroups/nsg1"}) {
            assertThat(http().get(url(r)).status()).as(r).isEqualTo(404);
        }
        assertThat(http().get(vmUrl("vm1")).status()).isEqualTo(404);
        Http.Response again = http().put(url("publicIPAddresses/pip9"), "{\"location\":\"westus\",\"sku\":{\"name\":"
                + "\"Standard\"}}");
        assertThat(again.json().path("properties").path("ipAddress").asText()).isEqualTo(address);
    }
}

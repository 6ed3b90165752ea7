package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.azimuth.network.NetworkTestSupport.id;
import static io.azimuth.network.NetworkTestSupport.nic;
import static io.azimuth.network.NetworkTestSupport.refused;
import static io.azimuth.network.NetworkTestSupport.subnet;
import static io.azimuth.network.NetworkTestSupport.url;
import static io.azimuth.network.NetworkTestSupport.vnetBody;
import static org.assertj.core.api.Assertions.assertThat;

/** Each Microsoft.Network type's create, read, list, update and delete, and the refusals of its rules. */
class NetworkResourcesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();

    static Http http() {
        return server.http();
    }

    @BeforeEach
    void reset() {
        server.reset();
        NetworkTestSupport.group(http());
    }

    @Test
    void aVnetsInlineSubnetsAreItsSubnetResources() {
        Http.Response created = http().put(url("virtualNetworks/vnet1"), vnetBody(subnet("a", "10.0.0.0/24")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode vnet = created.json();
        assertThat(vnet.path("etag").asText()).startsWith("W/\"");
        assertThat(vnet.path("type").asText()).isEqualTo("Microsoft.Network/virtualNetworks");
        assertThat(vnet.path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(vnet.path("properties").path("resourceGuid").asText()).hasSize(36);
        assertThat(vnet.path("properties").path("subnets").get(0).path("id").asText())
                .isEqualTo(id("virtualNetworks/vnet1/subnets/a"));

        JsonNode a = http().get(url("virtualNetworks/vnet1/subnets/a")).json();
        assertThat(a.path("properties").path("addressPrefix").asText()).isEqualTo("10.0.0.0/24");
        assertThat(a.path("type").asText()).isEqualTo("Microsoft.Network/virtualNetworks/subnets");

        // a subnet PUT on its own shows in the vnet; a vnet PUT without it removes it
        Http.Response b = http().put(url("virtualNetworks/vnet1/subnets/b"),
                "{\"properties\":{\"addressPrefix\":\"10.0.1.0/24\"}}");
        assertThat(b.status()).as(b.toString()).isEqualTo(201);
        assertThat(names(http().get(url("virtualNetworks/vnet1")).json().path("properties").path("subnets")))
                .containsExactly("a", "b");
        assertThat(names(http().get(url("virtualNetworks/vnet1/subnets")).json().path("value")))
                .containsExactly("a", "b");
        Http.Response replaced = http().put(url("virtualNetworks/vnet1"), vnetBody(subnet("b", "10.0.1.0/24")));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().path("etag").asText()).isNotEqualTo(vnet.path("etag").asText());
        assertThat(names(replaced.json().path("properties").path("subnets"))).containsExactly("b");
        assertThat(http().get(url("virtualNetworks/vnet1/subnets/a")).status()).isEqualTo(404);

        assertThat(names(http().get(url("virtualNetworks")).json().path("value"))).containsExactly("vnet1");
        Http.Response patched = http().patch(url("virtualNetworks/vnet1"), "{\"tags\":{\"env\":\"test\"}}");
        assertThat(patched.json().path("tags").path("env").asText()).isEqualTo("test");
        assertThat(http().delete(url("virtualNetworks/vnet1")).status()).isEqualTo(200);
        assertThat(http().get(url("virtualNetworks/vnet1/subnets/b")).status()).isEqualTo(404);
        assertThat(http().get(url("virtualNetworks/vnet1")).status()).isEqualTo(404);
    }

    @Test
    void badAddressLayoutsAreRefusedAndNothingIsStored() {
        refused(http().put(url("virtualNetworks/vnet1"), "{\"location\":\"westus\",\"properties\":{\"addressSpace\":"
                + "{\"addressPrefixes\":[\"10.0.0.0\"]}}}"), 400, "InvalidAddressPrefixFormat");
        refused(http().put(url("virtualNetworks/vnet1"), "{\"location\":\"westus\",\"properties\":{\"addressSpace\":"
                + "{\"addressPrefixes\":[\"10.0.0.1/16\"]}}}"), 400, "InvalidCIDRNotation");
        refused(http().put(url("virtualNetworks/vnet1"), "{\"location\":\"westus\",\"properties\":{}}"), 400,
                "InvalidParameter");
        refused(http().put(url("virtualNetworks/vnet1"), vnetBody(subnet("a", "10.1.0.0/24"))), 400,
                "NetcfgSubnetRangeOutsideVnet");
        Http.Response overlap = http().put(url("virtualNetworks/vnet1"), vnetBody(subnet("a", "10.0.0.0/24") + ","
                + subnet("b", "10.0.0.128/25")));
        refused(overlap, 400, "NetcfgSubnetRangesOverlap");
        assertThat(overlap.json().path("error").path("message").asText()).contains("Subnet 'b'");
        refused(http().put(url("virtualNetworks/vnet1"), vnetBody("{\"name\":\"a\",\"properties\":{}}")), 400,
                "NetcfgInvalidSubnet");
        assertThat(http().get(url("virtualNetworks/vnet1")).status()).isEqualTo(404);
        assertThat(http().get(url("virtualNetworks/vnet1/subnets/a")).status()).isEqualTo(404);

        NetworkTestSupport.vnet(http());
        refused(http().put(url("virtualNetworks/vnet1/subnets/c"), "{\"properties\":{\"addressPrefix\":"
                + "\"10.0.1.0/26\"}}"), 400, "NetcfgSubnetRangesOverlap");
        assertThat(http().get(url("virtualNetworks/vnet1/subnets/c")).status()).isEqualTo(404);
    }

    @Test
    void aSecurityGroupHasAzuresDefaultRulesAndChecksItsOwn() {
        Http.Response created = http().put(url("networkSecurityGroups/nsg1"), "{\"location\":\"westus\","
                + "\"properties\":{\"securityRules\":[" + rule("ssh", "tcp", 100, "Inbound") + "]}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode props = created.json().path("properties");
        JsonNode ssh = props.path("securityRules").get(0);
        assertThat(ssh.path("id").asText()).isEqualTo(id("networkSecurityGroups/nsg1/securityRules/ssh"));
        assertThat(ssh.path("properties").path("protocol").asText()).isEqualTo("Tcp");
        List<String> defaults = new ArrayList<>();
        for (JsonNode d : props.path("defaultSecurityRules")) {
            JsonNode p = d.path("properties");
            defaults.add(d.path("name").asText() + " " + p.path("priority").asInt() + " " + p.path("direction").asText()
                    + " " + p.path("access").asText() + " " + p.path("sourceAddressPrefix").asText() + " "
                    + p.path("destinationAddressPrefix").asText() + " " + p.path("protocol").asText());
            assertThat(d.path("id").asText()).isEqualTo(id("networkSecurityGroups/nsg1/defaultSecurityRules/"
                    + d.path("name").asText()));
            assertThat(d.path("etag").asText()).startsWith("W/\"");
            assertThat(p.path("description").asText()).isNotBlank();
        }
        assertThat(defaults).containsExactly(
                "AllowVnetInBound 65000 Inbound Allow VirtualNetwork VirtualNetwork *",
                "AllowAzureLoadBalancerInBound 65001 Inbound Allow AzureLoadBalancer * *",
                "DenyAllInBound 65500 Inbound Deny * * *",
                "AllowVnetOutBound 65000 Outbound Allow VirtualNetwork VirtualNetwork *",
                "AllowInternetOutBound 65001 Outbound Allow * Internet *",
                "DenyAllOutBound 65500 Outbound Deny * * *");

        refused(http().put(url("networkSecurityGroups/nsg1"), nsg(rule("low", "Tcp", 50, "Inbound"))), 400,
                "SecurityRuleInvalidPriority");
        refused(http().put(url("networkSecurityGroups/nsg1"), nsg(rule("a", "Tcp", 200, "Inbound") + ","
                + rule("b", "Udp", 200, "Inbound"))), 400, "SecurityRuleConflict");
        refused(http().put(url("networkSecurityGroups/nsg1"), nsg("{\"name\":\"x\",\"properties\":{\"protocol\":"
                + "\"Tcp\",\"sourcePortRange\":\"*\",\"destinationPortRange\":\"22\",\"destinationAddressPrefix\":\"*\","
                + "\"access\":\"Allow\",\"priority\":300,\"direction\":\"Inbound\"}}")), 400,
                "SecurityRuleParametersMissing");
        // the same priority in the other direction is fine; the refusals changed nothing
        assertThat(http().get(url("networkSecurityGroups/nsg1")).json().path("properties").path("securityRules")
                .size()).isEqualTo(1);
        assertThat(http().put(url("networkSecurityGroups/nsg1"), nsg(rule("a", "Tcp", 200, "Inbound") + ","
                + rule("b", "Udp", 200, "Outbound"))).status()).isEqualTo(200);
        assertThat(names(http().get(url("networkSecurityGroups")).json().path("value"))).containsExactly("nsg1");
        assertThat(http().delete(url("networkSecurityGroups/nsg1")).status()).isEqualTo(200);
    }

    @Test
    void publicIpsHoldDistinctAddressesAndDnsLabels() {
        Http.Response one = http().put(url("publicIPAddresses/pip1"), "{\"location\":\"westus\",\"sku\":{\"name\":"
                + "\"Standard\"},\"properties\":{\"publicIPAllocationMethod\":\"static\",\"dnsSettings\":"
                + "{\"domainNameLabel\":\"azimuth-test\"}}}");
        assertThat(one.status()).as(one.toString()).isEqualTo(201);
        JsonNode p1 = one.json().path("properties");
        assertThat(p1.path("publicIPAllocationMethod").asText()).isEqualTo("Static");
        assertThat(p1.path("idleTimeoutInMinutes").asInt()).isEqualTo(4);
        assertThat(p1.path("dnsSettings").path("fqdn").asText()).isEqualTo("azimuth-test.westus.cloudapp.azure.com");
        assertThat(one.json().path("sku").path("tier").asText()).isEqualTo("Regional");
        Http.Response two = http().put(url("publicIPAddresses/pip2"), "{\"location\":\"westus\",\"sku\":{\"name\":"
                + "\"Standard\"},\"properties\":{\"publicIPAllocationMethod\":\"Static\"}}");
        String a1 = p1.path("ipAddress").asText();
        String a2 = two.json().path("properties").path("ipAddress").asText();
        assertThat(a1).startsWith("203.0.113.");
        assertThat(a2).startsWith("203.0.113.").isNotEqualTo(a1);
        Http.Response dynamic = http().put(url("publicIPAddresses/pip3"), "{\"location\":\"westus\",\"properties\":"
                + "{\"publicIPAllocationMethod\":\"Dynamic\"}}");
        assertThat(dynamic.json().path("properties").has("ipAddress")).isFalse();
        assertThat(dynamic.json().path("sku").path("name").asText()).isEqualTo("Basic");

        refused(http().put(url("publicIPAddresses/pip4"), "{\"location\":\"westus\",\"sku\":{\"name\":\"Standard\"},"
                + "\"properties\":{\"publicIPAllocationMethod\":\"Dynamic\"}}"), 400,
                "StandardSkuPublicIPAddressesMustBeStatic");
        refused(http().put(url("publicIPAddresses/pip4"), "{\"location\":\"westus\",\"properties\":{\"dnsSettings\":"
                + "{\"domainNameLabel\":\"azimuth-test\"}}}"), 400, "DnsRecordInUse");
        refused(http().put(url("publicIPAddresses/pip4"), "{\"location\":\"westus\",\"properties\":{\"dnsSettings\":"
                + "{\"domainNameLabel\":\"Bad_Label\"}}}"), 400, "InvalidDomainNameLabel");
        refused(http().put(url("publicIPAddresses/pip4"), "{\"location\":\"westus\",\"properties\":"
                + "{\"idleTimeoutInMinutes\":31}}"), 400, "PublicIPIdleTimeoutIsOutOfRange");
        assertThat(http().get(url("publicIPAddresses/pip4")).status()).isEqualTo(404);
        // the label is free again once its address is deleted; the address is given out again
        assertThat(http().delete(url("publicIPAddresses/pip1")).status()).isEqualTo(200);
        Http.Response again = http().put(url("publicIPAddresses/pip4"), "{\"location\":\"westus\",\"sku\":{\"name\":"
                + "\"Standard\"},\"properties\":{\"dnsSettings\":{\"domainNameLabel\":\"azimuth-test\"}}}");
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(again.json().path("properties").path("ipAddress").asText()).isEqualTo(a1);
        assertThat(names(http().get(url("publicIPAddresses")).json().path("value")))
                .containsExactly("pip2", "pip3", "pip4");
    }

    @Test
    void nicsGetPrivateAddressesFromTheFifthOfTheirSubnet() {
        NetworkTestSupport.vnet(http());
        Http.Response first = nic(http(), "nic1", "a", "");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        JsonNode config = first.json().path("properties").path("ipConfigurations").get(0);
        assertThat(config.path("id").asText()).isEqualTo(id("networkInterfaces/nic1/ipConfigurations/ipconfig1"));
        assertThat(config.path("properties").path("privateIPAddress").asText()).isEqualTo("10.0.0.4");
        assertThat(config.path("properties").path("privateIPAllocationMethod").asText()).isEqualTo("Dynamic");
        assertThat(config.path("properties").path("primary").asBoolean()).isTrue();
        assertThat(first.json().path("properties").has("virtualMachine")).isFalse();
        assertThat(first.json().path("properties").has("macAddress")).isFalse();
        assertThat(nic(http(), "nic2", "a", "").json().path("properties").path("ipConfigurations").get(0)
                .path("properties").path("privateIPAddress").asText()).isEqualTo("10.0.0.5");
        // an update keeps the address
        assertThat(nic(http(), "nic1", "a", "").json().path("properties").path("ipConfigurations").get(0)
                .path("properties").path("privateIPAddress").asText()).isEqualTo("10.0.0.4");
        Http.Response fixed = nic(http(), "nic3", "a", ",\"privateIPAllocationMethod\":\"Static\","
                + "\"privateIPAddress\":\"10.0.0.100\"");
        assertThat(fixed.status()).as(fixed.toString()).isEqualTo(201);

        refused(nic(http(), "bad", "a", ",\"privateIPAllocationMethod\":\"Static\",\"privateIPAddress\":\"10.0.1.10\""),
                400, "PrivateIPAddressNotInSubnet");
        refused(nic(http(), "bad", "a", ",\"privateIPAllocationMethod\":\"Static\",\"privateIPAddress\":\"10.0.0.2\""),
                400, "PrivateIPAddressInReservedRange");
        refused(nic(http(), "bad", "a", ",\"privateIPAllocationMethod\":\"Static\",\"privateIPAddress\":\"10.0.0.4\""),
                400, "PrivateIPAddressIsAllocated");
        Http.Response missing = nic(http(), "bad", "nope", "");
        refused(missing, 400, "InvalidResourceReference");
        assertThat(missing.json().path("error").path("target").asText())
                .isEqualTo("properties.ipConfigurations[0].properties.subnet.id");
        refused(nic(http(), "bad", "a", ",\"publicIPAddress\":{\"id\":\"" + id("publicIPAddresses/none") + "\"}"),
                400, "InvalidResourceReference");
        assertThat(http().get(url("networkInterfaces/bad")).status()).isEqualTo(404);

        // the subnet shows the configurations in it
        JsonNode configs = http().get(url("virtualNetworks/vnet1/subnets/a")).json().path("properties")
                .path("ipConfigurations");
        assertThat(configs.size()).isEqualTo(3);
        assertThat(http().get(url("virtualNetworks/vnet1")).json().path("properties").path("subnets").get(0)
                .path("properties").path("ipConfigurations").size()).isEqualTo(3);
        assertThat(names(http().get(url("networkInterfaces")).json().path("value")))
                .containsExactly("nic1", "nic2", "nic3");
    }

    @Test
    void whatIsInUseIsNotDeletedAndARefusalChangesNothing() {
        NetworkTestSupport.vnet(http());
        http().put(url("networkSecurityGroups/nsg1"), "{\"location\":\"westus\"}");
        http().put(url("publicIPAddresses/pip1"), "{\"location\":\"westus\",\"sku\":{\"name\":\"Standard\"}}");
        Http.Response n = http().put(url("networkInterfaces/nic1"), "{\"location\":\"westus\",\"properties\":"
                + "{\"networkSecurityGroup\":{\"id\":\"" + id("networkSecurityGroups/nsg1") + "\"},\"ipConfigurations\":"
                + "[{\"name\":\"ipconfig1\",\"properties\":{\"subnet\":{\"id\":\"" + id("virtualNetworks/vnet1/subnets/a")
                + "\"},\"publicIPAddress\":{\"id\":\"" + id("publicIPAddresses/pip1") + "\"}}}]}}");
        assertThat(n.status()).as(n.toString()).isEqualTo(201);
        String config = id("networkInterfaces/nic1/ipConfigurations/ipconfig1");
        assertThat(http().get(url("publicIPAddresses/pip1")).json().path("properties").path("ipConfiguration")
                .path("id").asText()).isEqualTo(config);
        assertThat(http().get(url("networkSecurityGroups/nsg1")).json().path("properties").path("networkInterfaces")
                .get(0).path("id").asText()).isEqualTo(id("networkInterfaces/nic1"));

        Http.Response subnet = http().delete(url("virtualNetworks/vnet1/subnets/a"));
        refused(subnet, 400, "InUseSubnetCannotBeDeleted");
        assertThat(subnet.json().path("error").path("message").asText()).isEqualTo("Subnet a is in use by " + config
                + " and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. "
                + "See aka.ms/deletesubnet.");
        refused(http().put(url("virtualNetworks/vnet1"), vnetBody(subnet("b", "10.0.1.0/24"))), 400,
                "InUseSubnetCannotBeDeleted");
        refused(http().delete(url("virtualNetworks/vnet1")), 400, "InUseSubnetCannotBeDeleted");
        refused(http().delete(url("publicIPAddresses/pip1")), 400, "PublicIPAddressInUse");
        refused(http().delete(url("networkSecurityGroups/nsg1")), 400, "InUseNetworkSecurityGroupCannotBeDeleted");
        refused(nic(http(), "nic2", "a", ",\"publicIPAddress\":{\"id\":\"" + id("publicIPAddresses/pip1") + "\"}"),
                400, "PublicIPAddressInUse");
        assertThat(names(http().get(url("virtualNetworks/vnet1")).json().path("properties").path("subnets")))
                .containsExactly("a", "b");
        assertThat(http().get(url("publicIPAddresses/pip1")).status()).isEqualTo(200);

        assertThat(http().delete(url("networkInterfaces/nic1")).status()).isEqualTo(200);
        assertThat(http().get(url("virtualNetworks/vnet1/subnets/a")).json().path("properties")
                .has("ipConfigurations")).isFalse();
        assertThat(http().delete(url("virtualNetworks/vnet1/subnets/a")).status()).isEqualTo(200);
        assertThat(http().delete(url("publicIPAddresses/pip1")).status()).isEqualTo(200);
        assertThat(http().delete(url("networkSecurityGroups/nsg1")).status()).isEqualTo(200);
    }

    private static String rule(String name, String protocol, int priority, String direction) {
        return "{\"name\":\"" + name + "\",\"properties\":{\"protocol\":\"" + protocol + "\",\"sourcePortRange\":\"*\","
                + "\"destinationPortRange\":\"22\",\"sourceAddressPrefix\":\"*\",\"destinationAddressPrefix\":\"*\","
                + "\"access\":\"Allow\",\"priority\":" + priority + ",\"direction\":\"" + direction + "\"}}";
    }

    private static String nsg(String rules) {
        return "{\"location\":\"westus\",\"properties\":{\"securityRules\":[" + rules + "]}}";
    }

    static List<String> names(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("name").asText()));
        return out;
    }
}

package io.azimuth.network;

import io.azimuth.support.Http;
import io.azimuth.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** URLs and bodies of the network tests. */
final class NetworkTestSupport {
    static final String RG = "net-rg";
    static final String V = "2023-09-01";

    private NetworkTestSupport() {
    }

    static String id(String typeAndName) {
        return "/subscriptions/" + TestServer.SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Network/"
                + typeAndName;
    }

    static String url(String typeAndName) {
        return id(typeAndName) + "?api-version=" + V;
    }

    static String vmUrl(String name) {
        return "/subscriptions/" + TestServer.SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/"
                + "virtualMachines/" + name + "?api-version=2024-03-01";
    }

    static void group(Http http) {
        assertThat(http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                .isIn(200, 201);
    }

    /** vnet1 (10.0.0.0/16) with subnets a (10.0.0.0/24) and b (10.0.1.0/24). */
    static String vnetBody(String subnets) {
        return "{\"location\":\"westus\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},"
                + "\"subnets\":[" + subnets + "]}}";
    }

    static String subnet(String name, String prefix) {
        return "{\"name\":\"" + name + "\",\"properties\":{\"addressPrefix\":\"" + prefix + "\"}}";
    }

    static void vnet(Http http) {
        Http.Response r = http.put(url("virtualNetworks/vnet1"), vnetBody(subnet("a", "10.0.0.0/24") + ","
                + subnet("b", "10.0.1.0/24")));
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    static String nicBody(String subnet, String extraConfig) {
        return "{\"location\":\"westus\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":"
                + "{\"subnet\":{\"id\":\"" + id("virtualNetworks/vnet1/subnets/" + subnet) + "\"}" + extraConfig
                + "}}]}}";
    }

    static Http.Response nic(Http http, String name, String subnet, String extraConfig) {
        return http.put(url("networkInterfaces/" + name), nicBody(subnet, extraConfig));
    }

    static String vmBody(String location, String... nics) {
        StringBuilder refs = new StringBuilder();
        for (String n : nics) {
            refs.append(refs.length() == 0 ? "" : ",").append("{\"id\":\"").append(id("networkInterfaces/" + n))
                    .append("\"}");
        }
        return "{\"location\":\"" + location + "\",\"properties\":{\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},"
                + "\"storageProfile\":{\"imageReference\":{\"publisher\":\"Canonical\","
                + "\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\",\"version\":\"latest\"},"
                + "\"osDisk\":{\"createOption\":\"FromImage\"}},\"osProfile\":{\"computerName\":\"vm1\","
                + "\"adminUsername\":\"azureuser\",\"adminPassword\":\"Network-Pass1\"},\"networkProfile\":"
                + "{\"networkInterfaces\":[" + refs + "]}}}";
    }

    static void refused(Http.Response r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.toString()).isEqualTo(code);
    }
}

package io.azimuth.support;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The network a VM needs, made over HTTP: a vnet with one subnet per region in a group, and NICs in it. */
public final class Network {
    public static final String V = "2023-09-01";

    private Network() {
    }

    public static String url(String rg, String typeAndName) {
        return TestServer.rg(rg) + "/providers/Microsoft.Network/" + typeAndName + "?api-version=" + V;
    }

    /** The id of the subnet {@code default} of the vnet {@code vnet-<location>} in {@code rg}, made if missing. */
    public static String subnet(Http http, String rg, String location) {
        String vnet = "virtualNetworks/vnet-" + location;
        if (http.get(url(rg, vnet)).status() == 404) {
            Http.Response r = http.put(url(rg, vnet), "{\"location\":\"" + location + "\",\"properties\":{"
                    + "\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},\"subnets\":[{\"name\":\"default\","
                    + "\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}");
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
        return "/subscriptions/" + TestServer.SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Network/" + vnet
                + "/subnets/default";
    }

    /** The NIC {@code name} in {@code rg}, in that group's vnet of {@code location}: made; its id. */
    public static String nic(Http http, String rg, String name, String location) {
        String subnet = subnet(http, rg, location);
        Http.Response r = http.put(url(rg, "networkInterfaces/" + name), "{\"location\":\"" + location
                + "\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":{\"subnet\":"
                + "{\"id\":\"" + subnet + "\"}}}]}}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().path("id").asText();
    }

    /** Makes the NICs a VM body names that do not exist yet (in the groups their ids name, in the VM's region). */
    public static void nicsFor(Http http, JsonNode vmBody) {
        String location = vmBody.path("location").asText("westus");
        for (JsonNode n : vmBody.path("properties").path("networkProfile").path("networkInterfaces")) {
            String id = n.path("id").asText("");
            String[] parts = id.split("/");
            if (parts.length < 9 || !parts[parts.length - 2].equalsIgnoreCase("networkInterfaces")) {
                continue;
            }
            String rg = parts[4];
            String name = parts[parts.length - 1];
            if (http.get(url(rg, "networkInterfaces/" + name)).status() == 404) {
                nic(http, rg, name, location);
            }
        }
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;

import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/** URLs and ready-made sources for compute tests. */
final class ComputeFixture {
    static final String RG = "images-rg";
    static final String BLOB = "https://acct1.blob.core.windows.net/vhds/os30.vhd";
    static final String DATA_BLOB = "https://acct1.blob.core.windows.net/vhds/data10.vhd";

    private ComputeFixture() {
    }

    static String url(String type, String name) {
        return url(type, name, "2024-03-01");
    }

    static String url(String type, String name, String version) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type
                + (name == null ? "" : "/" + name) + "?api-version=" + version;
    }

    static String id(String type, String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type + "/" + name;
    }

    /** A group, a 30 GiB OS VHD, a 10 GiB data VHD, a 30 GB Linux V2 disk and a snapshot of it. */
    static void sources(TestServer server) {
        Http http = server.http;
        assertThat(http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                .isIn(200, 201);
        server.putVhd("acct1", "vhds", "os30.vhd", 30L << 30);
        server.putVhd("acct1", "vhds", "data10.vhd", 10L << 30);
        assertThat(http.put(url("disks", "disk30", "2024-03-02"), "{\"location\":\"westus\",\"properties\":{\"osType\":"
                + "\"Linux\",\"hyperVGeneration\":\"V2\",\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":30}}")
                .status()).isEqualTo(200);
        assertThat(http.put(url("snapshots", "snap30", "2024-03-02"), "{\"location\":\"westus\",\"properties\":"
                + "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\"" + id("disks", "disk30") + "\"}}}")
                .status()).isEqualTo(200);
    }

    static String osDiskImage(String osDisk) {
        return "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":" + osDisk + "}}}";
    }

    static void assertRefused(Http.Response r, int status, String code, String target) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode error = r.json().path("error");
        assertThat(error.path("code").asText()).as(r.toString()).isEqualTo(code);
        if (target != null) {
            assertThat(error.path("target").asText()).as(r.toString()).isEqualTo(target);
            assertThat(error.path("message").asText()).as("the message names the field").contains(
                    target.substring(target.lastIndexOf('.') + 1).replaceAll("\\[\\d+]", ""));
        }
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Azure's own beginGetAccess and endGetAccess examples (copied into the test resources, see SOURCES.md): each request
 * is sent, answered at once (200) and, with an operation delay, as Azure answers them (202 with a Location, the result
 * read from it); the SAS carries the query parameters the example's does but the storage key name.
 */
class DiskAccessExamplesTest {
    @RegisterExtension
    static final ServerExtension now = ServerExtension.start();
    @RegisterExtension
    static final ServerExtension later = ServerExtension.start(c -> c.withOperationDelay(200));

    static JsonNode read(String file) throws IOException {
        try (InputStream in = DiskAccessExamplesTest.class.getResourceAsStream("/spec/arm/examples/diskAccess/" + file)) {
            return Http.JSON.readTree(in);
        }
    }

    /** The group and the disk or snapshot an example addresses, imported from a random VHD. */
    static String prepare(TestServer s, JsonNode params, String type, String name) {
        String rg = params.path("resourceGroupName").asText();
        Http http = s.http;
        s.reset();
        assertThat(http.put("/subscriptions/" + SUB + "/resourcegroups/" + rg + "?api-version=2025-04-01",
                "{\"location\":\"westus\"}").status()).isIn(200, 201);
        Vhds.upload(http, DiskFixture.SOURCE, Vhds.random(MIB, 3));
        String base = "/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/" + type + "/"
                + name;
        Http.Response r = http.put(base + "?api-version=" + params.path("api-version").asText(), "{\"location\":"
                + "\"westus\",\"properties\":{\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\""
                + DiskFixture.SOURCE + "\"}}}");
        assertThat(r.status()).as(r.toString()).isIn(200, 202);
        return base;
    }

    static Set<String> queryNames(String url) {
        return Arrays.stream(URI.create(url).getRawQuery().split("&")).map(p -> p.substring(0, p.indexOf('=')))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Disk_BeginGetAccess.json", "Snapshot_BeginGetAccess.json"})
    void grantAsInTheExample(String file) throws Exception {
        JsonNode example = read(file);
        JsonNode params = example.path("parameters");
        String type = file.startsWith("Disk") ? "disks" : "snapshots";
        String name = params.path(type.equals("disks") ? "diskName" : "snapshotName").asText();
        String version = params.path("api-version").asText();
        String exampleSas = example.path("responses").path("200").path("body").path("accessSAS").asText();
        Set<String> expected = queryNames(exampleSas);
        expected.remove("sk");

        String base = prepare(now.server(), params, type, name);
        Http.Response r = now.http().post(base + "/beginGetAccess?api-version=" + version,
                params.path("grantAccessData").toString());
        assertThat(example.path("responses").has(String.valueOf(r.status()))).as(r.toString()).isTrue();
        assertThat(r.status()).isEqualTo(200);
        assertThat(queryNames(r.json().path("accessSAS").asText())).isEqualTo(expected);

        base = prepare(later.server(), params, type, name);
        DiskAccessTest.awaitSucceeded(later.http(), base + "?api-version=" + version);
        r = later.http().post(base + "/beginGetAccess?api-version=" + version, params.path("grantAccessData").toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(example.path("responses").path("202").path("headers").has("Location")).isTrue();
        JsonNode result = DiskAccessTest.poll(later.http(), r.header("Location"));
        String sas = result.path("accessSAS").asText();
        assertThat(queryNames(sas)).isEqualTo(expected);
        assertThat(later.http().getBytes(sas, Map.of()).status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Disk_EndGetAccess.json", "Snapshot_EndGetAccess.json"})
    void revokeAsInTheExample(String file) throws Exception {
        JsonNode example = read(file);
        JsonNode params = example.path("parameters");
        String type = file.startsWith("Disk") ? "disks" : "snapshots";
        String name = params.path(type.equals("disks") ? "diskName" : "snapshotName").asText();
        String version = params.path("api-version").asText();

        String base = prepare(now.server(), params, type, name);
        Http.Response r = now.http().post(base + "/endGetAccess?api-version=" + version, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(example.path("responses").has("200")).isTrue();
        assertThat(r.body()).isEmpty();

        base = prepare(later.server(), params, type, name);
        DiskAccessTest.awaitSucceeded(later.http(), base + "?api-version=" + version);
        r = later.http().post(base + "/endGetAccess?api-version=" + version, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.header("Location")).isNotBlank();
        assertThat(DiskAccessTest.poll(later.http(), r.header("Location"))).isNull();
    }
}

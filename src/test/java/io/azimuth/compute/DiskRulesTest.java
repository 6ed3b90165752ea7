package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.Set;

import static io.azimuth.compute.ComputeFixture.assertRefused;
import static io.azimuth.compute.ComputeFixture.id;
import static io.azimuth.compute.ComputeFixture.url;
import static org.assertj.core.api.Assertions.assertThat;

/** Managed disks and snapshots: create options, sizes, sources, and the Disk RP's status codes. */
class DiskRulesTest {
    static final String V = "2024-03-02";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false).withPageSize(2));

    @BeforeEach
    void sources() {
        server.reset();
        ComputeFixture.sources(server.server());
    }

    private static Http.Response disk(String name, String properties) {
        return server.http().put(url("disks", name, V), "{\"location\":\"westus\",\"properties\":" + properties + "}");
    }

    @Test
    void emptyDisksNeedASizeInRange() {
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Empty\"}}"), 400, "InvalidParameter", "diskSizeGB");
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":0}"), 400,
                "InvalidParameter", "diskSizeGB");
        Http.Response ok = disk("d", "{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":128}");
        assertThat(ok.status()).as("never 201 for disks").isEqualTo(200);
        JsonNode p = ok.json().path("properties");
        assertThat(p.path("diskSizeGB").asInt()).isEqualTo(128);
        assertThat(p.path("diskSizeBytes").asLong()).isEqualTo(128L << 30);
        assertThat(p.path("diskState").asText()).isEqualTo("Unattached");
        assertThat(p.path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(p.path("uniqueId").asText()).matches("[0-9a-f-]{36}");
        assertThat(p.path("timeCreated").asText()).isNotBlank();
        assertThat(ok.json().path("sku").path("name").asText()).isEqualTo("Standard_LRS");
    }

    @Test
    void createOptionsAreCheckedCaseInsensitively() {
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Teleport\"}}"), 400, "InvalidParameter",
                "creationData.createOption");
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"FromImage\"}}"), 400, "InvalidParameter",
                "creationData.createOption");
        assertRefused(disk("d", "{\"diskSizeGB\":1}"), 400, "InvalidParameter", "creationData");
        Http.Response ok = disk("d", "{\"creationData\":{\"createOption\":\"empty\"},\"diskSizeGB\":1,\"osType\":\"windows\"}");
        assertThat(ok.json().path("properties").path("creationData").path("createOption").asText()).isEqualTo("Empty");
        assertThat(ok.json().path("properties").path("osType").asText()).isEqualTo("Windows");
    }

    @Test
    void importTakesItsSizeFromTheVhdAndChecksTheBlob() {
        Http.Response ok = disk("imported", "{\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\""
                + ComputeFixture.BLOB + "\"}}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("properties").path("diskSizeGB").asInt()).isEqualTo(30);
        assertThat(ok.json().path("properties").path("creationData").path("sourceUri").asText())
                .isEqualTo(ComputeFixture.BLOB);
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Import\"}}"), 400, "InvalidParameter",
                "creationData.sourceUri");
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":"
                + "\"https://acct1.blob.core.windows.net/vhds/none.vhd\"}}"), 404, "NotFound", "creationData.sourceUri");
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + ComputeFixture.BLOB
                + "\"},\"diskSizeGB\":10}"), 400, "InvalidParameter", "diskSizeGB");
    }

    @Test
    void copyInheritsFromItsSource() {
        Http.Response copy = disk("copy", "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\""
                + id("snapshots", "snap30") + "\"}}");
        assertThat(copy.status()).isEqualTo(200);
        JsonNode p = copy.json().path("properties");
        assertThat(p.path("diskSizeGB").asInt()).isEqualTo(30);
        assertThat(p.path("osType").asText()).isEqualTo("Linux");
        assertThat(p.path("hyperVGeneration").asText()).isEqualTo("V2");
        String sourceUniqueId = server.http().get(url("snapshots", "snap30", V)).json().path("properties").path("uniqueId").asText();
        assertThat(p.path("creationData").path("sourceUniqueId").asText()).isEqualTo(sourceUniqueId);
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\""
                + id("disks", "ghost") + "\"}}"), 404, "NotFound", "creationData.sourceResourceId");
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\""
                + id("images", "img") + "\"}}"), 400, "InvalidParameter", "creationData.sourceResourceId");
        assertRefused(disk("d", "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\"garbage\"}}"), 400,
                "InvalidParameter", "creationData.sourceResourceId");
    }

    @Test
    void sizesGrowButNeverShrink() {
        Http.Response grown = server.http().patch(url("disks", "disk30", V), "{\"properties\":{\"diskSizeGB\":64},\"tags\":{\"a\":\"b\"}}");
        assertThat(grown.status()).isEqualTo(200);
        assertThat(grown.json().path("properties").path("diskSizeGB").asInt()).isEqualTo(64);
        assertThat(grown.json().path("tags").path("a").asText()).isEqualTo("b");
        assertRefused(server.http().patch(url("disks", "disk30", V), "{\"properties\":{\"diskSizeGB\":32}}"), 400,
                "InvalidParameter", "diskSizeGB");
        assertThat(server.http().get(url("disks", "disk30", V)).json().path("properties").path("diskSizeGB").asInt()).isEqualTo(64);
        assertRefused(server.http().patch(url("disks", "nope", V), "{\"tags\":{}}"), 404, "ResourceNotFound", null);
    }

    @Test
    void snapshotsAreImportedOrCopiedNeverEmpty() {
        Http.Response empty = server.http().put(url("snapshots", "s", V), "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                + "{\"createOption\":\"Empty\"},\"diskSizeGB\":10}}");
        assertRefused(empty, 400, "InvalidParameter", "creationData.createOption");
        Http.Response imported = server.http().put(url("snapshots", "s", V), "{\"location\":\"westus\",\"properties\":"
                + "{\"incremental\":false,\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\""
                + ComputeFixture.DATA_BLOB + "\"}}}");
        assertThat(imported.status()).isEqualTo(200);
        assertThat(imported.json().path("properties").path("diskSizeGB").asInt()).isEqualTo(10);
        assertThat(imported.json().path("type").asText()).isEqualTo("Microsoft.Compute/snapshots");
    }

    @Test
    void listsPageByGroupAndSubscription() {
        for (int i = 0; i < 4; i++) {
            disk("extra" + i, "{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":1}");
        }
        Set<String> names = new HashSet<>();
        String next = url("disks", null, V);
        int pages = 0;
        while (next != null) {
            JsonNode page = server.http().get(next).json();
            page.path("value").forEach(d -> names.add(d.path("name").asText()));
            next = page.path("nextLink").isNull() ? null : page.path("nextLink").asText();
            pages++;
        }
        assertThat(names).containsExactlyInAnyOrder("disk30", "extra0", "extra1", "extra2", "extra3");
        assertThat(pages).isEqualTo(3);
        assertThat(server.http().get("/subscriptions/" + TestServer.SUB + "/providers/Microsoft.Compute/snapshots?api-version=" + V)
                .json().path("value")).hasSize(1);
        assertRefused(server.http().get(url("disks", null, V).replace(ComputeFixture.RG, "nogroup")), 404,
                "ResourceGroupNotFound", null);
    }

    @Test
    void deleteAnswers200ThenNothingIsLeft() {
        assertThat(server.http().delete(url("disks", "disk30", V)).status()).isEqualTo(200);
        assertThat(server.http().get(url("disks", "disk30", V)).status()).isEqualTo(404);
        assertThat(server.http().delete(url("disks", "disk30", V)).status()).isEqualTo(204);
    }
}

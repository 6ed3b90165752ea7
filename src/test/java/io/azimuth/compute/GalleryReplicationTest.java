package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.GalleryFixture.definition;
import static io.azimuth.compute.GalleryFixture.definitionId;
import static io.azimuth.compute.GalleryFixture.fromOsDisk;
import static io.azimuth.compute.GalleryFixture.refused;
import static io.azimuth.compute.GalleryFixture.version;
import static io.azimuth.compute.GalleryFixture.versionId;
import static io.azimuth.compute.GalleryFixture.versionUrl;
import static io.azimuth.compute.GalleryFixture.vm;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replication on a clock (--replication-time): a version stays Creating, its regions Replicating with growing
 * progress, polled as a long-running operation, until its slowest region's replicas are done; VMs wait for it.
 */
class GalleryReplicationTest {
    static final long PER_REPLICA = 600;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withReplicationTime(PER_REPLICA));

    static Http http() {
        return server.http();
    }

    @BeforeEach
    void group() {
        DiskFixture.group(server.server(), Vhds.random(MIB, 3));
        GalleryFixture.gallery(http());
        GalleryFixture.network(http(), 2);
        assertThat(definition(http(), "linux", "Linux", "Generalized", "V1", "s1").status()).isIn(200, 201);
        DiskFixture.imported(http(), "snapshots", "snap1");
    }

    private static JsonNode status() {
        Http.Response r = http().get(versionUrl("linux", "1.0.0") + "&$expand=ReplicationStatus");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("properties");
    }

    private static JsonNode region(JsonNode properties, String name) {
        for (JsonNode s : properties.path("replicationStatus").path("summary")) {
            if (s.path("region").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no region " + name + " in " + properties);
    }

    @Test
    void aVersionReplicatesRegionBySideByRegionAndIsPolledUntilDone() throws Exception {
        long began = System.currentTimeMillis();
        Http.Response put = version(http(), "linux", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")),
                "{\"targetRegions\":[{\"name\":\"westus\",\"regionalReplicaCount\":1},"
                        + "{\"name\":\"eastus\",\"regionalReplicaCount\":2}]}");
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.json().path("properties").path("provisioningState").asText()).isEqualTo("Creating");
        String operation = put.header("Azure-AsyncOperation");
        assertThat(operation).contains("/providers/Microsoft.Compute/locations/westus/operations/");
        assertThat(Integer.parseInt(put.header("Retry-After"))).isBetween(1, 2);

        JsonNode during = status();
        assertThat(during.path("provisioningState").asText()).isEqualTo("Creating");
        assertThat(during.path("replicationStatus").path("aggregatedState").asText()).isEqualTo("InProgress");
        JsonNode east = region(during, "East US");
        assertThat(east.path("state").asText()).isEqualTo("Replicating");
        assertThat(east.path("progress").asInt()).isBetween(0, 99);
        // a VM waits for the version; the definition has no latest yet
        refused(vm(http(), "vm1", versionId("linux", "1.0.0"), "nic1", true), 409, "OperationNotAllowed", null);
        refused(vm(http(), "vm1", definitionId("linux"), "nic1", true), 404, "NotFound", null);

        JsonNode done = http().awaitOperation(operation, 30_000);
        assertThat(done.path("status").asText()).isEqualTo("Succeeded");
        // the slowest region took its two replicas' time
        assertThat(System.currentTimeMillis() - began).isGreaterThanOrEqualTo(2 * PER_REPLICA);
        JsonNode after = status();
        assertThat(after.path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(after.path("replicationStatus").path("aggregatedState").asText()).isEqualTo("Completed");
        assertThat(region(after, "West US").path("progress").asInt()).isEqualTo(100);
        assertThat(region(after, "East US").path("state").asText()).isEqualTo("Completed");
        Http.Response made = vm(http(), "vm1", definitionId("linux"), "nic1", true);
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
    }

    @Test
    void aRegionAddedLaterReplicatesAloneWhileTheOthersStayDone() throws Exception {
        Http.Response put = version(http(), "linux", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null);
        assertThat(http().awaitOperation(put.header("Azure-AsyncOperation"), 30_000).path("status").asText())
                .isEqualTo("Succeeded");
        Http.Response patch = http().patch(versionUrl("linux", "1.0.0"), "{\"properties\":{\"publishingProfile\":"
                + "{\"targetRegions\":[{\"name\":\"westus\"},{\"name\":\"northeurope\"}]}}}");
        assertThat(patch.status()).as(patch.toString()).isEqualTo(200);
        assertThat(patch.json().path("properties").path("provisioningState").asText()).isEqualTo("Updating");
        JsonNode during = status();
        assertThat(region(during, "West US").path("state").asText()).isEqualTo("Completed");
        assertThat(region(during, "North Europe").path("state").asText()).isEqualTo("Replicating");
        assertThat(http().awaitOperation(patch.header("Azure-AsyncOperation"), 30_000).path("status").asText())
                .isEqualTo("Succeeded");
        assertThat(region(status(), "North Europe").path("progress").asInt()).isEqualTo(100);
    }
}

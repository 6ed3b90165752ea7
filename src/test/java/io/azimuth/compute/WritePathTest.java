package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.ComputeFixture.id;
import static io.azimuth.compute.ComputeFixture.osDiskImage;
import static io.azimuth.compute.ComputeFixture.url;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a change done at once costs the store, counted by the store itself ({@code storeCounts} in the health
 * document): an image PUT from a managed disk reads the group, the image and the disk once each and writes the
 * image's row once, in one commit; its answer is what a GET answers, byte for byte.
 */
class WritePathTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        ComputeFixture.sources(server.server());
    }

    static JsonNode counts() {
        return server.http().get("/_azimuth/health").json().path("storeCounts");
    }

    @Test
    void aSynchronousImagePutIsOneRowWriteAndOneReadOfItsSource() {
        String body = osDiskImage("{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                + id("disks", "disk30") + "\"}}");
        JsonNode before = counts();
        Http.Response created = server.http().put(url("images", "img"), body);
        JsonNode after = counts();
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(after.path("resourceWrites").asLong() - before.path("resourceWrites").asLong())
                .as("the image's row, once").isEqualTo(1);
        assertThat(after.path("resourceReads").asLong() - before.path("resourceReads").asLong())
                .as("the group, the image (absent) and the source disk, once each").isEqualTo(3);
        assertThat(after.path("commits").asLong() - before.path("commits").asLong()).isEqualTo(1);
        assertThat(created.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");

        Http.Response get = server.http().get(url("images", "img"));
        assertThat(get.body()).as("the PUT answered the bytes a GET answers").isEqualTo(created.body());

        // replacing it: the same, the image's row now read as it exists
        before = counts();
        Http.Response replaced = server.http().put(url("images", "img"), body);
        after = counts();
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(after.path("resourceWrites").asLong() - before.path("resourceWrites").asLong()).isEqualTo(1);
        assertThat(after.path("resourceReads").asLong() - before.path("resourceReads").asLong()).isEqualTo(3);
    }

    @Test
    void aSynchronousDeleteIsOneRowWrite() {
        assertThat(server.http().put(url("images", "img"), osDiskImage("{\"osType\":\"Linux\",\"osState\":"
                + "\"Generalized\",\"managedDisk\":{\"id\":\"" + id("disks", "disk30") + "\"}}")).status()).isEqualTo(201);
        JsonNode before = counts();
        assertThat(server.http().delete(url("images", "img")).status()).isEqualTo(200);
        JsonNode after = counts();
        assertThat(after.path("resourceWrites").asLong() - before.path("resourceWrites").asLong())
                .as("the row's deletion only: no intermediate Deleting state is stored").isEqualTo(1);
        assertThat(server.http().get(url("images", "img")).status()).isEqualTo(404);
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.azimuth.arm.Locations;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

import static io.azimuth.compute.DiskFixture.RG;
import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Azure's own create examples of the Gallery RP (copied into the test resources, see the SOURCE.md beside them),
 * sent as they are once the resources they name exist: a gallery, a Windows image definition, and versions of a
 * managed image, of a VM and of a snapshot with a data disk, each with its two target regions, disk encryption
 * sets and safety profile. Every value of the request comes back in the answer (which the client checks against
 * the Gallery RP's OpenAPI definition), and so do the disk images the example response shows.
 */
class GalleryExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXAMPLES = "/spec/arm/examples/galleries/";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();

    static Http http() {
        return server.http();
    }

    @BeforeEach
    void sources() {
        DiskFixture.group(server.server(), Vhds.random(2 * MIB, 5));
        String imported = "\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + DiskFixture.SOURCE + "\"}";
        DiskFixture.put(http(), "disks", "os1", "{\"osType\":\"Windows\"," + imported + "}");
        DiskFixture.put(http(), "disks", "data1", "{" + imported + "}");
        DiskFixture.put(http(), "snapshots", "snap1", "{\"osType\":\"Windows\"," + imported + "}");
        Http.Response image = http().put(DiskFixture.url("images", "img1"), "{\"location\":\"westus\",\"properties\":"
                + "{\"storageProfile\":{\"osDisk\":{\"osType\":\"Windows\",\"osState\":\"Generalized\",\"managedDisk\":"
                + "{\"id\":\"" + DiskFixture.id("disks", "os1") + "\"}},\"dataDisks\":[{\"lun\":1,\"managedDisk\":"
                + "{\"id\":\"" + DiskFixture.id("disks", "data1") + "\"}}]}}}");
        assertThat(image.status()).as(image.toString()).isIn(200, 201);
        GalleryFixture.network(http(), 1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Gallery_Create.json", "GalleryImage_Create.json", "GalleryImageVersion_Create.json",
            "GalleryImageVersion_Create_WithVmAsSource.json", "GalleryImageVersion_Create_WithSnapshotsAsSource.json"})
    void anOfficialCreateExampleIsAcceptedAndEchoed(String file) throws IOException {
        JsonNode example = example(file);
        JsonNode params = example.path("parameters");
        String version = params.path("api-version").asText();
        String gallery = "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/galleries/"
                + params.path("galleryName").asText();
        String url = gallery;
        if (!file.startsWith("Gallery_")) {
            put(gallery + "?api-version=" + version, body(example("Gallery_Create.json")));
            url += "/images/" + params.path("galleryImageName").asText();
        }
        if (file.startsWith("GalleryImageVersion_")) {
            put(url + "?api-version=" + version, body(example("GalleryImage_Create.json")));
            url += "/versions/" + params.path("galleryImageVersionName").asText();
        }
        if (file.contains("WithVmAsSource")) {
            Http.Response vm = GalleryFixture.vm(http(), "vm1", DiskFixture.id("images", "img1"), "nic1", true);
            assertThat(vm.status()).as(vm.toString()).isEqualTo(201);
            for (String action : new String[]{"deallocate", "generalize"}) {
                Http.Response r = http().post(GalleryFixture.vmUrl("vm1").replace("?", "/" + action + "?"), null);
                assertThat(r.status()).as(r.toString()).isIn(200, 202);
            }
        }
        JsonNode request = body(example);

        Http.Response r = http().put(url + "?api-version=" + version, request.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertContains(r.json(), request, "");
        JsonNode expected = body(example.path("responses").path("201"));
        assertThat(r.json().path("name").asText()).isEqualTo(expected.path("name").asText());
        JsonNode storage = expected.path("properties").path("storageProfile");
        if (!storage.isMissingNode()) {
            JsonNode actual = r.json().path("properties").path("storageProfile");
            assertThat(actual.path("osDiskImage").path("sizeInGB").isInt()).as(actual.toString()).isTrue();
            assertThat(actual.path("dataDiskImages")).as(actual.toString()).hasSize(storage.path("dataDiskImages").size());
            for (int i = 0; i < storage.path("dataDiskImages").size(); i++) {
                assertThat(actual.path("dataDiskImages").get(i).path("lun"))
                        .isEqualTo(storage.path("dataDiskImages").get(i).path("lun"));
            }
        }
        assertThat(http().get(url + "?api-version=" + version).json().path("properties").path("provisioningState")
                .asText()).isEqualTo("Succeeded");
    }

    private static void put(String url, JsonNode body) {
        Http.Response r = http().put(url, body.toString());
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    /** Every value of {@code wanted} is in {@code actual} at the same place (arrays element by element). */
    private static void assertContains(JsonNode actual, JsonNode wanted, String at) {
        if (wanted.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                assertContains(actual.path(field.getKey()), field.getValue(), at + "/" + field.getKey());
            }
        } else if (wanted.isArray()) {
            assertThat(actual.size()).as(at).isEqualTo(wanted.size());
            for (int i = 0; i < wanted.size(); i++) {
                assertContains(actual.path(i), wanted.get(i), at + "/" + i);
            }
        } else if (at.equals("/location")) {
            // ARM answers a resource's location by its name ("westus"), whatever spelling was sent ("West US")
            assertThat(actual.asText()).as(at).isEqualTo(Locations.normalise(wanted.asText()).orElseThrow());
        } else {
            assertThat(actual).as(at).isEqualTo(wanted);
        }
    }

    /** The example's body with its placeholders named after the sources {@link #sources} made. */
    private static JsonNode body(JsonNode exampleOrResponse) throws IOException {
        JsonNode node = exampleOrResponse.has("parameters")
                ? bodyParameter(exampleOrResponse.path("parameters")) : exampleOrResponse.path("body");
        String text = node.toString().replace("{subscriptionId}", SUB).replace("{resourceGroup}", RG)
                .replace("/resourceGroups/myResourceGroup/", "/resourceGroups/" + RG + "/")
                .replace("{imageName}", "img1").replace("{vmName}", "vm1").replace("{osSnapshotName}", "snap1")
                .replace("{dataDiskName}", "data1");
        return JSON.readTree(text);
    }

    private static JsonNode bodyParameter(JsonNode params) {
        for (Iterator<JsonNode> it = params.elements(); it.hasNext(); ) {
            JsonNode value = it.next();
            if (value.isObject()) {
                return value;
            }
        }
        throw new IllegalArgumentException("no body in " + params);
    }

    private static JsonNode example(String file) throws IOException {
        try (InputStream in = GalleryExamplesTest.class.getResourceAsStream(EXAMPLES + file)) {
            assertThat(in).as(file).isNotNull();
            return JSON.readTree(in);
        }
    }
}

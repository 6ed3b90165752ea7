package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.DiskFixture.SOURCE;
import static io.azimuth.compute.GalleryFixture.definition;
import static io.azimuth.compute.GalleryFixture.definitionId;
import static io.azimuth.compute.GalleryFixture.fromOsDisk;
import static io.azimuth.compute.GalleryFixture.fromSource;
import static io.azimuth.compute.GalleryFixture.fromVhd;
import static io.azimuth.compute.GalleryFixture.galleryUrl;
import static io.azimuth.compute.GalleryFixture.osDiskName;
import static io.azimuth.compute.GalleryFixture.refused;
import static io.azimuth.compute.GalleryFixture.version;
import static io.azimuth.compute.GalleryFixture.versionId;
import static io.azimuth.compute.GalleryFixture.versionUrl;
import static io.azimuth.compute.GalleryFixture.vm;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Azure Compute Gallery over raw HTTP: galleries, definitions and versions from managed images, snapshots and
 * VHDs; VMs made from a version or a definition's latest holding the source's bytes; the refusals; deletion order.
 */
class GalleryTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();
    byte[] vhd;

    static Http http() {
        return server.http();
    }

    @BeforeEach
    void group() {
        vhd = Vhds.random(3 * MIB, 11);
        DiskFixture.group(server.server(), vhd);
        GalleryFixture.gallery(http());
        GalleryFixture.network(http(), 4);
    }

    private static String image(String name) {
        DiskFixture.imported(http(), "disks", name + "-disk");
        Http.Response r = http().put(DiskFixture.url("images", name), "{\"location\":\"westus\",\"properties\":"
                + "{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":"
                + "{\"id\":\"" + DiskFixture.id("disks", name + "-disk") + "\"}}}}}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return DiskFixture.id("images", name);
    }

    private static JsonNode created(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        assertThat(r.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        return r.json();
    }

    @Test
    void aGalleryHasItsIdentifierAndIsListed() {
        JsonNode g = http().get(galleryUrl("")).json();
        assertThat(g.path("type").asText()).isEqualTo("Microsoft.Compute/galleries");
        assertThat(g.path("properties").path("identifier").path("uniqueName").asText())
                .isEqualTo(io.azimuth.support.TestServer.SUB + "-GAL1");
        assertThat(http().get("/subscriptions/" + io.azimuth.support.TestServer.SUB
                + "/providers/Microsoft.Compute/galleries?api-version=" + GalleryFixture.V).json().path("value"))
                .hasSize(1);
        refused(http().put(galleryUrl("").replace("/gal1", "/bad-name"), "{\"location\":\"westus\"}"), 400,
                "InvalidParameter", "galleryName");
    }

    @Test
    void versionsFromAnImageASnapshotAndAVhdHoldTheirSourcesBytes() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        String image = image("img1");
        DiskFixture.imported(http(), "snapshots", "snap1");

        JsonNode fromImage = created(version(http(), "linux", "1.0.0", fromSource(image), null));
        assertThat(fromImage.path("properties").path("storageProfile").path("source").path("id").asText())
                .isEqualTo(image);
        assertThat(fromImage.path("properties").path("storageProfile").path("osDiskImage").path("sizeInGB").asInt())
                .isEqualTo(1);
        JsonNode regions = fromImage.path("properties").path("publishingProfile").path("targetRegions");
        assertThat(regions).hasSize(1);
        assertThat(regions.get(0).path("name").asText()).isEqualTo("West US");
        created(version(http(), "linux", "1.0.1", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        JsonNode fromVhd = created(version(http(), "linux", "1.0.2", fromVhd(SOURCE), null));
        assertThat(fromVhd.path("properties").path("storageProfile").path("osDiskImage").path("source")
                .path("uri").asText()).isEqualTo(SOURCE);

        // the image goes; its version holds its own bytes
        assertThat(http().delete(DiskFixture.url("images", "img1")).status()).isIn(200, 202);
        for (String[] made : new String[][]{{"1.0.0", "vm0", "nic1"}, {"1.0.1", "vm1", "nic2"}, {"1.0.2", "vm2", "nic3"}}) {
            Http.Response r = vm(http(), made[1], versionId("linux", made[0]), made[2], true);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            JsonNode ref = r.json().path("properties").path("storageProfile").path("imageReference");
            assertThat(ref.path("id").asText()).isEqualTo(versionId("linux", made[0]));
            assertThat(ref.path("exactVersion").asText()).isEqualTo(made[0]);
            Vhds.assertSameDisk(GalleryFixture.osDiskBytes(http(), made[1]), vhd);
        }
    }

    @Test
    void olderApiVersionsNameTheManagedImageInThePublishingProfile() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        String image = image("img1");
        // the body packer's azure-arm builder (1.6) sends, with api-version 2019-03-01
        String url = versionUrl("linux", "1.0.0").replace(GalleryFixture.V, "2019-03-01");
        JsonNode v = created(http().put(url, "{\"location\":\"westus\",\"properties\":{\"publishingProfile\":"
                + "{\"excludeFromLatest\":false,\"replicaCount\":1,\"source\":{\"managedImage\":{\"id\":\"" + image
                + "\"}},\"targetRegions\":[{\"name\":\"westus\"},{\"name\":\"eastus\"}]}},\"tags\":{}}"));
        assertThat(v.path("properties").path("publishingProfile").path("source").path("managedImage").path("id")
                .asText()).isEqualTo(image);
        assertThat(v.path("properties").path("storageProfile").path("source").path("id").asText()).isEqualTo(image);
        assertThat(v.path("properties").path("publishingProfile").path("targetRegions")).hasSize(2);
        Http.Response both = http().put(versionUrl("linux", "1.0.1"), "{\"location\":\"westus\",\"properties\":"
                + "{\"publishingProfile\":{\"source\":{\"managedImage\":{\"id\":\"" + image + "\"}}},"
                + "\"storageProfile\":" + fromSource(image) + "}}");
        refused(both, 400, "InvalidParameter", "properties.publishingProfile.source");
    }

    @Test
    void aVmFromADefinitionGetsItsLatestVersionNotExcluded() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        DiskFixture.imported(http(), "snapshots", "snap1");
        created(version(http(), "linux", "1.9.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        created(version(http(), "linux", "1.10.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        created(version(http(), "linux", "2.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")),
                "{\"excludeFromLatest\":true}"));
        Http.Response r = vm(http(), "vm1", definitionId("linux"), "nic1", true);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode ref = r.json().path("properties").path("storageProfile").path("imageReference");
        assertThat(ref.path("id").asText()).isEqualTo(definitionId("linux"));
        assertThat(ref.path("exactVersion").asText()).isEqualTo("1.10.0");

        // a definition with no version usable as latest
        created(definition(http(), "empty", "Linux", "Generalized", "V1", "s2"));
        refused(vm(http(), "vm2", definitionId("empty"), "nic2", true), 404, "NotFound",
                "properties.storageProfile.imageReference.id");
    }

    @Test
    void aSpecializedDefinitionsVmTakesNoOsProfile() {
        created(definition(http(), "spec", "Linux", "Specialized", "V1", "s1"));
        DiskFixture.imported(http(), "snapshots", "snap1");
        created(version(http(), "spec", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        refused(vm(http(), "vm1", versionId("spec", "1.0.0"), "nic1", true), 400, "InvalidParameter",
                "properties.osProfile");
        Http.Response r = vm(http(), "vm1", versionId("spec", "1.0.0"), "nic1", false);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("properties").has("osProfile")).isFalse();
        // and a generalized one needs one
        created(definition(http(), "gen", "Linux", "Generalized", "V1", "s2"));
        created(version(http(), "gen", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        refused(vm(http(), "vm2", versionId("gen", "1.0.0"), "nic2", false), 400, "InvalidParameter",
                "properties.osProfile");
    }

    @Test
    void aVmFromAVersionIsReimagedToItsBytes() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        DiskFixture.imported(http(), "snapshots", "snap1");
        created(version(http(), "linux", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        Http.Response made = vm(http(), "vm1", versionId("linux", "1.0.0"), "nic1", true);
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        Http.Response r = http().post(GalleryFixture.vmUrl("vm1").replace("?", "/reimage?"), "{}");
        assertThat(r.status()).as(r.toString()).isIn(200, 202);
        JsonNode after = http().get(GalleryFixture.vmUrl("vm1")).json();
        assertThat(osDiskName(after)).isNotEqualTo(osDiskName(made.json()));
        Vhds.assertSameDisk(GalleryFixture.osDiskBytes(http(), "vm1"), vhd);
        // once the version is gone, there is nothing to reimage to
        assertThat(http().delete(versionUrl("linux", "1.0.0")).status()).isIn(200, 202);
        refused(http().post(GalleryFixture.vmUrl("vm1").replace("?", "/reimage?"), "{}"), 409,
                "OperationNotAllowed", null);
    }

    @Test
    void aVersionsSourceMustMatchItsDefinition() {
        String image = image("img1");
        created(definition(http(), "windows", "Windows", "Generalized", "V1", "w"));
        refused(version(http(), "windows", "1.0.0", fromSource(image), null), 400, "InvalidParameter",
                "properties.storageProfile.source.id");
        created(definition(http(), "gen2", "Linux", "Generalized", "V2", "g2"));
        refused(version(http(), "gen2", "1.0.0", fromSource(image), null), 400, "InvalidParameter",
                "properties.storageProfile.source.id");
        created(definition(http(), "special", "Linux", "Specialized", "V1", "sp"));
        refused(version(http(), "special", "1.0.0", fromSource(image), null), 400, "InvalidParameter",
                "properties.storageProfile.source.id");
        for (String def : new String[]{"windows", "gen2", "special"}) {
            assertThat(http().get(versionUrl(def, "1.0.0")).status()).isEqualTo(404);
        }
    }

    @Test
    void badVersionsAreRefusedAndNothingIsStored() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        String snap = DiskFixture.id("snapshots", "snap1");
        DiskFixture.imported(http(), "snapshots", "snap1");
        for (String name : new String[]{"1.0", "1.0.0.0", "a.b.c", "1.0.99999999999"}) {
            refused(version(http(), "linux", name, fromOsDisk(snap), null), 400, "InvalidParameter",
                    "galleryImageVersionName");
        }
        refused(version(http(), "linux", "1.0.0", fromOsDisk(snap), "{\"targetRegions\":[{\"name\":\"Mars North\"}]}"),
                400, "InvalidParameter", "properties.publishingProfile.targetRegions[0].name");
        refused(version(http(), "linux", "1.0.0", fromOsDisk(snap), "{\"targetRegions\":[{\"name\":\"eastus\"}]}"),
                400, "InvalidParameter", "properties.publishingProfile.targetRegions");
        refused(version(http(), "linux", "1.0.0", fromOsDisk(snap), "{\"targetRegions\":[{\"name\":\"westus\","
                + "\"regionalReplicaCount\":0}]}"), 400, "InvalidParameter",
                "properties.publishingProfile.targetRegions[0].regionalReplicaCount");
        refused(version(http(), "linux", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "nope")), null), 404,
                "NotFound", "properties.storageProfile.osDiskImage.source.id");
        refused(version(http(), "linux", "1.0.0", "{}", null), 400, "InvalidParameter",
                "properties.storageProfile.osDiskImage.source");
        refused(version(http(), "linux", "1.0.0", "{\"osDiskImage\":{\"source\":{\"uri\":\"" + SOURCE + "\"}}}", null),
                400, "InvalidParameter", "properties.storageProfile.osDiskImage.source.storageAccountId");
        assertThat(http().get(versionUrl("linux", "1.0.0")).status()).isEqualTo(404);
        assertThat(http().get(galleryUrl("images/linux/versions")).json().path("value")).isEmpty();
    }

    @Test
    void definitionsKeepTheirIdentityAndIdentifiersAreUnique() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        refused(definition(http(), "other", "Linux", "Generalized", "V1", "s1"), 409, "Conflict",
                "properties.identifier");
        refused(definition(http(), "linux", "Windows", "Generalized", "V1", "s1"), 409, "PropertyChangeNotAllowed",
                "properties.osType");
        refused(definition(http(), "linux", "Linux", "Generalized", "V1", "s9"), 409, "PropertyChangeNotAllowed",
                "properties.identifier.sku");
        refused(http().put(galleryUrl("images/tl"), "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\","
                + "\"osState\":\"Generalized\",\"identifier\":{\"publisher\":\"p\",\"offer\":\"o\",\"sku\":\"t\"},"
                + "\"features\":[{\"name\":\"SecurityType\",\"value\":\"TrustedLaunch\"}]}}"), 400,
                "InvalidParameter", "properties.features[0].value");
        refused(http().put(galleryUrl("images/elsewhere"), "{\"location\":\"eastus\",\"properties\":{\"osType\":"
                + "\"Linux\",\"osState\":\"Generalized\",\"identifier\":{\"publisher\":\"p\",\"offer\":\"o\","
                + "\"sku\":\"e\"}}}"), 400, "InvalidParameter", "location");
        refused(http().put(galleryUrl("images/noos"), "{\"location\":\"westus\",\"properties\":{\"osState\":"
                + "\"Generalized\",\"identifier\":{\"publisher\":\"p\",\"offer\":\"o\",\"sku\":\"n\"}}}"), 400,
                "InvalidParameter", "properties.osType");
        JsonNode def = http().get(galleryUrl("images/linux")).json().path("properties");
        assertThat(def.path("osType").asText()).isEqualTo("Linux");
        assertThat(def.path("hyperVGeneration").asText()).isEqualTo("V1");
        assertThat(def.path("architecture").asText()).isEqualTo("x64");
    }

    @Test
    void deletionsGoFromVersionsUp() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        DiskFixture.imported(http(), "snapshots", "snap1");
        created(version(http(), "linux", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap1")), null));
        Http.Response gallery = http().delete(galleryUrl(""));
        refused(gallery, 409, "CannotDeleteResource", null);
        assertThat(gallery.json().path("error").path("message").asText())
                .contains("Microsoft.Compute/galleries/gal1/images/linux");
        Http.Response def = http().delete(galleryUrl("images/linux"));
        refused(def, 409, "CannotDeleteResource", null);
        assertThat(def.json().path("error").path("message").asText())
                .contains("Microsoft.Compute/galleries/gal1/images/linux/versions/1.0.0");
        assertThat(http().delete(versionUrl("linux", "1.0.0")).status()).isIn(200, 202);
        assertThat(http().delete(galleryUrl("images/linux")).status()).isIn(200, 202);
        assertThat(http().delete(galleryUrl("")).status()).isIn(200, 202);
        assertThat(http().get(galleryUrl("")).status()).isEqualTo(404);
    }

    @Test
    void aVersionBlockedBeforeItsEndOfLifeIsNotDeleted() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        DiskFixture.imported(http(), "snapshots", "snap1");
        String source = fromOsDisk(DiskFixture.id("snapshots", "snap1"));
        String blocked = "{\"location\":\"westus\",\"properties\":{\"publishingProfile\":{\"endOfLifeDate\":"
                + "\"2999-01-01T00:00:00Z\"},\"safetyProfile\":{\"blockDeletionBeforeEndOfLife\":true},"
                + "\"storageProfile\":" + source + "}}";
        JsonNode v = created(http().put(versionUrl("linux", "1.0.0"), blocked));
        assertThat(v.path("properties").path("safetyProfile").path("blockDeletionBeforeEndOfLife").asBoolean()).isTrue();
        refused(http().delete(versionUrl("linux", "1.0.0")), 409, "OperationNotAllowed", null);
        assertThat(http().get(versionUrl("linux", "1.0.0")).status()).isEqualTo(200);

        // past its end of life, or unblocked, it goes
        created(http().put(versionUrl("linux", "1.0.1"), blocked.replace("2999-01-01", "2001-01-01")));
        assertThat(http().delete(versionUrl("linux", "1.0.1")).status()).isIn(200, 202);
        Http.Response unblocked = http().patch(versionUrl("linux", "1.0.0"),
                "{\"properties\":{\"safetyProfile\":{\"blockDeletionBeforeEndOfLife\":false}}}");
        assertThat(unblocked.status()).as(unblocked.toString()).isIn(200, 202);
        assertThat(http().delete(versionUrl("linux", "1.0.0")).status()).isIn(200, 202);
    }

    @Test
    void aVersionKeepsItsSourceAndItsReplicatedRegions() {
        created(definition(http(), "linux", "Linux", "Generalized", "V1", "s1"));
        DiskFixture.imported(http(), "snapshots", "snap1");
        DiskFixture.imported(http(), "snapshots", "snap2");
        String snap = DiskFixture.id("snapshots", "snap1");
        created(version(http(), "linux", "1.0.0", fromOsDisk(snap),
                "{\"targetRegions\":[{\"name\":\"westus\"},{\"name\":\"East US\",\"regionalReplicaCount\":2}]}"));
        refused(version(http(), "linux", "1.0.0", fromOsDisk(DiskFixture.id("snapshots", "snap2")), null), 409,
                "PropertyChangeNotAllowed", "properties.storageProfile");
        // dropping a region needs the safety profile's consent
        refused(version(http(), "linux", "1.0.0", fromOsDisk(snap), null), 409, "OperationNotAllowed", null);
        Http.Response patched = http().patch(versionUrl("linux", "1.0.0"), "{\"properties\":{\"publishingProfile\":"
                + "{\"targetRegions\":[{\"name\":\"westus\"}]},\"safetyProfile\":"
                + "{\"allowDeletionOfReplicatedLocations\":true}}}");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().path("properties").path("publishingProfile").path("targetRegions")).hasSize(1);
        JsonNode status = http().get(versionUrl("linux", "1.0.0") + "&$expand=ReplicationStatus").json()
                .path("properties").path("replicationStatus");
        assertThat(status.path("aggregatedState").asText()).isEqualTo("Completed");
        assertThat(status.path("summary").get(0).path("progress").asInt()).isEqualTo(100);
    }
}

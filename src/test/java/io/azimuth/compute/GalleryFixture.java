package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;

import static io.azimuth.compute.DiskFixture.RG;
import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/** URLs and bodies of the gallery tests, in {@link DiskFixture#RG} beside its disks and snapshots. */
final class GalleryFixture {
    static final String V = "2024-03-03";
    static final String GALLERY = "gal1";

    private GalleryFixture() {
    }

    static String galleryId(String path) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/galleries/" + GALLERY
                + (path.isEmpty() ? "" : "/" + path);
    }

    static String galleryUrl(String path) {
        return galleryId(path) + "?api-version=" + V;
    }

    static String definitionId(String definition) {
        return galleryId("images/" + definition);
    }

    static String versionId(String definition, String version) {
        return galleryId("images/" + definition + "/versions/" + version);
    }

    static String versionUrl(String definition, String version) {
        return versionId(definition, version) + "?api-version=" + V;
    }

    static void gallery(Http http) {
        Http.Response r = http.put(galleryUrl(""), "{\"location\":\"westus\",\"properties\":{\"description\":\"d\"}}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    /** A definition {@code name}: Linux unless told, generalized or specialized, V1 or V2. */
    static Http.Response definition(Http http, String name, String osType, String osState, String generation,
                                    String sku) {
        return http.put(galleryUrl("images/" + name), "{\"location\":\"westus\",\"properties\":{\"osType\":\"" + osType
                + "\",\"osState\":\"" + osState + "\",\"hyperVGeneration\":\"" + generation + "\",\"identifier\":"
                + "{\"publisher\":\"azimuth\",\"offer\":\"tests\",\"sku\":\"" + sku + "\"}}}");
    }

    static Http.Response version(Http http, String definition, String version, String storageProfile,
                                 String publishing) {
        return http.put(versionUrl(definition, version), "{\"location\":\"westus\",\"properties\":{"
                + (publishing == null ? "" : "\"publishingProfile\":" + publishing + ",")
                + "\"storageProfile\":" + storageProfile + "}}");
    }

    static String fromSource(String id) {
        return "{\"source\":{\"id\":\"" + id + "\"}}";
    }

    static String fromOsDisk(String id) {
        return "{\"osDiskImage\":{\"source\":{\"id\":\"" + id + "\"}}}";
    }

    static String fromVhd(String uri) {
        return "{\"osDiskImage\":{\"hostCaching\":\"ReadOnly\",\"source\":{\"uri\":\"" + uri
                + "\",\"storageAccountId\":\"/subscriptions/" + SUB + "/resourceGroups/" + RG
                + "/providers/Microsoft.Storage/storageAccounts/acct1\"}}}";
    }

    static String networkId(String path) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Network/" + path;
    }

    /** A virtual network with one subnet, and NICs nic1..nicN on it, for the VMs. */
    static void network(Http http, int nics) {
        Http.Response vnet = http.put(networkId("virtualNetworks/vnet1") + "?api-version=2023-09-01",
                "{\"location\":\"westus\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},"
                        + "\"subnets\":[{\"name\":\"a\",\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}");
        assertThat(vnet.status()).as(vnet.toString()).isIn(200, 201);
        for (int i = 1; i <= nics; i++) {
            Http.Response nic = http.put(networkId("networkInterfaces/nic" + i) + "?api-version=2023-09-01",
                    "{\"location\":\"westus\",\"properties\":{\"ipConfigurations\":[{\"name\":\"c\",\"properties\":"
                            + "{\"subnet\":{\"id\":\"" + networkId("virtualNetworks/vnet1/subnets/a") + "\"}}}]}}");
            assertThat(nic.status()).as(nic.toString()).isIn(200, 201);
        }
    }

    static String vmUrl(String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/virtualMachines/" + name
                + "?api-version=2024-03-01";
    }

    /** A VM made from the image {@code imageId} on NIC {@code nic}, with an OS profile unless {@code osProfile} is false. */
    static Http.Response vm(Http http, String name, String imageId, String nic, boolean osProfile) {
        return http.put(vmUrl(name), "{\"location\":\"westus\",\"properties\":{\"hardwareProfile\":{\"vmSize\":"
                + "\"Standard_D2s_v3\"},\"storageProfile\":{\"imageReference\":{\"id\":\"" + imageId + "\"},"
                + "\"osDisk\":{\"createOption\":\"FromImage\"}},"
                + (osProfile ? "\"osProfile\":{\"computerName\":\"" + name + "\",\"adminUsername\":\"azureuser\","
                + "\"adminPassword\":\"Gallery-Pass1\"}," : "")
                + "\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"" + networkId("networkInterfaces/" + nic)
                + "\"}]}}}");
    }

    /** The bytes of a VM's OS disk, read once the VM is deallocated (a running VM's disk is not exported). */
    static byte[] osDiskBytes(Http http, String vm) {
        Http.Response r = http.post(vmUrl(vm).replace("?", "/deallocate?"), null);
        assertThat(r.status()).as(r.toString()).isIn(200, 202);
        return DiskFixture.bytes(http, "disks", osDiskName(http.get(vmUrl(vm)).json()));
    }

    static String osDiskName(JsonNode vm) {
        return vm.path("properties").path("storageProfile").path("osDisk").path("name").asText();
    }

    static void refused(Http.Response r, int status, String code, String target) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.toString()).isEqualTo(code);
        if (target != null) {
            assertThat(r.json().path("error").path("target").asText()).as(r.toString()).isEqualTo(target);
        }
    }
}

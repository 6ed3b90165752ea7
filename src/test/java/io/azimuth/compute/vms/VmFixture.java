package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.Network;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/** URLs, ready-made sources and request bodies for VM tests. */
final class VmFixture {
    static final String RG = "vms-rg";
    static final String V = "2024-03-01";
    static final String DISK_V = "2024-03-02";
    static final String SP = "properties.storageProfile";
    static final String OSP = "properties.osProfile";
    /** A 30 GiB fixed VHD put into the blob store by {@link #sources}. */
    static final String IMAGE_BLOB = "https://acct1.blob.core.windows.net/vhds/os30.vhd";
    static final String LINUX_PASSWORD = "Linux-Pass1";
    static final String WINDOWS_PASSWORD = "Windows-Pass1";
    static final String JAMMY_OLDEST = "22.04.202403280";
    static final String JAMMY_LATEST = "22.04.202407010";
    static final String SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7laRyN4B3YZmVrDEZLZoIuUA72pQ0DpGuZBZWykCofIfCPrFZAJgFvonKGgKJl8FGKIAmX1Ydi8bd6WcT0FlO5PZCmWyPhhAIN3xlYh6m9KS2c4DHsF0Z9Lfi2mU8FQVXaTvUJJd+U+Pc8nDJGi0E+tEWMl3ipL8q68zmFRCj1oqVLtQ1H2XfPo4WRGwX3kXfFYPRxjh1f1MqZc2sHP3yOFVwbfkuHAwfB8i/uuq1hGm6eQIYfqFhPlLDgsuM7KsYuhdZc6HcIgM3Br0wgY9i3EN5ouBHwkAg2IqDxB8z3KP1aW6G0mS3XfT9lHMK1mTBaFXrCawhY5f2hNt9Bvp9 user@host";

    private VmFixture() {
    }

    // ---- URLs and ids ----

    static String url(String type, String name, String version) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type
                + (name == null ? "" : "/" + name) + "?api-version=" + version;
    }

    static String vmUrl(String name) {
        return url("virtualMachines", name, V);
    }

    static String diskUrl(String name) {
        return url("disks", name, DISK_V);
    }

    static String imageUrl(String name) {
        return url("images", name, V);
    }

    /** POST .../virtualMachines/{vm}/{action}. */
    static String action(String vm, String action) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/virtualMachines/" + vm
                + "/" + action + "?api-version=" + V;
    }

    static String id(String type, String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type + "/" + name;
    }

    static String blob(String path) {
        return "https://acct1.blob.core.windows.net/" + path;
    }

    /**
     * A blob URI no test used before: the blob store outlives {@code /_azimuth/reset}, so a VHD a VM wrote in one
     * test would still be there in the next.
     */
    static String newVhd(String name) {
        return blob("vms/" + name + "-" + UUID.randomUUID() + ".vhd");
    }

    // ---- sources ----

    /** The group, a 30 GiB OS VHD ({@link #IMAGE_BLOB}) and an unattached 30 GB Linux disk {@code disk30}. */
    static void sources(TestServer server) {
        Http http = server.http;
        assertThat(http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                .isIn(200, 201);
        server.putVhd("acct1", "vhds", "os30.vhd", 30L << 30);
        emptyDisk(http, "disk30", 30, "Linux");
    }

    static void emptyDisk(Http http, String name, int sizeGB, String osType) {
        Http.Response r = http.put(diskUrl(name), "{\"location\":\"westus\",\"properties\":{"
                + (osType == null ? "" : "\"osType\":\"" + osType + "\",")
                + "\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":" + sizeGB + "}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** A custom image from {@link #IMAGE_BLOB}. */
    static void blobImage(Http http, String name, String osType, String osState) {
        Http.Response r = http.put(imageUrl(name), "{\"location\":\"westus\",\"properties\":{\"storageProfile\":"
                + "{\"osDisk\":{\"osType\":\"" + osType + "\",\"osState\":\"" + osState + "\",\"blobUri\":\""
                + IMAGE_BLOB + "\"}}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    // ---- bodies ----

    /** A Linux VM from the latest Ubuntu 22.04 platform image, a managed OS disk and a password. */
    static ObjectNode linux(String computerName) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("location", "westus");
        ObjectNode props = body.putObject("properties");
        props.putObject("hardwareProfile").put("vmSize", "Standard_D2s_v3");
        ObjectNode storage = props.putObject("storageProfile");
        ObjectNode ref = storage.putObject("imageReference");
        ref.put("publisher", "Canonical");
        ref.put("offer", "0001-com-ubuntu-server-jammy");
        ref.put("sku", "22_04-lts");
        ref.put("version", "latest");
        ObjectNode os = storage.putObject("osDisk");
        os.put("createOption", "FromImage");
        os.putObject("managedDisk").put("storageAccountType", "Standard_LRS");
        ObjectNode profile = props.putObject("osProfile");
        profile.put("computerName", computerName);
        profile.put("adminUsername", "azureuser");
        profile.put("adminPassword", LINUX_PASSWORD);
        props.putObject("networkProfile").putArray("networkInterfaces").addObject().put("id", "/subscriptions/" + SUB
                + "/resourceGroups/" + RG + "/providers/Microsoft.Network/networkInterfaces/nic-" + computerName);
        return body;
    }

    /** A Windows Server 2019 VM from the latest platform image, a managed OS disk and a password. */
    static ObjectNode windows(String computerName) {
        ObjectNode body = linux(computerName);
        ObjectNode ref = obj(body, SP + ".imageReference");
        ref.put("publisher", "MicrosoftWindowsServer");
        ref.put("offer", "WindowsServer");
        ref.put("sku", "2019-Datacenter");
        obj(body, OSP).put("adminPassword", WINDOWS_PASSWORD);
        return body;
    }

    /** A Linux VM whose OS disk is an unmanaged VHD at {@code vhdUri}. */
    static ObjectNode unmanaged(String computerName, String vhdUri) {
        return unmanagedOs(linux(computerName), vhdUri);
    }

    /** The VM {@code body} with its OS disk an unmanaged VHD at {@code vhdUri} instead of a managed disk. */
    static ObjectNode unmanagedOs(ObjectNode body, String vhdUri) {
        ObjectNode os = obj(body, SP + ".osDisk");
        os.remove("managedDisk");
        os.putObject("vhd").put("uri", vhdUri);
        return body;
    }

    /** A Linux VM whose unmanaged OS disk at {@code vhdUri} is made from the user image VHD {@code imageUri}. */
    static ObjectNode fromUserImage(String computerName, String imageUri, String vhdUri) {
        ObjectNode body = unmanaged(computerName, vhdUri);
        obj(body, SP).remove("imageReference");
        ObjectNode os = obj(body, SP + ".osDisk");
        os.put("osType", "Linux");
        os.putObject("image").put("uri", imageUri);
        return body;
    }

    /** A VM whose OS disk is the managed disk {@code disk}, attached: no image, no OS profile. */
    static ObjectNode attachedOs(String computerName, String disk) {
        ObjectNode body = linux(computerName);
        obj(body, "properties").remove("osProfile");
        obj(body, SP).remove("imageReference");
        ObjectNode os = obj(body, SP + ".osDisk");
        os.put("createOption", "Attach");
        os.putObject("managedDisk").put("id", id("disks", disk));
        return body;
    }

    /** A Linux VM with an ephemeral (Local) OS disk. */
    static ObjectNode ephemeral(String computerName) {
        ObjectNode body = linux(computerName);
        ObjectNode os = obj(body, SP + ".osDisk");
        os.put("caching", "ReadOnly");
        os.putObject("diffDiskSettings").put("option", "Local");
        return body;
    }

    /** A VM made from the custom image {@code image}. */
    static ObjectNode fromCustomImage(String computerName, String image) {
        ObjectNode body = linux(computerName);
        ObjectNode storage = obj(body, SP);
        storage.putObject("imageReference").put("id", id("images", image));
        return body;
    }

    /** The object at a dotted path, created where missing. */
    static ObjectNode obj(ObjectNode root, String path) {
        ObjectNode node = root;
        for (String part : path.split("\\.")) {
            node = node.withObjectProperty(part);
        }
        return node;
    }

    static ArrayNode dataDisks(ObjectNode body) {
        ObjectNode storage = obj(body, SP);
        return storage.has("dataDisks") ? (ArrayNode) storage.get("dataDisks") : storage.putArray("dataDisks");
    }

    // ---- requests ----

    /** PUT of a VM; the NICs it names are made first when they do not exist. */
    static Http.Response put(Http http, String name, ObjectNode body) {
        Network.nicsFor(http, body);
        return http.put(vmUrl(name), body.toString());
    }

    /** PUT that must create the VM (201); its answer. */
    static JsonNode create(Http http, String name, ObjectNode body) {
        Http.Response r = put(http, name, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        return r.json();
    }

    static JsonNode get(Http http, String name) {
        Http.Response r = http.get(vmUrl(name));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static JsonNode disk(Http http, String name) {
        Http.Response r = http.get(diskUrl(name));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static JsonNode osDisk(JsonNode vm) {
        return vm.path("properties").path("storageProfile").path("osDisk");
    }

    /** Names of the managed disks in the group. */
    static List<String> diskNames(Http http) {
        Http.Response r = http.get(url("disks", null, DISK_V));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        r.json().path("value").forEach(d -> names.add(d.path("name").asText()));
        return names;
    }

    /** A Linux disk imported from the VHD at {@code sourceUri}, which must be created at once (200). */
    static JsonNode importDisk(Http http, String name, String sourceUri) {
        Http.Response r = http.put(diskUrl(name), "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\","
                + "\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + sourceUri + "\"}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** An image of the (generalized) VM {@code vm}, which must be created at once (201). */
    static JsonNode imageOfVm(Http http, String image, String vm) {
        Http.Response r = http.put(imageUrl(image), "{\"location\":\"westus\",\"properties\":{\"sourceVirtualMachine\":"
                + "{\"id\":\"" + id("virtualMachines", vm) + "\"}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    /** A managed disk's bytes, read through beginGetAccess (its VM deallocated, or it unattached); access revoked. */
    static byte[] diskBytes(Http http, String disk) {
        String url = diskUrl(disk);
        Http.Response r = http.post(url.replace("?", "/beginGetAccess?"),
                "{\"access\":\"Read\",\"durationInSeconds\":600}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        byte[] bytes = Vhds.download(http, r.json().path("accessSAS").asText());
        Http.Response revoked = http.post(url.replace("?", "/endGetAccess?"), null);
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        return bytes;
    }

    /**
     * Captures the (stopped, generalized) VM {@code vm} into {@code container} under {@code prefix}; the storage
     * profile of the answered template, whose disks' {@code image.uri} name the captured VHDs.
     */
    static JsonNode capture(Http http, String vm, String prefix, String container) {
        Http.Response r = http.post(action(vm, "capture"), "{\"vhdPrefix\":\"" + prefix + "\","
                + "\"destinationContainerName\":\"" + container + "\",\"overwriteVhds\":false}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("resources").get(0).path("properties").path("storageProfile");
    }

    /** The {@code image.uri} of a disk of a storage profile. */
    static String imageUri(JsonNode disk) {
        return disk.path("image").path("uri").asText();
    }

    /** An answer that must have {@code status}. */
    static Http.Response ok(Http.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r;
    }

    /** POST of an action that must be answered 200 at once. */
    static Http.Response act(Http http, String vm, String action) {
        Http.Response r = http.post(action(vm, action), null);
        assertThat(r.status()).as(action + ": " + r).isEqualTo(200);
        return r;
    }

    /** The codes of the instance view's statuses. */
    static List<String> statuses(Http http, String vm) {
        Http.Response r = http.get(action(vm, "instanceView"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        r.json().path("statuses").forEach(s -> codes.add(s.path("code").asText()));
        return codes;
    }

    static void assertRefused(Http.Response r, int status, String code, String target) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode error = r.json().path("error");
        assertThat(error.path("code").asText()).as(r.toString()).isEqualTo(code);
        if (target != null) {
            assertThat(error.path("target").asText()).as(r.toString()).isEqualTo(target);
        }
    }
}

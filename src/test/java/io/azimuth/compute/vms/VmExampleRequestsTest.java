package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.Network;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Azure's virtual-machine examples: each request is sent (placeholders filled in) once the VM, image or blobs it
 * needs exist in the state it needs, and answered with one of the example's statuses in the example's shape:
 * every member of the example response is present in ours (values such as ids, names and URIs are the
 * example's own placeholders and differ).
 */
class VmExampleRequestsTest {
    static final String V = "2024-03-01";
    static final String PASSWORD = "Azimuth-Test-1!";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void reset() {
        server.reset();
    }

    static String fill(String s) {
        return s.replace("{subscription-id}", SUB).replace("{subscriptionId}", SUB)
                .replace("{existing-custom-image-name}", "myImage").replace("{your-username}", "azureuser")
                .replace("{your-password}", PASSWORD).replace("{existing-nic-name}", "myNic")
                .replace("{vm-name}", "myVM").replace("{existing-storage-account-name}", "mystorageaccount")
                .replace("{existing-container-name}", "vhds")
                .replace("{existing-generalized-os-image-blob-name}", "osimage")
                .replace("{your-custom-data}", "I2Nsb3VkLWNvbmZpZw==");
    }

    static String vmUrl(String rg, String vm) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/virtualMachines/" + vm;
    }

    static void group(String rg) {
        assertThat(server.http().put("/subscriptions/" + SUB + "/resourcegroups/" + rg + "?api-version=2025-04-01",
                "{\"location\":\"westus\"}").status()).isIn(200, 201);
    }

    /** A running Linux VM from a platform image; unmanaged or ephemeral on request. */
    static void vm(String rg, String name, String osDisk) {
        Http.Response r = server.http().put(vmUrl(rg, name) + "?api-version=" + V, "{\"location\":\"westus\",\"properties\":{"
                + "\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},\"storageProfile\":{\"imageReference\":"
                + "{\"publisher\":\"Canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts-gen2\","
                + "\"version\":\"latest\"},\"osDisk\":" + osDisk + "},\"osProfile\":{\"computerName\":\"vm\","
                + "\"adminUsername\":\"azureuser\",\"adminPassword\":\"" + PASSWORD + "\"}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    static void post(String rg, String name, String action) {
        Http.Response r = server.http().post(vmUrl(rg, name) + "/" + action + "?api-version=" + V, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"VirtualMachine_Create_FromACustomImage.json",
            "VirtualMachine_Create_PlatformImageVmWithUnmanagedOsAndDataDisks.json",
            "VirtualMachine_Create_CustomImageVmFromAnUnmanagedGeneralizedOsImage.json",
            "VirtualMachine_Get.json", "VirtualMachine_Delete_Force.json",
            "VirtualMachine_Start_MaximumSet_Gen.json", "VirtualMachine_Start_MinimumSet_Gen.json",
            "VirtualMachine_PowerOff_MaximumSet_Gen.json", "VirtualMachine_PowerOff_MinimumSet_Gen.json",
            "VirtualMachine_Deallocate_MaximumSet_Gen.json", "VirtualMachine_Deallocate_MinimumSet_Gen.json",
            "VirtualMachine_Generalize.json", "VirtualMachine_Capture_MaximumSet_Gen.json",
            "VirtualMachine_Capture_MinimumSet_Gen.json", "VirtualMachine_Reimage.json"})
    void exampleIsAnsweredInItsShape(String file) throws Exception {
        JsonNode example = read("/spec/arm/examples/virtualMachines/" + file);
        JsonNode params = example.get("parameters");
        String rg = params.path("resourceGroupName").asText();
        String name = fill(params.path("vmName").asText());
        group(rg);
        server.putVhd("mystorageaccount", "vhds", "osimage.vhd", 30L << 30);
        StringBuilder query = new StringBuilder("?api-version=" + params.path("api-version").asText());
        for (String q : new String[]{"$expand", "forceDeletion", "hibernate", "skipShutdown"}) {
            if (params.has(q)) {
                query.append('&').append(q).append('=').append(params.get(q).asText());
            }
        }
        Http.Response r;
        if (file.contains("_Create_")) {
            if (file.contains("FromACustomImage")) {
                assertThat(server.http().put("/subscriptions/" + SUB + "/resourceGroups/" + rg
                        + "/providers/Microsoft.Compute/images/myImage?api-version=" + V, "{\"location\":\"westus\","
                        + "\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\","
                        + "\"blobUri\":\"https://mystorageaccount.blob.core.windows.net/vhds/osimage.vhd\"}}}}").status())
                        .isEqualTo(201);
            }
            Network.nicsFor(server.http(), Http.JSON.readTree(fill(params.get("parameters").toString())));
            r = server.http().put(vmUrl(rg, name) + query, fill(params.get("parameters").toString()));
        } else {
            String action = file.replaceAll("VirtualMachine_([A-Za-z]+).*", "$1");
            switch (action) {
                case "Capture" -> vm(rg, name, "{\"createOption\":\"FromImage\",\"vhd\":{\"uri\":"
                        + "\"https://mystorageaccount.blob.core.windows.net/vhds/" + name + ".vhd\"}}");
                case "Reimage" -> vm(rg, name, "{\"createOption\":\"FromImage\",\"caching\":\"ReadOnly\","
                        + "\"diffDiskSettings\":{\"option\":\"Local\"}}");
                default -> vm(rg, name, "{\"createOption\":\"FromImage\"}");
            }
            if (action.equals("Generalize") || action.equals("Capture")) {
                post(rg, name, "deallocate");
            }
            if (action.equals("Capture")) {
                post(rg, name, "generalize");
            }
            r = switch (action) {
                case "Get" -> server.http().get(vmUrl(rg, name) + query);
                case "Delete" -> server.http().delete(vmUrl(rg, name) + query);
                default -> server.http().post(vmUrl(rg, name) + "/" + Character.toLowerCase(action.charAt(0))
                        + action.substring(1) + query, params.has("parameters") ? params.get("parameters").toString() : null);
            };
        }
        JsonNode expected = example.path("responses").get(String.valueOf(r.status()));
        assertThat(expected).as("status %s is one the example lists: %s", r.status(), r).isNotNull();
        if (expected.has("body") && !file.equals("VirtualMachine_Get.json")) {
            shape(expected.get("body"), r.json(), "");
        }
        if (!r.body().isEmpty()) {
            assertThat(r.body()).doesNotContain(PASSWORD);
        }
    }

    /** Every member of the example is a member of ours, recursively (arrays by their first element). */
    private static void shape(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject()) {
            assertThat(actual.isObject()).as(path + " is an object").isTrue();
            Iterator<Map.Entry<String, JsonNode>> it = expected.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                assertThat(actual.has(e.getKey())).as(path + "/" + e.getKey() + " in " + actual).isTrue();
                shape(e.getValue(), actual.get(e.getKey()), path + "/" + e.getKey());
            }
        } else if (expected.isArray()) {
            assertThat(actual.isArray()).as(path + " is an array").isTrue();
            if (expected.size() > 0 && expected.get(0).size() > 0) {
                assertThat(actual.size()).as(path + " has items").isGreaterThan(0);
                shape(expected.get(0), actual.get(0), path + "[0]");
            }
        }
    }

    static JsonNode read(String resource) {
        try (InputStream in = VmExampleRequestsTest.class.getResourceAsStream(resource)) {
            return Http.JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

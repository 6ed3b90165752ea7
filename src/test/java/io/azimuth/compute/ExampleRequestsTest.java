package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.arm.Locations;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Azure's own request/response examples for images, disks and snapshots (copied into the test resources): each
 * request is sent once what it references exists, and the response is compared with the example response
 * field by field, ignoring only generated values (unique ids, times). Operations stay in progress for a moment
 * (--operation-delay), as the examples show them ("Creating", "Updating").
 */
class ExampleRequestsTest {
    static final String EXAMPLES = "/spec/arm/examples/";
    /** Generated values: unique ids, times, and the name Azure generates for a VM's OS disk. */
    static final Set<String> GENERATED = Set.of("uniqueId", "timeCreated", "sourceUniqueId", "LastOwnershipUpdateTime");
    static final Pattern REFERENCE = Pattern.compile("/(disks|snapshots)/([A-Za-z0-9_.-]+)");
    static final long DELAY = 200;
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false).withOperationDelay(DELAY));

    static Stream<String> examples() {
        List<String> files = new ArrayList<>();
        for (String dir : List.of("images", "disks", "snapshots")) {
            for (String f : list(dir)) {
                files.add(dir + "/" + f);
            }
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleRequestGetsTheExampleResponse(String file) throws Exception {
        server.reset();
        JsonNode example = read(EXAMPLES + file);
        JsonNode params = example.get("parameters");
        String type = file.substring(0, file.indexOf('/'));
        String nameParam = switch (type) {
            case "images" -> "imageName";
            case "disks" -> "diskName";
            default -> "snapshotName";
        };
        boolean inGroup = params.has("resourceGroupName");
        String rg = inGroup ? params.get("resourceGroupName").asText() : "myResourceGroup";
        String version = params.path("api-version").asText();
        String name = params.path(nameParam).asText(null);
        String collection = "/subscriptions/" + SUB + (inGroup ? "/resourceGroups/" + rg : "")
                + "/providers/Microsoft.Compute/" + type;
        String url = (name == null ? collection : collection + "/" + name) + "?api-version=" + version;
        JsonNode body = bodyParameter(params);

        assertThat(server.http().put("/subscriptions/" + SUB + "/resourcegroups/" + rg + "?api-version=2025-04-01",
                "{\"location\":\"westus\"}").status()).isIn(200, 201);
        server.putVhd("mystorageaccount", "osimages", "osimage.vhd", 30L << 30);
        server.putVhd("mystorageaccount", "dataimages", "dataimage.vhd", 10L << 30);
        for (String[] ref : references(body, type, name)) {
            createSource(rg, ref[0], ref[1]);
        }
        if (body != null && body.toString().contains("/virtualMachines/myVM")) {
            generalizedVm(rg, "myVM");
        }

        String title = file.substring(file.indexOf('/') + 1);
        if (title.contains("_Update")) {
            createSource(rg, type, name);
            Http.Response r = server.http().patch(url, substitute(body.toString()));
            assertThat(expectedFor(example, r.status())).as("status %s is one the example lists: %s", r.status(), r)
                    .isNotNull();
            assertThat(r.json().path("tags").path("department").asText()).isEqualTo("HR");
            assertThat(r.json().path("properties").path("sourceVirtualMachine").path("id").asText())
                    .endsWith("/virtualMachines/myVM");
            waitUntilDone(url);
            return;
        }
        if (body != null) {
            Http.Response r = server.http().put(url, substitute(body.toString()));
            JsonNode expected = expectedFor(example, r.status());
            assertThat(expected).as("status %s is one the example lists: %s", r.status(), r).isNotNull();
            if (expected.has("body")) {
                compare(substituteNode(expected.get("body")), r.json(), "", url);
            }
            return;
        }
        // GET, list and DELETE examples: make the resource they address, then ask
        createSource(rg, type, name != null ? name : "listed");
        Http.Response r = title.contains("Delete") ? server.http().delete(url) : server.http().get(url);
        assertThat(expectedFor(example, r.status())).as("status %s is one the example lists: %s", r.status(), r)
                .isNotNull();
        if (!title.contains("Delete")) {
            JsonNode got = r.json();
            JsonNode items = got.has("value") ? got.get("value") : null;
            assertThat(items == null || items.size() > 0).as("the list holds what was created").isTrue();
            JsonNode one = items == null ? got : items.get(0);
            assertThat(one.path("type").asText()).isEqualTo("Microsoft.Compute/" + type);
            assertThat(one.path("properties").path("provisioningState").asText()).isNotBlank();
        }
    }

    /** A deallocated, generalized VM, as an image may be made from. */
    private static void generalizedVm(String rg, String name) {
        String vm = "/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/virtualMachines/"
                + name;
        Http.Response created = server.http().put(vm + "?api-version=2024-03-01", "{\"location\":\"westus\",\"properties\":{"
                + "\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},\"storageProfile\":{\"imageReference\":"
                + "{\"publisher\":\"Canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\","
                + "\"version\":\"latest\"}},\"osProfile\":{\"computerName\":\"myvm\",\"adminUsername\":\"azureuser\","
                + "\"adminPassword\":\"Example-Pass-1!\"}}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        waitUntilDone(vm + "?api-version=2024-03-01");
        for (String action : List.of("deallocate", "generalize")) {
            Http.Response r = server.http().post(vm + "/" + action + "?api-version=2024-03-01", null);
            assertThat(r.status()).as(r.toString()).isIn(200, 202);
            waitUntilDone(vm + "?api-version=2024-03-01");
        }
    }

    private static void waitUntilDone(String url) {
        for (int i = 0; i < 200; i++) {
            if (server.http().get(url).json().path("properties").path("provisioningState").asText().equals("Succeeded")) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        fail(url + " did not finish");
    }

    /** Compares every field the example carries; ids and links are compared as our URLs, generated values skipped. */
    private static void compare(JsonNode expected, JsonNode actual, String path, String url) {
        if (expected.isObject()) {
            assertThat(actual.isObject()).as(path + " is an object in " + actual).isTrue();
            Iterator<Map.Entry<String, JsonNode>> it = expected.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String at = path + "/" + key;
                if (GENERATED.contains(key) || (key.equals("id") && path.endsWith("/managedDisk")
                        && e.getValue().asText().contains("_OsDisk_1_"))) {
                    assertThat(actual.has(key)).as(at + " is present").isTrue();
                    continue;
                }
                assertThat(actual.has(key)).as(at + " is present in " + actual).isTrue();
                if (path.isEmpty() && key.equals("id")) {
                    assertThat(actual.get(key).asText()).isEqualToIgnoringCase(url.substring(0, url.indexOf('?')));
                } else if (key.equals("location")) {
                    assertThat(actual.get(key).asText()).isEqualTo(
                            Locations.normalise(e.getValue().asText()).orElseThrow());
                } else {
                    compare(e.getValue(), actual.get(key), at, url);
                }
            }
        } else if (expected.isArray()) {
            assertThat(actual.size()).as(path + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                compare(expected.get(i), actual.get(i), path + "[" + i + "]", url);
            }
        } else {
            assertThat(actual.asText()).as(path).isEqualTo(expected.asText());
        }
    }

    private static JsonNode expectedFor(JsonNode example, int status) {
        return example.path("responses").get(String.valueOf(status));
    }

    private static JsonNode bodyParameter(JsonNode params) {
        for (String key : List.of("parameters", "disk", "snapshot")) {
            if (params.has(key) && params.get(key).isObject()) {
                return params.get(key);
            }
        }
        return null;
    }

    /** Disks and snapshots the request names, other than the one it creates. */
    private static List<String[]> references(JsonNode body, String type, String name) {
        Set<String> seen = new LinkedHashSet<>();
        List<String[]> refs = new ArrayList<>();
        if (body == null) {
            return refs;
        }
        Matcher m = REFERENCE.matcher(body.toString());
        while (m.find()) {
            if (m.group(1).equals(type) && m.group(2).equals(name)) {
                continue;
            }
            if (seen.add(m.group(1) + "/" + m.group(2))) {
                refs.add(new String[]{m.group(1), m.group(2)});
            }
        }
        return refs;
    }

    /** Creates a resource to be referenced or read, and waits until it is no longer in progress. */
    private static void createSource(String rg, String type, String name) throws InterruptedException {
        String url = "/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/" + type + "/"
                + name + "?api-version=2024-03-02";
        String body = switch (type) {
            case "disks" -> "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\",\"hyperVGeneration\":\"V1\","
                    + "\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":30}}";
            case "snapshots" -> "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\",\"creationData\":"
                    + "{\"createOption\":\"Import\",\"sourceUri\":\"https://mystorageaccount.blob.core.windows.net/"
                    + "osimages/osimage.vhd\"}}}";
            default -> "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Windows\","
                    + "\"osState\":\"Generalized\",\"blobUri\":\"https://mystorageaccount.blob.core.windows.net/"
                    + "osimages/osimage.vhd\"}}}}";
        };
        Http.Response r = server.http().put(url, body);
        assertThat(r.status()).as(r.toString()).isIn(200, 201, 202);
        for (int i = 0; i < 100; i++) {
            if (server.http().get(url).json().path("properties").path("provisioningState").asText().equals("Succeeded")) {
                return;
            }
            Thread.sleep(20);
        }
        fail(type + "/" + name + " did not finish");
    }

    private static String substitute(String s) {
        return s.replace("{subscription-id}", SUB).replace("{subscriptionId}", SUB);
    }

    private static JsonNode substituteNode(JsonNode n) {
        try {
            return Http.JSON.readTree(substitute(n.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(String resource) {
        try (InputStream in = ExampleRequestsTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return Http.JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        try (InputStream in = ExampleRequestsTest.class.getResourceAsStream(EXAMPLES + dir + "/index.txt")) {
            if (in != null) {
                for (String l : new String(in.readAllBytes()).split("\n")) {
                    if (!l.isBlank()) {
                        names.add(l.trim());
                    }
                }
                return names;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(
                ExampleRequestsTest.class.getResource(EXAMPLES + dir).toURI()))) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().forEach(names::add);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

}

package io.azimuth.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The response validator accepts Azure's own examples and refuses bodies that break the definitions. */
class OpenApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUBSCRIPTION = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    private static final String IMAGE = "/subscriptions/" + SUBSCRIPTION
            + "/resourceGroups/rg/providers/Microsoft.Compute/images/img1";
    private static final String DISK = "/subscriptions/" + SUBSCRIPTION
            + "/resourceGroups/rg/providers/Microsoft.Compute/disks/disk1";

    /**
     * Official examples whose response bodies do not match their own definitions, with the reason. Keys are
     * "file status".
     */
    private static final Map<String, String> KNOWN_INVALID_EXAMPLES = Map.of();

    @TestFactory
    Stream<DynamicTest> everyOfficialExampleResponseValidates() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String folder : List.of("images", "disks", "snapshots", "galleries")) {
            Path dir = examples().resolve(folder);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    JsonNode example = JSON.readTree(file.toFile());
                    String name = file.getFileName().toString().replace(".json", "");
                    String method = method(name);
                    String path = path(folder, name, example.path("parameters"));
                    for (Iterator<Map.Entry<String, JsonNode>> it = example.path("responses").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> response = it.next();
                        int status = Integer.parseInt(response.getKey());
                        JsonNode body = response.getValue().get("body");
                        String key = file.getFileName() + " " + status;
                        tests.add(DynamicTest.dynamicTest(key + " (" + method + ")", () -> {
                            String text = body == null ? null : JSON.writeValueAsString(body);
                            List<String> violations = OpenApi.violations(method, path, status, text);
                            if (KNOWN_INVALID_EXAMPLES.containsKey(key)) {
                                assertThat(violations).as("%s is listed as invalid: does it validate now?", key)
                                        .isNotEmpty();
                            } else {
                                OpenApi.assertValidResponse(method, path, status, text);
                            }
                        }));
                    }
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(60);
        return tests.stream();
    }

    @Test
    void anImageWithAnUnknownOsTypeFails() throws IOException {
        ObjectNode image = exampleBody("images/Image_Get.json", "200");
        ((ObjectNode) image.at("/properties/storageProfile/osDisk")).put("osType", "Solaris");

        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET", IMAGE, 200, image.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/properties/storageProfile/osDisk/osType")
                .hasMessageContaining("Solaris");
    }

    @Test
    void aGalleryImageVersionWithAnUnknownReplicationStateFails() throws IOException {
        ObjectNode version = exampleBody("galleries/GalleryImageVersion_Get_WithReplicationStatus.json", "200");
        ((ObjectNode) version.at("/properties/replicationStatus")).put("aggregatedState", "Halfway");
        String path = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1"
                + "/images/def1/versions/1.0.0";

        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET", path, 200, version.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/properties/replicationStatus/aggregatedState")
                .hasMessageContaining("Halfway");
    }

    @Test
    void aDiskWithItsSizeAsAStringFails() throws IOException {
        ObjectNode disk = exampleBody("disks/Disk_Get.json", "200");
        ((ObjectNode) disk.path("properties")).put("diskSizeGB", "10");

        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET", DISK, 200, disk.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/properties/diskSizeGB");
    }

    @Test
    void anImageWithANumericProvisioningStateFails() throws IOException {
        ObjectNode image = exampleBody("images/Image_Get.json", "200");
        ((ObjectNode) image.path("properties")).put("provisioningState", 1);

        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET", IMAGE, 200, image.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/properties/provisioningState");
    }

    @Test
    void everyViolationIsListed() throws IOException {
        ObjectNode image = exampleBody("images/Image_Get.json", "200");
        ((ObjectNode) image.path("properties")).put("provisioningState", 1);
        ((ObjectNode) image.at("/properties/storageProfile/osDisk")).put("osType", "Solaris");

        assertThatThrownBy(() -> OpenApi.assertValidResponse("PUT", IMAGE, 201, image.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/properties/provisioningState")
                .hasMessageContaining("/properties/storageProfile/osDisk/osType")
                .hasMessageContaining("Images_CreateOrUpdate")
                .hasMessageContaining("(2 violations)");
    }

    @Test
    void propertiesTheSchemaDoesNotNameAreAccepted() throws IOException {
        ObjectNode image = exampleBody("images/Image_Get.json", "200");
        image.put("etag", "W/\"1\"");
        ((ObjectNode) image.path("properties")).put("somethingAzureAddsLater", true);

        OpenApi.assertValidResponse("GET", IMAGE, 200, image.toString());
    }

    @Test
    void literalSegmentsMatchCaseInsensitivelyAndTheQueryIsIgnored() throws IOException {
        ObjectNode image = exampleBody("images/Image_Get.json", "200");
        String path = IMAGE.replace("resourceGroups", "resourcegroups").replace("Microsoft.Compute", "microsoft.compute")
                + "?api-version=2024-03-01&$expand=x";

        OpenApi.assertValidResponse("get", path, 200, image.toString());
    }

    @Test
    void aStatusTheOperationDoesNotDeclareFailsUnlessItIsTheCloudError() throws IOException {
        ObjectNode image = exampleBody("images/Image_Get.json", "200");
        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET", IMAGE, 201, image.toString()))
                .isInstanceOf(AssertionError.class);

        OpenApi.assertValidResponse("GET", IMAGE, 404,
                "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"not found\"}}");
    }

    @Test
    void aMissingBodyFailsWhereOneIsDefinedAndPassesWhereNone() {
        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET", IMAGE, 200, null))
                .isInstanceOf(AssertionError.class);

        OpenApi.assertValidResponse("DELETE", IMAGE, 204, null);
        OpenApi.assertValidResponse("DELETE", IMAGE, 202, "");
    }

    @Test
    void anUnknownPathOrMethodFails() {
        assertThatThrownBy(() -> OpenApi.assertValidResponse("GET",
                "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Compute/unknownThings/x", 200, "{}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no operation");
        assertThatThrownBy(() -> OpenApi.assertValidResponse("POST", IMAGE, 200, "{}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no POST operation");
    }

    private static ObjectNode exampleBody(String file, String status) throws IOException {
        return (ObjectNode) JSON.readTree(examples().resolve(file).toFile()).path("responses").path(status).path("body");
    }

    /** The HTTP method an example's file name stands for. */
    private static String method(String name) {
        String operation = name.substring(name.indexOf('_') + 1);
        if (operation.startsWith("Create")) {
            return "PUT";
        } else if (operation.equals("Get") || operation.startsWith("Get_")) {
            return "GET";
        } else if (operation.startsWith("List")) {
            return "GET";
        } else if (operation.equals("Update")) {
            return "PATCH";
        } else if (operation.startsWith("Delete")) {
            return "DELETE";
        }
        throw new IllegalArgumentException("no method known for example " + name);
    }

    /** The request path of an example, from its parameters: the collection for lists, else the resource. */
    private static String path(String folder, String name, JsonNode parameters) {
        StringBuilder path = new StringBuilder("/subscriptions/").append(parameters.path("subscriptionId").asText());
        if (parameters.has("resourceGroupName")) {
            path.append("/resourceGroups/").append(parameters.path("resourceGroupName").asText());
        }
        path.append("/providers/Microsoft.Compute/").append(folder);
        if (folder.equals("galleries")) {
            // nested: galleries/{galleryName}[/images/{galleryImageName}[/versions/{galleryImageVersionName}]]
            path.append('/').append(parameters.path("galleryName").asText());
            if (parameters.has("galleryImageName")) {
                path.append("/images/").append(parameters.path("galleryImageName").asText());
            }
            if (parameters.has("galleryImageVersionName")) {
                path.append("/versions/").append(parameters.path("galleryImageVersionName").asText());
            }
            assertThat(name).as("the example's operation").doesNotContain("_List");
            return path.toString();
        }
        if (!name.substring(name.indexOf('_') + 1).startsWith("List")) {
            String parameter = folder.substring(0, folder.length() - 1) + "Name"; // images -> imageName
            assertThat(parameters.has(parameter)).as("%s has %s", name, parameter).isTrue();
            path.append('/').append(parameters.path(parameter).asText());
        }
        return path.toString();
    }

    private static Path examples() {
        try {
            return Path.of(OpenApiTest.class.getClassLoader().getResource("spec/arm/examples").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

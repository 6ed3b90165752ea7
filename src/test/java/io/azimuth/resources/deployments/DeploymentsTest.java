package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.kinds.toy.ToyProvider;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Template deployments over HTTP, on a provider of the tests' own ({@link ToyProvider}): each resource reaches the
 * same entry point a direct PUT does, so its rules and errors apply inside templates.
 */
class DeploymentsTest {
    static final String V = "?api-version=2024-03-01";
    static final ToyProvider TOYS = new ToyProvider();
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c, TOYS);

    static final String SHELF = rg("dep") + "/providers/Azimuth.Toys/shelves/";

    static String deployment(String name) {
        return rg("dep") + "/providers/Microsoft.Resources/deployments/" + name;
    }

    Http http() {
        return server.http();
    }

    @BeforeEach
    void group() {
        server.reset();
        assertThat(http().put(rg("dep") + "?api-version=2025-04-01", "{\"location\":\"westeurope\"}").status())
                .isEqualTo(201);
    }

    /** A shelf with a box of the given colour nested in it, and a label that refers to the box. */
    static String shelfTemplate() {
        return q("{`$schema`: `https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#`,"
                + "`contentVersion`: `1.0.0.0`,"
                + "`parameters`: {`shelfName`: {`type`: `string`}, `color`: {`type`: `string`, `defaultValue`: `red`},"
                + "  `secret`: {`type`: `securestring`, `defaultValue`: `hidden-value-1`}},"
                + "`variables`: {`boxName`: `[concat(parameters('shelfName'), '-box')]`},"
                + "`resources`: ["
                + " {`type`: `Azimuth.Toys/labels`, `apiVersion`: `2026-01-01`, `name`: `[concat(parameters('shelfName'), '-label')]`,"
                + "  `location`: `[resourceGroup().location]`,"
                + "  `properties`: {`box`: `[resourceId('Azimuth.Toys/shelves/boxes', parameters('shelfName'), variables('boxName'))]`}},"
                + " {`type`: `Azimuth.Toys/shelves`, `apiVersion`: `2026-01-01`, `name`: `[parameters('shelfName')]`,"
                + "  `location`: `[resourceGroup().location]`, `tags`: {`made`: `[deployment().name]`},"
                + "  `resources`: [{`type`: `boxes`, `apiVersion`: `2026-01-01`, `name`: `[variables('boxName')]`,"
                + "    `dependsOn`: [`[parameters('shelfName')]`], `properties`: {`color`: `[parameters('color')]`}}]}],"
                + "`outputs`: {`boxColor`: {`type`: `string`,"
                + "   `value`: `[reference(resourceId('Azimuth.Toys/shelves/boxes', parameters('shelfName'), variables('boxName'))).color]`},"
                + " `shelfId`: {`type`: `string`, `value`: `[resourceId('Azimuth.Toys/shelves', parameters('shelfName'))]`}}}");
    }

    static String q(String s) {
        return s.replace('`', '"');
    }

    static String body(String template, String parameters, String mode) {
        return "{\"properties\":{\"mode\":\"" + mode + "\",\"template\":" + template + ",\"parameters\":" + parameters
                + "}}";
    }

    JsonNode awaitDone(Http.Response accepted) throws InterruptedException {
        assertThat(accepted.status()).as(accepted.body()).isIn(200, 201);
        String status = accepted.header("Azure-AsyncOperation");
        assertThat(status).contains("/providers/Microsoft.Resources/deployments/").contains("/operationStatuses/");
        JsonNode done = http().awaitOperation(status.substring(status.indexOf("/subscriptions/")), 20_000);
        assertThat(done.path("status").asText()).as(done.toString()).isIn("Succeeded", "Failed", "Canceled");
        return done;
    }

    @Test
    void aTemplateDeploysInDependencyOrderAndShowsItsOperationsAndOutputs() throws Exception {
        Http.Response put = http().put(deployment("d1") + V,
                body(shelfTemplate(), q("{`shelfName`: {`value`: `s1`}, `color`: {`value`: `blue`}}"), "Incremental"));
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        assertThat(put.json().path("properties").path("provisioningState").asText()).isIn("Accepted", "Running",
                "Succeeded");
        assertThat(put.body()).doesNotContain("hidden-value-1");
        assertThat(awaitDone(put).path("status").asText()).isEqualTo("Succeeded");

        JsonNode d = http().get(deployment("d1") + V).json();
        JsonNode props = d.path("properties");
        assertThat(props.path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(d.path("type").asText()).isEqualTo("Microsoft.Resources/deployments");
        assertThat(props.path("mode").asText()).isEqualTo("Incremental");
        assertThat(props.path("outputs").path("boxColor").path("value").asText()).as("the provider's casing")
                .isEqualTo("Blue");
        assertThat(props.path("outputs").path("boxColor").path("type").asText()).isEqualTo("String");
        assertThat(props.path("outputs").path("shelfId").path("value").asText()).endsWith("/shelves/s1");
        assertThat(props.path("parameters").path("secret").path("type").asText()).isEqualTo("SecureString");
        assertThat(props.path("parameters").path("secret").has("value")).isFalse();
        assertThat(props.path("outputResources").size()).isEqualTo(3);
        assertThat(d.toString()).doesNotContain("hidden-value-1");

        // the resources are there, as a direct GET shows them
        JsonNode shelf = http().get(SHELF + "s1?api-version=2026-01-01").json();
        assertThat(shelf.path("tags").path("made").asText()).isEqualTo("d1");
        assertThat(http().get(SHELF + "s1/boxes/s1-box?api-version=2026-01-01").json().path("properties")
                .path("color").asText()).isEqualTo("Blue");
        assertThat(http().get(rg("dep") + "/providers/Azimuth.Toys/labels/s1-label?api-version=2026-01-01").status())
                .isEqualTo(200);

        // operations: one per resource, the label (which refers to the box) after the box, the box after the shelf
        JsonNode ops = http().get(deployment("d1") + "/operations" + V).json().path("value");
        assertThat(ops.size()).isEqualTo(3);
        List<String> types = new ArrayList<>();
        for (JsonNode op : ops) {
            JsonNode p = op.path("properties");
            assertThat(p.path("provisioningState").asText()).isEqualTo("Succeeded");
            assertThat(p.path("statusCode").asText()).isIn("Created", "OK");
            assertThat(p.path("targetResource").path("id").asText()).startsWithIgnoringCase(rg("dep") + "/providers/Azimuth.Toys/");
            assertThat(op.path("operationId").asText()).isNotEmpty();
            types.add(p.path("targetResource").path("resourceType").asText());
            JsonNode one = http().get(deployment("d1") + "/operations/" + op.path("operationId").asText() + V).json();
            assertThat(one.path("properties").path("targetResource")).isEqualTo(p.path("targetResource"));
        }
        assertThat(types).as("latest first").containsExactly("Azimuth.Toys/labels", "Azimuth.Toys/shelves/boxes",
                "Azimuth.Toys/shelves");
        assertThat(ops.get(1).path("properties").path("targetResource").path("resourceName").asText())
                .isEqualTo("s1/s1-box");

        JsonNode list = http().get(rg("dep") + "/providers/Microsoft.Resources/deployments" + V).json();
        assertThat(list.path("value").get(0).path("name").asText()).isEqualTo("d1");
        assertThat(http().get(rg("dep") + "/providers/Microsoft.Resources/deployments" + V
                + "&$filter=provisioningState%20eq%20'Failed'").json().path("value").size()).isZero();
        JsonNode exported = http().post(deployment("d1") + "/exportTemplate" + V, null).json();
        assertThat(exported.path("template").path("resources").size()).isEqualTo(2);
        assertThat(http().head(deployment("d1") + V).status()).isEqualTo(204);

        // deleting the deployment keeps what it made
        assertThat(http().delete(deployment("d1") + V).status()).isIn(202, 204);
        assertThat(http().get(deployment("d1") + V).status()).isEqualTo(404);
        assertThat(http().get(SHELF + "s1?api-version=2026-01-01").status()).isEqualTo(200);
    }

    @Test
    void validateChecksWithoutDeploying() {
        Http.Response ok = http().post(deployment("v1") + "/validate" + V,
                body(shelfTemplate(), q("{`shelfName`: {`value`: `s2`}}"), "Incremental"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().path("properties").path("validatedResources").size()).isEqualTo(3);
        assertThat(ok.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(http().get(SHELF + "s2?api-version=2026-01-01").status()).isEqualTo(404);
        assertThat(http().get(deployment("v1") + V).status()).isEqualTo(404);

        Http.Response bad = http().post(deployment("v1") + "/validate" + V,
                body(shelfTemplate(), "{}", "Incremental"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("InvalidTemplate");
        assertThat(bad.json().path("error").path("message").asText()).contains("'shelfName'");
    }

    @Test
    void aResourceItsProviderRefusesFailsTheDeploymentWithTheProvidersErrorAndKeepsWhatSucceeded() throws Exception {
        // the box's own rule, as a direct PUT meets it
        assertThat(http().put(SHELF + "direct?api-version=2026-01-01", "{\"location\":\"westeurope\"}").status())
                .isEqualTo(201);
        Http.Response direct = http().put(SHELF + "direct/boxes/b?api-version=2026-01-01",
                "{\"properties\":{\"color\":\"Green\"}}");
        assertThat(direct.status()).isEqualTo(400);

        Http.Response put = http().put(deployment("bad") + V,
                body(shelfTemplate(), q("{`shelfName`: {`value`: `s3`}, `color`: {`value`: `Green`}}"), "Incremental"));
        JsonNode done = awaitDone(put);
        assertThat(done.path("status").asText()).isEqualTo("Failed");
        assertThat(done.path("error").path("code").asText()).isEqualTo("DeploymentFailed");

        JsonNode d = http().get(deployment("bad") + V).json().path("properties");
        assertThat(d.path("provisioningState").asText()).isEqualTo("Failed");
        JsonNode error = d.path("error");
        assertThat(error.path("code").asText()).isEqualTo("DeploymentFailed");
        JsonNode detail = error.path("details").get(0);
        assertThat(detail.path("code").asText()).isEqualTo(direct.errorCode());
        assertThat(detail.path("message").asText()).isEqualTo(direct.json().path("error").path("message").asText());

        assertThat(http().get(SHELF + "s3?api-version=2026-01-01").status()).as("what succeeded stays").isEqualTo(200);
        assertThat(http().get(SHELF + "s3/boxes/s3-box?api-version=2026-01-01").status()).isEqualTo(404);
        assertThat(http().get(rg("dep") + "/providers/Azimuth.Toys/labels/s3-label?api-version=2026-01-01").status())
                .as("what depends on the failure is not attempted").isEqualTo(404);

        JsonNode ops = http().get(deployment("bad") + "/operations" + V).json().path("value");
        assertThat(ops.size()).isEqualTo(2);
        JsonNode failed = ops.get(0).path("properties");
        assertThat(failed.path("provisioningState").asText()).isEqualTo("Failed");
        assertThat(failed.path("statusCode").asText()).isEqualTo("BadRequest");
        assertThat(failed.path("statusMessage").path("error").path("code").asText()).isEqualTo(direct.errorCode());
        assertThat(ops.get(1).path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
    }

    @Test
    void badTemplatesAreRefusedAtOnceAndStoreNothing() {
        String badExpression = shelfTemplate().replace("[parameters('color')]", "[toLower(parameters('color')]");
        String unknownFunction = shelfTemplate().replace("[parameters('color')]", "[colour(parameters('color'))]");
        String cycle = shelfTemplate().replace("`dependsOn`: [`[parameters('shelfName')]`]".replace('`', '"'),
                "\"dependsOn\": [\"[concat(parameters('shelfName'), '-label')]\"]")
                .replace("\"location\": \"[resourceGroup().location]\",\n", "");
        String cycleWithLabel = cycle.replace("\"properties\": {\"box\"",
                "\"dependsOn\": [\"[variables('boxName')]\"], \"properties\": {\"box\"");
        for (String[] c : new String[][]{{badExpression, "Unable to parse language expression"},
                {unknownFunction, "The template function 'colour' is not found"},
                {cycleWithLabel, "Circular dependency detected on resource"}}) {
            Http.Response r = http().put(deployment("refused") + V,
                    body(c[0], q("{`shelfName`: {`value`: `s4`}}"), "Incremental"));
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("InvalidTemplate");
            assertThat(r.json().path("error").path("message").asText()).contains(c[1]);
        }
        Http.Response missing = http().put(deployment("refused") + V, body(shelfTemplate(), "{}", "Incremental"));
        assertThat(missing.errorCode()).isEqualTo("InvalidTemplate");
        Http.Response noMode = http().put(deployment("refused") + V, "{\"properties\":{\"template\":" + shelfTemplate()
                + "}}");
        assertThat(noMode.status()).isEqualTo(400);
        assertThat(http().get(deployment("refused") + V).status()).isEqualTo(404);
        assertThat(http().get(SHELF + "s4?api-version=2026-01-01").status()).isEqualTo(404);
    }

    @Test
    void completeModeDeletesWhatTheTemplateDoesNotName() throws Exception {
        assertThat(http().put(SHELF + "stray?api-version=2026-01-01", "{\"location\":\"westeurope\"}").status())
                .isEqualTo(201);
        JsonNode done = awaitDone(http().put(deployment("c1") + V,
                body(shelfTemplate(), q("{`shelfName`: {`value`: `kept`}}"), "Incremental")));
        assertThat(done.path("status").asText()).isEqualTo("Succeeded");
        assertThat(http().get(SHELF + "stray?api-version=2026-01-01").status()).as("incremental keeps it").isEqualTo(200);

        done = awaitDone(http().put(deployment("c1") + V,
                body(shelfTemplate(), q("{`shelfName`: {`value`: `kept`}}"), "Complete")));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("Succeeded");
        assertThat(http().get(SHELF + "stray?api-version=2026-01-01").status()).isEqualTo(404);
        assertThat(http().get(SHELF + "kept?api-version=2026-01-01").status()).isEqualTo(200);
        assertThat(http().get(SHELF + "kept/boxes/kept-box?api-version=2026-01-01").status()).isEqualTo(200);
        assertThat(http().get(deployment("c1") + V).json().path("properties").path("mode").asText())
                .isEqualTo("Complete");
    }

    @Test
    void anUnservedTypeOrApiVersionFailsItsResource() throws Exception {
        String template = q("{`resources`: [{`type`: `Azimuth.Toys/shelves`, `apiVersion`: `1999-01-01`, `name`: `old`,"
                + " `location`: `westeurope`}, {`type`: `Azimuth.Nothing/things`, `apiVersion`: `2026-01-01`,"
                + " `name`: `t`, `location`: `westeurope`}]}");
        JsonNode done = awaitDone(http().put(deployment("u1") + V, body(template, "{}", "Incremental")));
        assertThat(done.path("status").asText()).isEqualTo("Failed");
        JsonNode details = http().get(deployment("u1") + V).json().path("properties").path("error").path("details");
        assertThat(details.size()).isEqualTo(2);
        details.forEach(e -> assertThat(e.path("code").asText()).isEqualTo("NoRegisteredProviderFound"));
    }

    @Test
    void namesAndGroupsAreChecked() {
        String ok = body(shelfTemplate(), q("{`shelfName`: {`value`: `n`}}"), "Incremental");
        Http.Response longName = http().put(deployment("x".repeat(65)) + V, ok);
        assertThat(longName.errorCode()).isEqualTo("DeploymentNameLengthLimitExceeded");
        Http.Response badChars = http().put(deployment("a%20b") + V, ok);
        assertThat(badChars.errorCode()).isEqualTo("DeploymentNameInvalidCharacters");
        Http.Response noGroup = http().put(rg("nogroup") + "/providers/Microsoft.Resources/deployments/d" + V, ok);
        assertThat(noGroup.status()).isEqualTo(404);
        assertThat(noGroup.errorCode()).isEqualTo("ResourceGroupNotFound");
    }
}

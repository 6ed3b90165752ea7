package io.azimuth.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/** Resource groups over raw HTTP, with operations completing at once (the default). */
class ResourceGroupApiTest {
    static final String V = "?api-version=2025-04-01";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withPageSize(3));

    @BeforeEach
    void reset() {
        server.reset();
    }

    @Test
    void createThenUpdateAnswers201Then200() {
        Http.Response created = server.http().put(rg("Build-RG") + V, "{\"location\":\"West US\",\"tags\":{\"team\":\"images\"}}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.path("id").asText()).isEqualTo("/subscriptions/" + SUB + "/resourceGroups/Build-RG");
        assertThat(body.path("name").asText()).isEqualTo("Build-RG");
        assertThat(body.path("type").asText()).isEqualTo("Microsoft.Resources/resourceGroups");
        assertThat(body.path("location").asText()).isEqualTo("westus");
        assertThat(body.path("tags").path("team").asText()).isEqualTo("images");
        assertThat(body.path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");

        Http.Response updated = server.http().put(rg("build-rg") + V, "{\"location\":\"westus\",\"tags\":{\"stage\":\"2\"}}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("name").asText()).as("the name keeps its first casing").isEqualTo("Build-RG");
        assertThat(updated.json().path("tags").has("team")).as("PUT replaces tags").isFalse();
        assertThat(updated.json().path("tags").path("stage").asText()).isEqualTo("2");
    }

    @Test
    void getAndHeadMatchNamesCaseInsensitively() {
        server.http().put(rg("MixedCase") + V, "{\"location\":\"eastus\"}");
        Http.Response get = server.http().get("/SUBSCRIPTIONS/" + SUB + "/RESOURCEGROUPS/mixedcase" + V);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json().path("name").asText()).isEqualTo("MixedCase");
        assertThat(server.http().head(rg("MIXEDCASE") + V).status()).isEqualTo(204);
        assertThat(server.http().head(rg("other") + V).status()).isEqualTo(404);
        Http.Response missing = server.http().get(rg("other") + V);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("ResourceGroupNotFound");
        assertThat(missing.json().path("error").path("message").asText()).contains("other");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "rg_1", "rg-1", "rg.1", "rg(1)", "Ünïcødé-grüppe", "x123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"})
    void acceptedNames(String name) {
        String n = name.length() > 90 ? name.substring(0, 90) : name;
        Http.Response r = server.http().put(rg(encode(n)) + V, "{\"location\":\"westus\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("name").asText()).isEqualTo(n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad name", "bad!", "ends.", "a*b", "x1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901"})
    void refusedNames(String name) {
        Http.Response r = server.http().put(rg(encode(name)) + V, "{\"location\":\"westus\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("InvalidResourceGroup");
        assertThat(r.json().path("error").path("target").asText()).isEqualTo("resourceGroupName");
    }

    @Test
    void locationIsRequiredKnownAndFixed() {
        Http.Response missing = server.http().put(rg("g") + V, "{}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorCode()).isEqualTo("LocationRequired");
        assertThat(missing.json().path("error").path("target").asText()).isEqualTo("location");

        Http.Response unknown = server.http().put(rg("g") + V, "{\"location\":\"atlantis\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("LocationNotAvailableForResourceGroup");
        assertThat(unknown.json().path("error").path("message").asText()).contains("atlantis");

        assertThat(server.http().put(rg("g") + V, "{\"location\":\"eastus\"}").status()).isEqualTo(201);
        Http.Response moved = server.http().put(rg("g") + V, "{\"location\":\"westus\"}");
        assertThat(moved.status()).isEqualTo(409);
        assertThat(moved.errorCode()).isEqualTo("InvalidResourceGroupLocation");
        assertThat(server.http().get(rg("g") + V).json().path("location").asText()).isEqualTo("eastus");
    }

    @Test
    void patchReplacesTagsOnly() {
        server.http().put(rg("g") + V, "{\"location\":\"westus\",\"tags\":{\"a\":\"1\"}}");
        Http.Response patched = server.http().patch(rg("g") + V, "{\"tags\":{\"b\":\"2\"}}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("tags").has("a")).isFalse();
        assertThat(patched.json().path("tags").path("b").asText()).isEqualTo("2");
        assertThat(patched.json().path("location").asText()).isEqualTo("westus");
        assertThat(server.http().get(rg("g") + V).json().path("tags").path("b").asText()).isEqualTo("2");

        Http.Response missing = server.http().patch(rg("nope") + V, "{\"tags\":{}}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("ResourceGroupNotFound");
    }

    @Test
    void badTagsAreRefusedAndNothingChanges() {
        server.http().put(rg("g") + V, "{\"location\":\"westus\",\"tags\":{\"keep\":\"me\"}}");
        Http.Response number = server.http().put(rg("g") + V, "{\"location\":\"westus\",\"tags\":{\"n\":1}}");
        assertThat(number.status()).isEqualTo(400);
        assertThat(number.json().path("error").path("target").asText()).isEqualTo("tags");
        Http.Response slash = server.http().patch(rg("g") + V, "{\"tags\":{\"a/b\":\"x\"}}");
        assertThat(slash.status()).isEqualTo(400);
        assertThat(slash.errorCode()).isEqualTo("InvalidTagNameCharacters");
        StringBuilder many = new StringBuilder("{\"location\":\"westus\",\"tags\":{");
        for (int i = 0; i < 51; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        }
        assertThat(server.http().put(rg("g") + V, many.append("}}").toString()).status()).isEqualTo(400);
        assertThat(server.http().get(rg("g") + V).json().path("tags").path("keep").asText()).isEqualTo("me");
    }

    @Test
    void listPagesWithAbsoluteNextLinksUntilNull() {
        List<String> names = List.of("g1", "g2", "g3", "g4", "g5", "g6", "g7");
        names.forEach(n -> server.http().put(rg(n) + V, "{\"location\":\"westus\"}"));

        List<String> seen = new ArrayList<>();
        String next = "/subscriptions/" + SUB + "/resourcegroups" + V;
        int pages = 0;
        while (next != null) {
            Http.Response page = server.http().get(next);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().path("value").forEach(g -> seen.add(g.path("name").asText()));
            JsonNode link = page.json().get("nextLink");
            assertThat(link).as("nextLink is present, null on the last page").isNotNull();
            if (link.isNull()) {
                next = null;
            } else {
                next = link.asText();
                assertThat(next).startsWith(server.http().base() + "/subscriptions/" + SUB + "/resourcegroups?")
                        .contains("api-version=2025-04-01").contains("$skiptoken=");
            }
            pages++;
        }
        assertThat(seen).containsExactlyElementsOf(names);
        assertThat(pages).isEqualTo(3);

        Http.Response top = server.http().get("/subscriptions/" + SUB + "/resourcegroups" + V + "&$top=2");
        assertThat(top.json().path("value")).hasSize(2);
        assertThat(top.json().path("nextLink").asText()).contains("$top=2");

        assertThat(server.http().get("/subscriptions/" + SUB + "/resourcegroups" + V + "&$top=0").status()).isEqualTo(400);
        assertThat(server.http().get("/subscriptions/" + SUB + "/resourcegroups" + V + "&$skiptoken=not*base64").status())
                .isEqualTo(400);
        assertThat(server.http().get("/subscriptions/" + SUB + "/resourcegroups" + V + "&$skiptoken=bm90LWEta2V5").status())
                .isEqualTo(400);
    }

    @Test
    void emptyListHasNullNextLink() {
        Http.Response r = server.http().get("/subscriptions/" + SUB + "/resourcegroups" + V);
        assertThat(r.json().path("value")).isEmpty();
        assertThat(r.json().get("nextLink").isNull()).isTrue();
    }

    @Test
    void deleteCompletesAtOnceWithoutDelay() {
        server.http().put(rg("g") + V, "{\"location\":\"westus\"}");
        Http.Response deleted = server.http().delete(rg("g") + V);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.header("Location")).isNull();
        assertThat(server.http().get(rg("g") + V).status()).isEqualTo(404);
        Http.Response again = server.http().delete(rg("g") + V);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.errorCode()).isEqualTo("ResourceGroupNotFound");
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}

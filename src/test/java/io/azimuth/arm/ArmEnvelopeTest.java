package io.azimuth.arm;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/** The ARM envelope over raw HTTP: errors, their codes and statuses, and the headers every response carries. */
class ArmEnvelopeTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();

    private static void assertArmError(Http.Response r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.errorCode()).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asText()).isNotBlank();
        assertThat(r.header("x-ms-request-id")).isNotBlank();
    }

    @Test
    void missingApiVersionIsRefused() {
        assertArmError(server.http().get(rg("g1")), 400, "MissingApiVersionParameter");
        assertArmError(server.http().get("/subscriptions/" + SUB + "/resourcegroups?api-version="), 400,
                "MissingApiVersionParameter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "2025-13-01", "2025-02-30", "25-04-01", "2025-04-01-foo", "2025-4-1"})
    void malformedApiVersionIsRefused(String version) {
        Http.Response r = server.http().get(rg("g1") + "?api-version=" + version);
        assertArmError(r, 400, "InvalidApiVersionParameter");
        assertThat(r.json().path("error").path("message").asText()).contains(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2014-04-01", "2025-04-01", "2026-04-01", "2031-12-31", "2026-03-02-preview"})
    void everyWellFormedApiVersionIsAccepted(String version) {
        Http.Response r = server.http().put(rg("versions") + "?api-version=" + version, "{\"location\":\"westus\"}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    @Test
    void strictModeRefusesVersionsTheTypeDoesNotList() {
        try (TestServer strict = TestServer.start(c -> c.withStrictApiVersions(true))) {
            Http.Response refused = strict.http.put(rg("g") + "?api-version=2031-01-01", "{\"location\":\"westus\"}");
            assertArmError(refused, 400, "InvalidApiVersionParameter");
            assertThat(refused.json().path("error").path("message").asText()).contains("2025-04-01");
            assertThat(strict.http.put(rg("g") + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                    .isEqualTo(201);
        }
    }

    @Test
    void missingBearerTokenIsRefusedWithAChallenge() {
        Http.Response r = server.http().send("GET", rg("g1") + "?api-version=2025-04-01", null, Map.of());
        assertArmError(r, 401, "AuthenticationFailed");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer authorization_uri=\"https://login.windows.net/")
                .contains("error=\"invalid_token\"");

        Http.Response basic = server.http().send("GET", rg("g1") + "?api-version=2025-04-01", null,
                Map.of("Authorization", "Basic dXNlcjpwYXNz"));
        assertArmError(basic, 401, "AuthenticationFailed");
        assertThat(basic.header("WWW-Authenticate")).startsWith("Bearer ");

        Http.Response empty = server.http().send("GET", rg("g1") + "?api-version=2025-04-01", null,
                Map.of("Authorization", "Bearer "));
        assertArmError(empty, 401, "AuthenticationFailed");
    }

    @Test
    void anyBearerTokenIsAccepted() {
        Http.Response r = server.http().send("GET", "/subscriptions?api-version=2022-12-01", null,
                Map.of("Authorization", "Bearer eyJ0eXAiOiJKV1QifQ.anything.goes"));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void authenticationComesBeforeRouting() {
        Http.Response r = server.http().send("GET", "/nothing/here?api-version=2025-04-01", null, Map.of());
        assertArmError(r, 401, "AuthenticationFailed");
    }

    @Test
    void unknownRoutesAnswer404WithAnArmCode() {
        assertArmError(server.http().get("/nothing/here?api-version=2025-04-01"), 404, "NotFound");
        assertArmError(server.http().get("/subscriptions/" + SUB + "/providers/Microsoft.Nope/things?api-version=2025-04-01"),
                404, "InvalidResourceNamespace");
        assertArmError(server.http().get("/subscriptions/" + SUB + "/resourceGroups/g/providers/Microsoft.Nope/things/x"
                + "?api-version=2025-04-01"), 404, "InvalidResourceNamespace");
        Http.Response type = server.http().get("/subscriptions/" + SUB
                + "/resourceGroups/g/providers/Microsoft.Compute/spaceships/x?api-version=2025-04-01");
        assertArmError(type, 404, "InvalidResourceType");
        assertThat(type.json().path("error").path("message").asText()).contains("spaceships");
    }

    @Test
    void malformedJsonIsInvalidRequestContent() {
        assertArmError(server.http().put(rg("g1") + "?api-version=2025-04-01", "{\"location\": \"westus\""), 400,
                "InvalidRequestContent");
        assertArmError(server.http().put(rg("g1") + "?api-version=2025-04-01", "{\"location\":\"westus\"} trailing"), 400,
                "InvalidRequestContent");
        assertArmError(server.http().put(rg("g1") + "?api-version=2025-04-01", "[1,2]"), 400, "InvalidRequestContent");
        assertArmError(server.http().put(rg("g1") + "?api-version=2025-04-01", "{\"location\":\"westus\",\"location\":\"eastus\"}"),
                400, "InvalidRequestContent");
        assertArmError(server.http().put(rg("g1") + "?api-version=2025-04-01", "{\"location\":42}"), 400,
                "InvalidRequestContent");
        assertThat(server.http().get(rg("g1") + "?api-version=2025-04-01").status()).as("nothing was stored").isEqualTo(404);
    }

    @Test
    void wrongMethodIs405WithAllow() {
        Http.Response r = server.http().post("/subscriptions?api-version=2022-12-01", "{}");
        assertArmError(r, 405, "MethodNotAllowed");
        assertThat(r.header("Allow")).contains("GET");
        Http.Response put = server.http().put("/subscriptions/" + SUB + "/resourcegroups?api-version=2025-04-01", "{}");
        assertArmError(put, 405, "MethodNotAllowed");
    }

    @Test
    void malformedSubscriptionIdIsRefused() {
        assertArmError(server.http().get("/subscriptions/not-a-guid/resourcegroups?api-version=2025-04-01"), 400,
                "InvalidSubscriptionId");
    }

    @Test
    void oversizedBodyIsRefused() {
        String big = "{\"location\":\"westus\",\"tags\":{\"a\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}}";
        assertArmError(server.http().put(rg("big") + "?api-version=2025-04-01", big), 413, "RequestEntityTooLarge");
        assertThat(server.http().get(rg("big") + "?api-version=2025-04-01").status()).isEqualTo(404);
    }

    @Test
    void everyResponseCarriesRequestIds() {
        Http.Response ok = server.http().get("/subscriptions?api-version=2022-12-01");
        Http.Response error = server.http().get("/subscriptions/" + SUB + "/resourcegroups/none?api-version=2025-04-01");
        Http.Response unauth = server.http().send("GET", "/subscriptions?api-version=2022-12-01", null, Map.of());
        for (Http.Response r : new Http.Response[]{ok, error, unauth}) {
            assertThat(r.header("x-ms-request-id")).matches("[0-9a-f-]{36}");
            assertThat(r.header("x-ms-correlation-request-id")).matches("[0-9a-f-]{36}");
            assertThat(r.header("x-ms-client-request-id")).isNull();
        }
        assertThat(ok.header("x-ms-request-id")).isNotEqualTo(error.header("x-ms-request-id"));
        assertThat(ok.header("x-ms-correlation-request-id")).isNotEqualTo(error.header("x-ms-correlation-request-id"));
    }

    @Test
    void correlationAndClientRequestIdsAreEchoed() {
        Http.Response r = server.http().send("GET", "/subscriptions?api-version=2022-12-01", null, Map.of(
                "Authorization", "Bearer t", "x-ms-correlation-request-id", "corr-123",
                "x-ms-client-request-id", "client-456", "x-ms-return-client-request-id", "true"));
        assertThat(r.header("x-ms-correlation-request-id")).isEqualTo("corr-123");
        assertThat(r.header("x-ms-client-request-id")).isEqualTo("client-456");

        Http.Response notAsked = server.http().send("GET", "/subscriptions?api-version=2022-12-01", null, Map.of(
                "Authorization", "Bearer t", "x-ms-client-request-id", "client-456"));
        assertThat(notAsked.header("x-ms-client-request-id")).isNull();

        Http.Response failed = server.http().send("GET", rg("none") + "?api-version=2025-04-01", null, Map.of(
                "Authorization", "Bearer t", "x-ms-client-request-id", "c-9", "x-ms-return-client-request-id", "true"));
        assertThat(failed.status()).isEqualTo(404);
        assertThat(failed.header("x-ms-client-request-id")).isEqualTo("c-9");
    }

    @Test
    void subscriptionsListTheDefaultAndAcceptAnyWellFormedId() {
        Http.Response list = server.http().get("/subscriptions?api-version=2022-12-01");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("value")).hasSize(1);
        assertThat(list.json().path("value").get(0).path("subscriptionId").asText()).isEqualTo(SUB);
        assertThat(list.json().path("value").get(0).path("state").asText()).isEqualTo("Enabled");
        assertThat(list.json().path("value").get(0).path("id").asText()).isEqualTo("/subscriptions/" + SUB);

        String other = "11111111-2222-3333-4444-555555555555";
        Http.Response get = server.http().get("/subscriptions/" + other + "?api-version=2022-12-01");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json().path("subscriptionId").asText()).isEqualTo(other);
        assertThat(server.http().put("/subscriptions/" + other + "/resourcegroups/elsewhere?api-version=2025-04-01",
                "{\"location\":\"westus\"}").status()).isEqualTo(201);
        assertThat(server.http().get(rg("elsewhere") + "?api-version=2025-04-01").status())
                .as("groups belong to their subscription").isEqualTo(404);
    }

    @Test
    void providersListServedTypesAndVersions() {
        Http.Response all = server.http().get("/subscriptions/" + SUB + "/providers?api-version=2025-04-01");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("value").findValuesAsText("namespace"))
                .contains("Microsoft.Resources", "Microsoft.Compute");

        Http.Response compute = server.http().get("/subscriptions/" + SUB + "/providers/microsoft.compute?api-version=2025-04-01");
        assertThat(compute.status()).isEqualTo(200);
        assertThat(compute.json().path("namespace").asText()).isEqualTo("Microsoft.Compute");
        assertThat(compute.json().path("registrationState").asText()).isEqualTo("Registered");
        assertThat(compute.json().path("resourceTypes").findValuesAsText("resourceType")).contains("locations/operations");
        assertThat(compute.json().path("resourceTypes").get(0).path("apiVersions").toString()).contains("2025-04-01");

        Http.Response resources = server.http().get("/subscriptions/" + SUB + "/providers/Microsoft.Resources?api-version=2025-04-01");
        assertThat(resources.json().path("resourceTypes").findValuesAsText("resourceType")).contains("resourceGroups");

        assertArmError(server.http().get("/subscriptions/" + SUB + "/providers/Microsoft.Nope?api-version=2025-04-01"), 404,
                "InvalidResourceNamespace");
        assertThat(server.http().post("/subscriptions/" + SUB + "/providers/Microsoft.Compute/register?api-version=2025-04-01",
                null).json().path("registrationState").asText()).isEqualTo("Registered");
    }

    @Test
    void cloudDiscoveryPointsAtThisInstanceWithoutAToken() {
        String self = server.http().base() + "/";
        Http.Response current = server.http().send("GET", "/metadata/endpoints?api-version=2022-09-01", null, Map.of());
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.json().path("resourceManager").asText()).isEqualTo(self);
        assertThat(current.json().path("name").asText()).isNotBlank();
        assertThat(current.json().path("microsoftGraphResourceId").asText()).isNotBlank();
        assertThat(current.json().path("authentication").path("audiences").toString()).contains(self);

        Http.Response array = server.http().send("GET", "/metadata/endpoints?api-version=2019-05-01", null, Map.of());
        assertThat(array.json().isArray()).isTrue();
        assertThat(array.json().get(0).path("resourceManager").asText()).isEqualTo(self);

        Http.Response classic = server.http().send("GET", "/metadata/endpoints?api-version=2015-01-01", null, Map.of());
        assertThat(classic.json().path("galleryEndpoint").asText()).isNotBlank();
        assertThat(classic.json().path("authentication").path("loginEndpoint").asText()).isNotBlank();
        assertThat(classic.json().path("authentication").path("audiences").get(0).asText()).isEqualTo(self);

        assertThat(server.http().send("GET", "/metadata/endpoints", null, Map.of()).status()).isEqualTo(400);
    }

    @Test
    void headOfAMissingGroupIs404WithoutBody() {
        Http.Response r = server.http().head(rg("absent") + "?api-version=2025-04-01");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).isEmpty();
    }
}

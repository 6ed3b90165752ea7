package io.azimuth.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Microsoft.Authorization in strict mode: role assignments made over the API grant what their role allows, at
 * their scope and below, to the principal they name; the built-in role definitions with their real ids.
 */
class RoleAssignmentsTest {
    static final String SUB = TestServer.SUB;
    static final String READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    static final String V = "?api-version=2022-04-01";
    static TestServer server;
    static Path principals;

    @BeforeAll
    static void start() throws Exception {
        principals = Files.createTempFile("principals", ".json");
        Files.writeString(principals, """
                {"servicePrincipals": [{"clientId": "admin", "clientSecret": "admin-s"},
                                       {"clientId": "ops", "clientSecret": "ops-s"},
                                       {"clientId": "deployer", "clientSecret": "deployer-s"}],
                 "roleAssignments": [{"principal": "admin", "role": "Owner", "scope": "/subscriptions/%s"},
                                     {"principal": "deployer", "role": "Contributor", "scope": "/subscriptions/%s"}]}
                """.formatted(SUB, SUB));
        server = TestServer.start(c -> c.withSignIn(new Config.SignIn(true, principals, Duration.ofHours(1))));
    }

    @AfterAll
    static void stop() throws Exception {
        TestServer.closeAll(server);
        Files.deleteIfExists(principals);
    }

    static String token(String client, String secret) {
        return SignInTest.accessToken(server, client, secret, "https://management.azure.com/.default");
    }

    static Http.Response call(String method, String path, String token, String body) {
        return server.https().send(method, path, body, new LinkedHashMap<>(Map.of("Authorization", "Bearer " + token)));
    }

    @Test
    void anAssignmentMadeOverTheApiGrantsItsRoleAtItsScopeAndBelow() throws Exception {
        String admin = token("admin", "admin-s");
        String ops = token("ops", "ops-s");
        String opsId = SignedJWT.parse(ops).getJWTClaimsSet().getStringClaim("oid");
        String group = "/subscriptions/" + SUB + "/resourceGroups/ops-rg";
        assertThat(call("PUT", group + V, admin, "{\"location\":\"westus\"}").status()).isEqualTo(201);
        assertThat(call("GET", group + V, ops, null).status()).isEqualTo(403);

        String assignment = group + "/providers/Microsoft.Authorization/roleAssignments/0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3";
        String body = "{\"properties\":{\"roleDefinitionId\":\"/subscriptions/" + SUB
                + "/providers/Microsoft.Authorization/roleDefinitions/" + READER + "\",\"principalId\":\"" + opsId + "\"}}";
        // a Contributor may not assign roles
        Http.Response refused = call("PUT", assignment + V, token("deployer", "deployer-s"), body);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("message").asText())
                .contains("'Microsoft.Authorization/roleAssignments/write'");

        Http.Response created = call("PUT", assignment + V, admin, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode doc = created.json();
        assertThat(doc.path("type").asText()).isEqualTo("Microsoft.Authorization/roleAssignments");
        assertThat(doc.path("properties").path("scope").asText()).isEqualTo(group);
        assertThat(doc.path("properties").path("principalType").asText()).isEqualTo("ServicePrincipal");
        assertThat(call("PUT", assignment + V, admin, body).status()).isEqualTo(200);
        assertThat(call("PUT", group + "/providers/Microsoft.Authorization/roleAssignments/1b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3" + V,
                admin, body).json().path("error").path("code").asText()).isEqualTo("RoleAssignmentExists");

        // a Reader on the group: reads it and what is in it, writes nothing, sees nothing outside it
        assertThat(call("GET", group + V, ops, null).status()).isEqualTo(200);
        assertThat(call("GET", group + "/providers/Microsoft.Compute/images" + "?api-version=2024-03-01", ops, null)
                .status()).isEqualTo(200);
        assertThat(call("PUT", group + "/providers/Microsoft.Compute/disks/d?api-version=2024-03-02", ops,
                "{\"location\":\"westus\",\"properties\":{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}")
                .status()).isEqualTo(403);
        assertThat(call("GET", "/subscriptions/" + SUB + "/resourcegroups/other" + V, ops, null).status()).isEqualTo(403);

        JsonNode listed = call("GET", group + "/providers/Microsoft.Authorization/roleAssignments" + V
                + "&$filter=" + java.net.URLEncoder.encode("principalId eq '" + opsId + "'", java.nio.charset.StandardCharsets.UTF_8),
                admin, null).json();
        assertThat(listed.path("value")).hasSize(1);
        assertThat(call("GET", assignment + V, admin, null).status()).isEqualTo(200);

        assertThat(call("DELETE", assignment + V, admin, null).status()).isEqualTo(200);
        assertThat(call("DELETE", assignment + V, admin, null).status()).isEqualTo(204);
        assertThat(call("GET", assignment + V, admin, null).json().path("error").path("code").asText())
                .isEqualTo("RoleAssignmentNotFound");
        assertThat(call("GET", group + V, ops, null).status()).isEqualTo(403);
    }

    @Test
    void badAssignmentsAreRefusedNamingTheField() {
        String admin = token("admin", "admin-s");
        String base = "/subscriptions/" + SUB + "/providers/Microsoft.Authorization/roleAssignments/";
        Http.Response r = call("PUT", base + "not-a-guid" + V, admin, "{\"properties\":{}}");
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("InvalidRoleAssignmentId");
        r = call("PUT", base + "2b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3" + V, admin,
                "{\"properties\":{\"roleDefinitionId\":\"/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-000000000000\",\"principalId\":\"2b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("RoleDefinitionDoesNotExist");
        r = call("PUT", base + "2b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3" + V, admin,
                "{\"properties\":{\"roleDefinitionId\":\"" + CONTRIBUTOR + "\",\"principalId\":\"2b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("PrincipalNotFound");
        r = call("PUT", base + "2b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3" + V, admin, "{\"properties\":{\"roleDefinitionId\":\"" + CONTRIBUTOR + "\"}}");
        assertThat(r.json().path("error").path("target").asText()).isEqualTo("properties.principalId");
    }

    @Test
    void theBuiltInRoleDefinitionsCarryTheirRealIds() {
        String admin = token("admin", "admin-s");
        JsonNode reader = call("GET", "/subscriptions/" + SUB + "/providers/Microsoft.Authorization/roleDefinitions/" + READER + V,
                admin, null).json();
        assertThat(reader.path("properties").path("roleName").asText()).isEqualTo("Reader");
        assertThat(reader.path("properties").path("permissions").get(0).path("actions").get(0).asText()).isEqualTo("*/read");
        JsonNode byName = call("GET", "/subscriptions/" + SUB + "/providers/Microsoft.Authorization/roleDefinitions" + V
                + "&$filter=roleName%20eq%20'Virtual%20Machine%20Contributor'", admin, null).json();
        assertThat(byName.path("value").get(0).path("name").asText()).isEqualTo("9980e02c-c2be-4d73-94e8-173b1dc7cf3c");
        assertThat(call("GET", "/subscriptions/" + SUB + "/providers/Microsoft.Authorization/roleDefinitions" + V, admin, null)
                .json().path("value")).hasSize(4);
    }
}

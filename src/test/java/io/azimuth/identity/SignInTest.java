package io.azimuth.identity;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.identity.ClientSecretCredential;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.models.VirtualMachineCustomImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signing in as the Azure tools do, over HTTPS: azure-identity's ClientSecretCredential against Azimuth's own
 * Entra endpoints, in lenient mode (any client) and strict mode (declared principals, their role assignments,
 * only tokens this instance signed); the OAuth errors of bad token requests; the other grants as raw HTTP.
 */
class SignInTest {
    static final String TENANT = Config.DEFAULT_TENANT;
    static final String SUB = TestServer.SUB;
    static final String READER_SECRET = "reader-Secret-0451";
    static final String WRITER_SECRET = "writer-Secret-7788";
    static TestServer lenient;
    static TestServer strict;
    static Path principals;

    @BeforeAll
    static void start() throws Exception {
        lenient = TestServer.start();
        principals = Files.createTempFile("principals", ".json");
        Files.writeString(principals, """
                {"servicePrincipals": [
                   {"clientId": "reader-app", "clientSecret": "%s"},
                   {"clientId": "writer-app", "clientSecret": "%s", "displayName": "Image builder"},
                   {"clientId": "nobody-app", "clientSecret": "nobody-secret"}],
                 "users": [{"username": "alice@contoso.com", "password": "alice-Pass-1"}],
                 "roleAssignments": [
                   {"principal": "reader-app", "role": "Reader", "scope": "/subscriptions/%s"},
                   {"principal": "writer-app", "role": "Contributor", "scope": "/subscriptions/%s/resourceGroups/builds"},
                   {"principal": "alice@contoso.com", "role": "Owner", "scope": "/subscriptions/%s"}]}
                """.formatted(READER_SECRET, WRITER_SECRET, SUB, SUB, SUB));
        strict = TestServer.start(c -> c.withSignIn(new Config.SignIn(true, principals, Duration.ofSeconds(2))));
    }

    @AfterAll
    static void stop() throws Exception {
        TestServer.closeAll(lenient, strict);
        Files.deleteIfExists(principals);
    }

    static ClientSecretCredential credential(TestServer server, String clientId, String secret) {
        return new ClientSecretCredentialBuilder().authorityHost(server.httpsBase()).tenantId(TENANT)
                .clientId(clientId).clientSecret(secret).disableInstanceDiscovery()
                .httpClient(Sdk.httpClient(certificate(server))).build();
    }

    static String certificate(TestServer server) {
        return server.http.get("/_azimuth/cert").body();
    }

    static ComputeManager compute(TestServer server, ClientSecretCredential credential) {
        return ComputeManager.configure().withHttpClient(Sdk.httpClient(certificate(server)))
                .authenticate(credential, Sdk.profile(server.httpsBase(), SUB));
    }

    static Map<String, String> form(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    static Http.Response token(TestServer server, String path, Map<String, String> form) {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return server.https().sendBody("POST", path, java.net.http.HttpRequest.BodyPublishers.ofString(body),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }

    static Http.Response arm(TestServer server, String method, String path, String token, String body) {
        return server.https().send(method, path, body, new LinkedHashMap<>(Map.of("Authorization", "Bearer " + token)));
    }

    @Test
    void clientSecretCredentialSignsInAndDrivesAnImageCreate() throws Exception {
        lenient.putVhd("signin", "vhds", "os.vhd", 30L << 30);
        ClientSecretCredential credential = credential(lenient, "3c9a2f1e-any-client", "any-secret");
        ComputeManager compute = compute(lenient, credential);
        compute.resourceManager().resourceGroups().define("signin-rg").withRegion(Region.US_WEST).create();
        VirtualMachineCustomImage image = compute.virtualMachineCustomImages().define("signed-in")
                .withRegion(Region.US_WEST).withExistingResourceGroup("signin-rg")
                .withLinuxFromVhd("https://signin.blob.core.windows.net/vhds/os.vhd",
                        com.azure.resourcemanager.compute.models.OperatingSystemStateTypes.GENERALIZED).create();
        assertThat(image.innerModel().provisioningState()).isEqualTo("Succeeded");

        // the token is an RS256 JWT the published keys verify, with the claims the tools read
        AccessToken token = credential.getTokenSync(new TokenRequestContext()
                .addScopes("https://management.azure.com/.default"));
        SignedJWT jwt = SignedJWT.parse(token.getToken());
        JWKSet keys = JWKSet.parse(lenient.https().get("/" + TENANT + "/discovery/v2.0/keys").body());
        RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getAudience()).containsExactly("https://management.azure.com");
        assertThat(claims.getIssuer()).isEqualTo(lenient.httpsBase() + "/" + TENANT + "/v2.0");
        assertThat(claims.getStringClaim("tid")).isEqualTo(TENANT);
        assertThat(claims.getStringClaim("azp")).isEqualTo("3c9a2f1e-any-client");
        assertThat(claims.getStringClaim("idtyp")).isEqualTo("app");
        // the same client gets the same object id every time (and on every instance)
        String oid = claims.getStringClaim("oid");
        assertThat(oid).matches("[0-9a-f-]{36}").isEqualTo(claims.getSubject());
        AccessToken again = credential(lenient, "3c9a2f1e-any-client", "other-secret")
                .getTokenSync(new TokenRequestContext().addScopes("https://management.azure.com/.default"));
        assertThat(SignedJWT.parse(again.getToken()).getJWTClaimsSet().getStringClaim("oid")).isEqualTo(oid);
        assertThat(claims.getExpirationTime()).isAfter(new Date());
    }

    @Test
    void discoveryDocumentsNameTheHostTheClientCalled() {
        JsonNode v2 = lenient.https().get("/organizations/v2.0/.well-known/openid-configuration").json();
        String base = lenient.httpsBase();
        assertThat(v2.path("token_endpoint").asText()).isEqualTo(base + "/organizations/oauth2/v2.0/token");
        assertThat(v2.path("jwks_uri").asText()).isEqualTo(base + "/organizations/discovery/v2.0/keys");
        assertThat(v2.path("device_authorization_endpoint").asText()).isEqualTo(base + "/organizations/oauth2/v2.0/devicecode");
        assertThat(v2.path("authorization_endpoint").asText()).isEqualTo(base + "/organizations/oauth2/v2.0/authorize");
        assertThat(v2.path("issuer").asText()).isEqualTo(base + "/{tenantid}/v2.0");
        JsonNode v1 = lenient.http.get("/" + TENANT + "/.well-known/openid-configuration").json();
        assertThat(v1.path("token_endpoint").asText()).isEqualTo(lenient.http.base() + "/" + TENANT + "/oauth2/token");
        assertThat(v1.path("issuer").asText()).isEqualTo("https://sts.windows.net/" + TENANT + "/");
        JsonNode instance = lenient.https().get("/common/discovery/instance?api-version=1.1&authorization_endpoint="
                + URLEncoder.encode(base + "/" + TENANT + "/oauth2/v2.0/authorize", StandardCharsets.UTF_8)).json();
        String host = base.substring("https://".length());
        assertThat(instance.path("tenant_discovery_endpoint").asText())
                .isEqualTo(base + "/" + TENANT + "/v2.0/.well-known/openid-configuration");
        assertThat(instance.path("metadata").get(0).path("aliases").get(0).asText()).isEqualTo(host);
        JsonNode metadata = lenient.https().get("/metadata/endpoints?api-version=2022-09-01").json();
        assertThat(metadata.path("authentication").path("loginEndpoint").asText()).isEqualTo(base + "/");
        assertThat(metadata.path("microsoftGraphResourceId").asText()).isEqualTo("https://graph.microsoft.com/");
        assertThat(lenient.https().get("/bad_tenant!/v2.0/.well-known/openid-configuration").status()).isEqualTo(400);
    }

    @Test
    void strictModeChecksTheRoleOfTheCaller() {
        ComputeManager reader = compute(strict, credential(strict, "reader-app", READER_SECRET));
        ComputeManager writer = compute(strict, credential(strict, "writer-app", WRITER_SECRET));
        // the writer is a Contributor on the group 'builds' only
        writer.resourceManager().resourceGroups().define("builds").withRegion(Region.US_WEST).create();
        strict.putVhd("strictacct", "vhds", "os.vhd", 30L << 30);
        writer.virtualMachineCustomImages().define("built").withRegion(Region.US_WEST).withExistingResourceGroup("builds")
                .withLinuxFromVhd("https://strictacct.blob.core.windows.net/vhds/os.vhd",
                        com.azure.resourcemanager.compute.models.OperatingSystemStateTypes.GENERALIZED).create();
        // the reader reads, and cannot write
        assertThat(reader.virtualMachineCustomImages().getByResourceGroup("builds", "built").name()).isEqualTo("built");
        assertThat(reader.resourceManager().resourceGroups().getByName("builds").name()).isEqualTo("builds");
        assertThatThrownBy(() -> reader.virtualMachineCustomImages().define("refused").withRegion(Region.US_WEST)
                .withExistingResourceGroup("builds").withLinuxFromVhd("https://strictacct.blob.core.windows.net/vhds/os.vhd",
                        com.azure.resourcemanager.compute.models.OperatingSystemStateTypes.GENERALIZED).create())
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(403);
                    assertThat(e.getValue().getCode()).isEqualTo("AuthorizationFailed");
                    assertThat(e.getValue().getMessage()).contains("'reader-app'")
                            .contains("'Microsoft.Compute/images/write'")
                            .contains("'/subscriptions/" + SUB + "/resourceGroups/builds/providers/Microsoft.Compute/images/refused'");
                });
        // the writer's role stops at its group
        assertThatThrownBy(() -> writer.resourceManager().resourceGroups().define("elsewhere").withRegion(Region.US_WEST)
                .create()).isInstanceOfSatisfying(ManagementException.class,
                e -> assertThat(e.getValue().getCode()).isEqualTo("AuthorizationFailed"));
        // a principal without a role reads nothing
        Http.Response nobody = arm(strict, "GET", "/subscriptions/" + SUB + "/resourcegroups?api-version=2021-04-01",
                accessToken(strict, "nobody-app", "nobody-secret", "https://management.azure.com/.default"), null);
        assertThat(nobody.status()).isEqualTo(403);
        assertThat(strict.https().get("/subscriptions/" + SUB + "/resourceGroups/builds/providers/Microsoft.Compute/images/built?api-version=2024-03-01")
                .status()).as("a token strict mode did not sign").isEqualTo(401);
    }

    static String accessToken(TestServer server, String clientId, String secret, String scope) {
        Http.Response r = token(server, "/" + TENANT + "/oauth2/v2.0/token", form("grant_type", "client_credentials",
                "client_id", clientId, "client_secret", secret, "scope", scope));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("access_token").asText();
    }

    @Test
    void strictModeRefusesForgedExpiredAndWrongAudienceTokens() throws Exception {
        String path = "/subscriptions/" + SUB + "/resourcegroups?api-version=2021-04-01";
        // signed by another key, with claims a real token carries
        RSAKey other = new RSAKeyGenerator(2048).keyID("forged").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("forged").build(),
                new JWTClaimsSet.Builder().audience("https://management.azure.com/").issuer("https://sts.windows.net/" + TENANT + "/")
                        .claim("oid", "00000000-0000-0000-0000-000000000001").claim("tid", TENANT)
                        .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
        forged.sign(new RSASSASigner(other));
        Http.Response r = arm(strict, "GET", path, forged.serialize(), null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("InvalidAuthenticationToken");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer authorization_uri=").contains("error=\"invalid_token\"");
        assertThat(arm(strict, "GET", path, "not-a-jwt", null).status()).isEqualTo(401);

        String graph = accessToken(strict, "reader-app", READER_SECRET, "https://graph.microsoft.com/.default");
        r = arm(strict, "GET", path, graph, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("InvalidAuthenticationTokenAudience");
        assertThat(r.json().path("error").path("message").asText()).contains("'https://graph.microsoft.com'");

        String good = accessToken(strict, "reader-app", READER_SECRET, strict.httpsBase() + "//.default");
        assertThat(arm(strict, "GET", path, good, null).status()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 30_000; // the strict instance's tokens last 2 s
        do {
            Thread.sleep(500);
            r = arm(strict, "GET", path, good, null);
        } while (r.status() == 200 && System.currentTimeMillis() < deadline);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("ExpiredAuthenticationToken");
        assertThat(r.json().path("error").path("message").asText()).contains("is earlier than current UTC time");
    }

    @Test
    void badTokenRequestsGetOAuthErrorsAndSecretsAreNeverEchoed() {
        String path = "/" + TENANT + "/oauth2/v2.0/token";
        Http.Response r = token(strict, path, form("client_id", "reader-app", "client_secret", READER_SECRET));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(r.json().path("error_description").asText()).startsWith("AADSTS900144: ").contains("'grant_type'");
        assertThat(r.json().path("error_codes").get(0).asInt()).isEqualTo(900144);
        assertThat(r.json().path("trace_id").asText()).isNotEmpty();

        r = token(strict, path, form("grant_type", "magic", "client_id", "reader-app"));
        assertThat(r.json().path("error").asText()).isEqualTo("unsupported_grant_type");
        assertThat(r.status()).isEqualTo(400);

        r = token(strict, path, form("grant_type", "client_credentials", "client_id", "reader-app",
                "client_secret", "wrong-" + READER_SECRET, "scope", "https://management.azure.com/.default"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
        assertThat(r.json().path("error_codes").get(0).asInt()).isEqualTo(7000215);
        assertThat(r.body()).doesNotContain(READER_SECRET);

        r = token(strict, path, form("grant_type", "client_credentials", "client_id", "unknown-app",
                "client_secret", "s", "scope", "https://management.azure.com/.default"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("unauthorized_client");

        r = token(strict, path, form("grant_type", "client_credentials", "client_id", "reader-app",
                "client_secret", READER_SECRET, "scope", "https://management.azure.com/user_impersonation"));
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_scope");

        r = token(lenient, path, form("grant_type", "client_credentials", "client_id", "any",
                "client_assertion_type", TokenEndpoint.JWT_BEARER, "client_assertion", "x".repeat(200_000),
                "scope", "https://management.azure.com/.default"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");

        r = token(lenient, path, form("grant_type", "client_credentials", "client_id", "any",
                "client_assertion_type", TokenEndpoint.JWT_BEARER, "client_assertion", "not.a.jwt",
                "scope", "https://management.azure.com/.default"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");

        Http.Response json = lenient.https().send("POST", path, "{\"grant_type\":\"client_credentials\"}", Map.of());
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(lenient.https().get(path).status()).isEqualTo(405);
    }

    @Test
    void userGrantsPasswordRefreshTokenAndDeviceCode() throws Exception {
        String path = "/contoso.com/oauth2/v2.0/token";
        Http.Response r = token(strict, path, form("grant_type", "password", "client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                "username", "alice@contoso.com", "password", "alice-Pass-1",
                "scope", "https://management.azure.com//.default openid profile offline_access", "client_info", "1"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode answer = r.json();
        assertThat(answer.path("expires_in").isInt()).isTrue();
        assertThat(answer.path("id_token").asText()).isNotEmpty();
        assertThat(answer.path("client_info").asText()).isNotEmpty();
        JWTClaimsSet claims = SignedJWT.parse(answer.path("access_token").asText()).getJWTClaimsSet();
        assertThat(claims.getStringClaim("idtyp")).isEqualTo("user");
        assertThat(claims.getStringClaim("upn")).isEqualTo("alice@contoso.com");
        assertThat(claims.getAudience()).containsExactly("https://management.azure.com/");
        // the owner may write with it
        assertThat(arm(strict, "PUT", "/subscriptions/" + SUB + "/resourcegroups/alice-rg?api-version=2021-04-01",
                answer.path("access_token").asText(), "{\"location\":\"westus\"}").status()).isEqualTo(201);

        r = token(strict, path, form("grant_type", "password", "client_id", "c", "username", "alice@contoso.com",
                "password", "wrong", "scope", "https://management.azure.com/.default"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(r.json().path("error_codes").get(0).asInt()).isEqualTo(50126);

        r = token(strict, path, form("grant_type", "refresh_token", "client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                "refresh_token", answer.path("refresh_token").asText(), "scope", "https://management.azure.com/.default"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet().getStringClaim("oid"))
                .isEqualTo(claims.getStringClaim("oid"));
        r = token(strict, path, form("grant_type", "refresh_token", "client_id", "c", "refresh_token", "forged"));
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");

        // v1 with resource=: the numbers are strings, the resource echoed, the issuer sts.windows.net
        r = token(lenient, "/" + TENANT + "/oauth2/token", form("grant_type", "client_credentials", "client_id", "packer",
                "client_secret", "s", "resource", "https://management.azure.com/"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("expires_in").isTextual()).isTrue();
        assertThat(r.json().path("resource").asText()).isEqualTo("https://management.azure.com/");
        claims = SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("https://sts.windows.net/" + TENANT + "/");
        assertThat(claims.getStringClaim("appid")).isEqualTo("packer");
        assertThat(claims.getStringClaim("oid")).isNotEmpty();

        Http.Response device = token(lenient, "/organizations/oauth2/v2.0/devicecode", form("client_id", "cli",
                "scope", "https://management.azure.com//.default offline_access"));
        assertThat(device.status()).isEqualTo(200);
        assertThat(device.json().path("user_code").asText()).isNotEmpty();
        r = token(lenient, "/organizations/oauth2/v2.0/token", form("grant_type", TokenEndpoint.DEVICE_CODE_GRANT,
                "client_id", "cli", "device_code", device.json().path("device_code").asText()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(SignedJWT.parse(r.json().path("access_token").asText()).getJWTClaimsSet().getAudience())
                .containsExactly("https://management.azure.com/");
    }
}

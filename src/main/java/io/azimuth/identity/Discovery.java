package io.azimuth.identity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.auth.SigningKey;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The documents clients read before they sign in: OpenID Connect discovery (v1 and v2), MSAL's instance discovery,
 * user realm discovery, and the signing keys. Every URL in them is built from the host the client called.
 */
final class Discovery {
    private final Tenants tenants;
    private final SigningKey key;

    Discovery(Tenants tenants, SigningKey key) {
        this.tenants = tenants;
        this.key = key;
    }

    /** {@code GET /{tenant}/v2.0/.well-known/openid-configuration}. */
    ApiResponse openIdV2(ApiRequest r) {
        String tenant = tenants.pathTenant(r);
        String base = r.baseUrl() + "/" + tenant;
        ObjectNode c = common(r);
        c.put("token_endpoint", base + "/oauth2/v2.0/token");
        c.put("jwks_uri", base + "/discovery/v2.0/keys");
        c.put("issuer", r.baseUrl() + "/" + issuerTenant(tenant) + "/v2.0");
        c.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        c.put("device_authorization_endpoint", base + "/oauth2/v2.0/devicecode");
        c.putArray("scopes_supported").add("openid").add("profile").add("email").add("offline_access");
        return ApiResponse.ok(c);
    }

    /** {@code GET /{tenant}/.well-known/openid-configuration}: the v1 document (and the one ADFS clients read). */
    ApiResponse openIdV1(ApiRequest r) {
        String tenant = tenants.pathTenant(r);
        String base = r.baseUrl() + "/" + tenant;
        ObjectNode c = common(r);
        c.put("token_endpoint", base + "/oauth2/token");
        c.put("jwks_uri", base + "/discovery/keys");
        c.put("issuer", "https://sts.windows.net/" + issuerTenant(tenant) + "/");
        c.put("authorization_endpoint", base + "/oauth2/authorize");
        c.put("device_authorization_endpoint", base + "/oauth2/devicecode");
        c.putArray("scopes_supported").add("openid");
        return ApiResponse.ok(c);
    }

    private ObjectNode common(ApiRequest r) {
        ObjectNode c = Json.object();
        c.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt")
                .add("client_secret_basic");
        c.putArray("response_modes_supported").add("query").add("fragment").add("form_post");
        c.putArray("subject_types_supported").add("pairwise");
        c.putArray("id_token_signing_alg_values_supported").add("RS256");
        c.putArray("response_types_supported").add("code").add("id_token").add("code id_token").add("id_token token");
        c.putArray("grant_types_supported").add("client_credentials").add("password").add("refresh_token")
                .add("urn:ietf:params:oauth:grant-type:device_code");
        c.put("request_uri_parameter_supported", false);
        c.put("http_logout_supported", true);
        c.put("frontchannel_logout_supported", true);
        c.putArray("claims_supported").add("sub").add("iss").add("aud").add("exp").add("iat").add("nbf").add("oid")
                .add("tid").add("name").add("preferred_username");
        c.put("tenant_region_scope", "WW");
        c.put("cloud_instance_name", host(r));
        c.put("cloud_graph_host_name", "graph.windows.net");
        c.put("msgraph_host", "graph.microsoft.com");
        return c;
    }

    /** Entra's documents for a multi-tenant alias name the issuer with a placeholder, as here. */
    private String issuerTenant(String tenant) {
        return tenants.isAlias(tenant) ? "{tenantid}" : tenants.tenantId(tenant);
    }

    /** {@code GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...}: MSAL's instance discovery. */
    ApiResponse instance(ApiRequest r) {
        String authorize = r.query("authorization_endpoint");
        String tenant = "common";
        if (authorize != null) {
            try {
                String path = URI.create(authorize).getPath();
                String[] parts = path == null ? new String[0] : path.split("/");
                if (parts.length > 1 && !parts[1].isEmpty()) {
                    tenant = parts[1];
                }
            } catch (IllegalArgumentException e) {
                throw OAuthError.invalidRequest(50049, "The 'authorization_endpoint' parameter is not a valid URL.");
            }
        }
        if (!tenants.isWellFormed(tenant)) {
            throw OAuthError.invalidRequest(90002, "Tenant '" + tenant + "' not found.");
        }
        ObjectNode d = Json.object();
        d.put("tenant_discovery_endpoint", r.baseUrl() + "/" + tenant + "/v2.0/.well-known/openid-configuration");
        d.put("api-version", "1.1");
        ArrayNode metadata = d.putArray("metadata");
        ObjectNode self = metadata.addObject();
        self.put("preferred_network", host(r));
        self.put("preferred_cache", host(r));
        self.putArray("aliases").add(host(r));
        return ApiResponse.ok(d);
    }

    /** {@code GET /common/userrealm/{user}}: every user is a managed (cloud) account here. */
    ApiResponse userRealm(ApiRequest r) {
        String user = r.param("user");
        int at = user.indexOf('@');
        ObjectNode d = Json.object();
        d.put("ver", "1.0");
        d.put("account_type", "Managed");
        d.put("domain_name", at >= 0 ? user.substring(at + 1) : tenants.domain());
        d.put("cloud_instance_name", host(r));
        d.put("cloud_audience_urn", "urn:federation:MicrosoftOnline");
        return ApiResponse.ok(d);
    }

    /** {@code GET /{tenant}/discovery/v2.0/keys}: the public key tokens are signed with. */
    ApiResponse keys(ApiRequest r) {
        return ApiResponse.bytes(200, key.publicJwks().getBytes(StandardCharsets.UTF_8), ApiResponse.JSON);
    }

    private static String host(ApiRequest r) {
        String base = r.baseUrl();
        int scheme = base.indexOf("://");
        return scheme >= 0 ? base.substring(scheme + 3) : base;
    }
}

package io.azimuth.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.auth.Auth;
import io.azimuth.auth.Principal;
import io.azimuth.auth.SignInRefused;
import io.azimuth.auth.Tokens;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code POST /{tenant}/oauth2/v2.0/token} ({@code scope=}) and the v1 {@code POST /{tenant}/oauth2/token}
 * ({@code resource=}), and the device authorization endpoints. Grants: {@code client_credentials} (a secret, in
 * the body or HTTP Basic, or a JWT assertion), {@code password}, {@code refresh_token} and {@code device_code}
 * (every device code is approved as soon as it is issued).
 */
final class TokenEndpoint {
    static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access", "email");

    private final Auth auth;
    private final Tenants tenants;

    TokenEndpoint(Auth auth, Tenants tenants) {
        this.auth = auth;
        this.tenants = tenants;
    }

    ApiResponse tokenV2(ApiRequest r) {
        return token(r, Tokens.Version.V2);
    }

    ApiResponse tokenV1(ApiRequest r) {
        return token(r, Tokens.Version.V1);
    }

    private ApiResponse token(ApiRequest r, Tokens.Version version) {
        String tenant = tenants.pathTenant(r);
        String tid = tenants.tenantId(tenant);
        Form form = Form.of(r);
        String grant = form.require("grant_type");
        String clientId = form.require("client_id");
        // v1 names the resource; ADFS-style and v2 clients a scope (v1 accepts either, as ADFS does)
        String resource = version == Tokens.Version.V1 ? form.get("resource") : null;
        String scope = form.get("scope");
        Principal principal;
        Tokens.Grant redeemed = null;
        try {
            switch (grant) {
                case "client_credentials" -> principal = client(r, form, clientId);
                case "password" -> principal = auth.principals().withPassword(form.require("username"),
                        form.require("password"));
                case "refresh_token" -> {
                    redeemed = auth.tokens().redeemRefreshToken(form.require("refresh_token"));
                    principal = redeemed.principal();
                }
                case DEVICE_CODE_GRANT -> {
                    redeemed = auth.tokens().redeemDeviceCode(form.require("device_code"));
                    principal = redeemed.principal();
                }
                default -> throw OAuthError.unsupportedGrant(grant);
            }
        } catch (SignInRefused refused) {
            throw refusal(refused, grant);
        }
        if (redeemed != null && !redeemed.clientId().equalsIgnoreCase(clientId)) {
            throw OAuthError.invalidGrant(70000, "The provided grant was issued to another client.");
        }
        String audience;
        if (resource != null) {
            audience = resource;
        } else if (scope != null) {
            audience = audience(scope, grant.equals("client_credentials"));
        } else if (redeemed != null && redeemed.audience() != null) {
            audience = redeemed.audience();
        } else {
            throw OAuthError.missing(version == Tokens.Version.V1 && !tenants.isAdfs(tenant) ? "resource" : "scope");
        }
        if (redeemed != null && redeemed.tenantId() != null) {
            tid = redeemed.tenantId();
        }
        Tokens.Issued issued = auth.tokens().access(principal, clientId, tid, audience, version, r.baseUrl());
        ObjectNode body = Json.object();
        body.put("token_type", "Bearer");
        if (resource != null) { // the v1 answer: numbers as strings, the resource echoed
            body.put("expires_in", Long.toString(issued.expiresInSeconds()));
            body.put("ext_expires_in", Long.toString(issued.expiresInSeconds()));
            body.put("expires_on", Long.toString(issued.expires().getEpochSecond()));
            body.put("not_before", Long.toString(issued.issuedAt().getEpochSecond()));
            body.put("resource", resource);
        } else {
            if (principal.kind() == Principal.Kind.USER) { // echoed, so that MSAL caches the token for it
                body.put("scope", scope != null ? scope : audience + "/.default");
            }
            body.put("expires_in", issued.expiresInSeconds());
            body.put("ext_expires_in", issued.expiresInSeconds());
        }
        body.put("access_token", issued.token());
        if (principal.kind() == Principal.Kind.USER) {
            body.put("refresh_token", auth.tokens().refreshToken(new Tokens.Grant(principal, clientId, tid, audience)));
            // a user's sign-in always answers an id token (MSAL asks for openid; az reads its tid and user name)
            body.put("id_token", auth.tokens().idToken(principal, clientId, tid, r.baseUrl()));
            if ("1".equals(form.get("client_info"))) {
                body.put("client_info", clientInfo(principal, tid));
            }
        }
        return ApiResponse.ok(body);
    }

    private Principal client(ApiRequest r, Form form, String clientId) {
        String secret = form.get("client_secret");
        String assertion = form.get("client_assertion");
        if (assertion != null) {
            String type = form.get("client_assertion_type");
            if (!JWT_BEARER.equals(type)) {
                throw OAuthError.invalidRequest(50027, "The 'client_assertion_type' must be '" + JWT_BEARER + "'.");
            }
            // the assertion is for this token endpoint, as Entra requires
            return auth.principals().withAssertion(clientId, assertion, r.baseUrl() + r.path());
        }
        if (secret == null) {
            throw OAuthError.invalidClient(7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        }
        return auth.principals().withSecret(clientId, secret);
    }

    /**
     * The audience a scope list asks for: its one resource scope, {@code /.default} (required of client
     * credentials) or a named permission removed.
     */
    private static String audience(String scope, boolean clientCredentials) {
        List<String> resources = Arrays.stream(scope.trim().split(" +"))
                .filter(s -> !OIDC_SCOPES.contains(s.toLowerCase(Locale.ROOT))).toList();
        if (resources.isEmpty()) {
            if (clientCredentials) {
                throw OAuthError.invalidScope("The provided value for scope '" + scope + "' is not valid. Client "
                        + "credential flows must have a scope value with /.default suffixed to the resource identifier "
                        + "(application ID URI).");
            }
            return "https://graph.microsoft.com";
        }
        if (resources.size() > 1 && resources.stream().map(TokenEndpoint::resourceOf).distinct().count() > 1) {
            throw OAuthError.invalidScope("Provided value for the input parameter scope is not valid "
                    + "because it contains more than one resource. Scope " + scope + " is not valid.");
        }
        String first = resources.get(0);
        if (clientCredentials && !first.endsWith("/.default")) {
            throw OAuthError.invalidScope("The provided value for scope '" + scope + "' is not valid. Client "
                    + "credential flows must have a scope value with /.default suffixed to the resource identifier "
                    + "(application ID URI).");
        }
        return resourceOf(first);
    }

    /** {@code https://x//.default} → {@code https://x/}; {@code https://x/user_impersonation} → {@code https://x/}. */
    private static String resourceOf(String scope) {
        if (scope.endsWith("/.default")) {
            return scope.substring(0, scope.length() - "/.default".length());
        }
        int scheme = scope.indexOf("://");
        int slash = scope.lastIndexOf('/');
        boolean hasPath = slash > (scheme >= 0 ? scheme + 2 : 0);
        return hasPath ? scope.substring(0, slash + 1) : scope;
    }

    /** {@code POST /{tenant}/oauth2/v2.0/devicecode} (and v1): a code approved at once. */
    ApiResponse deviceCode(ApiRequest r, boolean v2) {
        String tenant = tenants.pathTenant(r);
        String tid = tenants.tenantId(tenant);
        Form form = Form.of(r);
        String clientId = form.require("client_id");
        String audience = v2 ? audience(form.require("scope"), false)
                : form.get("resource") != null ? form.get("resource") : audience(form.require("scope"), false);
        Principal user;
        try {
            user = auth.principals().deviceUser(tenants.domain());
        } catch (SignInRefused refused) {
            throw refusal(refused, DEVICE_CODE_GRANT);
        }
        String code = auth.tokens().deviceCode(new Tokens.Grant(user, clientId, tid, audience));
        String userCode = userCode();
        String verification = r.baseUrl() + "/common/oauth2/deviceauth";
        ObjectNode body = Json.object();
        body.put("user_code", userCode);
        body.put("device_code", code);
        body.put(v2 ? "verification_uri" : "verification_url", verification);
        body.put("expires_in", auth.tokens().deviceCodeLifetime().toSeconds());
        body.put("interval", 1);
        body.put("message", "To sign in, use a web browser to open the page " + verification + " and enter the code "
                + userCode + " to authenticate. (Azimuth approves every code at once.)");
        return ApiResponse.ok(body);
    }

    private static String userCode() {
        String letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            b.append(letters.charAt(ThreadLocalRandom.current().nextInt(letters.length())));
        }
        return b.toString();
    }

    private static String clientInfo(Principal p, String tid) {
        ObjectNode info = Json.object();
        info.put("uid", p.objectId());
        info.put("utid", tid);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(info.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static OAuthError refusal(SignInRefused refused, String grant) {
        return switch (refused.reason()) {
            case UNKNOWN_CLIENT -> new OAuthError(400, "unauthorized_client", 700016, refused.getMessage()
                    + " This can happen if the application has not been installed by the administrator of the tenant"
                    + " or consented to by any user in the tenant.");
            case BAD_SECRET -> OAuthError.invalidClient(7000215, refused.getMessage()
                    + " Ensure the secret being sent in the request is the client secret value, not the client secret ID.");
            case BAD_ASSERTION -> OAuthError.invalidClient(700027, "Client assertion failed validation. "
                    + refused.getMessage());
            case BAD_USER_CREDENTIALS -> OAuthError.invalidGrant(50126, refused.getMessage());
            case BAD_GRANT -> grant.equals(DEVICE_CODE_GRANT)
                    ? OAuthError.invalidGrant(70000, "The provided value for the 'device_code' parameter is not valid. "
                    + refused.getMessage())
                    : OAuthError.invalidGrant(9002313, "Invalid request. Request is malformed or invalid. "
                    + refused.getMessage());
        };
    }
}

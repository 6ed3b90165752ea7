package io.azimuth.arm;

import io.azimuth.auth.Auth;
import io.azimuth.auth.Authorizer;
import io.azimuth.auth.Caller;
import io.azimuth.auth.TokenRejected;

import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Ids;
import io.azimuth.http.Route;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;

/**
 * Azure Resource Manager conventions: bearer authentication, the {@code api-version} parameter, the
 * {@code x-ms-*} id headers, subscription-id checks, and the JSON error body.
 */
public final class ArmEnvelope implements Envelope {
    private final boolean anonymous;
    private final boolean strictApiVersions;
    private final String tenantId;
    private final ProviderCatalog catalog;
    private final Auth auth;
    /** The request budgets, or null: none counted (the discovery document, tests of other things). */
    private final ArmThrottle throttle;

    private ArmEnvelope(boolean anonymous, boolean strictApiVersions, String tenantId, ProviderCatalog catalog,
                        Auth auth) {
        this(anonymous, strictApiVersions, tenantId, catalog, auth, null);
    }

    private ArmEnvelope(boolean anonymous, boolean strictApiVersions, String tenantId, ProviderCatalog catalog,
                        Auth auth, ArmThrottle throttle) {
        this.throttle = throttle;
        this.anonymous = anonymous;
        this.strictApiVersions = strictApiVersions;
        this.tenantId = tenantId;
        this.catalog = catalog;
        this.auth = auth;
    }

    /** Routes that need a bearer token, as nearly all of ARM does; any token is taken. */
    public static ArmEnvelope authenticated(boolean strictApiVersions, String tenantId, ProviderCatalog catalog) {
        return new ArmEnvelope(false, strictApiVersions, tenantId, catalog, null);
    }

    /**
     * Routes that need a bearer token: in strict mode one {@code auth} signed, unexpired, for ARM, whose caller
     * holds a role allowing the request's action at its scope.
     */
    public static ArmEnvelope authenticated(boolean strictApiVersions, String tenantId, ProviderCatalog catalog,
                                            Auth auth) {
        return new ArmEnvelope(false, strictApiVersions, tenantId, catalog, auth);
    }

    /** The same conventions, counting (and when enforced, limiting) requests against ARM's budgets. */
    public ArmEnvelope throttled(ArmThrottle budgets) {
        return new ArmEnvelope(anonymous, strictApiVersions, tenantId, catalog, auth, budgets);
    }

    @Override
    public void admit(ApiRequest request, Route route) {
        if (throttle != null) {
            throttle.admit(request, route);
        }
    }

    /** The same conventions without the token, for the cloud discovery document. */
    public ArmEnvelope anonymous() {
        return new ArmEnvelope(true, strictApiVersions, tenantId, catalog, auth);
    }

    @Override
    public String newRequestId() {
        return Ids.uuid();
    }

    @Override
    public void decorate(HttpServerRequest http, ApiRequest request, ApiResponse response) {
        response.header("x-ms-request-id", request.requestId());
        response.header("x-ms-correlation-request-id", request.correlationId());
        String clientRequestId = request.header("x-ms-client-request-id");
        if (clientRequestId != null && "true".equalsIgnoreCase(request.header("x-ms-return-client-request-id"))) {
            response.header("x-ms-client-request-id", clientRequestId);
        }
        response.header("Cache-Control", "no-cache");
    }

    @Override
    public void authenticate(ApiRequest request) {
        if (anonymous) {
            return;
        }
        String authorization = request.header("Authorization");
        if (authorization == null || authorization.isBlank()) {
            throw new Unauthenticated("The 'Authorization' header is missing.", "missing 'Authorization' header",
                    tenantId);
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
            throw new Unauthenticated("The 'Authorization' header must carry a 'Bearer' token.",
                    "invalid 'Authorization' header", tenantId);
        }
        if (auth == null || !auth.strict()) {
            return;
        }
        Caller caller;
        try {
            caller = auth.tokens().verify(authorization.substring(7).trim(), Auth.armAudiences(request.baseUrl() + "/"));
        } catch (TokenRejected e) {
            throw ArmAccess.unauthenticated(e, tenantId);
        }
        ArmAccess.Action action = ArmAccess.action(request);
        if (action != null) {
            try {
                auth.authorizer().authorize(caller, action.name(), action.scope());
            } catch (Authorizer.AccessDenied denied) {
                throw ArmAccess.forbidden(denied);
            }
        }
    }

    @Override
    public void checkVersion(ApiRequest request, Route route) {
        String version = request.query("api-version");
        if (version == null || version.isEmpty()) {
            throw ApiVersions.missing();
        }
        ResourceType type = route.subject() instanceof ResourceType t ? t : null;
        if (!ApiVersions.isWellFormed(version)) {
            throw ApiVersions.malformed(version, type);
        }
        String subscription = request.param("subscriptionId");
        if (subscription != null && !ResourceId.isSubscriptionId(subscription)) {
            throw new ApiException(400, "InvalidSubscriptionId",
                    "The provided subscription identifier '" + subscription + "' is malformed or invalid.");
        }
        if (strictApiVersions && type != null && !type.supports(version)) {
            throw ApiVersions.unsupported(version, type, null);
        }
    }

    @Override
    public ApiException notFound(ApiRequest request) {
        List<String> s = segments(request.path());
        int providers = -1;
        if (s.size() >= 4 && s.get(0).equalsIgnoreCase("subscriptions") && s.get(2).equalsIgnoreCase("providers")) {
            providers = 2;
        } else if (s.size() >= 6 && s.get(0).equalsIgnoreCase("subscriptions")
                && s.get(2).equalsIgnoreCase("resourceGroups") && s.get(4).equalsIgnoreCase("providers")) {
            providers = 4;
        }
        if (providers > 0) {
            String namespace = s.get(providers + 1);
            if (catalog.canonicalNamespace(namespace).isEmpty()) {
                return new ApiException(404, "InvalidResourceNamespace",
                        "The resource namespace '" + namespace + "' is invalid.");
            }
            String type = s.size() > providers + 2 ? s.get(providers + 2) : "";
            return new ApiException(404, "InvalidResourceType", "The resource type '" + type
                    + "' could not be found in the namespace '" + namespace + "' for api version '"
                    + request.query("api-version") + "'.");
        }
        return new ApiException(404, "NotFound", "No route matches the request path '" + request.path() + "'.");
    }

    @Override
    public ApiException methodNotAllowed(ApiRequest request) {
        return new ApiException(405, "MethodNotAllowed", "The HTTP method '" + request.method().name()
                + "' is not supported on the resource '" + request.path() + "'.");
    }

    @Override
    public ApiResponse renderError(ApiRequest request, ApiException error) {
        ApiResponse response = ApiResponse.json(error.status(), error.body());
        if (error instanceof Unauthenticated u) {
            response.header("WWW-Authenticate", u.challenge());
        }
        return response;
    }

    private static List<String> segments(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toList();
    }

    /** 401 with the bearer challenge ARM sends. */
    static final class Unauthenticated extends ApiException {
        private final String tenantId;
        private final String description;

        Unauthenticated(String message, String reason, String tenantId) {
            this("AuthenticationFailed", "Authentication failed. " + message,
                    "The authentication failed because of " + reason + ".", tenantId);
        }

        Unauthenticated(String code, String message, String description, String tenantId) {
            super(401, code, message);
            this.description = description;
            this.tenantId = tenantId;
        }

        String challenge() {
            return "Bearer authorization_uri=\"https://login.windows.net/" + tenantId
                    + "\", error=\"invalid_token\", error_description=\"" + description + "\"";
        }
    }
}

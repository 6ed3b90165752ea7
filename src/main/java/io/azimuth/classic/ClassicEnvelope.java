package io.azimuth.classic;

import io.azimuth.auth.Auth;

import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Route;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The classic Service Management conventions ({@code management.core.windows.net}): paths that start with the
 * subscription id, {@code x-ms-version} on every call (each operation names the oldest version it has), request ids
 * of 32 lower-case hex digits, XML errors {@code <Error><Code/><Message/></Error>} in the classic namespace, and
 * authentication by management certificate: a call over HTTPS must have presented a TLS client certificate (any
 * is accepted); calls over plain HTTP, for scripts, need none. In strict mode every call must present one of the
 * certificates uploaded through {@code /_azimuth/management-certificates}, so over HTTPS only.
 */
public final class ClassicEnvelope implements Envelope {
    public static final String CONTENT_TYPE = "application/xml; charset=utf-8";
    private static final Pattern GUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private final Map<String, String> since = new ConcurrentHashMap<>();
    private final Auth auth;

    /** In strict mode ({@code auth.strict()}) only the uploaded management certificates are trusted. */
    public ClassicEnvelope(Auth auth) {
        this.auth = auth;
    }

    /** Whether a path is the classic API's: its first segment is a subscription id (a GUID). */
    public static boolean owns(String path) {
        int start = path.startsWith("/") ? 1 : 0;
        int end = path.indexOf('/', start);
        String first = end < 0 ? path.substring(start) : path.substring(start, end);
        return GUID.matcher(first).matches();
    }

    static boolean isGuid(String s) {
        return s != null && GUID.matcher(s).matches();
    }

    /** The oldest {@code x-ms-version} that has {@code method} on {@code route}. */
    void since(Route route, HttpMethod method, String version) {
        since.put(route.template().toLowerCase(Locale.ROOT) + " " + method.name(), version);
    }

    @Override
    public String newRequestId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    @Override
    public void decorate(HttpServerRequest http, ApiRequest request, ApiResponse response) {
        response.header("x-ms-request-id", request.requestId());
        response.header("Cache-Control", "no-cache");
    }

    @Override
    public void authenticate(ApiRequest request) {
        if (request.secure() && request.clientCertificates().isEmpty()) {
            throw new ApiException(403, ClassicErrors.AUTHENTICATION_FAILED, "The server failed to authenticate "
                    + "the request. Verify that the certificate is valid and is associated with this subscription: "
                    + "over HTTPS a management certificate must be presented as the TLS client certificate.");
        }
        if (auth != null && auth.strict() && (request.clientCertificates().isEmpty()
                || !auth.managementCertificates().isTrusted(request.clientCertificates().get(0)))) {
            throw new ApiException(403, ClassicErrors.AUTHENTICATION_FAILED, "The server failed to authenticate "
                    + "the request. Verify that the certificate is valid and is associated with this subscription: "
                    + "in strict mode only management certificates uploaded to /_azimuth/management-certificates "
                    + "are trusted, over HTTPS.");
        }
    }

    @Override
    public void checkVersion(ApiRequest request, Route route) {
        String version = request.header("x-ms-version");
        if (version == null || version.isBlank()) {
            throw ClassicErrors.version("The versioning header is not specified or was specified incorrectly: "
                    + "every request needs an 'x-ms-version' header.");
        }
        if (!Versions.wellFormed(version.strip())) {
            throw ClassicErrors.version("The versioning header is not specified or was specified incorrectly: '"
                    + version + "' is not a version (YYYY-MM-DD).");
        }
        HttpMethod method = request.method() == HttpMethod.HEAD ? HttpMethod.GET : request.method();
        String oldest = since.getOrDefault(route.template().toLowerCase(Locale.ROOT) + " " + method.name(),
                Versions.V2009_10_01);
        if (!Versions.atLeast(version.strip(), oldest)) {
            throw ClassicErrors.version("The versioning header is not specified or was specified incorrectly: this "
                    + "operation needs x-ms-version " + oldest + " or later, and '" + version + "' was sent.");
        }
        String subscription = request.param("subscriptionId");
        if (subscription != null && !isGuid(subscription)) {
            throw ClassicErrors.notFound("The subscription '" + subscription + "' does not exist: a subscription id "
                    + "is a GUID.");
        }
    }

    /** The request's {@code x-ms-version}, once {@link #checkVersion} accepted it. */
    static String version(ApiRequest request) {
        return request.header("x-ms-version").strip();
    }

    @Override
    public ApiException notFound(ApiRequest request) {
        return ClassicErrors.notFound("The requested resource does not exist: no operation is served at '"
                + request.path() + "'.");
    }

    @Override
    public ApiException methodNotAllowed(ApiRequest request) {
        return new ApiException(400, ClassicErrors.INVALID_HTTP_VERB, "The HTTP verb '" + request.method().name()
                + "' is not valid for the resource '" + request.path() + "'.");
    }

    @Override
    public ApiResponse renderError(ApiRequest request, ApiException error) {
        return ApiResponse.text(error.status(), errorBody(ClassicErrors.classicCode(error.code(), error.status()),
                error.getMessage()), CONTENT_TYPE);
    }

    static String errorBody(String code, String message) {
        return XmlOut.root("Error").el("Code", code).el("Message", message).finish();
    }
}

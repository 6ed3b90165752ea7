package io.azimuth.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Ids;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.vertx.core.http.HttpServerRequest;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The sign-in endpoints' conventions: no token, no api-version, Entra's request ids ({@code x-ms-request-id},
 * {@code client-request-id} echoed), nothing cached, and OAuth 2.0 error bodies carrying an {@code AADSTS}
 * number, a trace id, a correlation id and a time stamp.
 */
final class EntraEnvelope implements Envelope {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

    @Override
    public String newRequestId() {
        return Ids.uuid();
    }

    @Override
    public void decorate(HttpServerRequest http, ApiRequest request, ApiResponse response) {
        response.header("x-ms-request-id", request.requestId());
        String clientRequestId = request.header("client-request-id");
        if (clientRequestId != null && clientRequestId.length() <= 100) {
            response.header("client-request-id", clientRequestId);
        }
        response.header("Cache-Control", "no-store, no-cache");
        response.header("Pragma", "no-cache");
    }

    @Override
    public void authenticate(ApiRequest request) {
    }

    @Override
    public void checkVersion(ApiRequest request, Route route) {
    }

    @Override
    public ApiException notFound(ApiRequest request) {
        return new OAuthError(404, "invalid_request", 90002, "No sign-in endpoint at '" + request.path() + "'.");
    }

    @Override
    public ApiException methodNotAllowed(ApiRequest request) {
        return new OAuthError(405, "invalid_request", 900561, "The endpoint only accepts "
                + (request.path().endsWith("token") || request.path().endsWith("devicecode") ? "POST" : "GET")
                + " requests. Received a " + request.method().name() + " request.");
    }

    @Override
    public ApiResponse renderError(ApiRequest request, ApiException error) {
        int aadsts = error instanceof OAuthError o ? o.aadsts() : 90000 + error.status();
        String code = error instanceof OAuthError ? error.code()
                : error.status() >= 500 ? "temporarily_unavailable" : "invalid_request";
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
        ObjectNode body = Json.object();
        body.put("error", code);
        body.put("error_description", "AADSTS" + aadsts + ": " + error.getMessage() + "\r\nTrace ID: "
                + request.requestId() + "\r\nCorrelation ID: " + request.correlationId() + "\r\nTimestamp: " + stamp);
        body.putArray("error_codes").add(aadsts);
        body.put("timestamp", stamp);
        body.put("trace_id", request.requestId());
        body.put("correlation_id", request.correlationId());
        body.put("error_uri", request.baseUrl() + "/error?code=" + aadsts);
        return ApiResponse.json(error.status(), body);
    }
}

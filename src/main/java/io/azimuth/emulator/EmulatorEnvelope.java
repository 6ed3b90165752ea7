package io.azimuth.emulator;

import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Ids;
import io.azimuth.http.Route;
import io.vertx.core.http.HttpServerRequest;


/** The emulator's own endpoints under {@code /_azimuth/}: no token, no api-version, ARM-style JSON errors. */
public final class EmulatorEnvelope implements Envelope {
    public static final String PREFIX = "/_azimuth";

    @Override
    public String newRequestId() {
        return Ids.uuid();
    }

    @Override
    public void decorate(HttpServerRequest http, ApiRequest request, ApiResponse response) {
        response.header("x-ms-request-id", request.requestId());
        response.header("x-ms-correlation-request-id", request.correlationId());
        response.header("Cache-Control", "no-cache");
    }

    @Override
    public void authenticate(ApiRequest request) {
    }

    @Override
    public void checkVersion(ApiRequest request, Route route) {
    }

    @Override
    public ApiException notFound(ApiRequest request) {
        return new ApiException(404, "NotFound", "No emulator endpoint at '" + request.path() + "'.");
    }

    @Override
    public ApiException methodNotAllowed(ApiRequest request) {
        return new ApiException(405, "MethodNotAllowed", "The HTTP method '" + request.method().name()
                + "' is not supported on '" + request.path() + "'.");
    }

    @Override
    public ApiResponse renderError(ApiRequest request, ApiException error) {
        return ApiResponse.json(error.status(), error.body());
    }
}

package io.azimuth.compute.disks;

import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Ids;
import io.azimuth.http.Route;
import io.vertx.core.http.HttpServerRequest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The wire of the export URLs disk access grants hand out, as Azure Storage speaks on a blob's SAS URL: no
 * Authorization header (the signature is in the query and checked by the handler), no api-version, request ids and
 * {@code x-ms-version} on every answer, errors as XML ({@code <Error><Code/><Message/></Error>}) with
 * {@code x-ms-error-code}.
 */
final class ExportEnvelope implements Envelope {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String newRequestId() {
        return Ids.uuid();
    }

    @Override
    public void decorate(HttpServerRequest http, ApiRequest request, ApiResponse response) {
        response.header("x-ms-request-id", request.requestId());
        response.header("x-ms-version", DiskAccess.SAS_VERSION);
        response.header("Date", StorageError.http(System.currentTimeMillis()));
        String client = request.header("x-ms-client-request-id");
        if (client != null) {
            response.header("x-ms-client-request-id", client);
        }
    }

    @Override
    public void authenticate(ApiRequest request) {
    }

    @Override
    public void checkVersion(ApiRequest request, Route route) {
    }

    @Override
    public ApiException notFound(ApiRequest request) {
        return new ApiException(404, "ResourceNotFound", "The specified resource does not exist.");
    }

    @Override
    public ApiException methodNotAllowed(ApiRequest request) {
        return new ApiException(405, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb.");
    }

    @Override
    public ApiResponse renderError(ApiRequest request, ApiException error) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>")
                .append(escape(error.code())).append("</Code><Message>").append(escape(error.getMessage()))
                .append("\nRequestId:").append(request.requestId())
                .append("\nTime:").append(TIME.format(Instant.now())).append("</Message>");
        if (error instanceof StorageError s && s.detail() != null) {
            xml.append("<AuthenticationErrorDetail>").append(escape(s.detail())).append("</AuthenticationErrorDetail>");
        }
        xml.append("</Error>");
        return ApiResponse.text(error.status(), xml.toString(), "application/xml")
                .header("x-ms-error-code", error.code());
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

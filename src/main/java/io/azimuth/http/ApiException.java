package io.azimuth.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * An error the API answers with: HTTP status, code, message, and optionally the field it concerns ({@code target})
 * and nested details. The ARM envelope renders it as {@code {"error":{"code","message","target"?,"details"?}}};
 * other envelopes render the same fields in their own wire format.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String target;
    private final List<ApiException> details;
    /** Headers the answer carries besides the error body (a Retry-After), in the order they were added. */
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public ApiException(int status, String code, String message) {
        this(status, code, message, null, List.of());
    }

    public ApiException(int status, String code, String message, String target) {
        this(status, code, message, target, List.of());
    }

    public ApiException(int status, String code, String message, String target, List<ApiException> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.target = target;
        this.details = List.copyOf(details);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String target() {
        return target;
    }

    public List<ApiException> details() {
        return details;
    }

    /** Adds a header to the answer this error is rendered as. */
    public ApiException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return java.util.Collections.unmodifiableMap(headers);
    }

    /** The inner {@code error} object. */
    public ObjectNode errorObject() {
        ObjectNode error = Json.object();
        error.put("code", code);
        error.put("message", getMessage());
        if (target != null) {
            error.put("target", target);
        }
        if (!details.isEmpty()) {
            ArrayNode array = error.putArray("details");
            for (ApiException d : details) {
                array.add(d.errorObject());
            }
        }
        return error;
    }

    /** The whole response body. */
    public ObjectNode body() {
        ObjectNode body = Json.object();
        body.set("error", errorObject());
        return body;
    }

    public static ApiException badRequest(String code, String message, String target) {
        return new ApiException(400, code, message, target);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }
}

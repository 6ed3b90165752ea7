package io.azimuth.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;

import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler answers: status, extra headers, and a body (JSON, text or bytes), a streamed body (a channel the
 * pipeline reads on a worker and writes with back-pressure, then closes) or none.
 */
public final class ApiResponse {
    public static final String JSON = "application/json; charset=utf-8";

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Buffer body;
    private final String contentType;
    private final ReadableByteChannel stream;
    private final long streamLength;

    private ApiResponse(int status, Buffer body, String contentType) {
        this(status, body, contentType, null, -1);
    }

    private ApiResponse(int status, Buffer body, String contentType, ReadableByteChannel stream, long streamLength) {
        this.status = status;
        this.body = body;
        this.contentType = contentType;
        this.stream = stream;
        this.streamLength = streamLength;
    }

    public static ApiResponse json(int status, JsonNode body) {
        return new ApiResponse(status, Buffer.buffer(Json.writeBytes(body)), JSON);
    }

    /** A JSON body already written out (e.g. a stored document that is its own wire form). */
    public static ApiResponse json(int status, Buffer body) {
        return new ApiResponse(status, body, JSON);
    }

    public static ApiResponse ok(JsonNode body) {
        return json(200, body);
    }

    public static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(status, Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)), contentType);
    }

    public static ApiResponse bytes(int status, byte[] body, String contentType) {
        return new ApiResponse(status, Buffer.buffer(body), contentType);
    }

    /**
     * A body of {@code length} bytes read from {@code channel} (from its current position) while it is sent, never
     * held whole. The pipeline closes the channel once done, also when the body is not sent (HEAD, a lost client).
     */
    public static ApiResponse stream(int status, ReadableByteChannel channel, long length, String contentType) {
        if (length < 0) {
            throw new IllegalArgumentException("a streamed body has a known length");
        }
        return new ApiResponse(status, null, contentType, channel, length);
    }

    /** A response without a body (204, a bodiless 200 or 202, HEAD answers). */
    public static ApiResponse empty(int status) {
        return new ApiResponse(status, null, null);
    }

    public ApiResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Buffer body() {
        return body;
    }

    public String contentType() {
        return contentType;
    }

    /** The streamed body, or null. */
    public ReadableByteChannel stream() {
        return stream;
    }

    /** The streamed body's length in bytes, or -1 without one. */
    public long streamLength() {
        return streamLength;
    }
}

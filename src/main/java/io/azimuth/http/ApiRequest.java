package io.azimuth.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as the pipeline hands it to a handler: method, matched path parameters (names as in the route
 * template, values as the caller sent them), query, headers, the bounded body, and the request's context
 * (ids and the base URL the caller used, for absolute links).
 */
public final class ApiRequest {
    private final HttpMethod method;
    private final String path;
    private final String rawPath;
    private final MultiMap query;
    private final MultiMap headers;
    private final String baseUrl;
    private final String requestId;
    private final String correlationId;
    private Map<String, String> params = Map.of();
    private Route route;
    private Buffer body = Buffer.buffer();
    private JsonNode json;
    private boolean secure;
    private java.util.function.Supplier<List<X509Certificate>> clientCertificates = List::of;

    public ApiRequest(HttpMethod method, String path, String rawPath, MultiMap query, MultiMap headers,
                      String baseUrl, String requestId, String correlationId) {
        this.method = method;
        this.path = path;
        this.rawPath = rawPath;
        this.query = query;
        this.headers = headers;
        this.baseUrl = baseUrl;
        this.requestId = requestId;
        this.correlationId = correlationId;
    }

    public HttpMethod method() {
        return method;
    }

    /** The decoded path, without the query. */
    public String path() {
        return path;
    }

    /** The path as the caller sent it, still percent-encoded. */
    public String rawPath() {
        return rawPath;
    }

    /** The scheme and authority the caller used, as an absolute URL prefix, e.g. {@code https://127.0.0.1:10443}. */
    public String baseUrl() {
        return baseUrl;
    }

    public String requestId() {
        return requestId;
    }

    public String correlationId() {
        return correlationId;
    }

    public MultiMap headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    public String query(String name) {
        return query.get(name);
    }

    public MultiMap query() {
        return query;
    }

    /** A path parameter by its template name, matched case-insensitively. */
    public String param(String name) {
        return params.get(name);
    }

    public Route route() {
        return route;
    }

    /**
     * A failure planned for the long-running operation this request begins: the operation stays in progress for
     * {@code afterMillis} and then ends {@code Failed} with {@code error}, its change not applied.
     */
    public record PlannedFailure(long afterMillis, ApiException error) {
    }

    private PlannedFailure plannedFailure;
    private Map<String, String> answerHeaders = Map.of();

    /** A header every answer to this request carries (set by its envelope when it was admitted). */
    public void answerHeader(String name, String value) {
        if (answerHeaders.isEmpty()) {
            answerHeaders = new java.util.LinkedHashMap<>();
        }
        answerHeaders.put(name, value);
    }

    Map<String, String> answerHeaders() {
        return answerHeaders;
    }

    /** The failure planned for the operation this request begins (an injected fault), or null. */
    public PlannedFailure plannedFailure() {
        return plannedFailure;
    }

    void plan(PlannedFailure failure) {
        this.plannedFailure = failure;
    }

    void matched(Route route, Map<String, String> params) {
        this.route = route;
        TreeMap<String, String> p = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        p.putAll(params);
        this.params = p;
    }

    /** The TLS facts of the call; the client's certificates are read from the session only when asked for. */
    void transport(boolean secure, java.util.function.Supplier<List<X509Certificate>> clientCertificates) {
        this.secure = secure;
        this.clientCertificates = clientCertificates;
    }

    /** Whether the request came over TLS. */
    public boolean secure() {
        return secure;
    }

    /** The certificate chain the client presented during the TLS handshake (empty over plain HTTP or without one). */
    public List<X509Certificate> clientCertificates() {
        return clientCertificates.get();
    }

    void body(Buffer body) {
        this.body = body;
    }

    public boolean hasBody() {
        return body.length() > 0;
    }

    public String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    public Buffer bodyBytes() {
        return body;
    }

    /**
     * The body as JSON.
     *
     * @throws ApiException 400 InvalidRequestContent when it is not well-formed JSON
     */
    public JsonNode json() {
        if (json == null) {
            if (!hasBody() || bodyText().isBlank()) {
                json = Json.MAPPER.nullNode();
            } else {
                try {
                    json = Json.parse(bodyText());
                } catch (JsonProcessingException e) {
                    throw new ApiException(400, "InvalidRequestContent",
                            "The request content was invalid and could not be deserialized: '"
                                    + e.getOriginalMessage() + "'.");
                }
            }
        }
        return json;
    }

    /**
     * The body as a JSON object.
     *
     * @throws ApiException 400 when absent or not an object
     */
    public ObjectNode jsonObject() {
        JsonNode node = json();
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new ApiException(400, "InvalidRequestContent", "The request content is required and was not provided.");
        }
        if (!node.isObject()) {
            throw new ApiException(400, "InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: expected a JSON object.");
        }
        return (ObjectNode) node;
    }
}

package io.azimuth.http;

import io.vertx.core.http.HttpMethod;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A path template such as {@code /subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}} with its
 * handlers by method. Literal segments match case-insensitively; {@code {name}} captures one segment and a final
 * {@code {*name}} the rest of the path. A method has either a {@link Handler} (body read first, bounded; runs on a
 * worker, unless a {@link FastHandler} answers at once on the event loop) or a {@link StreamingHandler} (body unread
 * and unbounded; runs on the event loop).
 */
public final class Route {
    private final String template;
    private final Envelope envelope;
    /** What the route serves, as its envelope understands it (for ARM, the resource type); null for nothing. */
    private final Object subject;
    private final Map<HttpMethod, Handler> handlers = new LinkedHashMap<>();
    private final Map<HttpMethod, StreamingHandler> streaming = new LinkedHashMap<>();
    private final Set<HttpMethod> methods = new LinkedHashSet<>();

    private Route(String template, Envelope envelope, Object subject) {
        this.template = template;
        this.envelope = envelope;
        this.subject = subject;
    }

    public static Route at(String template, Envelope envelope) {
        return new Route(template, envelope, null);
    }

    /**
     * A route serving {@code subject}, which only its envelope interprets (the ARM envelope: a resource type, whose
     * api-versions apply under strict api-version checking).
     */
    public static Route at(String template, Envelope envelope, Object subject) {
        return new Route(template, envelope, subject);
    }

    public Route on(HttpMethod method, Handler handler) {
        streaming.remove(method);
        handlers.put(method, handler);
        methods.add(method);
        return this;
    }

    /** A method whose handler reads the request body itself, as a stream; see {@link StreamingHandler}. */
    public Route streaming(HttpMethod method, StreamingHandler handler) {
        handlers.remove(method);
        streaming.put(method, handler);
        methods.add(method);
        return this;
    }

    public Route get(Handler h) {
        return on(HttpMethod.GET, h);
    }

    public Route head(Handler h) {
        return on(HttpMethod.HEAD, h);
    }

    public Route put(Handler h) {
        return on(HttpMethod.PUT, h);
    }

    public Route patch(Handler h) {
        return on(HttpMethod.PATCH, h);
    }

    public Route post(Handler h) {
        return on(HttpMethod.POST, h);
    }

    public Route delete(Handler h) {
        return on(HttpMethod.DELETE, h);
    }

    public String template() {
        return template;
    }

    public Envelope envelope() {
        return envelope;
    }

    /** What the route serves, for its envelope; null for routes outside any (metadata, operations, emulator). */
    public Object subject() {
        return subject;
    }

    public Handler handler(HttpMethod method) {
        return handlers.get(method);
    }

    /** The streaming handler of a method, or null when it has none (it may have a plain {@link #handler}). */
    public StreamingHandler streamingHandler(HttpMethod method) {
        return streaming.get(method);
    }

    /** The methods served, in the order they were added. */
    public Set<HttpMethod> methods() {
        return Collections.unmodifiableSet(methods);
    }
}

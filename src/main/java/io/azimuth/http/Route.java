package io.azimuth.http;

import io.azimuth.arm.ResourceType;
import io.vertx.core.http.HttpMethod;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A path template such as {@code /subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}} with its
 * handlers by method. Literal segments match case-insensitively; {@code {name}} captures one segment.
 */
public final class Route {
    private final String template;
    private final Envelope envelope;
    private final ResourceType resourceType;
    private final Map<HttpMethod, Handler> handlers = new LinkedHashMap<>();

    private Route(String template, Envelope envelope, ResourceType resourceType) {
        this.template = template;
        this.envelope = envelope;
        this.resourceType = resourceType;
    }

    public static Route at(String template, Envelope envelope) {
        return new Route(template, envelope, null);
    }

    /** A route serving a resource type: its api-versions apply under strict api-version checking. */
    public static Route at(String template, Envelope envelope, ResourceType type) {
        return new Route(template, envelope, type);
    }

    public Route on(HttpMethod method, Handler handler) {
        handlers.put(method, handler);
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

    /** The resource type served, or null for routes outside any (metadata, operations, emulator). */
    public ResourceType resourceType() {
        return resourceType;
    }

    public Handler handler(HttpMethod method) {
        return handlers.get(method);
    }

    public Set<HttpMethod> methods() {
        return handlers.keySet();
    }
}

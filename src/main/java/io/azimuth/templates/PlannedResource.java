package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One resource of a prepared template, copies expanded and children flattened: its id, type, name and
 * api-version (known before deployment), what it waits for, and its body, evaluated when it is deployed so that
 * {@code reference()} reads what the resources before it became.
 */
public final class PlannedResource {
    /** The resource keys that steer the deployment and are not part of the resource's own body. */
    static final Set<String> TEMPLATE_KEYS = Set.of("type", "name", "apiversion", "dependson", "condition", "copy",
            "resources", "comments", "metadata", "scope", "id");

    private final String id;
    private final String type;
    private final String name;
    private final String apiVersion;
    final Set<String> dependsOn = new LinkedHashSet<>();
    final JsonNode definition;
    final Evaluator frame;
    final String copyName;
    final String parentId;
    final int order;

    PlannedResource(String id, String type, String name, String apiVersion, JsonNode definition, Evaluator frame,
                    String copyName, String parentId, int order) {
        this.id = id;
        this.type = type;
        this.name = name;
        this.apiVersion = apiVersion;
        this.definition = definition;
        this.frame = frame;
        this.copyName = copyName;
        this.parentId = parentId;
        this.order = order;
    }

    public String id() {
        return id;
    }

    /** The full type, such as {@code Microsoft.Network/virtualNetworks/subnets}. */
    public String type() {
        return type;
    }

    /** The full name, such as {@code vnet/default} for a subnet. */
    public String name() {
        return name;
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** The ids of the template's resources this one is deployed after, explicit and implied. */
    public Set<String> dependsOn() {
        return Collections.unmodifiableSet(dependsOn);
    }

    /** The body its provider is given, every expression evaluated now against {@code scope}. */
    public ObjectNode body(Scope scope) {
        return evaluate(frame.as(Evaluator.Mode.DEPLOY, scope, null));
    }

    /** The body evaluated with reads of resources left unknown, gathering the ids it refers to. */
    void check(Set<String> touched) {
        evaluate(frame.as(Evaluator.Mode.TRIAL, frame.scope, touched));
    }

    private ObjectNode evaluate(Evaluator ev) {
        ObjectNode out = Values.F.objectNode();
        definition.fields().forEachRemaining(e -> {
            if (!TEMPLATE_KEYS.contains(Values.lower(e.getKey()))) {
                out.set(e.getKey(), ev.evaluate(e.getValue()));
            }
        });
        return out;
    }
}

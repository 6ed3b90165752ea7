package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a template's functions can see of the world they deploy into. */
public interface Scope {
    String subscriptionId();

    String tenantId();

    /** The target group as {@code GET} on it answers: id, name, type, location, tags, properties. */
    ObjectNode resourceGroup();

    String deploymentName();

    /**
     * {@code reference(id, apiVersion[, 'Full'])}: the resource's properties, or with {@code full} its whole
     * document; a {@link TemplateException} when it does not exist.
     */
    JsonNode reference(String resourceId, String apiVersion, boolean full);

    /** {@code listKeys(id, apiVersion)}: the keys of a resource type that has them. */
    JsonNode listKeys(String resourceId, String apiVersion);
}

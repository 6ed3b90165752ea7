package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.ResourceKinds;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.templates.Scope;
import io.azimuth.templates.TemplateException;

import java.util.Optional;

/**
 * What a template's functions see of the world while a deployment runs: its subscription, tenant and group, and
 * the resources as their GET answers them ({@code reference()}), read through the kinds registry.
 */
final class DeploymentScope implements Scope {
    private final ResourceKinds kinds;
    private final String subscriptionId;
    private final String tenantId;
    private final ObjectNode resourceGroup;
    private final String deploymentName;

    DeploymentScope(ResourceKinds kinds, String subscriptionId, String tenantId, ObjectNode resourceGroup,
                    String deploymentName) {
        this.kinds = kinds;
        this.subscriptionId = subscriptionId;
        this.tenantId = tenantId;
        this.resourceGroup = resourceGroup;
        this.deploymentName = deploymentName;
    }

    @Override
    public String subscriptionId() {
        return subscriptionId;
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    @Override
    public ObjectNode resourceGroup() {
        return resourceGroup.deepCopy();
    }

    @Override
    public String deploymentName() {
        return deploymentName;
    }

    @Override
    public JsonNode reference(String resourceId, String apiVersion, boolean full) {
        ResourceId id;
        try {
            id = ResourceId.parse(resourceId);
        } catch (IllegalArgumentException e) {
            throw new TemplateException("InvalidTemplate", "Deployment template validation failed: 'The resource "
                    + "id '" + resourceId + "' given to reference() is not a valid resource id.'.");
        }
        TrackedResources type = kinds.kind(id.fullType()).orElseThrow(() -> new TemplateException(
                "NoRegisteredProviderFound", "No registered resource provider found for the type '" + id.fullType()
                + "'."));
        ObjectNode doc = read(type, id).orElseThrow(() -> new TemplateException("ResourceNotFound", "The Resource '"
                + typedName(id) + "' under resource group '" + id.resourceGroup() + "' was not found. For more "
                + "details please go to https://aka.ms/ARMResourceNotFoundFix"));
        if (full) {
            ObjectNode out = doc.deepCopy();
            out.put("apiVersion", apiVersion == null ? "" : apiVersion);
            return out;
        }
        JsonNode props = doc.get("properties");
        return props == null ? Json.object() : props.deepCopy();
    }

    @Override
    public JsonNode listKeys(String resourceId, String apiVersion) {
        throw new TemplateException("InvalidTemplate", "Deployment template validation failed: 'The resource '"
                + resourceId + "' has no keys to list: Azimuth serves no resource type with keys.'.");
    }

    private static Optional<ObjectNode> read(TrackedResources type, ResourceId id) {
        try {
            return Optional.of(Json.readObject(type.get(id).body().toString()));
        } catch (ApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static String typedName(ResourceId id) {
        String path = id.toString();
        int at = path.toLowerCase(java.util.Locale.ROOT).indexOf("/providers/");
        return at < 0 ? path : path.substring(at + "/providers/".length());
    }
}

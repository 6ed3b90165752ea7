package io.azimuth.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Tags;
import io.azimuth.http.Json;
import io.azimuth.store.StoredResource;

import java.util.LinkedHashMap;
import java.util.Map;

/** A resource group: the state the Resources provider keeps, and its wire form. */
public record ResourceGroup(ResourceId id, String location, Map<String, String> tags, String managedBy,
                            String provisioningState, long createdAt) {
    public static final String TYPE = "Microsoft.Resources/resourceGroups";
    public static final String SUCCEEDED = "Succeeded";
    public static final String DELETING = "Deleting";

    public boolean deleting() {
        return DELETING.equals(provisioningState);
    }

    public ResourceGroup withProvisioningState(String state) {
        return new ResourceGroup(id, location, tags, managedBy, state, createdAt);
    }

    public ResourceGroup withTags(Map<String, String> newTags) {
        return new ResourceGroup(id, location, newTags, managedBy, provisioningState, createdAt);
    }

    public ResourceGroup withManagedBy(String newManagedBy) {
        return new ResourceGroup(id, location, tags, newManagedBy, provisioningState, createdAt);
    }

    /** The wire form ARM answers with. */
    public ObjectNode render() {
        ObjectNode node = Json.object();
        node.put("id", id.toString());
        node.put("name", id.resourceGroup());
        node.put("type", TYPE);
        node.put("location", location);
        if (managedBy != null) {
            node.put("managedBy", managedBy);
        }
        if (tags != null) {
            node.set("tags", Tags.render(tags));
        }
        node.putObject("properties").put("provisioningState", provisioningState);
        return node;
    }

    public StoredResource toRecord(long now) {
        ObjectNode doc = Json.object();
        doc.put("location", location);
        if (tags != null) {
            doc.set("tags", Tags.render(tags));
        }
        if (managedBy != null) {
            doc.put("managedBy", managedBy);
        }
        doc.put("provisioningState", provisioningState);
        return ResourceRecords.record(id, doc, createdAt, now);
    }

    public static ResourceGroup fromRecord(StoredResource r) {
        ObjectNode doc = Json.readObject(r.body());
        Map<String, String> tags = null;
        JsonNode t = doc.get("tags");
        if (t != null && t.isObject()) {
            tags = new LinkedHashMap<>();
            Map<String, String> into = tags;
            t.fields().forEachRemaining(e -> into.put(e.getKey(), e.getValue().asText()));
        }
        return new ResourceGroup(ResourceId.parse(r.id()), doc.path("location").asText(), tags,
                doc.hasNonNull("managedBy") ? doc.get("managedBy").asText() : null,
                doc.path("provisioningState").asText(SUCCEEDED), r.createdAt());
    }
}

package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Tags;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** What the documents of every Microsoft.Network type share: envelope, etag, resource GUID, references. */
final class NetworkDocs {
    static final String NAMESPACE = "Microsoft.Network";
    static final String VNET = NAMESPACE + "/virtualNetworks";
    static final String SUBNET = VNET + "/subnets";
    static final String NSG = NAMESPACE + "/networkSecurityGroups";
    static final String PIP = NAMESPACE + "/publicIPAddresses";
    static final String NIC = NAMESPACE + "/networkInterfaces";
    /** The type whose documents reference network interfaces from Microsoft.Compute (read as rows, by type only). */
    static final String VM = "Microsoft.Compute/virtualMachines";
    private static final int MAX_REFERRERS = 1000;

    private NetworkDocs() {
    }

    /** A weak etag, new on every change: {@code W/"guid"}. */
    static String etag() {
        return "W/\"" + UUID.randomUUID() + "\"";
    }

    /** The envelope of a tracked resource from its PUT body: name, id, etag, type, location, tags. */
    static ObjectNode tracked(String type, ResourceId id, ObjectNode body, Optional<ObjectNode> current) {
        String location = Fields.location(body);
        current.ifPresent(c -> TrackedResources.requireSameLocation(c, location));
        ObjectNode doc = Json.object();
        doc.put("name", id.name());
        doc.put("id", id.toString());
        doc.put("etag", etag());
        doc.put("type", type);
        doc.put("location", location);
        java.util.Map<String, String> tags = Tags.parse(body.get("tags"));
        if (tags != null) {
            doc.set("tags", Tags.render(tags));
        }
        return doc;
    }

    /** The envelope of a nested resource (no location, no tags). */
    static ObjectNode nested(String type, ResourceId id) {
        ObjectNode doc = Json.object();
        doc.put("name", id.name());
        doc.put("id", id.toString());
        doc.put("etag", etag());
        doc.put("type", type);
        return doc;
    }

    /** The resource GUID a resource keeps for its life, made when it is created. */
    static String resourceGuid(Optional<ObjectNode> current) {
        return current.map(c -> c.path("properties").path("resourceGuid").asText(""))
                .filter(s -> !s.isEmpty()).orElseGet(() -> UUID.randomUUID().toString());
    }

    /** The PATCH of Microsoft.Network's top-level types: their tags (updateTags). */
    static ObjectNode patchTags(ObjectNode current, ObjectNode body) {
        if (body.has("tags")) {
            java.util.Map<String, String> tags = Tags.parse(body.get("tags"));
            if (tags == null) {
                current.remove("tags");
            } else {
                current.set("tags", Tags.render(tags));
            }
        }
        current.put("etag", etag());
        return current;
    }

    /** The id in {@code holder.member.id}, checked to be one of {@code type}; null when absent. */
    static ResourceId reference(JsonNode holder, String member, String field, String type) {
        ObjectNode ref = Fields.object(holder, member, field);
        if (ref == null) {
            return null;
        }
        String raw = Fields.text(ref, "id", field + ".id");
        return raw == null ? null : Fields.reference(raw, field + ".id", type);
    }

    /** The key of the resource {@code raw} names, or null when it is no resource id. */
    static String key(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return ResourceId.parse(raw.startsWith("/") ? raw : "/" + raw).key();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The rows of {@code type} whose documents reference {@code key}, in key order. */
    static List<StoredResource> referrers(StoreTx tx, String key, String type) {
        List<StoredResource> out = new ArrayList<>();
        String folded = type.toLowerCase(Locale.ROOT);
        for (String source : tx.referrers(key, MAX_REFERRERS)) {
            tx.resource(source).filter(r -> r.type().equals(folded)).ifPresent(out::add);
        }
        return out;
    }

    /** An array of the strings of {@code node} (a JSON array), each checked. */
    static ArrayNode strings(JsonNode node, String field) {
        ArrayNode out = Json.array();
        if (!Fields.present(node)) {
            return out;
        }
        if (!node.isArray()) {
            throw Fields.invalid(field, "The value of '" + field + "' must be an array.");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw Fields.invalid(field + "[" + i + "]", "The value of '" + field + "[" + i + "]' must be a string.");
            }
            out.add(node.get(i).asText());
        }
        return out;
    }

    /** An optional array member; 400 when present but not an array. */
    static ArrayNode array(JsonNode parent, String name, String field) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (!Fields.present(n)) {
            return null;
        }
        if (!n.isArray()) {
            throw Fields.invalid(field, "The value of '" + field + "' must be an array.");
        }
        return (ArrayNode) n;
    }

    /** A document's view without its private state. */
    static ObjectNode publicCopy(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        copy.remove(ResourceRecords.PRIVATE_STATE);
        return copy;
    }

    static ObjectNode idRef(String id) {
        ObjectNode ref = Json.object();
        ref.put("id", id);
        return ref;
    }
}

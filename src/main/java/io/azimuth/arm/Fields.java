package io.azimuth.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;

import java.util.List;
import java.util.Locale;

/**
 * Reading request fields the way ARM resource providers do: enums case-insensitively (answered in the
 * service's casing), integers and booleans strictly, resource-id references with or without the leading slash.
 * Every refusal is a 400 naming the field in {@code target}.
 */
public final class Fields {
    private Fields() {
    }

    public static ApiException invalid(String field, String message) {
        return ArmErrors.invalidParameter(field, message);
    }

    public static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    /** An optional object member; 400 when present but not an object. */
    public static ObjectNode object(JsonNode parent, String name, String field) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (!present(n)) {
            return null;
        }
        if (!n.isObject()) {
            throw invalid(field, "The value of '" + field + "' must be an object.");
        }
        return (ObjectNode) n;
    }

    public static String text(JsonNode parent, String name, String field) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (!present(n)) {
            return null;
        }
        if (!n.isTextual()) {
            throw invalid(field, "The value of '" + field + "' must be a string.");
        }
        return n.asText();
    }

    /** An optional integer; numeric strings are accepted as the services accept them. */
    public static Integer integer(JsonNode parent, String name, String field) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (!present(n)) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.asInt();
        }
        if (n.isTextual()) {
            try {
                return Integer.parseInt(n.asText().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw invalid(field, "The value '" + n.asText() + "' of '" + field + "' is not an integer.");
    }

    public static Boolean bool(JsonNode parent, String name, String field) {
        JsonNode n = parent == null ? null : parent.get(name);
        if (!present(n)) {
            return null;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isTextual() && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(n.asText());
        }
        throw invalid(field, "The value '" + n.asText() + "' of '" + field + "' is not a boolean.");
    }

    /** An optional enum, matched case-insensitively and returned in its canonical casing. */
    public static String enumValue(JsonNode parent, String name, String field, List<String> allowed) {
        String value = text(parent, name, field);
        if (value == null) {
            return null;
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        throw invalid(field, "The value '" + value + "' of parameter '" + field + "' is not allowed. Allowed values are '"
                + String.join("', '", allowed) + "'.");
    }

    public static String requiredEnum(JsonNode parent, String name, String field, List<String> allowed) {
        String value = enumValue(parent, name, field, allowed);
        if (value == null) {
            throw invalid(field, "Required parameter '" + field + "' is missing (null). Allowed values are '"
                    + String.join("', '", allowed) + "'.");
        }
        return value;
    }

    /**
     * A resource id referenced from a request body, accepted with or without the leading slash (Azure's own
     * examples omit it).
     *
     * @param expectedType the full type it must name, e.g. {@code Microsoft.Compute/snapshots}; null for any
     */
    public static ResourceId reference(String raw, String field, String expectedType) {
        if (raw == null || raw.isBlank()) {
            throw invalid(field, "Required parameter '" + field + "' is missing (null).");
        }
        ResourceId id;
        try {
            id = ResourceId.parse(raw.startsWith("/") ? raw : "/" + raw);
        } catch (IllegalArgumentException e) {
            throw invalid(field, "The value '" + raw + "' of '" + field + "' is not a valid resource id: "
                    + e.getMessage() + ".");
        }
        if (expectedType != null && !id.fullType().toLowerCase(Locale.ROOT).equals(expectedType.toLowerCase(Locale.ROOT))) {
            throw invalid(field, "The resource id '" + raw + "' of '" + field + "' does not name a resource of type '"
                    + expectedType + "'.");
        }
        return id;
    }

    /** The region a tracked resource is created in: required, known, normalised ({@code West US} → {@code westus}). */
    public static String location(JsonNode body) {
        return Locations.require(text(body, "location", "location"), "LocationNotAvailableForResourceType",
                "this resource type");
    }
}

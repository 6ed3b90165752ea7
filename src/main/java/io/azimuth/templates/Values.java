package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** The value rules ARM's functions share: type names, conversions, equality and comparison. */
final class Values {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A value not known until the resources it reads exist: what {@code reference()} gives while a plan is
     * checked. Every function given it answers it again, so checking goes on without the resource.
     */
    static final JsonNode UNKNOWN = new TextNode("\u0000value known at deployment time");

    private Values() {
    }

    static boolean unknown(JsonNode v) {
        return v == UNKNOWN;
    }

    static String typeName(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "Null";
        }
        if (v.isTextual()) {
            return "String";
        }
        if (v.isIntegralNumber()) {
            return "Integer";
        }
        if (v.isNumber()) {
            return "Float";
        }
        if (v.isBoolean()) {
            return "Boolean";
        }
        if (v.isArray()) {
            return "Array";
        }
        return "Object";
    }

    /** ARM's {@code string()}: strings as they are, booleans as {@code True}/{@code False}, the rest as JSON. */
    static String display(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "";
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "True" : "False";
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? Long.toString(v.longValue()) : v.asText();
        }
        return v.toString();
    }

    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.isIntegralNumber() && b.isIntegralNumber() ? a.longValue() == b.longValue()
                    : a.doubleValue() == b.doubleValue();
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode other = field(b, e.getKey());
                if (other == null || !same(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** A property of an object, matched without regard to case as ARM does; null when absent. */
    static JsonNode field(JsonNode object, String name) {
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

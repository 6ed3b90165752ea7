package io.azimuth.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Resource tags as ARM accepts them: at most 50, names up to 512 characters, values up to 256, strings only. */
public final class Tags {
    public static final int MAX_TAGS = 50;
    public static final int MAX_NAME = 512;
    public static final int MAX_VALUE = 256;

    private Tags() {
    }

    /** Parses and checks a {@code tags} member; null when absent or JSON null. */
    public static Map<String, String> parse(JsonNode tags) {
        if (tags == null || tags.isNull() || tags.isMissingNode()) {
            return null;
        }
        if (!tags.isObject()) {
            throw ApiException.badRequest("InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: 'tags' must be an object.", "tags");
        }
        if (tags.size() > MAX_TAGS) {
            throw ApiException.badRequest("InvalidTagCount", "The number of tags (" + tags.size()
                    + ") exceeds the maximum of " + MAX_TAGS + ".", "tags");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = tags.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.isEmpty() || name.length() > MAX_NAME) {
                throw ApiException.badRequest("InvalidTagNameLength", "The tag name '" + abbreviate(name)
                        + "' must be 1 to " + MAX_NAME + " characters long.", "tags");
            }
            if (name.chars().anyMatch(c -> "<>%&\\?/".indexOf(c) >= 0)) {
                throw ApiException.badRequest("InvalidTagNameCharacters", "The tag name '" + abbreviate(name)
                        + "' has invalid characters: '<', '>', '%', '&', '\\', '?' and '/' are not allowed.", "tags");
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                out.put(name, "");
                continue;
            }
            if (!v.isTextual()) {
                throw ApiException.badRequest("InvalidRequestContent", "The request content was invalid and could "
                        + "not be deserialized: the value of tag '" + abbreviate(name) + "' must be a string.", "tags");
            }
            if (v.asText().length() > MAX_VALUE) {
                throw ApiException.badRequest("InvalidTagValueLength", "The value of tag '" + abbreviate(name)
                        + "' exceeds the maximum length of " + MAX_VALUE + " characters.", "tags");
            }
            out.put(name, v.asText());
        }
        return out;
    }

    public static ObjectNode render(Map<String, String> tags) {
        ObjectNode node = Json.object();
        tags.forEach(node::put);
        return node;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}

package io.azimuth.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.vertx.core.buffer.Buffer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * ARM list paging: {@code $top} bounds a page, an opaque {@code $skiptoken} carries the last key served, and
 * {@code nextLink} is the absolute URL of the next page, null on the last one. Keys are stable, so a listing
 * neither skips nor repeats resources written between pages.
 */
public final class Paging {
    private Paging() {
    }

    /** How much to fetch and from where. */
    public record PageRequest(int limit, String afterKey) {
    }

    public static PageRequest request(ApiRequest request, int defaultSize) {
        int limit = defaultSize;
        String top = request.query("$top");
        if (top != null) {
            try {
                limit = Integer.parseInt(top.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1) {
                throw ArmErrors.invalidParameter("$top",
                        "The value '" + top + "' of query parameter '$top' is not a positive integer.");
            }
            limit = Math.min(limit, defaultSize);
        }
        String token = request.query("$skiptoken");
        String after = null;
        if (token != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ArmErrors.invalidParameter("$skiptoken", "The '$skiptoken' query parameter is invalid.");
            }
            if (!after.startsWith("/")) {
                throw ArmErrors.invalidParameter("$skiptoken", "The '$skiptoken' query parameter is invalid.");
            }
        }
        return new PageRequest(limit, after);
    }

    /**
     * Renders {@code {"value":[...],"nextLink":...}}.
     *
     * @param lastKey the key of the last item when more follow, else null
     */
    public static ObjectNode render(ApiRequest request, List<? extends JsonNode> items, String lastKey) {
        ObjectNode page = Json.object();
        ArrayNode value = page.putArray("value");
        items.forEach(value::add);
        if (lastKey == null) {
            page.putNull("nextLink");
        } else {
            page.put("nextLink", nextLink(request, lastKey));
        }
        return page;
    }

    /**
     * The same page as {@link #render}, for items that are JSON documents already in their wire form: their text is
     * spliced into the answer, never parsed or re-serialised.
     */
    public static Buffer renderRaw(ApiRequest request, List<String> items, String lastKey) {
        int size = 64;
        byte[][] bytes = new byte[items.size()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = items.get(i).getBytes(StandardCharsets.UTF_8);
            size += bytes[i].length + 1;
        }
        Buffer page = Buffer.buffer(size).appendString("{\"value\":[");
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                page.appendByte((byte) ',');
            }
            page.appendBytes(bytes[i]);
        }
        page.appendString("],\"nextLink\":");
        return page.appendBytes(lastKey == null ? NULL : Json.writeBytes(TextNode.valueOf(nextLink(request, lastKey))))
                .appendByte((byte) '}');
    }

    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private static String nextLink(ApiRequest request, String lastKey) {
        StringBuilder url = new StringBuilder(request.baseUrl()).append(request.rawPath()).append('?');
        boolean first = true;
        for (Map.Entry<String, String> e : request.query().entries()) {
            if (e.getKey().equalsIgnoreCase("$skiptoken")) {
                continue;
            }
            if (!first) {
                url.append('&');
            }
            url.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            first = false;
        }
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
        return url.append(first ? "" : "&").append("$skiptoken=").append(token).toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("%24", "$").replace("+", "%20");
    }
}

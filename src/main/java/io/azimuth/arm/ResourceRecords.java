package io.azimuth.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.store.Store;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.StoredResource;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** How ARM resources map onto store rows: case-folded key and scope columns, the document as JSON. */
public final class ResourceRecords {
    private ResourceRecords() {
    }

    /**
     * The top-level member of a stored document that holds a provider's private state: never shown to clients,
     * and always stored last, so that {@link #withoutPrivateState(String)} can leave it out without parsing.
     */
    public static final String PRIVATE_STATE = "azimuthState";
    private static final String PRIVATE_MEMBER = ",\"" + PRIVATE_STATE + "\":";

    public static StoredResource record(ResourceId id, ObjectNode document, long createdAt, long updatedAt) {
        return new StoredResource(id.key(), id.toString(), fold(id.subscriptionId()), fold(id.resourceGroup()),
                fold(id.fullType()), id.name(), body(document), createdAt, updatedAt);
    }

    /** A document as stored: its JSON, with its private state (if any) moved to the end. */
    public static String body(ObjectNode document) {
        JsonNode state = document.get(PRIVATE_STATE);
        if (state != null) {
            document.remove(PRIVATE_STATE);
            document.set(PRIVATE_STATE, state);
        }
        return Json.write(document);
    }

    /**
     * A stored document's JSON without its private state, cut out of the text: the private state is the last
     * member (see {@link #body}), an object whose end is the document's. Null when the text is not so (then the
     * document must be parsed); the document as it is when it has no private state.
     */
    public static String withoutPrivateState(String body) {
        int at = body.lastIndexOf(PRIVATE_MEMBER);
        if (at < 0) {
            return body.contains("\"" + PRIVATE_STATE + "\"") ? null : body;
        }
        int i = at + PRIVATE_MEMBER.length();
        if (i >= body.length() || body.charAt(i) != '{') {
            return null;
        }
        int depth = 0;
        boolean inString = false;
        for (; i < body.length(); i++) {
            char c = body.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                break;
            }
        }
        // what follows the private state must be the document's closing brace and nothing else
        return i == body.length() - 2 && body.charAt(body.length() - 1) == '}' ? body.substring(0, at) + "}" : null;
    }

    /** A page of resources of {@code fullType} in a subscription, or in one group when {@code resourceGroup} is set. */
    public static ResourceQuery query(String subscription, String resourceGroup, String fullType,
                                      Paging.PageRequest page) {
        return new ResourceQuery(fold(subscription), fold(resourceGroup), fold(fullType), page.afterKey(),
                page.limit() + 1);
    }

    /**
     * One page of a listing, rendered: fetches one row beyond the page to know whether a next page exists.
     */
    public static ObjectNode listPage(ApiRequest request, Store store, int pageSize, String subscription,
                                      String resourceGroup, String fullType,
                                      Function<StoredResource, ? extends JsonNode> render) {
        Paging.PageRequest page = Paging.request(request, pageSize);
        List<StoredResource> rows = store.read(tx -> tx.listResources(query(subscription, resourceGroup, fullType, page)));
        boolean more = rows.size() > page.limit();
        List<StoredResource> shown = more ? rows.subList(0, page.limit()) : rows;
        List<JsonNode> items = new ArrayList<>(shown.size());
        shown.forEach(r -> items.add(render.apply(r)));
        return Paging.render(request, items, more ? shown.get(shown.size() - 1).key() : null);
    }

    /**
     * {@link #listPage} for resources whose stored document is what clients see: the page's JSON, the documents
     * spliced in as stored.
     */
    public static Buffer listPageRaw(ApiRequest request, Store store, int pageSize, String subscription,
                                     String resourceGroup, String fullType) {
        return listPageRaw(request, store, pageSize, subscription, resourceGroup, fullType, StoredResource::body);
    }

    /** {@link #listPageRaw} with each row's JSON as {@code wire} gives it. */
    public static Buffer listPageRaw(ApiRequest request, Store store, int pageSize, String subscription,
                                     String resourceGroup, String fullType, Function<StoredResource, String> wire) {
        Paging.PageRequest page = Paging.request(request, pageSize);
        List<StoredResource> rows = store.read(tx -> tx.listResources(query(subscription, resourceGroup, fullType, page)));
        boolean more = rows.size() > page.limit();
        List<StoredResource> shown = more ? rows.subList(0, page.limit()) : rows;
        List<String> items = new ArrayList<>(shown.size());
        shown.forEach(r -> items.add(wire.apply(r)));
        return Paging.renderRaw(request, items, more ? shown.get(shown.size() - 1).key() : null);
    }

    private static String fold(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}

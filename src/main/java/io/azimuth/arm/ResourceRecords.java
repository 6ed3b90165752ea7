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

    public static StoredResource record(ResourceId id, ObjectNode document, long createdAt, long updatedAt) {
        return new StoredResource(id.key(), id.toString(), fold(id.subscriptionId()), fold(id.resourceGroup()),
                fold(id.fullType()), id.name(), Json.write(document), createdAt, updatedAt);
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
        Paging.PageRequest page = Paging.request(request, pageSize);
        List<StoredResource> rows = store.read(tx -> tx.listResources(query(subscription, resourceGroup, fullType, page)));
        boolean more = rows.size() > page.limit();
        List<StoredResource> shown = more ? rows.subList(0, page.limit()) : rows;
        List<String> items = new ArrayList<>(shown.size());
        shown.forEach(r -> items.add(r.body()));
        return Paging.renderRaw(request, items, more ? shown.get(shown.size() - 1).key() : null);
    }

    private static String fold(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}

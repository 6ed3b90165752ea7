package io.azimuth.kinds;

import io.azimuth.arm.Paging;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceType;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.FastHandler;
import io.azimuth.http.Handler;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.Store;
import io.azimuth.store.StoredResource;
import io.vertx.core.http.HttpMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The routes of one kind, made from its declaration: for {@code Microsoft.X/parents/children},
 * <pre>
 * GET                  /subscriptions/{s}/providers/Microsoft.X/parents                       (top-level kinds only)
 * GET                  /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.X/parents    (top-level kinds only)
 * GET                  .../providers/Microsoft.X/parents/{name0}/children                     (nested: under the parent)
 * GET PUT PATCH DELETE .../providers/Microsoft.X/parents/{name0}/children/{name1}
 * (declared)           .../children/{name1}/{action or sub-resource}
 * </pre>
 * HEAD is answered by GET's handler. A GET of a kind whose view depends on the document alone is answered from the
 * resource cache on the event loop when it holds the answer.
 */
final class KindRoutes {
    private final ResourceKinds kinds;
    private final TrackedResources resources;
    private final ResourceKind kind;
    private final ResourceType type;
    private final int pageSize;
    private final Store store;

    KindRoutes(ResourceKinds kinds, TrackedResources resources, ResourceType type, int pageSize, Store store) {
        this.kinds = kinds;
        this.resources = resources;
        this.kind = resources.kind();
        this.type = type;
        this.pageSize = pageSize;
        this.store = store;
    }

    /** The path parameter holding the name at depth {@code i} (0 for the top-level resource). */
    static String nameParam(int i) {
        return "name" + i;
    }

    void register(Router router, Envelope arm) {
        String group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/" + kind.namespace;
        StringBuilder parent = new StringBuilder(group);
        int last = kind.segments.size() - 1;
        for (int i = 0; i < last; i++) {
            parent.append('/').append(kind.segments.get(i)).append("/{").append(nameParam(i)).append('}');
        }
        String collection = parent + "/" + kind.segments.get(last);
        String one = collection + "/{" + nameParam(last) + "}";
        if (kind.nested()) {
            router.add(Route.at(collection, arm, type).get(this::listUnderParent));
        } else {
            router.add(Route.at(collection, arm, type).get(r -> list(r, r.param("resourceGroupName"), null)));
            router.add(Route.at("/subscriptions/{subscriptionId}/providers/" + kind.namespace + "/" + kind.typePath,
                    arm, type).get(r -> list(r, null, null)));
        }
        Route route = Route.at(one, arm, type).get(getter())
                .put(r -> kinds.put(r, resources.id(r), r.jsonObject()))
                .delete(r -> kinds.delete(r, resources.id(r)));
        if (kind.patch != null) {
            route.patch(r -> kinds.patch(r, resources.id(r), r.jsonObject()));
        }
        router.add(route);
        for (Map.Entry<String, Map<HttpMethod, ResourceKind.Handler>> sub : kind.subroutes.entrySet()) {
            Route extra = Route.at(one + "/" + sub.getKey(), arm, type);
            sub.getValue().forEach((method, h) -> extra.on(method, r -> h.handle(r, resources.id(r))));
            router.add(extra);
        }
    }

    private Handler getter() {
        if (kind.get != null) {
            return r -> kind.get.handle(r, resources.id(r));
        }
        return FastHandler.of(r -> resources.cached(resources.id(r)), r -> resources.get(resources.id(r)));
    }

    private ApiResponse listUnderParent(ApiRequest r) {
        ResourceId parent = resources.parentId(r);
        return list(r, parent.resourceGroup(), parent);
    }

    /** One page of the kind's resources in a subscription, a group, or under a parent. */
    private ApiResponse list(ApiRequest r, String resourceGroup, ResourceId parent) {
        String subscription = r.param("subscriptionId");
        if (resourceGroup != null) {
            store.read(tx -> {
                kinds.requireListable(tx, kind, parent != null ? parent
                        : ResourceId.resourceGroup(subscription, resourceGroup));
                return null;
            });
        }
        Paging.PageRequest page = Paging.request(r, pageSize);
        ResourceQuery q = new ResourceQuery(fold(subscription), fold(resourceGroup), fold(kind.fullType()),
                page.afterKey(), page.limit() + 1, parent == null ? null : parent.key());
        List<StoredResource> rows = store.read(tx -> tx.listResources(q));
        boolean more = rows.size() > page.limit();
        List<StoredResource> shown = more ? rows.subList(0, page.limit()) : rows;
        String lastKey = more ? shown.get(shown.size() - 1).key() : null;
        if (resources.storedIsWire()) {
            List<String> items = new ArrayList<>(shown.size());
            shown.forEach(row -> items.add(resources.listed(row)));
            return ApiResponse.json(200, Paging.renderRaw(r, items, lastKey));
        }
        List<com.fasterxml.jackson.databind.JsonNode> items = new ArrayList<>(shown.size());
        shown.forEach(row -> items.add(resources.view(Json.readObject(row.body()))));
        return ApiResponse.ok(Paging.render(r, items, lastKey));
    }

    private static String fold(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}

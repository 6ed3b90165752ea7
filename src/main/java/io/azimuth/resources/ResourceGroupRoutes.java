package io.azimuth.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.ResourceType;
import io.azimuth.arm.Tags;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.lro.OperationEngine;
import io.azimuth.store.Store;
import io.azimuth.store.StoredOperation;

/** HTTP for resource groups: parses requests into {@link ResourceGroups} calls and renders the answers. */
final class ResourceGroupRoutes {
    private final ResourceGroups groups;
    private final Store store;
    private final OperationEngine operations;
    private final int pageSize;

    ResourceGroupRoutes(ResourceGroups groups, Store store, OperationEngine operations, int pageSize) {
        this.groups = groups;
        this.store = store;
        this.operations = operations;
        this.pageSize = pageSize;
    }

    void register(Router router, ArmEnvelope arm, ResourceType type) {
        router.add(Route.at("/subscriptions/{subscriptionId}/resourcegroups", arm, type).get(this::list));
        router.add(Route.at("/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}", arm, type)
                .get(this::get).head(this::exists).put(this::put).patch(this::patch).delete(this::delete));
    }

    private ApiResponse get(ApiRequest r) {
        String name = r.param("resourceGroupName");
        return ApiResponse.ok(groups.find(r.param("subscriptionId"), name)
                .orElseThrow(() -> ResourceGroups.notFound(name)).render());
    }

    private ApiResponse exists(ApiRequest r) {
        boolean found = groups.find(r.param("subscriptionId"), r.param("resourceGroupName")).isPresent();
        return ApiResponse.empty(found ? 204 : 404);
    }

    private ApiResponse put(ApiRequest r) {
        ObjectNode body = r.jsonObject();
        JsonNode location = body.get("location");
        if (location != null && !location.isNull() && !location.isTextual()) {
            throw ApiException.badRequest("InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: 'location' must be a string.",
                    "location");
        }
        ResourceGroups.Upserted result = groups.createOrUpdate(r.param("subscriptionId"), r.param("resourceGroupName"),
                location == null || location.isNull() ? null : location.asText(), Tags.parse(body.get("tags")),
                managedBy(body));
        return ApiResponse.json(result.created() ? 201 : 200, result.group().render());
    }

    private ApiResponse patch(ApiRequest r) {
        ObjectNode body = r.jsonObject();
        ResourceGroup group = groups.update(r.param("subscriptionId"), r.param("resourceGroupName"),
                Tags.parse(body.get("tags")), body.has("tags"), managedBy(body), body.has("managedBy"));
        return ApiResponse.ok(group.render());
    }

    private ApiResponse delete(ApiRequest r) {
        StoredOperation op = groups.delete(r, r.param("subscriptionId"), r.param("resourceGroupName"));
        if (op.done()) {
            return ApiResponse.empty(200);
        }
        return operations.accepted(r, op, ApiResponse.empty(202));
    }

    private ApiResponse list(ApiRequest r) {
        return ApiResponse.ok(ResourceRecords.listPage(r, store, pageSize, r.param("subscriptionId"), null,
                ResourceGroup.TYPE, row -> ResourceGroup.fromRecord(row).render()));
    }

    private static String managedBy(ObjectNode body) {
        JsonNode m = body.get("managedBy");
        if (m == null || m.isNull()) {
            return null;
        }
        if (!m.isTextual()) {
            throw ApiException.badRequest("InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: 'managedBy' must be a string.",
                    "managedBy");
        }
        return m.asText();
    }
}

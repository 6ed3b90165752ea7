package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.Paging;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.ResourceType;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.store.Store;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** HTTP for deployments at resource-group scope: parses requests into {@link Deployments} calls, renders answers. */
final class DeploymentRoutes {
    private static final String BASE = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}"
            + "/providers/Microsoft.Resources/deployments";

    private final Deployments deployments;
    private final Store store;
    private final int pageSize;

    DeploymentRoutes(Deployments deployments, Store store, int pageSize) {
        this.deployments = deployments;
        this.store = store;
        this.pageSize = pageSize;
    }

    void register(Router router, ArmEnvelope arm, ResourceType type) {
        router.add(Route.at(BASE, arm, type).get(this::list));
        router.add(Route.at(BASE + "/{deploymentName}", arm, type).put(this::put).get(this::get).head(this::exists)
                .delete(this::delete));
        router.add(Route.at(BASE + "/{deploymentName}/validate", arm, type).post(this::validate));
        router.add(Route.at(BASE + "/{deploymentName}/cancel", arm, type).post(this::cancel));
        router.add(Route.at(BASE + "/{deploymentName}/exportTemplate", arm, type).post(this::exportTemplate));
        router.add(Route.at(BASE + "/{deploymentName}/operations", arm, type).get(this::operations));
        router.add(Route.at(BASE + "/{deploymentName}/operations/{operationId}", arm, type).get(this::operation));
        router.add(Route.at(BASE + "/{deploymentName}/operationStatuses/{runId}", arm, type).get(this::status));
        // the operations' paths in Azure's own specification, without the provider segment (the SDKs use them)
        String legacy = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/deployments/{deploymentName}";
        router.add(Route.at(legacy + "/operations", arm, type).get(this::operations));
        router.add(Route.at(legacy + "/operations/{operationId}", arm, type).get(this::operation));
    }

    private static String sub(ApiRequest r) {
        return r.param("subscriptionId");
    }

    private static String group(ApiRequest r) {
        return r.param("resourceGroupName");
    }

    private static String name(ApiRequest r) {
        return r.param("deploymentName");
    }

    private ApiResponse put(ApiRequest r) {
        DeploymentRequest req = DeploymentRequest.parse(r.jsonObject());
        Deployments.Accepted accepted = deployments.begin(r, sub(r), group(r), name(r), req);
        String status = r.baseUrl() + accepted.view().path("id").asText() + "/operationStatuses/" + accepted.runId()
                + "?api-version=" + URLEncoder.encode(r.query("api-version"), StandardCharsets.UTF_8);
        return ApiResponse.json(accepted.created() ? 201 : 200, accepted.view())
                .header("Azure-AsyncOperation", status).header("Retry-After", "1");
    }

    private ApiResponse get(ApiRequest r) {
        return ApiResponse.ok(deployments.get(sub(r), group(r), name(r)));
    }

    private ApiResponse exists(ApiRequest r) {
        return ApiResponse.empty(deployments.exists(sub(r), group(r), name(r)) ? 204 : 404);
    }

    private ApiResponse delete(ApiRequest r) {
        deployments.delete(sub(r), group(r), name(r));
        return ApiResponse.empty(204);
    }

    private ApiResponse validate(ApiRequest r) {
        DeploymentRequest req = DeploymentRequest.parse(r.jsonObject());
        return ApiResponse.ok(deployments.validate(r, sub(r), group(r), name(r), req));
    }

    private ApiResponse cancel(ApiRequest r) {
        deployments.cancel(sub(r), group(r), name(r));
        return ApiResponse.empty(204);
    }

    private ApiResponse exportTemplate(ApiRequest r) {
        ObjectNode body = Json.object();
        body.set("template", deployments.template(sub(r), group(r), name(r)));
        return ApiResponse.ok(body);
    }

    private ApiResponse operations(ApiRequest r) {
        List<ObjectNode> ops = deployments.operations(sub(r), group(r), name(r));
        return ApiResponse.ok(Paging.render(r, ops, null));
    }

    private ApiResponse operation(ApiRequest r) {
        String wanted = r.param("operationId");
        for (ObjectNode op : deployments.operations(sub(r), group(r), name(r))) {
            if (op.path("operationId").asText().equalsIgnoreCase(wanted)) {
                return ApiResponse.ok(op);
            }
        }
        throw ApiException.notFound("DeploymentOperationNotFound", "Deployment operation '" + wanted
                + "' of deployment '" + name(r) + "' could not be found.");
    }

    private ApiResponse status(ApiRequest r) {
        ObjectNode status = deployments.status(sub(r), group(r), name(r), r.param("runId"));
        ApiResponse response = ApiResponse.ok(status);
        String s = status.path("status").asText();
        return s.equals(DeploymentDocument.RUNNING) ? response.header("Retry-After", "1") : response;
    }

    private ApiResponse list(ApiRequest r) {
        String filter = r.query("$filter");
        String state = filter == null ? null : provisioningStateFilter(filter);
        store.read(tx -> io.azimuth.resources.ResourceGroups.find(tx, sub(r), group(r)))
                .orElseThrow(() -> io.azimuth.resources.ResourceGroups.notFound(group(r)));
        ObjectNode page = ResourceRecords.listPage(r, store, pageSize, sub(r), group(r), DeploymentDocument.TYPE,
                DeploymentDocument::view);
        if (state != null) {
            com.fasterxml.jackson.databind.node.ArrayNode kept = Json.array();
            for (JsonNode d : page.path("value")) {
                if (d.path("properties").path("provisioningState").asText().equalsIgnoreCase(state)) {
                    kept.add(d);
                }
            }
            page.set("value", kept);
        }
        return ApiResponse.ok(page);
    }

    /** {@code provisioningState eq 'Succeeded'}: the one filter deployments' lists take. */
    private static String provisioningStateFilter(String filter) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^\\s*provisioningState\\s+eq\\s+'([^']*)'\\s*$", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(filter);
        if (!m.matches()) {
            throw ApiException.badRequest("InvalidFilterInQueryString", "The $filter '" + filter + "' is not "
                    + "supported: deployments are filtered by provisioningState eq '<state>' only.", "$filter");
        }
        return m.group(1);
    }
}

package io.azimuth.authorization;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.ResourceType;
import io.azimuth.auth.Auth;
import io.azimuth.auth.BuiltInRoles;
import io.azimuth.auth.RoleBasedAccess;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft.Authorization: role assignments at subscription, resource-group and resource scope (PUT, GET, DELETE,
 * list with {@code atScope()} and {@code principalId eq '...'} filters) and the built-in role definitions. In strict
 * mode with declared principals the access check is theirs: the file's assignments and the stored ones, inherited
 * down the scope.
 */
public final class AuthorizationProvider implements Provider {
    public static final String NAMESPACE = "Microsoft.Authorization";
    static final List<String> VERSIONS = List.of("2022-04-01", "2022-01-01-preview", "2020-10-01-preview",
            "2020-04-01-preview", "2018-09-01-preview", "2018-07-01", "2018-01-01-preview", "2017-05-01",
            "2015-07-01");
    private static final String[] SCOPES = {"/subscriptions/{subscriptionId}",
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}/{name}"};
    private static final Pattern PRINCIPAL_FILTER = Pattern.compile("(?i)^\\s*principalId\\s+eq\\s+'([^']*)'\\s*$");
    private static final Pattern ROLE_NAME_FILTER = Pattern.compile("(?i)^\\s*roleName\\s+eq\\s+'([^']*)'\\s*$");

    @Override
    public void register(Platform p) {
        ResourceType assignmentsType = p.catalog().register(NAMESPACE, "roleAssignments", VERSIONS);
        ResourceType definitionsType = p.catalog().register(NAMESPACE, "roleDefinitions", VERSIONS);
        Auth auth = p.auth();
        RoleAssignments assignments = new RoleAssignments(p.store(), auth.principals());
        Router router = p.router();
        ArmEnvelope arm = p.arm();
        for (String scope : SCOPES) {
            String base = scope + "/providers/" + NAMESPACE;
            router.add(Route.at(base + "/roleAssignments", arm, assignmentsType).get(r -> list(r, assignments)));
            router.add(Route.at(base + "/roleAssignments/{assignmentName}", arm, assignmentsType)
                    .put(r -> put(r, assignments)).get(r -> get(r, assignments)).delete(r -> delete(r, assignments)));
            router.add(Route.at(base + "/roleDefinitions", arm, definitionsType).get(this::definitions));
            router.add(Route.at(base + "/roleDefinitions/{roleDefinitionId}", arm, definitionsType)
                    .get(this::definition));
        }
        router.add(Route.at("/providers/" + NAMESPACE + "/roleDefinitions", arm, definitionsType).get(this::definitions));
        router.add(Route.at("/providers/" + NAMESPACE + "/roleDefinitions/{roleDefinitionId}", arm, definitionsType)
                .get(this::definition));
        if (auth.principals().declared()) {
            // the file's assignments are checked at start whatever the mode: a wrong one stops the start
            List<RoleBasedAccess.Grant> declared = RoleBasedAccess.of(auth.principals()).grants();
            if (auth.strict()) {
                auth.authorizeWith(access(declared, assignments));
            }
        }
    }

    /** The file's grants and the stored ones of the scope's subscription. */
    private static io.azimuth.auth.Authorizer access(List<RoleBasedAccess.Grant> declared,
                                                     RoleAssignments assignments) {
        return (caller, action, scope) -> {
            List<RoleBasedAccess.Grant> all = new ArrayList<>(declared);
            all.addAll(assignments.grants(RoleAssignments.subscriptionOf(scope)));
            new RoleBasedAccess(all).authorize(caller, action, scope);
        };
    }

    /** The scope a request's path names: everything before {@code /providers/Microsoft.Authorization}. */
    static String scope(ApiRequest r) {
        String path = r.path();
        int at = path.toLowerCase(java.util.Locale.ROOT).lastIndexOf("/providers/microsoft.authorization/");
        String scope = at <= 0 ? "/" : path.substring(0, at);
        // the resource group segment as ARM spells it in ids
        return scope.replaceFirst("(?i)/resourcegroups/", "/resourceGroups/");
    }

    private ApiResponse put(ApiRequest r, RoleAssignments assignments) {
        RoleAssignments.Result result = assignments.put(scope(r), r.param("assignmentName"), r.jsonObject());
        return ApiResponse.json(result.created() ? 201 : 200, result.document());
    }

    private ApiResponse get(ApiRequest r, RoleAssignments assignments) {
        return ApiResponse.ok(assignments.get(scope(r), r.param("assignmentName"))
                .orElseThrow(() -> notFound(r.param("assignmentName"))));
    }

    private ApiResponse delete(ApiRequest r, RoleAssignments assignments) {
        Optional<ObjectNode> deleted = assignments.delete(scope(r), r.param("assignmentName"));
        return deleted.map(ApiResponse::ok).orElseGet(() -> ApiResponse.empty(204));
    }

    private static ApiException notFound(String name) {
        return new ApiException(404, "RoleAssignmentNotFound", "The role assignment '" + name + "' is not found.");
    }

    private ApiResponse list(ApiRequest r, RoleAssignments assignments) {
        String filter = r.query("$filter");
        boolean atScope = false;
        String principal = null;
        if (filter != null && !filter.isBlank()) {
            for (String clause : filter.split("(?i)\\s+and\\s+")) {
                Matcher m = PRINCIPAL_FILTER.matcher(clause);
                if (clause.trim().equalsIgnoreCase("atScope()")) {
                    atScope = true;
                } else if (m.matches()) {
                    principal = m.group(1);
                } else {
                    throw ApiException.badRequest("InvalidFilterInQueryString", "The filter '" + filter
                            + "' is not supported. Supported filters: atScope(), principalId eq '{id}'.", "$filter");
                }
            }
        }
        ObjectNode page = Json.object();
        ArrayNode value = page.putArray("value");
        assignments.list(scope(r), atScope, principal).forEach(value::add);
        return ApiResponse.ok(page);
    }

    private ApiResponse definitions(ApiRequest r) {
        String filter = r.query("$filter");
        String roleName = null;
        if (filter != null && !filter.isBlank()) {
            Matcher m = ROLE_NAME_FILTER.matcher(filter);
            if (!m.matches()) {
                throw ApiException.badRequest("InvalidFilterInQueryString", "The filter '" + filter
                        + "' is not supported. Supported filters: roleName eq '{name}'.", "$filter");
            }
            roleName = m.group(1);
        }
        ObjectNode page = Json.object();
        ArrayNode value = page.putArray("value");
        for (BuiltInRoles.Role role : BuiltInRoles.ALL) {
            if (roleName == null || role.name().equalsIgnoreCase(roleName)) {
                value.add(RoleDefinitions.render(scope(r), role));
            }
        }
        return ApiResponse.ok(page);
    }

    private ApiResponse definition(ApiRequest r) {
        String id = r.param("roleDefinitionId");
        BuiltInRoles.Role role = BuiltInRoles.ALL.stream().filter(x -> x.id().equalsIgnoreCase(id)).findFirst()
                .orElseThrow(() -> new ApiException(404, "RoleDefinitionDoesNotExist",
                        "The specified role definition with ID '" + id + "' does not exist."));
        return ApiResponse.ok(RoleDefinitions.render(scope(r), role));
    }
}

package io.azimuth.authorization;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.auth.BuiltInRoles;
import io.azimuth.http.Json;

/** The built-in role definitions as ARM renders them, at a scope. */
final class RoleDefinitions {
    static final String TYPE = "Microsoft.Authorization/roleDefinitions";

    private RoleDefinitions() {
    }

    /** The id of a role definition seen from {@code scope} ({@code /subscriptions/{id}/providers/...}). */
    static String id(String scope, BuiltInRoles.Role role) {
        String prefix = scope == null || scope.equals("/") ? "" : subscriptionPrefix(scope);
        return prefix + "/providers/" + TYPE + "/" + role.id();
    }

    static ObjectNode render(String scope, BuiltInRoles.Role role) {
        ObjectNode d = Json.object();
        d.put("id", id(scope, role));
        d.put("type", TYPE);
        d.put("name", role.id());
        ObjectNode p = d.putObject("properties");
        p.put("roleName", role.name());
        p.put("type", "BuiltInRole");
        p.put("description", role.description());
        p.putArray("assignableScopes").add("/");
        ArrayNode permissions = p.putArray("permissions");
        ObjectNode perm = permissions.addObject();
        ArrayNode actions = perm.putArray("actions");
        role.actions().forEach(actions::add);
        ArrayNode notActions = perm.putArray("notActions");
        role.notActions().forEach(notActions::add);
        perm.putArray("dataActions");
        perm.putArray("notDataActions");
        p.putNull("createdOn"); // built in: no time of this instance's to give
        p.putNull("updatedOn");
        p.putNull("createdBy");
        p.putNull("updatedBy");
        return d;
    }

    /** {@code /subscriptions/{id}} of a scope under a subscription, else empty. */
    static String subscriptionPrefix(String scope) {
        String[] s = scope.split("/");
        return s.length >= 3 && s[1].equalsIgnoreCase("subscriptions") ? "/subscriptions/" + s[2] : "";
    }
}

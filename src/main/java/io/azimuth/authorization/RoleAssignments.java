package io.azimuth.authorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Times;
import io.azimuth.auth.BuiltInRoles;
import io.azimuth.auth.Principal;
import io.azimuth.auth.Principals;
import io.azimuth.auth.RoleBasedAccess;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Role assignments: a principal (by object id), a built-in role, a scope (a subscription, a resource group or a
 * resource). Kept as resource rows of their own type, so that a deleted group takes its assignments with it.
 */
final class RoleAssignments {
    static final String TYPE = "Microsoft.Authorization/roleAssignments";
    private static final String FOLDED_TYPE = TYPE.toLowerCase(Locale.ROOT);

    private final Store store;
    private final Principals principals;

    RoleAssignments(Store store, Principals principals) {
        this.store = store;
        this.principals = principals;
    }

    static String id(String scope, String name) {
        return scope + "/providers/" + TYPE + "/" + name;
    }

    /** Creates or confirms an assignment; answers the stored document and whether it was created. */
    Result put(String scope, String name, JsonNode body) {
        if (!ResourceId.isGuid(name)) {
            throw new ApiException(400, "InvalidRoleAssignmentId", "The role assignment ID '" + name
                    + "' is not valid. The role assignment ID must be a GUID.");
        }
        JsonNode props = body == null ? null : body.get("properties");
        if (props == null || !props.isObject()) {
            throw ApiException.badRequest("InvalidRequestContent", "The request content was invalid and could not be "
                    + "deserialized: 'properties' is required.", "properties");
        }
        String roleId = text(props, "roleDefinitionId");
        BuiltInRoles.Role role = BuiltInRoles.find(roleId).filter(r -> roleId.toLowerCase(Locale.ROOT)
                        .endsWith(r.id()) || !roleId.contains("/"))
                .orElseThrow(() -> new ApiException(400, "RoleDefinitionDoesNotExist",
                        "The specified role definition with ID '" + roleId.substring(roleId.lastIndexOf('/') + 1)
                                + "' does not exist."));
        String principalId = text(props, "principalId");
        if (!ResourceId.isGuid(principalId)) {
            throw ApiException.badRequest("InvalidPrincipalId", "A valid principal ID must be provided for role "
                    + "assignment.", "properties.principalId");
        }
        Optional<Principal> principal = principals.find(principalId);
        if (principals.declared() && principal.isEmpty()) {
            throw ApiException.badRequest("PrincipalNotFound", "Principal " + principalId.replace("-", "")
                    + " does not exist in the directory.", "properties.principalId");
        }
        String principalType = props.path("principalType").isTextual() ? props.get("principalType").asText()
                : principal.map(p -> p.kind().wire()).orElse("ServicePrincipal");
        String id = id(scope, name);
        return store.write(tx -> {
            Optional<StoredResource> existing = tx.resource(key(id));
            for (StoredResource row : rows(tx, scope)) {
                ObjectNode other = Json.readObject(row.body());
                if (!row.key().equals(key(id)) && sameScope(other, scope)
                        && other.path("properties").path("principalId").asText().equalsIgnoreCase(principalId)
                        && other.path("properties").path("roleDefinitionId").asText().toLowerCase(Locale.ROOT)
                        .endsWith(role.id())) {
                    throw ApiException.conflict("RoleAssignmentExists", "The role assignment already exists.");
                }
            }
            if (existing.isPresent()) {
                ObjectNode old = Json.readObject(existing.get().body());
                if (!old.path("properties").path("principalId").asText().equalsIgnoreCase(principalId)
                        || !old.path("properties").path("roleDefinitionId").asText().toLowerCase(Locale.ROOT)
                        .endsWith(role.id())) {
                    throw ApiException.conflict("RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, "
                            + "principal ID, and scope are not allowed to be updated.");
                }
                return new Result(old, false);
            }
            String now = Times.format(System.currentTimeMillis());
            ObjectNode doc = Json.object();
            ObjectNode p = doc.putObject("properties");
            p.put("roleDefinitionId", RoleDefinitions.id(scope, role));
            p.put("principalId", principalId.toLowerCase(Locale.ROOT));
            p.put("principalType", principalType);
            p.put("scope", scope);
            p.putNull("condition");
            p.putNull("conditionVersion");
            p.put("createdOn", now);
            p.put("updatedOn", now);
            p.putNull("createdBy");
            p.putNull("updatedBy");
            p.putNull("delegatedManagedIdentityResourceId");
            p.putNull("description");
            doc.put("id", id);
            doc.put("type", TYPE);
            doc.put("name", name);
            long millis = System.currentTimeMillis();
            tx.putResource(new StoredResource(key(id), id, subscriptionOf(scope), groupOf(scope), FOLDED_TYPE,
                    name.toLowerCase(Locale.ROOT), doc.toString(), millis, millis));
            return new Result(doc, true);
        });
    }

    record Result(ObjectNode document, boolean created) {
    }

    Optional<ObjectNode> get(String scope, String name) {
        return store.read(tx -> tx.resource(key(id(scope, name))).map(r -> Json.readObject(r.body())));
    }

    Optional<ObjectNode> delete(String scope, String name) {
        return store.write(tx -> {
            Optional<ObjectNode> doc = tx.resource(key(id(scope, name))).map(r -> Json.readObject(r.body()));
            doc.ifPresent(d -> tx.deleteResource(key(id(scope, name))));
            return doc;
        });
    }

    /**
     * The assignments that apply at {@code scope}: at it and above it, and (unless {@code atScopeOnly}) below it,
     * optionally of one principal.
     */
    List<ObjectNode> list(String scope, boolean atScopeOnly, String principalId) {
        return store.read(tx -> {
            List<ObjectNode> out = new ArrayList<>();
            for (StoredResource row : rows(tx, scope)) {
                ObjectNode doc = Json.readObject(row.body());
                String at = doc.path("properties").path("scope").asText();
                boolean applies = RoleBasedAccess.within(scope, at)
                        || (!atScopeOnly && RoleBasedAccess.within(at, scope));
                if (applies && (principalId == null
                        || doc.path("properties").path("principalId").asText().equalsIgnoreCase(principalId))) {
                    out.add(doc);
                }
            }
            return out;
        });
    }

    /** The stored assignments of a subscription as grants for the access check. */
    List<RoleBasedAccess.Grant> grants(String subscription) {
        if (subscription.isEmpty()) {
            return List.of();
        }
        return store.read(tx -> {
            List<RoleBasedAccess.Grant> out = new ArrayList<>();
            for (StoredResource row : tx.listResources(new ResourceQuery(subscription.toLowerCase(Locale.ROOT), null,
                    FOLDED_TYPE, null, 10_000))) {
                JsonNode p = Json.readObject(row.body()).path("properties");
                BuiltInRoles.find(p.path("roleDefinitionId").asText()).ifPresent(role ->
                        out.add(new RoleBasedAccess.Grant(p.path("principalId").asText(), role, p.path("scope").asText())));
            }
            return out;
        });
    }

    private static List<StoredResource> rows(StoreTx tx, String scope) {
        String sub = subscriptionOf(scope);
        return sub.isEmpty() ? List.of() : tx.listResources(new ResourceQuery(sub, null, FOLDED_TYPE, null, 10_000));
    }

    private static boolean sameScope(ObjectNode doc, String scope) {
        return doc.path("properties").path("scope").asText().equalsIgnoreCase(scope);
    }

    private static String text(JsonNode props, String field) {
        JsonNode v = props.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw ApiException.badRequest("InvalidRequestContent", "The request content was invalid: 'properties."
                    + field + "' is required and must be a string.", "properties." + field);
        }
        return v.asText();
    }

    static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    static String subscriptionOf(String scope) {
        String[] s = scope.split("/");
        return s.length >= 3 && s[1].equalsIgnoreCase("subscriptions") ? s[2].toLowerCase(Locale.ROOT) : "";
    }

    static String groupOf(String scope) {
        String[] s = scope.split("/");
        return s.length >= 5 && s[3].equalsIgnoreCase("resourceGroups") ? s[4].toLowerCase(Locale.ROOT) : null;
    }
}

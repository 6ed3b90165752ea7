package io.azimuth.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Azure RBAC over declared role assignments: a caller may perform an action at a scope when a role assigned to it
 * at that scope or any scope above it (the subscription, the resource group, a parent resource) allows the action.
 */
public final class RoleBasedAccess implements Authorizer {
    /** A role held by a principal (by object id) at a scope. */
    public record Grant(String principalObjectId, BuiltInRoles.Role role, String scope) {
    }

    private final List<Grant> grants;

    public RoleBasedAccess(List<Grant> grants) {
        this.grants = List.copyOf(grants);
    }

    /**
     * The grants a principals file declares.
     *
     * @throws IllegalArgumentException for an unknown principal or role, or a scope that is not a path
     */
    public static RoleBasedAccess of(Principals principals) {
        List<Grant> grants = new ArrayList<>();
        for (Principals.Assignment a : principals.assignments()) {
            Principal p = principals.find(a.principal()).orElseThrow(() -> new IllegalArgumentException(
                    "roleAssignments: no declared principal '" + a.principal() + "'"));
            BuiltInRoles.Role role = BuiltInRoles.find(a.role()).orElseThrow(() -> new IllegalArgumentException(
                    "roleAssignments: unknown role '" + a.role() + "' (built in: Owner, Contributor, Reader, "
                            + "Virtual Machine Contributor)"));
            if (!a.scope().startsWith("/")) {
                throw new IllegalArgumentException("roleAssignments: scope '" + a.scope() + "' must start with '/'");
            }
            grants.add(new Grant(p.objectId(), role, a.scope()));
        }
        return new RoleBasedAccess(grants);
    }

    public List<Grant> grants() {
        return grants;
    }

    @Override
    public void authorize(Caller caller, String action, String scope) {
        for (Grant g : grants) {
            if (g.principalObjectId().equalsIgnoreCase(caller.objectId()) && within(scope, g.scope())
                    && g.role().allows(action)) {
                return;
            }
        }
        throw new AccessDenied(caller, action, scope);
    }

    /** Whether {@code scope} is {@code at} or below it. */
    public static boolean within(String scope, String at) {
        String s = trim(scope).toLowerCase(Locale.ROOT);
        String a = trim(at).toLowerCase(Locale.ROOT);
        return a.isEmpty() || s.equals(a) || s.startsWith(a + "/");
    }

    private static String trim(String path) {
        String p = path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}

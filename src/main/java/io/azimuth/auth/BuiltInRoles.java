package io.azimuth.auth;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Azure's built-in role definitions that matter to image pipelines, with their real ids and permissions
 * (actions and not-actions; data actions are not modelled).
 */
public final class BuiltInRoles {
    /** A role: what it allows, minus what it excludes, as action patterns ({@code *} matches anything). */
    public record Role(String id, String name, String description, List<String> actions, List<String> notActions) {
        public boolean allows(String action) {
            return actions.stream().anyMatch(a -> matches(a, action))
                    && notActions.stream().noneMatch(a -> matches(a, action));
        }
    }

    public static final Role OWNER = new Role("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner",
            "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
            List.of("*"), List.of());
    public static final Role CONTRIBUTOR = new Role("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, "
                    + "manage assignments in Azure Blueprints, or share image galleries.",
            List.of("*"), List.of("Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action", "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action"));
    public static final Role READER = new Role("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader",
            "View all resources, but does not allow you to make any changes.", List.of("*/read"), List.of());
    public static final Role VIRTUAL_MACHINE_CONTRIBUTOR = new Role("9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
            "Virtual Machine Contributor", "Create and manage virtual machines, manage disks, install and run "
            + "software, reset password of the root user of the virtual machine using VM extensions, and manage local "
            + "user accounts using VM extensions. This role does not grant you management access to the virtual "
            + "network or storage account the virtual machines are connected to.",
            List.of("Microsoft.Authorization/*/read", "Microsoft.Compute/availabilitySets/*",
                    "Microsoft.Compute/locations/*", "Microsoft.Compute/virtualMachines/*",
                    "Microsoft.Compute/virtualMachineScaleSets/*", "Microsoft.Compute/cloudServices/*",
                    "Microsoft.Compute/disks/write", "Microsoft.Compute/disks/read", "Microsoft.Compute/disks/delete",
                    "Microsoft.Network/locations/*", "Microsoft.Network/networkInterfaces/*",
                    "Microsoft.Network/networkSecurityGroups/join/action", "Microsoft.Network/networkSecurityGroups/read",
                    "Microsoft.Network/publicIPAddresses/join/action", "Microsoft.Network/publicIPAddresses/read",
                    "Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/subnets/join/action",
                    "Microsoft.Resources/deployments/*", "Microsoft.Resources/subscriptions/resourceGroups/read",
                    "Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts/read",
                    "Microsoft.Support/*"),
            List.of());

    public static final List<Role> ALL = List.of(OWNER, CONTRIBUTOR, READER, VIRTUAL_MACHINE_CONTRIBUTOR);

    private BuiltInRoles() {
    }

    /** A role by its name or id (case-insensitive), or a role definition id ending in it. */
    public static Optional<Role> find(String nameOrId) {
        String key = nameOrId.substring(nameOrId.lastIndexOf('/') + 1);
        return ALL.stream().filter(r -> r.name().equalsIgnoreCase(key) || r.id().equalsIgnoreCase(key)).findFirst();
    }

    static boolean matches(String pattern, String action) {
        StringBuilder regex = new StringBuilder("^");
        for (String part : pattern.split("\\*", -1)) {
            if (regex.length() > 1) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.append('$').toString(), Pattern.CASE_INSENSITIVE).matcher(action).matches()
                || pattern.equals("*");
    }
}

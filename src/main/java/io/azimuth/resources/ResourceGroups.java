package io.azimuth.resources;

import io.azimuth.arm.Locations;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.kinds.ResourceKinds;
import io.azimuth.lro.Completion;
import io.azimuth.lro.OperationEngine;
import io.azimuth.lro.OperationSpec;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of resource groups, apart from HTTP: naming, location, create-or-update, tag updates and deletion
 * of a group with everything in it. Other providers call {@link #require} to check that a group exists.
 */
public final class ResourceGroups {
    public static final String DELETE_KIND = "Microsoft.Resources/resourceGroups/delete";
    private static final Pattern NAME_CHARS = Pattern.compile("[\\p{L}\\p{N}_().-]+");

    private final Store store;
    private final OperationEngine operations;
    private final ResourceKinds kinds;

    public ResourceGroups(Store store, OperationEngine operations, ResourceKinds kinds) {
        this.store = store;
        this.operations = operations;
        this.kinds = kinds;
        operations.register(DELETE_KIND, this::completeDelete, (tx, op) -> {
            // a delete that failed deleted nothing: the group is there as it was
            ResourceId id = ResourceId.parse(op.target());
            find(tx, id.subscriptionId(), id.resourceGroup()).filter(ResourceGroup::deleting).ifPresent(g ->
                    tx.putResource(g.withProvisioningState(ResourceGroup.SUCCEEDED).toRecord(System.currentTimeMillis())));
        });
    }

    public record Upserted(ResourceGroup group, boolean created) {
    }

    public static void validateName(String name) {
        if (name.length() > 90) {
            throw ApiException.badRequest("InvalidResourceGroup", "The provided resource group name '" + name
                    + "' is too long: resource group names are 1 to 90 characters long.", "resourceGroupName");
        }
        if (!NAME_CHARS.matcher(name).matches()) {
            String bad = name.codePoints().filter(c -> !NAME_CHARS.matcher(new String(Character.toChars(c))).matches())
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            throw ApiException.badRequest("InvalidResourceGroup", "The provided resource group name '" + name
                    + "' has these invalid characters: '" + bad + "'. The name can only be a letter, digit, '-', '.', "
                    + "'(', ')' or '_'.", "resourceGroupName");
        }
        if (name.endsWith(".")) {
            throw ApiException.badRequest("InvalidResourceGroup", "The provided resource group name '" + name
                    + "' ends with a period, which resource group names may not.", "resourceGroupName");
        }
    }

    public static String normaliseLocation(String location) {
        return Locations.require(location, "LocationNotAvailableForResourceGroup", "resource group");
    }

    public static ApiException notFound(String name) {
        return ApiException.notFound("ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
    }

    private static String key(String subscription, String name) {
        return ResourceId.resourceGroup(subscription, name).key();
    }

    public Optional<ResourceGroup> find(String subscription, String name) {
        return store.read(tx -> find(tx, subscription, name));
    }

    public static Optional<ResourceGroup> find(StoreTx tx, String subscription, String name) {
        return tx.resource(key(subscription, name)).map(ResourceGroup::fromRecord);
    }

    /**
     * The group, within a caller's transaction, for providers creating resources in it.
     *
     * @throws ApiException 404 ResourceGroupNotFound, or 409 ResourceGroupBeingDeleted
     */
    public static ResourceGroup require(StoreTx tx, String subscription, String name) {
        ResourceGroup group = find(tx, subscription, name).orElseThrow(() -> notFound(name));
        if (group.deleting()) {
            throw beingDeleted(name);
        }
        return group;
    }

    private static ApiException beingDeleted(String name) {
        return ApiException.conflict("ResourceGroupBeingDeleted", "The resource group '" + name
                + "' is in deprovisioning state and cannot perform this operation.");
    }

    public Upserted createOrUpdate(String subscription, String name, String location, Map<String, String> tags,
                                   String managedBy) {
        validateName(name);
        String region = normaliseLocation(location);
        return store.write(tx -> {
            long now = System.currentTimeMillis();
            Optional<ResourceGroup> existing = find(tx, subscription, name);
            if (existing.isPresent()) {
                ResourceGroup old = existing.get();
                if (old.deleting()) {
                    throw beingDeleted(old.id().resourceGroup());
                }
                if (!old.location().equals(region)) {
                    throw ApiException.conflict("InvalidResourceGroupLocation", "Invalid resource group location '"
                            + region + "'. The Resource group already exists in location '" + old.location() + "'.");
                }
                ResourceGroup updated = old.withTags(tags).withManagedBy(managedBy);
                tx.putResource(updated.toRecord(now));
                return new Upserted(updated, false);
            }
            ResourceGroup created = new ResourceGroup(ResourceId.resourceGroup(subscription, name), region, tags,
                    managedBy, ResourceGroup.SUCCEEDED, now);
            tx.putResource(created.toRecord(now));
            return new Upserted(created, true);
        });
    }

    /** PATCH: replaces tags and/or managedBy when given. */
    public ResourceGroup update(String subscription, String name, Map<String, String> tags, boolean tagsGiven,
                                String managedBy, boolean managedByGiven) {
        return store.write(tx -> {
            ResourceGroup group = require(tx, subscription, name);
            if (tagsGiven) {
                group = group.withTags(tags);
            }
            if (managedByGiven) {
                group = group.withManagedBy(managedBy);
            }
            tx.putResource(group.toRecord(System.currentTimeMillis()));
            return group;
        });
    }

    /**
     * Begins deleting a group and everything in it. Returns the operation: done when deletion was immediate,
     * else in progress (the group shows {@code Deleting} meanwhile). A second delete joins the first.
     */
    public StoredOperation delete(ApiRequest request, String subscription, String name) {
        StoredOperation op = store.write(tx -> {
            ResourceGroup group = find(tx, subscription, name).orElseThrow(() -> notFound(name));
            if (group.deleting()) {
                Optional<StoredOperation> running = tx.operationInProgress(group.id().key(), DELETE_KIND);
                if (running.isPresent()) {
                    return running.get();
                }
            }
            kinds.checkGroupDelete(tx, subscription, group.id().resourceGroup());
            tx.putResource(group.withProvisioningState(ResourceGroup.DELETING).toRecord(System.currentTimeMillis()));
            return operations.begin(tx, request, new OperationSpec(subscription.toLowerCase(Locale.ROOT),
                    "Microsoft.Resources", group.location(), DELETE_KIND, group.id().toString(), null));
        });
        operations.track(op);
        return op;
    }

    private Completion completeDelete(StoreTx tx, StoredOperation op) {
        ResourceId id = ResourceId.parse(op.target());
        kinds.beforeGroupDeleted(tx, id.subscriptionId(), id.resourceGroup());
        tx.deleteResourceGroup(id.subscriptionId(), id.resourceGroup());
        return Completion.empty();
    }
}

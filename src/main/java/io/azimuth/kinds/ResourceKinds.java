package io.azimuth.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ProviderCatalog;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceType;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Json;
import io.azimuth.http.Router;
import io.azimuth.lro.OperationEngine;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry of resource kinds of one running instance (it lives on the platform): registers each declared
 * {@link ResourceKind}'s type, api-versions and routes, and holds what is shared between kinds: the checks of a
 * resource's group and parent, "in use" refusals from declared references, cascading and refused parent deletes,
 * and the order in which a resource group's resources are deleted.
 *
 * <p>{@link #put}, {@link #patch} and {@link #delete} are the entry points of a change: the HTTP routes call them,
 * and so can code in process (a template deployment), with every rule of the kind applied the same way.
 */
public final class ResourceKinds {
    private static final int PAGE = 100;

    private final Store store;
    private final OperationEngine operations;
    private final Router router;
    private final ProviderCatalog catalog;
    private final Envelope arm;
    private final int pageSize;
    /** By full type, lower case, in registration order. */
    private final Map<String, TrackedResources> byType = new LinkedHashMap<>();
    private volatile GroupScope groups;
    /** The kinds in the order a resource group's resources are deleted; recomputed on registration. */
    private volatile List<TrackedResources> deletionOrder = List.of();
    /** The full types (lower case) some registered kind declares a reference to. */
    private volatile Set<String> referenced = Set.of();

    public ResourceKinds(Store store, OperationEngine operations, Router router, ProviderCatalog catalog, Envelope arm,
                         int pageSize) {
        this.store = store;
        this.operations = operations;
        this.router = router;
        this.catalog = catalog;
        this.arm = arm;
        this.pageSize = pageSize;
    }

    /** How resource groups are checked: supplied by the provider that owns them. */
    public void groupScope(GroupScope scope) {
        this.groups = scope;
    }

    /**
     * Serves a kind: its type and api-versions in the provider catalog, its routes, its operations, its cached GETs
     * and its reference index. A nested kind's parent must be registered already.
     */
    public synchronized TrackedResources register(ResourceKind kind) {
        String key = kind.fullType().toLowerCase(Locale.ROOT);
        if (byType.containsKey(key)) {
            throw new IllegalStateException(kind.fullType() + " is registered already");
        }
        if (kind.nested() && !byType.containsKey(kind.parentType().toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException(kind.fullType() + " is registered before its parent " + kind.parentType());
        }
        ResourceType type = catalog.register(kind.namespace, kind.typePath, kind.apiVersions);
        TrackedResources resources = new TrackedResources(kind, this, store, operations);
        byType.put(key, resources);
        if (!kind.references.isEmpty()) {
            store.indexReferences(key, body -> referencedKeys(kind, Json.readObject(body)));
        }
        new KindRoutes(this, resources, type, pageSize, store).register(router, arm);
        deletionOrder = order(byType.values());
        Set<String> targets = new HashSet<>(referenced);
        kind.references.forEach(ref -> targets.add(ref.targetType().toLowerCase(Locale.ROOT)));
        referenced = Set.copyOf(targets);
        return resources;
    }

    /** The resources of a registered kind, by full type (any casing). */
    public Optional<TrackedResources> kind(String fullType) {
        return Optional.ofNullable(byType.get(fullType.toLowerCase(Locale.ROOT)));
    }

    /** The kinds, in the order a resource group's resources are deleted (referrers and children first). */
    public List<String> deletionOrder() {
        return deletionOrder.stream().map(TrackedResources::fullType).toList();
    }

    // ---- the entry points of a change, over HTTP or in process ----

    private TrackedResources require(ResourceId id) {
        return kind(id.fullType()).orElseThrow(() -> ApiException.badRequest("NoRegisteredProviderFound",
                "No registered resource provider found for the type '" + id.fullType() + "'.", null));
    }

    /**
     * Creates or replaces the resource {@code id} from a PUT body, with every rule of its kind. {@code origin} is
     * the request on whose behalf it is done: its api-version and host name the polling URLs of an operation.
     */
    public ApiResponse put(ApiRequest origin, ResourceId id, ObjectNode body) {
        TrackedResources resources = require(id);
        ResourceKind kind = resources.kind();
        TrackedResources.Written w = resources.write(origin, id, false, kind.createState, kind.replaceState,
                (tx, current) -> kind.put.apply(tx, id, body, current));
        int sync = w.created() ? kind.createdStatus : kind.replacedStatus;
        return resources.answer(origin, w, sync, kind.putAcceptedStatus < 0 ? sync : kind.putAcceptedStatus);
    }

    /** Changes the resource {@code id} from a PATCH body (404 when absent), with every rule of its kind. */
    public ApiResponse patch(ApiRequest origin, ResourceId id, ObjectNode body) {
        TrackedResources resources = require(id);
        ResourceKind kind = resources.kind();
        if (kind.patch == null) {
            throw new ApiException(405, "MethodNotAllowed", "The resource type '" + kind.fullType()
                    + "' does not support PATCH.");
        }
        TrackedResources.Written w = resources.write(origin, id, true, kind.patchState, kind.patchState,
                (tx, current) -> kind.patch.apply(tx, id, body, current.orElseThrow()));
        return resources.answer(origin, w, kind.patchStatus,
                kind.patchAcceptedStatus < 0 ? kind.patchStatus : kind.patchAcceptedStatus);
    }

    /** Deletes the resource {@code id}, with every rule of its kind: 200, 202 while in progress, 204 when absent. */
    public ApiResponse delete(ApiRequest origin, ResourceId id) {
        return require(id).delete(origin, id);
    }

    // ---- shared rules ----

    /**
     * Checks that a resource can be written under its group (and parent, for a nested kind): returns the id of the
     * group or parent as stored, whose casing the resource's id keeps.
     */
    ResourceId requireParent(StoreTx tx, ResourceKind kind, ResourceId id) {
        GroupScope scope = groups;
        if (scope == null) {
            throw new IllegalStateException("no provider serves resource groups");
        }
        ResourceId group = scope.requireWritable(tx, id.subscriptionId(), id.resourceGroup());
        if (!kind.nested()) {
            return group;
        }
        ResourceId parent = id.parent();
        StoredResource row = tx.resource(parent.key()).orElseThrow(() -> parentNotFound(parent));
        if (TrackedResources.provisioningState(Json.readObject(row.body())).equals(ProvisioningState.Deleting.name())) {
            throw ApiException.conflict("ParentResourceIsBeingDeleted", "The parent resource '"
                    + TrackedResources.typedName(parent) + "' is being deleted.");
        }
        return ResourceId.parse(row.id());
    }

    static ApiException parentNotFound(ResourceId parent) {
        return ApiException.notFound("ParentResourceNotFound", "Can not perform requested operation on nested "
                + "resource. Parent resource '" + TrackedResources.typedName(parent) + "' not found.");
    }

    /** Checks, for a listing, that the group exists (and the parent, for a nested kind). */
    void requireListable(StoreTx tx, ResourceKind kind, ResourceId parentOrGroup) {
        GroupScope scope = groups;
        if (scope == null) {
            throw new IllegalStateException("no provider serves resource groups");
        }
        scope.requireExists(tx, parentOrGroup.subscriptionId(), parentOrGroup.resourceGroup());
        if (kind.nested() && tx.resource(parentOrGroup.key()).isEmpty()) {
            throw parentNotFound(parentOrGroup);
        }
    }

    /** The id of a new resource of {@code kind} named {@code name} under {@code parent} (a group or a resource). */
    static ResourceId child(ResourceId parent, ResourceKind kind, String name) {
        String last = kind.segments.get(kind.segments.size() - 1);
        return kind.nested() ? parent.child(last, name)
                : ResourceId.resource(parent.subscriptionId(), parent.resourceGroup(), kind.namespace, last, name);
    }

    /** The region of a resource's operations: its own location, else its nearest ancestor's, else its group's. */
    static String location(StoreTx tx, ResourceId id, ObjectNode doc) {
        String own = doc.path("location").asText("");
        for (ResourceId at = id.parent(); own.isEmpty() && at != null && at.resourceGroup() != null; at = at.parent()) {
            own = tx.resourceBody(at.key()).map(Json::readObject).map(d -> d.path("location").asText(""))
                    .orElse("");
        }
        return own.isEmpty() ? "global" : own;
    }

    /**
     * Refuses a delete: the kind's own check, a declared reference to it (or to a child going with it) from a
     * resource that stays, a child whose kind refuses its parent's deletion.
     */
    void checkDelete(StoreTx tx, ResourceKind kind, ResourceId id, ObjectNode doc) {
        refuseInUse(tx, id, doc, id.key() + "/");
        kind.deleteCheck.apply(tx, doc);
        for (TrackedResources child : children(kind)) {
            List<StoredResource> rows = childRows(tx, child, id, null, PAGE);
            if (rows.isEmpty()) {
                continue;
            }
            ResourceKind ck = child.kind();
            if (ck.onParentDelete == ResourceKind.OnParentDelete.REFUSE) {
                throw ApiException.conflict(ck.parentDeleteCode, ck.parentDeleteMessage.replace("{name}", id.name())
                        .replace("{child}", ResourceId.parse(rows.get(0).id()).name())
                        .replace("{children}", nestedIds(rows)));
            }
            forEachChild(tx, child, id, row -> checkDelete(tx, ck, ResourceId.parse(row.id()),
                    Json.readObject(row.body())));
        }
    }

    /** Up to five children's ids from the namespace on ({@code Microsoft.Compute/galleries/g/images/i}). */
    private static String nestedIds(List<StoredResource> rows) {
        return rows.stream().limit(5).map(row -> {
            String full = ResourceId.parse(row.id()).toString();
            int at = full.toLowerCase(Locale.ROOT).indexOf("/providers/");
            return at < 0 ? full : full.substring(at + "/providers/".length());
        }).collect(java.util.stream.Collectors.joining(", "));
    }

    /** Refuses the delete of {@code target} while a resource not under {@code goingPrefix} references it. */
    private void refuseInUse(StoreTx tx, ResourceId target, ObjectNode doc, String goingPrefix) {
        for (String source : tx.referrers(target.key(), PAGE)) {
            if (source.startsWith(goingPrefix)) {
                continue;
            }
            Optional<StoredResource> referrer = tx.resource(source);
            if (referrer.isEmpty()) {
                continue;
            }
            TrackedResources referring = byType.get(referrer.get().type());
            if (referring == null) {
                continue;
            }
            String targetType = target.fullType();
            for (ResourceKind.Reference ref : referring.kind().references) {
                if (ref.inUse() != null && ref.targetType().equalsIgnoreCase(targetType)) {
                    throw ref.inUse().refusal(doc, ResourceId.parse(referrer.get().id()));
                }
            }
        }
    }

    /** Removes a resource inside a write: its children first (cascading), what its kind frees, then its row. */
    void remove(StoreTx tx, ResourceKind kind, StoredResource row, ObjectNode doc) {
        ResourceId id = ResourceId.parse(row.id());
        for (TrackedResources child : children(kind)) {
            List<StoredResource> rows;
            while (!(rows = childRows(tx, child, id, null, PAGE)).isEmpty()) {
                for (StoredResource c : rows) {
                    remove(tx, child.kind(), c, Json.readObject(c.body()));
                }
            }
        }
        kind.onDeleted.apply(tx, doc);
        tx.deleteResource(row.key());
    }

    /**
     * Runs, inside the write that deletes a resource group, the {@code onDeleted} work of every resource in it, kind
     * by kind in {@link #deletionOrder()}, before the group's rows go (what each resource's own deletion would do:
     * free its bytes, release the disks of a VM, ...).
     */
    public void beforeGroupDeleted(StoreTx tx, String subscription, String resourceGroup) {
        checkGroupDelete(tx, subscription, resourceGroup);
        for (TrackedResources t : deletionOrder) {
            String after = null;
            while (true) {
                List<StoredResource> rows = tx.listResources(new ResourceQuery(subscription.toLowerCase(Locale.ROOT),
                        resourceGroup.toLowerCase(Locale.ROOT), t.fullType().toLowerCase(Locale.ROOT), after, PAGE));
                for (StoredResource row : rows) {
                    t.kind().onDeleted.apply(tx, Json.readObject(row.body()));
                }
                if (rows.size() < PAGE) {
                    break;
                }
                after = rows.get(rows.size() - 1).key();
            }
        }
    }

    /**
     * Refuses the deletion of a resource group while a resource outside it references one inside (a VM in another
     * group with a disk of this one attached): the referrer's declared "in use" error, as deleting that resource
     * alone would answer. References between resources of the group do not count: they go together.
     */
    public void checkGroupDelete(StoreTx tx, String subscription, String resourceGroup) {
        String going = ResourceId.resourceGroup(subscription, resourceGroup).key() + "/";
        for (TrackedResources t : deletionOrder) {
            if (!referenced.contains(t.fullType().toLowerCase(Locale.ROOT))) {
                continue;
            }
            String after = null;
            while (true) {
                List<StoredResource> rows = tx.listResources(new ResourceQuery(subscription.toLowerCase(Locale.ROOT),
                        resourceGroup.toLowerCase(Locale.ROOT), t.fullType().toLowerCase(Locale.ROOT), after, PAGE));
                for (StoredResource row : rows) {
                    refuseInUse(tx, ResourceId.parse(row.id()), Json.readObject(row.body()), going);
                }
                if (rows.size() < PAGE) {
                    break;
                }
                after = rows.get(rows.size() - 1).key();
            }
        }
    }

    private List<TrackedResources> children(ResourceKind kind) {
        List<TrackedResources> out = new ArrayList<>();
        for (TrackedResources t : byType.values()) {
            if (t.kind().nested() && t.kind().parentType().equalsIgnoreCase(kind.fullType())) {
                out.add(t);
            }
        }
        return out;
    }

    private static List<StoredResource> childRows(StoreTx tx, TrackedResources child, ResourceId parent, String after,
                                                  int limit) {
        return tx.listResources(new ResourceQuery(parent.subscriptionId().toLowerCase(Locale.ROOT),
                parent.resourceGroup().toLowerCase(Locale.ROOT), child.fullType().toLowerCase(Locale.ROOT), after, limit,
                parent.key()));
    }

    private static void forEachChild(StoreTx tx, TrackedResources child, ResourceId parent,
                                     java.util.function.Consumer<StoredResource> action) {
        String after = null;
        while (true) {
            List<StoredResource> rows = childRows(tx, child, parent, after, PAGE);
            rows.forEach(action);
            if (rows.size() < PAGE) {
                return;
            }
            after = rows.get(rows.size() - 1).key();
        }
    }

    /** The keys a document of {@code kind} references, by its declared references. */
    private static Set<String> referencedKeys(ResourceKind kind, ObjectNode doc) {
        Set<String> keys = new LinkedHashSet<>();
        for (ResourceKind.Reference ref : kind.references) {
            for (String raw : ref.ids().apply(doc)) {
                if (raw == null || raw.isEmpty()) {
                    continue;
                }
                try {
                    keys.add(ResourceId.parse(raw.startsWith("/") ? raw : "/" + raw).key());
                } catch (IllegalArgumentException e) {
                    // not an id: references nothing
                }
            }
        }
        return keys;
    }

    /**
     * The deletion order: a kind after every kind that references it and after its children; otherwise by full
     * type, so that the order depends on the declarations only, never on the order of registration.
     */
    static List<TrackedResources> order(java.util.Collection<TrackedResources> kinds) {
        List<TrackedResources> sorted = new ArrayList<>(kinds);
        sorted.sort(Comparator.comparing(t -> t.fullType().toLowerCase(Locale.ROOT)));
        // before.get(x): the kinds whose resources must go before those of x (its referrers and its children)
        Map<TrackedResources, Set<TrackedResources>> before = new LinkedHashMap<>();
        for (TrackedResources t : sorted) {
            before.put(t, new LinkedHashSet<>());
        }
        for (TrackedResources t : sorted) {
            for (ResourceKind.Reference ref : t.kind().references) {
                for (TrackedResources target : sorted) {
                    if (target != t && target.fullType().equalsIgnoreCase(ref.targetType())) {
                        before.get(target).add(t);
                    }
                }
            }
            if (t.kind().nested()) {
                for (TrackedResources parent : sorted) {
                    if (parent.fullType().equalsIgnoreCase(t.kind().parentType())) {
                        before.get(parent).add(t);
                    }
                }
            }
        }
        List<TrackedResources> out = new ArrayList<>();
        Set<TrackedResources> placed = new HashSet<>();
        while (out.size() < sorted.size()) {
            boolean progress = false;
            for (TrackedResources t : sorted) {
                if (!placed.contains(t) && placed.containsAll(before.get(t))) {
                    out.add(t);
                    placed.add(t);
                    progress = true;
                    break; // the first ready kind by name, then look again from the start
                }
            }
            if (!progress) { // a cycle of references: the rest by name
                sorted.stream().filter(t -> !placed.contains(t)).forEach(t -> {
                    out.add(t);
                    placed.add(t);
                });
            }
        }
        return out;
    }

    /** The ids named by {@code field} of each element of {@code array} (a helper for reference declarations). */
    public static List<String> ids(JsonNode array, String... path) {
        List<String> out = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return out;
        }
        for (JsonNode item : array) {
            JsonNode at = item;
            for (String p : path) {
                at = at.path(p);
            }
            if (at.isTextual()) {
                out.add(at.asText());
            }
        }
        return out;
    }
}

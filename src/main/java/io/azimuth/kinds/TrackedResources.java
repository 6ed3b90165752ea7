package io.azimuth.kinds;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Tags;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.lro.OperationEngine;
import io.azimuth.lro.OperationSpec;
import io.azimuth.store.ResourceCache;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The resources of one {@link ResourceKind}: what every tracked resource shares, whatever its provider. The stored
 * document is its wire form (less private state, or through the kind's view); GET, the lists, create-or-update and
 * update (in progress under a provisioning state, {@code Succeeded} when done) and delete, each through the
 * operation engine. This class alone sets {@code properties.provisioningState} of a kind's documents on PUT, PATCH
 * and DELETE; a change done at once is one row write, and its answer is the bytes derived for the resource cache.
 *
 * <p>Made by {@link ResourceKinds#register}; providers reach their kind's resources through it.
 */
public final class TrackedResources {
    public static final String SUCCEEDED = ProvisioningState.Succeeded.name();

    private final ResourceKind kind;
    private final ResourceKinds kinds;
    private final Store store;
    private final OperationEngine operations;
    private final String provisionKind;
    private final String deleteKind;
    private final UnaryOperator<ObjectNode> view;
    /** The wire form of a GET depends on the stored document (and the clock) only: it may be kept in the cache. */
    private final boolean cacheable;
    private final String storedType;

    TrackedResources(ResourceKind kind, ResourceKinds kinds, Store store, OperationEngine operations) {
        this.kind = kind;
        this.kinds = kinds;
        this.store = store;
        this.operations = operations;
        this.view = kind.wire == ResourceKind.Wire.VIEW ? kind.view
                : kind.wire == ResourceKind.Wire.WITHOUT_PRIVATE_STATE ? WITHOUT_PRIVATE_STATE : UnaryOperator.identity();
        this.cacheable = kind.wire != ResourceKind.Wire.VIEW || kind.viewUnchangedUntil != null;
        this.storedType = kind.fullType().toLowerCase(Locale.ROOT);
        this.provisionKind = kind.fullType() + "/provision";
        this.deleteKind = kind.fullType() + "/delete";
        if (cacheable) { // every document written is kept as its GET answer: a GET after a write finds it
            store.resourceCache().deriveFor(storedType, this::wire);
        }
        operations.register(provisionKind, this::completeProvision, this::markFailed);
        operations.register(deleteKind, this::completeDelete, this::markFailed);
    }

    /**
     * The view of a type whose documents are what clients see but for their private state
     * ({@link ResourceRecords#PRIVATE_STATE}).
     */
    public static final UnaryOperator<ObjectNode> WITHOUT_PRIVATE_STATE = doc -> {
        ObjectNode copy = doc.deepCopy();
        copy.remove(ResourceRecords.PRIVATE_STATE);
        return copy;
    };

    public ResourceKind kind() {
        return kind;
    }

    public String fullType() {
        return kind.fullType();
    }

    /** The id a request addresses, from its path. */
    public ResourceId id(ApiRequest r) {
        return id(r, kind.segments.size());
    }

    /** The id of the parent (a nested kind's) that a request's path names. */
    ResourceId parentId(ApiRequest r) {
        return id(r, kind.segments.size() - 1);
    }

    private ResourceId id(ApiRequest r, int depth) {
        ResourceId id = ResourceId.resource(r.param("subscriptionId"), r.param("resourceGroupName"), kind.namespace,
                kind.segments.get(0), r.param(KindRoutes.nameParam(0)));
        for (int i = 1; i < depth; i++) {
            id = id.child(kind.segments.get(i), r.param(KindRoutes.nameParam(i)));
        }
        return id;
    }

    public ApiException notFound(ResourceId id) {
        return ArmErrors.resourceNotFound(typedName(id), id.resourceGroup());
    }

    /** {@code Microsoft.Compute/galleries/g1/images/i1}: ARM's way of naming a resource in its messages. */
    static String typedName(ResourceId id) {
        String path = id.toString();
        int at = path.toLowerCase(Locale.ROOT).indexOf("/providers/");
        return at < 0 ? path : path.substring(at + "/providers/".length());
    }

    public Optional<ObjectNode> find(StoreTx tx, ResourceId id) {
        return lookup(tx, id);
    }

    /** Any resource's document by id, for providers that reference resources of other types. */
    public static Optional<ObjectNode> lookup(StoreTx tx, ResourceId id) {
        return tx.resourceBody(id.key()).map(Json::readObject);
    }

    public ObjectNode require(StoreTx tx, ResourceId id) {
        return find(tx, id).orElseThrow(() -> notFound(id));
    }

    public static String provisioningState(ObjectNode doc) {
        return doc.path("properties").path("provisioningState").asText(SUCCEEDED);
    }

    public static boolean busy(ObjectNode doc) {
        return !ProvisioningState.terminal(provisioningState(doc));
    }

    /** A resource stays where it was created: a PUT naming another location is a 409. */
    public static void requireSameLocation(ObjectNode current, String location) {
        String existing = current.path("location").asText();
        if (!existing.equals(location)) {
            throw ApiException.conflict("InvalidResourceLocation", "The resource '" + current.path("name").asText()
                    + "' already exists in location '" + existing + "'. A resource with the same name cannot be "
                    + "created in location '" + location + "'.");
        }
    }

    public static ApiException conflictingOperation(ResourceId id) {
        return ArmErrors.operationNotAllowed("Another operation on '" + id.name()
                + "' is in progress; retry once it has finished.");
    }

    /** The envelope of a resource of this kind: id, name, type, location (when given), tags; properties follow. */
    public ObjectNode envelope(ResourceId id, String location, Map<String, String> tags) {
        return envelope(fullType(), id, location, tags);
    }

    /** The envelope of a resource of {@code fullType} (as declared): id, name, type, location, tags. */
    public static ObjectNode envelope(String fullType, ResourceId id, String location, Map<String, String> tags) {
        ObjectNode doc = Json.object();
        doc.put("id", id.toString());
        doc.put("name", id.name());
        doc.put("type", fullType);
        if (location != null) {
            doc.put("location", location);
        }
        if (tags != null) {
            doc.set("tags", Tags.render(tags));
        }
        return doc;
    }

    // ---- reads ----

    /** The answer to a GET of {@code id} if the cache holds it, else null. Never blocks. */
    public ApiResponse cached(ResourceId id) {
        if (!cacheable) {
            return null;
        }
        // a Buffer of its own for every response: the bytes kept are shared, never written to
        return store.resourceCache().get(id.key()) instanceof byte[] wire ? ApiResponse.json(200, Buffer.buffer(wire))
                : null;
    }

    /** The answer to a GET of {@code id}, read from the store (and offered to the cache when it may keep it). */
    public ApiResponse get(ResourceId id) {
        if (!cacheable) {
            return ApiResponse.ok(view.apply(store.read(tx -> require(tx, id))));
        }
        String key = id.key();
        ResourceCache cache = store.resourceCache();
        ResourceCache.Token token = cache.token(key); // before the read: see ResourceCache
        String body = store.read(tx -> tx.resourceBody(key)).orElseThrow(() -> notFound(id));
        ResourceCache.Derived wire = wire(body);
        cache.offer(key, token, wire.value(), wire.bytes(), wire.validUntil());
        return ApiResponse.json(200, Buffer.buffer((byte[]) wire.value()));
    }

    /** What a GET answers for a stored document (of a cacheable kind), and until when. */
    ResourceCache.Derived wire(String body) {
        long until = Long.MAX_VALUE;
        byte[] wire;
        if (kind.wire == ResourceKind.Wire.STORED) {
            wire = body.getBytes(StandardCharsets.UTF_8);
        } else if (kind.wire == ResourceKind.Wire.WITHOUT_PRIVATE_STATE) {
            String cut = ResourceRecords.withoutPrivateState(body);
            wire = cut != null ? cut.getBytes(StandardCharsets.UTF_8) : Json.writeBytes(view.apply(Json.readObject(body)));
        } else {
            ObjectNode doc = Json.readObject(body);
            until = kind.viewUnchangedUntil.applyAsLong(doc); // before the view, which may look at the clock later
            wire = Json.writeBytes(view.apply(doc));
        }
        return new ResourceCache.Derived(wire, wire.length, until);
    }

    /** GET with another view of the document (e.g. with an expanded instance view). */
    public ApiResponse getWith(ResourceId id, UnaryOperator<ObjectNode> otherView) {
        return ApiResponse.ok(otherView.apply(store.read(tx -> require(tx, id))));
    }

    /** What clients see of a stored document. */
    public ObjectNode view(ObjectNode document) {
        return view.apply(document);
    }

    /** Whether clients see stored documents as they are, less their private state at most (lists splice them). */
    boolean storedIsWire() {
        return kind.wire != ResourceKind.Wire.VIEW;
    }

    /** The JSON a list shows of a stored row. */
    String listed(StoredResource row) {
        if (kind.wire == ResourceKind.Wire.STORED) {
            return row.body();
        }
        if (kind.wire == ResourceKind.Wire.WITHOUT_PRIVATE_STATE) {
            String wire = ResourceRecords.withoutPrivateState(row.body());
            if (wire != null) {
                return wire;
            }
        }
        return Json.write(view.apply(Json.readObject(row.body())));
    }

    // ---- writes ----

    /** Builds the new document of a resource from its current one (empty when creating), inside the write. */
    @FunctionalInterface
    public interface Change {
        ObjectNode apply(StoreTx tx, Optional<ObjectNode> current);
    }

    /**
     * The outcome of a write: the document as stored, whether it was created, its operation (null when the change
     * was done at once) and, done at once for a cacheable kind, the bytes of its GET answer.
     */
    public record Written(ObjectNode document, boolean created, StoredOperation operation, byte[] wire) {
        public boolean done() {
            return operation == null || operation.done();
        }
    }

    /**
     * Creates or changes a resource: checks its group (and parent), refuses while another operation runs on it,
     * and stores the new document, {@code Succeeded} when operations take no time (one row write, its GET answer
     * derived once), else under {@code createState} or {@code replaceState} with the operation that marks it
     * {@code Succeeded}.
     *
     * @param mustExist true for PATCH-like updates (404 when absent)
     */
    Written write(ApiRequest r, ResourceId id, boolean mustExist, String createState, String replaceState,
                  Change change) {
        Written written = store.write(tx -> {
            ResourceId parent = kinds.requireParent(tx, kind, id);
            Optional<StoredResource> row = tx.resource(id.key());
            Optional<ObjectNode> current = row.map(x -> Json.readObject(x.body()));
            if (current.isEmpty() && mustExist) {
                throw notFound(id);
            }
            if (current.isPresent() && busy(current.get())) {
                throw conflictingOperation(id);
            }
            if (current.isEmpty()) {
                kind.nameRule.accept(id.name());
            }
            // keep the casing of the group, parents and name the resource was created with
            ResourceId stored = row.map(x -> ResourceId.parse(x.id())).orElseGet(() -> ResourceKinds.child(parent,
                    kind, id.name()));
            ObjectNode doc = change.apply(tx, current);
            // the kind's own time (a gallery image version's replication) can outlast the engine's delay
            long delay = OperationEngine.delayFor(r, Math.max(operations.delayMillis(),
                    Math.max(0, kind.provisionTime.applyAsLong(doc))));
            boolean atOnce = delay == 0;
            doc.put("id", stored.toString());
            doc.put("name", stored.name());
            doc.withObjectProperty("properties").put("provisioningState", atOnce ? SUCCEEDED
                    : current.isEmpty() ? createState : replaceState);
            long now = System.currentTimeMillis();
            StoredResource record = ResourceRecords.record(stored, doc, row.map(StoredResource::createdAt).orElse(now),
                    now);
            if (atOnce) {
                ResourceCache.Derived wire = cacheable ? wire(record.body()) : null;
                tx.putResource(record, wire);
                return new Written(doc, current.isEmpty(), null, wire == null ? null : (byte[]) wire.value());
            }
            tx.putResource(record);
            StoredOperation op = operations.begin(tx, r, spec(tx, stored, doc, provisionKind), delay);
            return new Written(doc, current.isEmpty(), op, null);
        });
        if (written.operation() != null) {
            operations.track(written.operation());
        }
        return written;
    }

    private OperationSpec spec(StoreTx tx, ResourceId target, ObjectNode doc, String operationKind) {
        return new OperationSpec(target.subscriptionId().toLowerCase(Locale.ROOT), kind.namespace,
                ResourceKinds.location(tx, target, doc), operationKind, target.toString(), null);
    }

    /** The answer to a write: {@code syncStatus} with the final document, or {@code asyncStatus} with polling headers. */
    public ApiResponse answer(ApiRequest r, Written w, int syncStatus, int asyncStatus) {
        if (w.done()) {
            return w.wire() != null ? ApiResponse.json(syncStatus, Buffer.buffer(w.wire()))
                    : ApiResponse.json(syncStatus, view.apply(w.document()));
        }
        return operations.accepted(r, w.operation(), ApiResponse.json(asyncStatus, view.apply(w.document())));
    }

    /**
     * Deletes through the engine: 200 when done at once, 202 with polling headers, 204 when there was nothing. Runs
     * the kind's delete check, refuses while the resource is referenced (its referrers' declared "in use" errors)
     * or, for a parent, while it has children that refuse, and frees what the kind's {@code onDeleted} frees.
     */
    public ApiResponse delete(ApiRequest r, ResourceId id) {
        kind.deleteRequestCheck.accept(r);
        boolean atOnce = OperationEngine.delayFor(r, operations.delayMillis()) == 0;
        StoredOperation[] op = new StoredOperation[1];
        boolean deleted = store.write(tx -> {
            Optional<StoredResource> row = tx.resource(id.key());
            if (row.isEmpty()) {
                return false;
            }
            ObjectNode doc = Json.readObject(row.get().body());
            if (provisioningState(doc).equals(ProvisioningState.Deleting.name())) {
                Optional<StoredOperation> running = tx.operationInProgress(id.key(), deleteKind);
                if (running.isPresent()) {
                    op[0] = running.get();
                    return true;
                }
            } else if (busy(doc)) {
                throw conflictingOperation(id);
            }
            kinds.checkDelete(tx, kind, ResourceId.parse(row.get().id()), doc);
            if (atOnce) {
                kinds.remove(tx, kind, row.get(), doc);
                return true;
            }
            doc.withObjectProperty("properties").put("provisioningState", ProvisioningState.Deleting.name());
            tx.putResource(ResourceRecords.record(ResourceId.parse(row.get().id()), doc, row.get().createdAt(),
                    System.currentTimeMillis()));
            op[0] = operations.begin(tx, r, spec(tx, ResourceId.parse(row.get().id()), doc, deleteKind));
            return true;
        });
        if (!deleted) {
            return ApiResponse.empty(204);
        }
        if (op[0] == null) {
            return ApiResponse.empty(200);
        }
        operations.track(op[0]);
        return op[0].done() ? ApiResponse.empty(200) : operations.accepted(r, op[0], ApiResponse.empty(202));
    }

    private Completion completeProvision(StoreTx tx, StoredOperation op) {
        tx.resource(op.target()).ifPresent(row -> {
            ObjectNode doc = Json.readObject(row.body());
            doc.withObjectProperty("properties").put("provisioningState", SUCCEEDED);
            tx.putResource(new StoredResource(row.key(), row.id(), row.subscription(), row.resourceGroup(), row.type(),
                    row.name(), ResourceRecords.body(doc), row.createdAt(), System.currentTimeMillis()));
        });
        return Completion.empty();
    }

    /** An operation on the resource failed: it stays, {@code Failed}, as Azure leaves it (a PUT may try again). */
    private void markFailed(StoreTx tx, StoredOperation op) {
        tx.resource(op.target()).ifPresent(row -> {
            ObjectNode doc = Json.readObject(row.body());
            doc.withObjectProperty("properties").put("provisioningState", ProvisioningState.Failed.name());
            tx.putResource(new StoredResource(row.key(), row.id(), row.subscription(), row.resourceGroup(), row.type(),
                    row.name(), ResourceRecords.body(doc), row.createdAt(), System.currentTimeMillis()));
        });
    }

    private Completion completeDelete(StoreTx tx, StoredOperation op) {
        tx.resource(op.target()).ifPresent(row -> kinds.remove(tx, kind, row, Json.readObject(row.body())));
        return Completion.empty();
    }
}

package io.azimuth.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Tags;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.FastHandler;
import io.azimuth.http.Handler;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.lro.OperationEngine;
import io.azimuth.lro.OperationSpec;
import io.azimuth.store.ResourceCache;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * The mechanics every tracked resource in a resource group shares, whatever its provider: the stored document
 * is its wire form; GET, list by group and by subscription with paging, create-or-update and update through the
 * operation engine (in progress under a provisioning state, {@code Succeeded} when the operation completes),
 * and delete as a long-running operation. Providers supply only their rules: how a request body becomes a
 * document.
 *
 * <p>A GET of a type whose view depends on nothing but the document (and the clock, when the provider says until
 * when) is answered from the store's {@link ResourceCache} when it holds the answer: on the event loop, without the
 * store (see {@link #getter}).
 */
public final class TrackedResources {
    public static final String SUCCEEDED = "Succeeded";

    private final Store store;
    private final OperationEngine operations;
    private final int pageSize;
    private final String namespace;
    private final String type;
    private final String provisionKind;
    private final String deleteKind;
    private final UnaryOperator<ObjectNode> view;
    /** No view: the stored document is what clients see, byte for byte, and is answered without being parsed. */
    private final boolean storedIsWire;
    /** The view only leaves out the private state: answered from the stored text without being parsed, mostly. */
    private final boolean storedIsWireButPrivateState;
    /**
     * For a view that depends on the clock as well as the document: until when (epoch milliseconds) it shows a
     * document as it does now; null when it depends on the document only (or on more: see {@link #cacheable}).
     */
    private final ToLongFunction<ObjectNode> viewUnchangedUntil;
    /** The wire form of a GET depends on the stored document (and the clock) only: it may be kept in the cache. */
    private final boolean cacheable;

    /**
     * The view of a type whose documents are what clients see but for their private state
     * ({@link ResourceRecords#PRIVATE_STATE}); GETs and lists then cut it out of the stored text.
     */
    public static final UnaryOperator<ObjectNode> WITHOUT_PRIVATE_STATE = doc -> {
        ObjectNode copy = doc.deepCopy();
        copy.remove(ResourceRecords.PRIVATE_STATE);
        return copy;
    };
    private volatile java.util.function.BiConsumer<StoreTx, ObjectNode> onDeleted = (tx, doc) -> { };

    /** The tracked types of each store (one per running instance), for deleting a group with its resources. */
    private static final Map<Store, List<TrackedResources>> BY_STORE = Collections.synchronizedMap(new WeakHashMap<>());

    public TrackedResources(Store store, OperationEngine operations, int pageSize, String namespace, String type) {
        this(store, operations, pageSize, namespace, type, null);
    }

    /**
     * @param view turns a stored document into what clients see (a provider may keep private state in its
     *             document and leave it out here); null when clients see the stored document as it is
     */
    public TrackedResources(Store store, OperationEngine operations, int pageSize, String namespace, String type,
                            UnaryOperator<ObjectNode> view) {
        this(store, operations, pageSize, namespace, type, view, null);
    }

    /**
     * @param view               as above
     * @param viewUnchangedUntil for a view that depends on nothing but the document and the clock: until when
     *                           (epoch milliseconds; {@link Long#MAX_VALUE} for ever) it will show a document as it
     *                           does at the time of the call; GETs are then answered from the cache. Null for a
     *                           view that depends on more (other resources, the request), or when the view is null
     *                           or {@link #WITHOUT_PRIVATE_STATE} (those are cached anyway)
     */
    public TrackedResources(Store store, OperationEngine operations, int pageSize, String namespace, String type,
                            UnaryOperator<ObjectNode> view, ToLongFunction<ObjectNode> viewUnchangedUntil) {
        this.view = view == null ? UnaryOperator.identity() : view;
        this.storedIsWire = view == null;
        this.storedIsWireButPrivateState = view == WITHOUT_PRIVATE_STATE;
        this.viewUnchangedUntil = viewUnchangedUntil;
        this.cacheable = storedIsWire || storedIsWireButPrivateState || viewUnchangedUntil != null;
        this.store = store;
        this.operations = operations;
        this.pageSize = pageSize;
        this.namespace = namespace;
        this.type = type;
        this.provisionKind = namespace + "/" + type + "/provision";
        this.deleteKind = namespace + "/" + type + "/delete";
        if (cacheable) { // every document written is kept as its GET answer: a GET after a write finds it
            store.resourceCache().deriveFor(fullType().toLowerCase(Locale.ROOT), this::wire);
        }
        operations.register(provisionKind, this::completeProvision);
        operations.register(deleteKind, this::completeDelete);
        BY_STORE.computeIfAbsent(store, s -> new CopyOnWriteArrayList<>()).add(this);
    }

    public String fullType() {
        return namespace + "/" + type;
    }

    /** The id a request addresses: its resource group and the name in path parameter {@code nameParam}. */
    public ResourceId id(ApiRequest r, String nameParam) {
        return ResourceId.resource(r.param("subscriptionId"), r.param("resourceGroupName"), namespace, type,
                r.param(nameParam));
    }

    public ApiException notFound(ResourceId id) {
        return ApiException.notFound("ResourceNotFound", "The Resource '" + fullType() + "/" + id.name()
                + "' under resource group '" + id.resourceGroup() + "' was not found.");
    }

    public Optional<ObjectNode> find(StoreTx tx, ResourceId id) {
        return lookup(tx, id);
    }

    /** Any tracked resource's document by id, for providers that reference resources of other types. */
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
        String state = provisioningState(doc);
        return !state.equalsIgnoreCase(SUCCEEDED) && !state.equalsIgnoreCase("Failed");
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
        return ApiException.conflict("OperationNotAllowed", "Another operation on '" + id.name()
                + "' is in progress; retry once it has finished.");
    }

    /** The envelope of a tracked resource: id, name, type, location, tags; properties follow. */
    public ObjectNode envelope(ResourceId id, String location, Map<String, String> tags) {
        ObjectNode doc = Json.object();
        doc.put("id", id.toString());
        doc.put("name", id.name());
        doc.put("type", fullType());
        doc.put("location", location);
        if (tags != null) {
            doc.set("tags", Tags.render(tags));
        }
        return doc;
    }

    /**
     * The GET of one resource, named by path parameter {@code nameParam}: from the cache on the event loop when it
     * holds the answer, else {@link #get} on a worker.
     */
    public Handler getter(String nameParam) {
        return FastHandler.of(r -> cached(id(r, nameParam)), r -> get(r, id(r, nameParam)));
    }

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
    public ApiResponse get(ApiRequest r, ResourceId id) {
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

    /** What a GET answers for a stored document (of a cacheable type), and until when. */
    private ResourceCache.Derived wire(String body) {
        long until = Long.MAX_VALUE;
        byte[] wire;
        if (storedIsWire) {
            wire = body.getBytes(StandardCharsets.UTF_8);
        } else if (storedIsWireButPrivateState) {
            String cut = ResourceRecords.withoutPrivateState(body);
            wire = cut != null ? cut.getBytes(StandardCharsets.UTF_8) : Json.writeBytes(view.apply(Json.readObject(body)));
        } else {
            ObjectNode doc = Json.readObject(body);
            until = viewUnchangedUntil.applyAsLong(doc); // before the view, which may look at the clock later
            wire = Json.writeBytes(view.apply(doc));
        }
        return new ResourceCache.Derived(wire, wire.length, until);
    }

    /** GET with another view of the document (e.g. with an expanded instance view). */
    public ApiResponse getWith(ApiRequest r, ResourceId id, UnaryOperator<ObjectNode> otherView) {
        return ApiResponse.ok(otherView.apply(store.read(tx -> require(tx, id))));
    }

    /** What clients see of a stored document. */
    public ObjectNode view(ObjectNode document) {
        return view.apply(document);
    }

    public ApiResponse listInGroup(ApiRequest r) {
        store.read(tx -> ResourceGroups.find(tx, r.param("subscriptionId"), r.param("resourceGroupName"))
                .orElseThrow(() -> ResourceGroups.notFound(r.param("resourceGroupName"))));
        return list(r, r.param("resourceGroupName"));
    }

    public ApiResponse listInSubscription(ApiRequest r) {
        return list(r, null);
    }

    private ApiResponse list(ApiRequest r, String resourceGroup) {
        if (storedIsWire) {
            return ApiResponse.json(200, ResourceRecords.listPageRaw(r, store, pageSize, r.param("subscriptionId"),
                    resourceGroup, fullType()));
        }
        if (storedIsWireButPrivateState) {
            return ApiResponse.json(200, ResourceRecords.listPageRaw(r, store, pageSize, r.param("subscriptionId"),
                    resourceGroup, fullType(), row -> {
                        String wire = ResourceRecords.withoutPrivateState(row.body());
                        return wire != null ? wire : Json.write(view.apply(Json.readObject(row.body())));
                    }));
        }
        return ApiResponse.ok(ResourceRecords.listPage(r, store, pageSize, r.param("subscriptionId"), resourceGroup,
                fullType(), row -> view.apply(Json.readObject(row.body()))));
    }

    /** Builds the new document of a resource from its current one (empty when creating), inside the write. */
    @FunctionalInterface
    public interface Change {
        ObjectNode apply(StoreTx tx, Optional<ObjectNode> current);
    }

    /** The outcome of a write: the document as stored, whether it was created, and its operation. */
    public record Written(ObjectNode document, boolean created, StoredOperation operation) {
    }

    /**
     * Creates or changes a resource in an existing group: refuses while another operation runs on it, stores the
     * new document under {@code inProgressState}, and begins the operation that marks it {@code Succeeded}.
     *
     * @param mustExist true for PATCH-like updates (404 when absent)
     */
    public Written write(ApiRequest r, ResourceId id, boolean mustExist, String inProgressState, Change change) {
        Written written = store.write(tx -> {
            ResourceGroup group = ResourceGroups.require(tx, id.subscriptionId(), id.resourceGroup());
            Optional<StoredResource> row = tx.resource(id.key());
            Optional<ObjectNode> current = row.map(x -> Json.readObject(x.body()));
            if (current.isEmpty() && mustExist) {
                throw notFound(id);
            }
            if (current.isPresent() && busy(current.get())) {
                throw conflictingOperation(id);
            }
            // keep the casing of the group and name the resource was created with
            ResourceId stored = row.map(x -> ResourceId.parse(x.id())).orElse(ResourceId.resource(
                    group.id().subscriptionId(), group.id().resourceGroup(), namespace, type, id.name()));
            ObjectNode doc = change.apply(tx, current);
            doc.put("id", stored.toString());
            doc.put("name", stored.name());
            doc.withObjectProperty("properties").put("provisioningState", inProgressState);
            long now = System.currentTimeMillis();
            tx.putResource(ResourceRecords.record(stored, doc, row.map(StoredResource::createdAt).orElse(now), now));
            StoredOperation op = operations.begin(tx, r, new OperationSpec(id.subscriptionId().toLowerCase(Locale.ROOT),
                    namespace, doc.path("location").asText(), provisionKind, stored.toString(), null));
            ObjectNode result = op.done() ? require(tx, stored) : doc;
            return new Written(result, current.isEmpty(), op);
        });
        operations.track(written.operation());
        return written;
    }

    /** The answer to a write: {@code syncStatus} with the final document, or {@code asyncStatus} with polling headers. */
    public ApiResponse answer(ApiRequest r, Written w, int syncStatus, int asyncStatus) {
        if (w.operation().done()) {
            return ApiResponse.json(syncStatus, view.apply(w.document()));
        }
        return operations.accepted(r, w.operation(), ApiResponse.json(asyncStatus, view.apply(w.document())));
    }

    /** Deletes through the engine: 200 when done at once, 202 with polling headers, 204 when there was nothing. */
    public ApiResponse delete(ApiRequest r, ResourceId id, java.util.function.BiConsumer<StoreTx, ObjectNode> check) {
        StoredOperation op = store.write(tx -> {
            Optional<StoredResource> row = tx.resource(id.key());
            if (row.isEmpty()) {
                return null;
            }
            ObjectNode doc = Json.readObject(row.get().body());
            if (provisioningState(doc).equals("Deleting")) {
                Optional<StoredOperation> running = tx.operationInProgress(id.key(), deleteKind);
                if (running.isPresent()) {
                    return running.get();
                }
            } else if (busy(doc)) {
                throw conflictingOperation(id);
            }
            if (check != null) {
                check.accept(tx, doc);
            }
            doc.withObjectProperty("properties").put("provisioningState", "Deleting");
            tx.putResource(ResourceRecords.record(ResourceId.parse(row.get().id()), doc, row.get().createdAt(),
                    System.currentTimeMillis()));
            return operations.begin(tx, r, new OperationSpec(id.subscriptionId().toLowerCase(Locale.ROOT), namespace,
                    doc.path("location").asText(), deleteKind, row.get().id(), null));
        });
        if (op == null) {
            return ApiResponse.empty(204);
        }
        operations.track(op);
        return op.done() ? ApiResponse.empty(200) : operations.accepted(r, op, ApiResponse.empty(202));
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

    /** Work done in the transaction that removes a resource (e.g. a VM's disks following their deleteOption). */
    public void onDeleted(java.util.function.BiConsumer<StoreTx, ObjectNode> hook) {
        this.onDeleted = hook;
    }

    /**
     * Runs, inside the write that deletes a resource group, the {@link #onDeleted} work of every tracked resource in
     * it, type by type in registration order, before the group's rows go (what each resource's own deletion would
     * do: free its bytes, release the disks of a VM, ...).
     */
    public static void beforeGroupDeleted(StoreTx tx, Store store, String subscription, String resourceGroup) {
        List<TrackedResources> types = BY_STORE.getOrDefault(store, List.of());
        for (TrackedResources t : types) {
            String after = null;
            while (true) {
                List<StoredResource> rows = tx.listResources(new ResourceQuery(subscription.toLowerCase(Locale.ROOT),
                        resourceGroup.toLowerCase(Locale.ROOT), t.fullType().toLowerCase(Locale.ROOT), after, 100));
                for (StoredResource row : rows) {
                    t.onDeleted.accept(tx, Json.readObject(row.body()));
                }
                if (rows.size() < 100) {
                    break;
                }
                after = rows.get(rows.size() - 1).key();
            }
        }
    }

    private Completion completeDelete(StoreTx tx, StoredOperation op) {
        tx.resource(op.target()).ifPresent(row -> onDeleted.accept(tx, Json.readObject(row.body())));
        tx.deleteResource(op.target());
        return Completion.empty();
    }
}

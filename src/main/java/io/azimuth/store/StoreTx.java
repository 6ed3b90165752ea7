package io.azimuth.store;

import java.util.List;
import java.util.Optional;

/** What a unit of work may do; everything done through one transaction commits or rolls back together. */
public interface StoreTx {
    Optional<StoredResource> resource(String key);

    /** Only the stored document of a resource: what a GET needs, without the rest of its row. */
    default Optional<String> resourceBody(String key) {
        return resource(key).map(StoredResource::body);
    }

    /** Inserts or replaces by key. */
    void putResource(StoredResource resource);

    /**
     * {@link #putResource(StoredResource)} by a writer that has already derived, from the document it writes, the
     * value the store's {@link ResourceCache} keeps for it (a GET's answer): kept as given once the write commits,
     * instead of being derived again.
     */
    default void putResource(StoredResource resource, ResourceCache.Derived derived) {
        putResource(resource);
    }

    /**
     * The keys of the resources whose documents reference {@code key} (see {@link Store#indexReferences}), in key
     * order; at most {@code limit}.
     */
    List<String> referrers(String key, int limit);

    boolean deleteResource(String key);

    List<StoredResource> listResources(ResourceQuery query);

    /** Deletes a resource group and everything in it; returns how many rows went. */
    int deleteResourceGroup(String subscription, String resourceGroup);

    Optional<StoredOperation> operation(String id);

    /** Every resource row, of every type and scope, in key order (a state export, the dashboard). */
    List<StoredResource> allResources();

    /** Every operation, in progress or ended, in id order. */
    List<StoredOperation> allOperations();

    /** Inserts or replaces by id. */
    void putOperation(StoredOperation operation);

    List<StoredOperation> operationsInProgress();

    /** The newest operation of {@code kind} on {@code target} still in progress, if any. */
    Optional<StoredOperation> operationInProgress(String target, String kind);

    /** Forgets operations that ended before {@code epochMillis}. */
    int deleteOperationsEndedBefore(long epochMillis);

    /** The blob store's catalog (blob names, contents and chunks), changed within this transaction. */
    BlobCatalog blobs();

    /**
     * Runs {@code action} once the transaction carrying this unit of work has committed, before the unit's caller
     * is answered; it is dropped if the unit or the transaction rolls back. For side effects that must not
     * happen unless the change is durable (removing files the change freed). Only in a write; an action that
     * throws is logged and ignored.
     *
     * @throws IllegalStateException in a read
     */
    void afterCommit(Runnable action);

    /**
     * Has {@code work} done outside the store's writer, and answers its result (or throws what it threw): for I/O too
     * slow to hold up every other write. The first time a write asks for work under a key, its unit stops here (an
     * exception goes through it) and is rolled back; the thread that called {@link Store#write} does the work and runs
     * the unit again, and this time the same call answers at once. A unit that asks for work is therefore run more
     * than once and must come to the same decisions each time; it asks once it has checked whatever could refuse it,
     * and before it changes anything that does not roll back with it. Once the write has committed, work its last run
     * no longer asked for is undone; when the write fails, all of its work is ({@link OutsideWork#undo}).
     *
     * @throws IllegalStateException in a read
     */
    <T> T outside(OutsideWork<T> work);

    /**
     * {@link #outside(OutsideWork)} for several works at once: those not done yet are done together, in order, before
     * the unit runs again (the first that fails ends the round, and is thrown here in the next run); returns once
     * all have been done, throwing the failure of the first that failed, if any.
     *
     * @throws IllegalStateException in a read
     */
    void outside(List<? extends OutsideWork<?>> works);
}

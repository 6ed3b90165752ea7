package io.azimuth.store;

/**
 * Work a unit of work needs done outside the store's writer before it commits, asked for with
 * {@link StoreTx#outside}: I/O too slow to hold up every other write, such as a blob in a remote storage account.
 * It runs on the thread that called {@link Store#write}, while no unit of that write is open.
 *
 * @param <T> what the work answers; the unit gets it when it asks again
 */
public interface OutsideWork<T> {
    /** What the work does: within one write, work asked for again under the same key is done once. */
    String key();

    /** Does the work. An exception it throws is kept and thrown again where the unit asks for it. */
    T run();

    /**
     * True when the work is in fact quick and transactional (its blobs are in the embedded store, whose changes join
     * the unit's transaction): then it runs at once where the unit asks, inside the unit, and commits or rolls back
     * with it; nothing is undone separately. False by default.
     */
    default boolean joinsTransaction() {
        return false;
    }

    /**
     * Undoes what {@link #run} did (it answered {@code result}), as far as that is possible, once the write it was
     * done for failed, or committed without asking for it any more. Best effort: a failure is logged. Nothing by
     * default.
     */
    default void undo(T result) {
    }
}

package io.azimuth.store;

/**
 * The persistence boundary: units of work, read or written. One implementation, {@link SqliteStore} (embedded, on
 * disk or in memory). A {@link #write} returns only after its transaction is durable.
 */
public interface Store extends AutoCloseable {
    <T> T read(Work<T> work);

    <T> T write(Work<T> work);

    /**
     * Values derived from resource documents, kept by the store true to what it has committed, for reads that must
     * not wait for it (see {@link ResourceCache}). A store without one answers {@link ResourceCache#NONE}.
     */
    default ResourceCache resourceCache() {
        return ResourceCache.NONE;
    }

    /**
     * Keeps an index of what the documents of resources of {@code type} (lower case, as stored) reference: every
     * write of such a document records the keys {@code references} finds in it, answered by
     * {@link StoreTx#referrers}. Documents stored before the index existed are indexed by this call.
     */
    void indexReferences(String type, References references);

    /** The resource keys (case-folded ids) a stored document references. */
    @FunctionalInterface
    interface References {
        java.util.Collection<String> in(String body);
    }

    /**
     * What the store has done with resource rows since it opened: rows read (a lookup by key; listings are not
     * counted), rows written (inserted, replaced or deleted one by one) and transactions committed.
     */
    record Counts(long resourceReads, long resourceWrites, long commits) {
    }

    /** See {@link Counts}; a store that does not count answers zeros. */
    default Counts counts() {
        return new Counts(0, 0, 0);
    }

    /** Empties all state. */
    void reset();

    /** Told of every batch of writes the store commits: how many units it held and how long it took, in nanoseconds. */
    @FunctionalInterface
    interface Observer {
        void committed(int units, long nanos);
    }

    /** Sets the one observer of commits (none by default). */
    default void observe(Observer observer) {
    }

    /** For health output, e.g. {@code sqlite:/data/azimuth.db}. */
    String description();

    @Override
    void close();

    @FunctionalInterface
    interface Work<T> {
        T run(StoreTx tx);
    }
}

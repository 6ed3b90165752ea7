package io.azimuth.store;

/**
 * The persistence boundary. Implementations: SQLite (embedded, on disk or in memory); a PostgreSQL one can
 * satisfy the same contract. A {@link #write} returns only after its transaction is durable.
 */
public interface Store extends AutoCloseable {
    <T> T read(Work<T> work);

    <T> T write(Work<T> work);

    /** Empties all state. */
    void reset();

    /** For health output, e.g. {@code sqlite:/data/azimuth.db}. */
    String description();

    @Override
    void close();

    @FunctionalInterface
    interface Work<T> {
        T run(StoreTx tx);
    }
}

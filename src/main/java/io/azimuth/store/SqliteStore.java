package io.azimuth.store;

import org.slf4j.Logger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The embedded store: SQLite through JDBC, in WAL mode with full fsync on commit, so that a write acknowledged
 * to a client survives a crash. With no path it lives in memory and keeps nothing. Schema migrations
 * ({@code db/sqlite/V<n>.sql}) run at open.
 *
 * <p><b>Writes are group-committed.</b> One writer thread owns the write connection. {@link #write} queues its
 * unit of work and waits; the writer takes every unit queued, runs them one after the other in one transaction
 * (each inside a savepoint, so that a unit that throws is rolled back alone and its caller gets the exception),
 * commits once (one fsync for the whole batch) and only then releases the callers. A unit therefore sees the
 * effects of the units before it, exactly as if they had committed one at a time, and nobody is answered before
 * the commit that carries their change is durable.
 *
 * <p>A {@link #write} called from inside a unit (on the writer thread) runs nested in that unit. Actions registered
 * with {@link StoreTx#afterCommit} run on the writer thread once the batch has committed, before its callers are
 * released; those of a unit rolled back to its savepoint, or of a batch that failed, are dropped.
 *
 * <p>A unit that asks for work outside the writer ({@link StoreTx#outside}) is rolled back to its savepoint at once
 * and its caller released: the caller's thread does the work while the writer goes on with other units, and then
 * queues the unit again.
 *
 * <p><b>Reads run in parallel</b> on read connections of their own (WAL readers never wait for the writer); each
 * unit is one read transaction, a consistent snapshot of what was committed when it began. In memory there is
 * only one database connection, so reads share it with the writer, one at a time.
 *
 * <p><b>Resources read without the store.</b> The store owns a {@link ResourceCache} of values derived from resource
 * documents. Every change to resource rows marks what it changes in it as it is made (before the commit), and the
 * writer settles those marks once the batch has committed (or failed), before it releases any caller.
 *
 * <p>Every connection keeps its prepared statements.
 */
public final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    /** Most units committed together: bounds the time the first of a batch waits for the last. */
    private static final int MAX_BATCH = 256;

    private final String url;
    private final String description;
    private final boolean shared;
    private final SqliteDb writeDb;
    /**
     * Held by the writer while it works; in memory, also by every read. Fair, so that a writer waits for at most
     * the reads already queued, never for an endless stream of them.
     */
    private final ReentrantLock writeLock = new ReentrantLock(true);
    /** Writes submitted and not yet answered: while there are any, one read fewer runs at once. */
    private final java.util.concurrent.atomic.AtomicInteger writesWaiting = new java.util.concurrent.atomic.AtomicInteger();
    private final ReadGate readGate = new ReadGate(Runtime.getRuntime().availableProcessors(), writesWaiting::get);
    /** Whether this thread holds a read slot (a read inside a read takes no second one). */
    private static final ThreadLocal<Boolean> IN_READ = ThreadLocal.withInitial(() -> false);
    /** The WAL file (null in memory), and the size past which the writer checkpoints it with reads held off. */
    private final Path wal;
    private static final long WAL_RESET_BYTES = 16L << 20;
    private long lastCheckpointTry;
    private volatile Observer observer;
    private final BlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedDeque<SqliteDb> readers = new ConcurrentLinkedDeque<>();
    private final List<SqliteDb> allReaders = new ArrayList<>();
    private final Thread writer;
    private final ResourceCache cache = new ResourceCache(ResourceCache.defaultBudgetBytes());
    private volatile boolean closed;
    /** By resource type (lower case), what its documents reference; see {@link #indexReferences}. */
    private final Map<String, References> references = new java.util.concurrent.ConcurrentHashMap<>();
    /** Resource rows read by key, rows written, transactions committed: see {@link #counts}. */
    private final java.util.concurrent.atomic.LongAdder[] counters = {new java.util.concurrent.atomic.LongAdder(),
            new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder()};
    /** The schema version the database had when it was opened (0: a new database). */
    private final int schemaBefore;

    private SqliteStore(String url, Connection connection, String description, boolean shared, Path wal)
            throws SQLException {
        this.url = url;
        this.wal = wal;
        this.description = description;
        this.shared = shared;
        this.writeDb = new SqliteDb(connection, this::onWriterThread, references, counters);
        schemaBefore = SqliteMigrations.migrate(connection);
        // every connection always has a (deferred) transaction open: begun here by the driver, and again by
        // SqliteDb.commit/end right after each one ends, so that the driver need not check after every statement
        // whether one is open; units of work are transactions of ours, ended explicitly
        connection.setAutoCommit(false);
        writer = new Thread(this::writeLoop, "azimuth-store-writer");
        writer.setDaemon(true);
        writer.start();
    }

    public static SqliteStore open(Path file) {
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            Connection c = connect(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
            }
            return new SqliteStore(url, c, "sqlite:" + file.toAbsolutePath(), false,
                    Path.of(file.toAbsolutePath() + "-wal"));
        } catch (SQLException e) {
            throw new StoreException("cannot open the store at " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void observe(Observer observer) {
        this.observer = observer;
    }

    public static SqliteStore inMemory() {
        try {
            return new SqliteStore(null, connect("jdbc:sqlite::memory:"), "sqlite:memory", true, null);
        } catch (SQLException e) {
            throw new StoreException("cannot open an in-memory store: " + e.getMessage(), e);
        }
    }

    /**
     * A connection that does not look up generated keys: the driver would otherwise run
     * {@code SELECT last_insert_rowid()} on a new statement after every INSERT.
     */
    private static Connection connect(String url) throws SQLException {
        SqliteLibrary.load(); // once: the driver loads its library at most once per process
        SQLiteConfig config = new SQLiteConfig();
        config.setGetGeneratedKeys(false);
        return DriverManager.getConnection(url, config.toProperties());
    }

    // ---------------------------------------------------------------------------------------------- reads

    @Override
    public ResourceCache resourceCache() {
        return cache;
    }

    @Override
    public <T> T read(Work<T> work) {
        if (Thread.currentThread() == writer) {
            return work.run(writeDb.tx); // a read inside a write sees the write's own changes
        }
        if (IN_READ.get()) {
            return readInSlot(work);
        }
        try {
            readGate.enter();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting to read", e);
        }
        IN_READ.set(true);
        try {
            return readInSlot(work);
        } finally {
            IN_READ.set(false);
            readGate.exit();
        }
    }

    private <T> T readInSlot(Work<T> work) {
        if (shared) {
            writeLock.lock();
            try {
                return work.run(writeDb.tx);
            } finally {
                writeLock.unlock();
            }
        }
        SqliteDb db = reader();
        boolean reusable = false;
        try {
            T result;
            try {
                result = work.run(db.tx);
            } catch (RuntimeException | Error e) {
                reusable = db.end(false); // a read transaction: nothing to undo, only the snapshot to let go
                throw e;
            }
            reusable = db.end(true);
            if (!reusable) {
                throw new StoreException("store read failed: its transaction could not be ended", null);
            }
            return result;
        } finally {
            if (reusable && !closed) {
                readers.push(db);
            } else {
                synchronized (allReaders) {
                    allReaders.remove(db);
                }
                db.close();
            }
        }
    }

    private SqliteDb reader() {
        SqliteDb db = readers.poll();
        if (db != null) {
            return db;
        }
        if (closed) {
            throw new StoreException("the store is closed", null);
        }
        try {
            Connection c = connect(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA query_only=1");
            }
            c.setAutoCommit(false);
            db = new SqliteDb(c, () -> false, references, counters);
            synchronized (allReaders) {
                allReaders.add(db);
            }
            return db;
        } catch (SQLException e) {
            throw new StoreException("cannot open a read connection: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------- writes

    /** A unit of work waiting for the writer, and then for its outcome. */
    private static final class Unit<T> {
        final Work<T> work;
        /** The outside work of the write this unit is one run of. */
        final OutsideWorks outside;
        final CountDownLatch done = new CountDownLatch(1);
        T result;
        RuntimeException failure;

        Unit(Work<T> work, OutsideWorks outside) {
            this.work = work;
            this.outside = outside;
        }

        void fail(RuntimeException e) {
            failure = e;
            done.countDown();
        }
    }

    @Override
    public <T> T write(Work<T> work) {
        if (Thread.currentThread() == writer) {
            return work.run(writeDb.tx); // nested in the unit being run: part of its savepoint
        }
        OutsideWorks outside = new OutsideWorks();
        try {
            while (true) {
                Unit<T> unit = new Unit<>(work, outside);
                run(unit);
                if (unit.failure == null) {
                    outside.committed();
                    return unit.result;
                }
                if (!(unit.failure instanceof OutsideWorks.Stop)) {
                    throw unit.failure;
                }
                outside.runPending(); // on this thread, while the writer goes on with other units
            }
        } catch (RuntimeException e) {
            outside.failed();
            throw e;
        }
    }

    /** Queues a unit and waits until the writer has run it (and committed it, when it succeeded). */
    private <T> void run(Unit<T> unit) {
        if (closed) {
            throw new StoreException("the store is closed", null);
        }
        writesWaiting.incrementAndGet();
        boolean interrupted = false;
        try {
            queue.add(unit);
            while (true) {
                try {
                    unit.done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the unit may already be in a transaction: wait for its outcome
                }
            }
        } finally {
            writesWaiting.decrementAndGet();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<Unit<?>> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                Unit<?> first = queue.take();
                if (first == STOP) {
                    return;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                boolean stop = batch.remove(STOP);
                long began = System.nanoTime();
                writeLock.lock();
                try {
                    runBatch(batch);
                } finally {
                    writeLock.unlock();
                }
                Observer told = observer;
                if (told != null) {
                    told.committed(batch.size(), System.nanoTime() - began);
                }
                batch.clear();
                resetWalIfLarge();
                if (stop) {
                    return;
                }
            } catch (InterruptedException e) {
                // only close() stops the writer, through STOP
            } catch (Throwable t) {
                LOG.error("the store writer failed", t);
                for (Unit<?> u : batch) {
                    if (u.done.getCount() > 0) {
                        u.fail(new StoreException("store transaction failed: " + t, t));
                    }
                }
                batch.clear();
            }
        }
    }

    private static final Unit<Object> STOP = new Unit<>(tx -> null, new OutsideWorks());

    /**
     * SQLite's own checkpoints (every 1000 pages, passive) copy the WAL back into the database but can restart it
     * only at a moment no read holds a snapshot; readers that never pause leave no such moment, and the WAL would
     * grow without end (checkpoint starvation). So once it passes {@link #WAL_RESET_BYTES}, the writer holds new
     * reads back ({@link ReadGate#drain}) (waiting at most 50 ms for the reads running to end; else it tries
     * again after a later batch, at most twice a second) and checkpoints it with TRUNCATE while no read runs.
     */
    private void resetWalIfLarge() {
        if (wal == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastCheckpointTry < 500_000_000L) {
            return;
        }
        try {
            if (!java.nio.file.Files.exists(wal) || java.nio.file.Files.size(wal) < WAL_RESET_BYTES) {
                return;
            }
        } catch (java.io.IOException e) {
            return;
        }
        lastCheckpointTry = now;
        boolean held = false;
        try {
            held = readGate.drain(50);
            if (held) {
                if (!writeDb.checkpoint()) {
                    LOG.debug("WAL checkpoint could not restart the log");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.warn("WAL checkpoint failed: {}", e.getMessage());
        } finally {
            if (held) {
                readGate.reopen();
            }
        }
    }

    /**
     * Runs {@code batch} in one transaction, each unit in a savepoint, and commits once. A unit that throws is
     * rolled back to its savepoint and its caller gets the exception; when SQLite has rolled the whole transaction
     * back itself (an I/O error, a full disk), the units before it fail too and the rest go on in a new one.
     */
    private void runBatch(List<Unit<?>> batch) {
        ResourceCache.Batch changes = cache.batch();
        writeDb.changes = changes;
        try {
            runBatch(batch, changes);
        } finally {
            writeDb.changes = null;
            changes.settle(); // a batch that failed too (settled already when it committed)
        }
    }

    private void runBatch(List<Unit<?>> batch, ResourceCache.Batch changes) {
        List<Unit<?>> pending = new ArrayList<>(batch.size());
        List<Runnable> committed = writeDb.committed;
        committed.clear();
        boolean open = true; // the connection always has a transaction open (see the constructor)
        for (Unit<?> unit : batch) {
            try {
                if (!open) {
                    open = writeDb.end(false); // start over after a transaction SQLite rolled back itself
                }
                writeDb.execute("SAVEPOINT unit");
                changes.beginUnit();
            } catch (StoreException e) {
                unit.fail(e);
                open = abandon(pending, e);
                continue;
            }
            writeDb.unitActions.clear();
            if (runUnit(unit)) {
                try {
                    writeDb.execute("RELEASE unit");
                    pending.add(unit);
                    committed.addAll(writeDb.unitActions);
                } catch (StoreException e) {
                    unit.fail(e);
                    open = abandon(pending, e);
                }
                writeDb.unitActions.clear();
                continue;
            }
            writeDb.unitActions.clear();
            changes.rollbackUnit();
            try {
                writeDb.execute("ROLLBACK TO unit");
                writeDb.execute("RELEASE unit");
            } catch (StoreException e) {
                // no transaction any more: SQLite rolled everything back
                open = abandon(pending, e);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        try {
            writeDb.commit();
            counters[2].increment();
        } catch (StoreException e) {
            abandon(pending, e);
            return;
        }
        changes.settle(); // after the commit, before anyone is released
        changes.install(); // what the batch wrote, derived for the cache: a GET after the write finds it there
        for (Runnable action : committed) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("an action after a commit failed", e);
            }
        }
        committed.clear();
        for (Unit<?> u : pending) {
            u.done.countDown();
        }
    }

    /** Runs a unit of work; false when it is to be rolled back (it failed, or stopped for outside work). */
    private <T> boolean runUnit(Unit<T> unit) {
        writeDb.outside = unit.outside;
        unit.outside.beginRun();
        try {
            unit.result = unit.work.run(writeDb.tx);
            if (unit.outside.stopped()) {
                unit.fail(new OutsideWorks.Stop());
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            unit.fail(unit.outside.stopped() ? new OutsideWorks.Stop() : e);
            return false;
        } catch (Error e) {
            unit.fail(new StoreException("store transaction failed: " + e, e));
            return false;
        } finally {
            writeDb.outside = null;
        }
    }

    /**
     * Rolls back what is left of the transaction and fails the units it carried; true when a new transaction could
     * be begun for the units after them.
     */
    private boolean abandon(List<Unit<?>> pending, StoreException cause) {
        boolean open = writeDb.end(false);
        writeDb.committed.clear(); // the units they belonged to are rolled back
        if (writeDb.changes != null) {
            writeDb.changes.dropWritten(); // and what they wrote is not to be kept in the cache
        }
        for (Unit<?> u : pending) {
            u.fail(new StoreException("store transaction failed: " + cause.getMessage(), cause));
        }
        pending.clear();
        return open;
    }

    private boolean onWriterThread() {
        return Thread.currentThread() == writer;
    }

    // ---------------------------------------------------------------------------------------------- the rest

    @Override
    public void reset() {
        write(tx -> {
            ((SqliteTx) tx).deleteAllResources();
            ((SqliteTx) tx).update("DELETE FROM operations");
            tx.blobs().clear();
            return null;
        });
    }

    @Override
    public Counts counts() {
        return new Counts(counters[0].sum(), counters[1].sum(), counters[2].sum());
    }

    @Override
    public void indexReferences(String type, References refs) {
        if (references.putIfAbsent(type, refs) != null) {
            throw new IllegalStateException("the references of " + type + " are indexed already");
        }
        if (schemaBefore == 0 || schemaBefore >= REFERENCES_SCHEMA) {
            return; // a new database, or one whose documents were all indexed as they were written
        }
        write(tx -> { // a database from before the index: its documents of this type are indexed once, here
            SqliteTx t = (SqliteTx) tx;
            for (StoredResource r : t.query("SELECT key, id, subscription, resource_group, type, name, body, "
                    + "created_at, updated_at FROM resources WHERE type = ?", SqliteTx::resourceRow, type)) {
                t.index(r);
            }
            return null;
        });
    }

    /** The schema version that added the reference index (V3.sql). */
    private static final int REFERENCES_SCHEMA = 3;

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Unit<?> late; (late = queue.poll()) != null; ) {
            late.fail(new StoreException("the store is closed", null));
        }
        writeLock.lock();
        try {
            writeDb.close();
        } finally {
            writeLock.unlock();
        }
        synchronized (allReaders) {
            allReaders.forEach(SqliteDb::close);
            allReaders.clear();
        }
        readers.clear();
    }

}

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
    private final Db writeDb;
    /** Held by the writer while it works; in memory, also by every read. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedDeque<Db> readers = new ConcurrentLinkedDeque<>();
    private final List<Db> allReaders = new ArrayList<>();
    private final Thread writer;
    private final ResourceCache cache = new ResourceCache(ResourceCache.defaultBudgetBytes());
    private volatile boolean closed;

    private SqliteStore(String url, Connection connection, String description, boolean shared) throws SQLException {
        this.url = url;
        this.description = description;
        this.shared = shared;
        this.writeDb = new Db(connection, this::onWriterThread);
        migrate(connection);
        // every connection always has a (deferred) transaction open: begun here by the driver, and again by
        // Db.commit/Db.end right after each one ends, so that the driver need not check after every statement
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
            return new SqliteStore(url, c, "sqlite:" + file.toAbsolutePath(), false);
        } catch (SQLException e) {
            throw new StoreException("cannot open the store at " + file + ": " + e.getMessage(), e);
        }
    }

    public static SqliteStore inMemory() {
        try {
            return new SqliteStore(null, connect("jdbc:sqlite::memory:"), "sqlite:memory", true);
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

    /** Applies every {@code db/sqlite/V<n>.sql} above the recorded schema version, each in its own transaction. */
    private static void migrate(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, "
                    + "applied_at INTEGER NOT NULL)");
        }
        int current;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
            current = rs.next() ? rs.getInt(1) : 0;
        }
        for (int v = current + 1; ; v++) {
            String script = script(v);
            if (script == null) {
                break;
            }
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (String sql : script.split(";")) {
                    if (!sql.replaceAll("(?m)^\\s*--.*$", "").isBlank()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = connection.prepareStatement(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")) {
                    p.setInt(1, v);
                    p.setLong(2, System.currentTimeMillis());
                    p.executeUpdate();
                }
                connection.commit();
                LOG.debug("store schema migrated to version {}", v);
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static String script(int version) {
        try (InputStream in = SqliteStore.class.getResourceAsStream("/db/sqlite/V" + version + ".sql")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read migration " + version, e);
        }
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
        if (shared) {
            writeLock.lock();
            try {
                return work.run(writeDb.tx);
            } finally {
                writeLock.unlock();
            }
        }
        Db db = reader();
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

    private Db reader() {
        Db db = readers.poll();
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
            db = new Db(c, () -> false);
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
        queue.add(unit);
        boolean interrupted = false;
        while (true) {
            try {
                unit.done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the unit may already be in a transaction: wait for its outcome
            }
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
                writeLock.lock();
                try {
                    runBatch(batch);
                } finally {
                    writeLock.unlock();
                }
                batch.clear();
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
            ((Tx) tx).deleteAllResources();
            ((Tx) tx).update("DELETE FROM operations");
            tx.blobs().clear();
            return null;
        });
    }

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
            allReaders.forEach(Db::close);
            allReaders.clear();
        }
        readers.clear();
    }

    /** One connection, its prepared statements, and the transaction view of it. */
    private static final class Db {
        final Connection connection;
        final Map<String, PreparedStatement> statements = new HashMap<>();
        final Tx tx;
        /** Of the write connection: the after-commit actions of the unit being run. */
        final List<Runnable> unitActions = new ArrayList<>();
        /** Of the write connection: the after-commit actions of the units of the batch released so far. */
        final List<Runnable> committed = new ArrayList<>();
        /** Of the write connection: the outside work of the unit being run, null between units. */
        OutsideWorks outside;
        /** Of the write connection: what the batch being run changes of the resources, null between batches. */
        ResourceCache.Batch changes;

        Db(Connection connection, BooleanSupplier writing) {
            this.connection = connection;
            this.tx = new Tx(this, writing);
        }

        PreparedStatement statement(String sql) throws SQLException {
            PreparedStatement p = statements.get(sql);
            if (p == null) {
                p = connection.prepareStatement(sql);
                statements.put(sql, p);
            }
            return p;
        }

        /** Commits the connection's transaction (a new one begins at once, with nothing read or written yet). */
        void commit() {
            execute("COMMIT");
            execute("BEGIN");
        }

        /**
         * Ends the connection's transaction, committing it or rolling it back, so that it holds no snapshot and
         * no lock; false when that failed and the connection cannot be trusted any more.
         */
        boolean end(boolean commit) {
            try {
                statement(commit ? "COMMIT" : "ROLLBACK").execute();
                statement("BEGIN").execute();
                return true;
            } catch (SQLException e) {
                // e.g. SQLite already rolled back by itself: begin again by hand
                try {
                    ((SQLiteConnection) connection).getDatabase().exec("begin;", false);
                    return true;
                } catch (SQLException again) {
                    LOG.warn("a store connection could not end its transaction: {}", again.getMessage());
                    return false;
                }
            }
        }

        void execute(String sql) {
            try {
                statement(sql).execute();
            } catch (SQLException e) {
                throw new StoreException("store statement '" + sql + "' failed: " + e.getMessage(), e);
            }
        }

        void close() {
            try {
                for (PreparedStatement p : statements.values()) {
                    p.close();
                }
                connection.close();
            } catch (SQLException e) {
                LOG.warn("closing the store failed: {}", e.getMessage());
            }
        }
    }

    private static final class Tx implements StoreTx, Sql {
        /** The columns of a resource row, in the order {@link #resourceRow} reads them. */
        private static final String RESOURCE_COLUMNS =
                "key, id, subscription, resource_group, type, name, body, created_at, updated_at";
        /** The columns of an operation row, in the order {@link #operationRow} reads them. */
        private static final String OPERATION_COLUMNS = "id, subscription, namespace, location, kind, target, status, "
                + "start_time, end_time, due_at, input, result, http_status, error, api_version";

        private final Db db;
        /** True on the writer thread (while it runs units of work). */
        private final BooleanSupplier writing;
        private final BlobCatalog blobs;

        Tx(Db db, BooleanSupplier writing) {
            this.db = db;
            this.writing = writing;
            this.blobs = new SqliteBlobCatalog(this);
        }

        @Override
        public BlobCatalog blobs() {
            return blobs;
        }

        @Override
        public void afterCommit(Runnable action) {
            // in memory, reads run on the write connection too, but never on the writer thread
            if (!writing.getAsBoolean()) {
                throw new IllegalStateException("afterCommit is for writes");
            }
            db.unitActions.add(action);
        }

        @Override
        public <T> T outside(OutsideWork<T> work) {
            return unitOutside().ask(work);
        }

        @Override
        public void outside(List<? extends OutsideWork<?>> works) {
            unitOutside().ask(works);
        }

        private OutsideWorks unitOutside() {
            OutsideWorks outside = writing.getAsBoolean() ? db.outside : null;
            if (outside == null) {
                throw new IllegalStateException("outside work is for writes");
            }
            return outside;
        }

        @Override
        public int update(String sql, Object... args) {
            try {
                PreparedStatement p = db.statement(sql);
                bind(p, args);
                return p.executeUpdate();
            } catch (SQLException e) {
                throw new StoreException("store update failed: " + e.getMessage(), e);
            }
        }

        @Override
        public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
            try {
                PreparedStatement p = db.statement(sql);
                bind(p, args);
                try (ResultSet rs = p.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(mapper.map(rs));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw new StoreException("store query failed: " + e.getMessage(), e);
            }
        }

        @Override
        public Optional<StoredResource> resource(String key) {
            return query("SELECT " + RESOURCE_COLUMNS + " FROM resources WHERE key = ?", Tx::resourceRow, key).stream()
                    .findFirst();
        }

        @Override
        public Optional<String> resourceBody(String key) {
            return query("SELECT body FROM resources WHERE key = ?", rs -> rs.getString(1), key).stream().findFirst();
        }

        /** The batch that records this write's changes to resources, before they are made. */
        private ResourceCache.Batch changes() {
            ResourceCache.Batch changes = writing.getAsBoolean() ? db.changes : null;
            if (changes == null) {
                throw new IllegalStateException("resources change only in a write");
            }
            return changes;
        }

        @Override
        public void putResource(StoredResource r) {
            ResourceCache.Batch changes = changes();
            changes.touch(r.key());
            update("INSERT INTO resources (key, id, subscription, resource_group, type, name, body, created_at, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id, "
                            + "subscription = excluded.subscription, resource_group = excluded.resource_group, "
                            + "type = excluded.type, name = excluded.name, body = excluded.body, "
                            + "updated_at = excluded.updated_at",
                    r.key(), r.id(), r.subscription(), r.resourceGroup(), r.type(), r.name(), r.body(), r.createdAt(),
                    r.updatedAt());
            changes.written(r.key(), r.type(), r.body());
        }

        @Override
        public boolean deleteResource(String key) {
            ResourceCache.Batch changes = changes();
            changes.touch(key);
            boolean deleted = update("DELETE FROM resources WHERE key = ?", key) > 0;
            changes.deleted(key);
            return deleted;
        }

        @Override
        public List<StoredResource> listResources(ResourceQuery q) {
            List<Object> args = new ArrayList<>(5);
            args.add(q.subscription());
            args.add(q.type());
            int variant = 0;
            if (q.resourceGroup() != null) {
                args.add(q.resourceGroup());
                variant |= 1;
            }
            if (q.afterKey() != null) {
                args.add(q.afterKey());
                variant |= 2;
            }
            args.add(q.limit());
            return query(LIST_SQL[variant], Tx::resourceRow, args.toArray());
        }

        /** A listing's query by which of resource group (1) and start key (2) it has. */
        private static final String[] LIST_SQL = {list(false, false), list(true, false), list(false, true),
                list(true, true)};

        private static String list(boolean group, boolean after) {
            return "SELECT " + RESOURCE_COLUMNS + " FROM resources WHERE subscription = ? AND type = ?"
                    + (group ? " AND resource_group = ?" : "") + (after ? " AND key > ?" : "")
                    + " ORDER BY key LIMIT ?";
        }

        @Override
        public int deleteResourceGroup(String subscription, String resourceGroup) {
            // the group's own keys are marked, not the whole cache: other groups' answers stay kept
            ResourceCache.Batch changes = changes();
            List<String> keys = query("SELECT key FROM resources WHERE subscription = ? AND resource_group = ?",
                    rs -> rs.getString(1), subscription, resourceGroup);
            keys.forEach(changes::touch);
            int deleted = update("DELETE FROM resources WHERE subscription = ? AND resource_group = ?", subscription,
                    resourceGroup);
            keys.forEach(changes::deleted);
            return deleted;
        }

        void deleteAllResources() {
            changes().touchAll();
            update("DELETE FROM resources");
        }

        @Override
        public Optional<StoredOperation> operation(String id) {
            return query("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE id = ?", Tx::operationRow, id).stream()
                    .findFirst();
        }

        @Override
        public void putOperation(StoredOperation o) {
            update("INSERT INTO operations (id, subscription, namespace, location, kind, target, status, start_time, "
                            + "end_time, due_at, input, result, http_status, error, api_version) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                            + "status = excluded.status, end_time = excluded.end_time, result = excluded.result, "
                            + "http_status = excluded.http_status, error = excluded.error, due_at = excluded.due_at",
                    o.id(), o.subscription(), o.namespace(), o.location(), o.kind(), o.target(), o.status(),
                    o.startTime(), o.endTime(), o.dueAt(), o.input(), o.result(), o.httpStatus(), o.error(),
                    o.apiVersion());
        }

        @Override
        public List<StoredOperation> operationsInProgress() {
            return query("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE status = ? ORDER BY due_at",
                    Tx::operationRow,
                    StoredOperation.IN_PROGRESS);
        }

        @Override
        public Optional<StoredOperation> operationInProgress(String target, String kind) {
            return query("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE status = ? AND target = ? AND kind = ? "
                            + "ORDER BY start_time DESC LIMIT 1", Tx::operationRow, StoredOperation.IN_PROGRESS,
                    target, kind).stream().findFirst();
        }

        @Override
        public int deleteOperationsEndedBefore(long epochMillis) {
            return update("DELETE FROM operations WHERE status <> ? AND end_time < ?", StoredOperation.IN_PROGRESS,
                    epochMillis);
        }

        private static void bind(PreparedStatement p, Object... args) throws SQLException {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a == null) {
                    p.setNull(i + 1, Types.NULL);
                } else if (a instanceof String s) {
                    p.setString(i + 1, s);
                } else if (a instanceof Long l) {
                    p.setLong(i + 1, l);
                } else if (a instanceof Integer n) {
                    p.setInt(i + 1, n);
                } else {
                    throw new IllegalArgumentException("unsupported parameter type " + a.getClass());
                }
            }
        }

        private static StoredResource resourceRow(ResultSet rs) throws SQLException {
            return new StoredResource(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9));
        }

        private static StoredOperation operationRow(ResultSet rs) throws SQLException {
            long end = rs.getLong(9);
            Long endTime = rs.wasNull() ? null : end;
            return new StoredOperation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), endTime, rs.getLong(10),
                    rs.getString(11), rs.getString(12), rs.getInt(13), rs.getString(14), rs.getString(15));
        }
    }

}

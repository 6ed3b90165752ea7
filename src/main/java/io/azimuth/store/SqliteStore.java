package io.azimuth.store;

import org.slf4j.Logger;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: SQLite through JDBC, in WAL mode with full fsync on commit, so that a write acknowledged
 * to a client survives a crash. With no path it lives in memory and keeps nothing. One connection serves all
 * work, one unit at a time; schema migrations ({@code db/sqlite/V<n>.sql}) run at open.
 */
public final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final String description;

    private SqliteStore(Connection connection, String description) {
        this.connection = connection;
        this.description = description;
    }

    public static SqliteStore open(Path file) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
            }
            SqliteStore store = new SqliteStore(c, "sqlite:" + file.toAbsolutePath());
            store.migrate();
            return store;
        } catch (SQLException e) {
            throw new StoreException("cannot open the store at " + file + ": " + e.getMessage(), e);
        }
    }

    public static SqliteStore inMemory() {
        try {
            SqliteStore store = new SqliteStore(DriverManager.getConnection("jdbc:sqlite::memory:"), "sqlite:memory");
            store.migrate();
            return store;
        } catch (SQLException e) {
            throw new StoreException("cannot open an in-memory store: " + e.getMessage(), e);
        }
    }

    /** Applies every {@code db/sqlite/V<n>.sql} above the recorded schema version, each in its own transaction. */
    private void migrate() throws SQLException {
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

    @Override
    public <T> T read(Work<T> work) {
        lock.lock();
        try {
            return work.run(new Tx());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> T write(Work<T> work) {
        lock.lock();
        try {
            connection.setAutoCommit(false);
            boolean committed = false;
            try {
                T result = work.run(new Tx());
                connection.commit();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    connection.rollback();
                }
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("store transaction failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reset() {
        write(tx -> {
            ((Tx) tx).update("DELETE FROM resources");
            ((Tx) tx).update("DELETE FROM operations");
            return null;
        });
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing the store failed: {}", e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    private final class Tx implements StoreTx {
        int update(String sql, Object... args) {
            try (PreparedStatement p = connection.prepareStatement(sql)) {
                bind(p, args);
                return p.executeUpdate();
            } catch (SQLException e) {
                throw new StoreException("store update failed: " + e.getMessage(), e);
            }
        }

        private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
            try (PreparedStatement p = connection.prepareStatement(sql)) {
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
            return query("SELECT * FROM resources WHERE key = ?", Tx::resourceRow, key).stream().findFirst();
        }

        @Override
        public void putResource(StoredResource r) {
            update("INSERT INTO resources (key, id, subscription, resource_group, type, name, body, created_at, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id, "
                            + "subscription = excluded.subscription, resource_group = excluded.resource_group, "
                            + "type = excluded.type, name = excluded.name, body = excluded.body, "
                            + "updated_at = excluded.updated_at",
                    r.key(), r.id(), r.subscription(), r.resourceGroup(), r.type(), r.name(), r.body(), r.createdAt(),
                    r.updatedAt());
        }

        @Override
        public boolean deleteResource(String key) {
            return update("DELETE FROM resources WHERE key = ?", key) > 0;
        }

        @Override
        public List<StoredResource> listResources(ResourceQuery q) {
            StringBuilder sql = new StringBuilder("SELECT * FROM resources WHERE subscription = ? AND type = ?");
            List<Object> args = new ArrayList<>(List.of(q.subscription(), q.type()));
            if (q.resourceGroup() != null) {
                sql.append(" AND resource_group = ?");
                args.add(q.resourceGroup());
            }
            if (q.afterKey() != null) {
                sql.append(" AND key > ?");
                args.add(q.afterKey());
            }
            sql.append(" ORDER BY key LIMIT ?");
            args.add(q.limit());
            return query(sql.toString(), Tx::resourceRow, args.toArray());
        }

        @Override
        public int deleteResourceGroup(String subscription, String resourceGroup) {
            return update("DELETE FROM resources WHERE subscription = ? AND resource_group = ?", subscription,
                    resourceGroup);
        }

        @Override
        public Optional<StoredOperation> operation(String id) {
            return query("SELECT * FROM operations WHERE id = ?", Tx::operationRow, id).stream().findFirst();
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
            return query("SELECT * FROM operations WHERE status = ? ORDER BY due_at", Tx::operationRow,
                    StoredOperation.IN_PROGRESS);
        }

        @Override
        public Optional<StoredOperation> operationInProgress(String target, String kind) {
            return query("SELECT * FROM operations WHERE status = ? AND target = ? AND kind = ? "
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
            return new StoredResource(rs.getString("key"), rs.getString("id"), rs.getString("subscription"),
                    rs.getString("resource_group"), rs.getString("type"), rs.getString("name"), rs.getString("body"),
                    rs.getLong("created_at"), rs.getLong("updated_at"));
        }

        private static StoredOperation operationRow(ResultSet rs) throws SQLException {
            long end = rs.getLong("end_time");
            Long endTime = rs.wasNull() ? null : end;
            return new StoredOperation(rs.getString("id"), rs.getString("subscription"), rs.getString("namespace"),
                    rs.getString("location"), rs.getString("kind"), rs.getString("target"), rs.getString("status"),
                    rs.getLong("start_time"), endTime, rs.getLong("due_at"), rs.getString("input"),
                    rs.getString("result"), rs.getInt("http_status"), rs.getString("error"),
                    rs.getString("api_version"));
        }
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }
}

package io.azimuth.store;

import org.sqlite.SQLiteConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** The SQLite store's {@link StoreTx}: the SQL of resources, operations and references on one connection. */
final class SqliteTx implements StoreTx, Sql {
    /** The columns of a resource row, in the order {@link #resourceRow} reads them. */
    private static final String RESOURCE_COLUMNS =
            "key, id, subscription, resource_group, type, name, body, created_at, updated_at";
    /** The columns of an operation row, in the order {@link #operationRow} reads them. */
    private static final String OPERATION_COLUMNS = "id, subscription, namespace, location, kind, target, status, "
            + "start_time, end_time, due_at, input, result, http_status, error, api_version";

    private final SqliteDb db;
    /** True on the writer thread (while it runs units of work). */
    private final BooleanSupplier writing;
    private final BlobCatalog blobs;

    /** By resource type (lower case), what its documents reference: see {@link Store#indexReferences}. */
    private final Map<String, Store.References> references;

    /** Resource rows read by key, and written, by every transaction of the store: see {@link Store#counts}. */
    private final java.util.concurrent.atomic.LongAdder[] counters;

    SqliteTx(SqliteDb db, BooleanSupplier writing, Map<String, Store.References> references,
             java.util.concurrent.atomic.LongAdder[] counters) {
        this.db = db;
        this.references = references;
        this.counters = counters;
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
        counters[0].increment();
        return query("SELECT " + RESOURCE_COLUMNS + " FROM resources WHERE key = ?", SqliteTx::resourceRow, key).stream()
                .findFirst();
    }

    @Override
    public Optional<String> resourceBody(String key) {
        counters[0].increment();
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
        putResource(r, null);
    }

    @Override
    public void putResource(StoredResource r, ResourceCache.Derived derived) {
        ResourceCache.Batch changes = changes();
        counters[1].increment();
        changes.touch(r.key());
        update("INSERT INTO resources (key, id, subscription, resource_group, type, name, body, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id, "
                        + "subscription = excluded.subscription, resource_group = excluded.resource_group, "
                        + "type = excluded.type, name = excluded.name, body = excluded.body, "
                        + "updated_at = excluded.updated_at",
                r.key(), r.id(), r.subscription(), r.resourceGroup(), r.type(), r.name(), r.body(), r.createdAt(),
                r.updatedAt());
        if (derived == null) {
            changes.written(r.key(), r.type(), r.body());
        } else {
            changes.written(r.key(), r.type(), derived);
        }
        index(r);
    }

    /** Records what the document of {@code r} references, when its type is indexed. */
    void index(StoredResource r) {
        Store.References refs = references.get(r.type());
        if (refs == null) {
            return;
        }
        java.util.Collection<String> targets = refs.in(r.body());
        List<String> before = query("SELECT target FROM resource_refs WHERE source = ?", rs -> rs.getString(1), r.key());
        if (before.size() == targets.size() && before.containsAll(targets)) {
            return;
        }
        update("DELETE FROM resource_refs WHERE source = ?", r.key());
        for (String target : targets) {
            update("INSERT OR IGNORE INTO resource_refs (target, source) VALUES (?, ?)", target, r.key());
        }
    }

    @Override
    public List<String> referrers(String key, int limit) {
        return query("SELECT source FROM resource_refs WHERE target = ? ORDER BY source LIMIT ?", rs -> rs.getString(1),
                key, limit);
    }

    @Override
    public boolean deleteResource(String key) {
        ResourceCache.Batch changes = changes();
        counters[1].increment();
        changes.touch(key);
        boolean deleted = update("DELETE FROM resources WHERE key = ?", key) > 0;
        changes.deleted(key);
        if (deleted && !references.isEmpty()) {
            update("DELETE FROM resource_refs WHERE source = ?", key);
        }
        return deleted;
    }

    @Override
    public List<StoredResource> listResources(ResourceQuery q) {
        List<Object> args = new ArrayList<>(7);
        args.add(q.subscription());
        args.add(q.type());
        int variant = 0;
        if (q.parentKey() != null) {
            // a parent's children: keys from "parent/" up to (not including) "parent0", '0' following '/'
            args.add(q.parentKey() + "/");
            args.add(q.parentKey() + "0");
            variant |= 4;
        }
        if (q.resourceGroup() != null) {
            args.add(q.resourceGroup());
            variant |= 1;
        }
        if (q.afterKey() != null) {
            args.add(q.afterKey());
            variant |= 2;
        }
        args.add(q.limit());
        return query(LIST_SQL[variant], SqliteTx::resourceRow, args.toArray());
    }

    /** A listing's query by which of parent (4), resource group (1) and start key (2) it has. */
    private static final String[] LIST_SQL = new String[8];

    static {
        for (int v = 0; v < LIST_SQL.length; v++) {
            LIST_SQL[v] = "SELECT " + RESOURCE_COLUMNS + " FROM resources WHERE subscription = ? AND type = ?"
                    + ((v & 4) != 0 ? " AND key >= ? AND key < ?" : "") + ((v & 1) != 0 ? " AND resource_group = ?" : "")
                    + ((v & 2) != 0 ? " AND key > ?" : "") + " ORDER BY key LIMIT ?";
        }
    }

    @Override
    public int deleteResourceGroup(String subscription, String resourceGroup) {
        // the group's own keys are marked, not the whole cache: other groups' answers stay kept
        ResourceCache.Batch changes = changes();
        List<String> keys = query("SELECT key FROM resources WHERE subscription = ? AND resource_group = ?",
                rs -> rs.getString(1), subscription, resourceGroup);
        keys.forEach(changes::touch);
        if (!references.isEmpty()) {
            update("DELETE FROM resource_refs WHERE source IN (SELECT key FROM resources WHERE subscription = ? "
                    + "AND resource_group = ?)", subscription, resourceGroup);
        }
        int deleted = update("DELETE FROM resources WHERE subscription = ? AND resource_group = ?", subscription,
                resourceGroup);
        keys.forEach(changes::deleted);
        return deleted;
    }

    void deleteAllResources() {
        changes().touchAll();
        update("DELETE FROM resources");
        update("DELETE FROM resource_refs");
    }

    @Override
    public Optional<StoredOperation> operation(String id) {
        return query("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE id = ?", SqliteTx::operationRow, id).stream()
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
    public List<StoredResource> allResources() {
        return query("SELECT " + RESOURCE_COLUMNS + " FROM resources ORDER BY key", SqliteTx::resourceRow);
    }

    @Override
    public List<StoredOperation> allOperations() {
        return query("SELECT " + OPERATION_COLUMNS + " FROM operations ORDER BY id", SqliteTx::operationRow);
    }

    @Override
    public List<StoredOperation> operationsInProgress() {
        return query("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE status = ? ORDER BY due_at",
                SqliteTx::operationRow,
                StoredOperation.IN_PROGRESS);
    }

    @Override
    public Optional<StoredOperation> operationInProgress(String target, String kind) {
        return query("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE status = ? AND target = ? AND kind = ? "
                        + "ORDER BY start_time DESC LIMIT 1", SqliteTx::operationRow, StoredOperation.IN_PROGRESS,
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

    static StoredResource resourceRow(ResultSet rs) throws SQLException {
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


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

/** One connection of the SQLite store, its prepared statements, and the transaction view of it. */
final class SqliteDb {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    final Connection connection;
    final Map<String, PreparedStatement> statements = new HashMap<>();
    final SqliteTx tx;
    /** Of the write connection: the after-commit actions of the unit being run. */
    final List<Runnable> unitActions = new ArrayList<>();
    /** Of the write connection: the after-commit actions of the units of the batch released so far. */
    final List<Runnable> committed = new ArrayList<>();
    /** Of the write connection: the outside work of the unit being run, null between units. */
    OutsideWorks outside;
    /** Of the write connection: what the batch being run changes of the resources, null between batches. */
    ResourceCache.Batch changes;

    SqliteDb(Connection connection, BooleanSupplier writing, Map<String, Store.References> references,
             java.util.concurrent.atomic.LongAdder[] counters) {
        this.connection = connection;
        this.tx = new SqliteTx(this, writing, references, counters);
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

    /**
     * Checkpoints the WAL and truncates it (PRAGMA wal_checkpoint(TRUNCATE)), between transactions; true when it was
     * restarted (no connection held a snapshot that needs it).
     */
    boolean checkpoint() throws SQLException {
        statement("COMMIT").execute();
        try (java.sql.Statement s = connection.createStatement();
             java.sql.ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            return rs.next() && rs.getInt(1) == 0;
        } finally {
            statement("BEGIN").execute();
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

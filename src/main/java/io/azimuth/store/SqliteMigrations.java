package io.azimuth.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The SQLite store's schema: {@code db/sqlite/V<n>.sql}, applied in order at open. */
final class SqliteMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteMigrations.class);

    private SqliteMigrations() {
    }

    /**
     * Applies every {@code db/sqlite/V<n>.sql} above the recorded schema version, each in its own transaction.
     *
     * @return the version the schema had before (0 for a new database)
     */
    static int migrate(Connection connection) throws SQLException {
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
        return current;
    }

    private static String script(int version) {
        try (InputStream in = SqliteStore.class.getResourceAsStream("/db/sqlite/V" + version + ".sql")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read migration " + version, e);
        }
    }
}

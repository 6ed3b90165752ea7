package io.azimuth.fuzz;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the server has stored, read through a read-only connection of its own to the instance's database file
 * (the store commits every write before it answers, so what a connection sees after an answer is what the
 * request left): every resource row, and the blob catalog (names, contents, chunk maps). Compared as a map from
 * row key to a digest of the row, so that a difference names the rows that changed.
 */
final class StoreDigest implements AutoCloseable {
    private static final String[][] TABLES = {
            {"resource ", "SELECT key, id, subscription, resource_group, type, name, body, created_at, updated_at "
                    + "FROM resources"},
            {"blob ", "SELECT account || '/' || container || '/' || name, content FROM blobs"},
            {"content ", "SELECT id, size, refs FROM blob_contents"},
            {"chunks ", "SELECT content || ':' || idx, hash FROM blob_content_chunks"},
    };
    private final Connection connection;

    StoreDigest(Path database) {
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:file:" + database.toAbsolutePath() + "?mode=ro");
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA query_only=1");
                s.execute("PRAGMA busy_timeout=10000");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the store at " + database, e);
        }
    }

    /** A snapshot: row name to a digest of its columns. */
    record Snapshot(Map<String, String> rows) {
        int resources() {
            return (int) rows.keySet().stream().filter(k -> k.startsWith("resource ")).count();
        }

        /** The rows added, removed or changed from {@code before} to this one. */
        String differenceFrom(Snapshot before) {
            TreeSet<String> keys = new TreeSet<>(rows.keySet());
            keys.addAll(before.rows.keySet());
            StringBuilder b = new StringBuilder();
            int shown = 0;
            for (String k : keys) {
                String was = before.rows.get(k);
                String is = rows.get(k);
                if (was == null || !was.equals(is)) {
                    b.append(shown++ == 0 ? "" : ", ").append(was == null ? "added " : is == null ? "removed "
                            : "changed ").append(k);
                    if (shown == 10) {
                        b.append(", ...");
                        break;
                    }
                }
            }
            return b.toString();
        }
    }

    Snapshot snapshot() {
        Map<String, String> rows = new TreeMap<>();
        try (Statement s = connection.createStatement()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String[] table : TABLES) {
                try (ResultSet rs = s.executeQuery(table[1])) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int c = 2; c <= columns; c++) {
                            String v = rs.getString(c);
                            sha.update(String.valueOf(v).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            sha.update((byte) 0);
                        }
                        rows.put(table[0] + rs.getString(1), HexFormat.of().formatHex(sha.digest()));
                    }
                }
            }
        } catch (SQLException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read the store", e);
        }
        return new Snapshot(rows);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // nothing more to release
        }
    }
}

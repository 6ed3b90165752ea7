package io.azimuth.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** The blob catalog in the tables of {@code V2.sql}, through the statements of one unit of work. */
final class SqliteBlobCatalog implements BlobCatalog {
    /** The chunks of one content, as a subquery taking the content id. */
    private static final String HASHES_OF = "(SELECT hash FROM blob_content_chunks WHERE content = ?)";

    private final Sql sql;

    SqliteBlobCatalog(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Optional<Content> blob(String account, String container, String name) {
        return sql.query("SELECT c.id, c.size, c.refs FROM blobs b JOIN blob_contents c ON c.id = b.content "
                        + "WHERE b.account = ? AND b.container = ? AND b.name = ?",
                rs -> new Content(rs.getLong(1), rs.getLong(2), rs.getLong(3)), account, container, name)
                .stream().findFirst();
    }

    @Override
    public List<String[]> allNames() {
        return sql.query("SELECT account, container, name FROM blobs ORDER BY account, container, name",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
    }

    @Override
    public List<String> names(String account, String container, String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return sql.query("SELECT name FROM blobs WHERE account = ? AND container = ? ORDER BY name",
                    rs -> rs.getString(1), account, container);
        }
        List<String> names = sql.query("SELECT name FROM blobs WHERE account = ? AND container = ? AND name >= ? "
                        + "AND substr(name, 1, ?) = ? ORDER BY name", rs -> rs.getString(1), account, container,
                prefix, prefix.codePointCount(0, prefix.length()), prefix);
        names.removeIf(n -> !n.startsWith(prefix));
        return names;
    }

    @Override
    public SortedMap<Long, String> chunks(long content) {
        SortedMap<Long, String> map = new TreeMap<>();
        sql.query("SELECT idx, hash FROM blob_content_chunks WHERE content = ?", rs -> {
            map.put(rs.getLong(1), rs.getString(2));
            return null;
        }, content);
        return map;
    }

    @Override
    public Optional<String> chunk(long content, long index) {
        return sql.query("SELECT hash FROM blob_content_chunks WHERE content = ? AND idx = ?", rs -> rs.getString(1),
                content, index).stream().findFirst();
    }

    @Override
    public long createContent(long size, Map<Long, Chunk> chunks) {
        sql.update("INSERT INTO blob_contents (size, refs) VALUES (?, 0)", size);
        long id = lastId();
        Set<String> held = new LinkedHashSet<>();
        for (Map.Entry<Long, Chunk> e : chunks.entrySet()) {
            sql.update("INSERT INTO blob_content_chunks (content, idx, hash) VALUES (?, ?, ?)", id, e.getKey(),
                    e.getValue().hash());
            if (held.add(e.getValue().hash())) {
                retain(e.getValue());
            }
        }
        return id;
    }

    @Override
    public long copyContent(long content) {
        sql.update("INSERT INTO blob_contents (size, refs) SELECT size, 0 FROM blob_contents WHERE id = ?", content);
        long id = lastId();
        sql.update("INSERT INTO blob_content_chunks (content, idx, hash) "
                + "SELECT ?, idx, hash FROM blob_content_chunks WHERE content = ?", id, content);
        sql.update("UPDATE blob_chunks SET refs = refs + 1 WHERE hash IN " + HASHES_OF, id);
        return id;
    }

    @Override
    public List<String> changeContent(long content, long size, long chunkSize, Map<Long, Chunk> put,
                                      Collection<Long> zeroed) {
        long last = size == 0 ? -1 : (size - 1) / chunkSize;
        Map<String, Chunk> added = new HashMap<>();
        Set<String> affected = new LinkedHashSet<>();
        List<Long> touched = new ArrayList<>(put.keySet());
        touched.addAll(zeroed);
        for (long index : touched) {
            chunk(content, index).ifPresent(affected::add);
        }
        sql.query("SELECT hash FROM blob_content_chunks WHERE content = ? AND idx > ?", rs -> affected.add(
                rs.getString(1)), content, last);
        put.forEach((index, chunk) -> {
            if (index <= last) {
                added.put(chunk.hash(), chunk);
                affected.add(chunk.hash());
            }
        });
        Map<String, Boolean> before = new HashMap<>();
        for (String hash : affected) {
            before.put(hash, holds(content, hash));
        }
        for (long index : zeroed) {
            sql.update("DELETE FROM blob_content_chunks WHERE content = ? AND idx = ?", content, index);
        }
        for (Map.Entry<Long, Chunk> e : put.entrySet()) {
            if (e.getKey() <= last) {
                sql.update("INSERT INTO blob_content_chunks (content, idx, hash) VALUES (?, ?, ?) "
                        + "ON CONFLICT (content, idx) DO UPDATE SET hash = excluded.hash", content, e.getKey(),
                        e.getValue().hash());
            }
        }
        sql.update("DELETE FROM blob_content_chunks WHERE content = ? AND idx > ?", content, last);
        sql.update("UPDATE blob_contents SET size = ? WHERE id = ?", size, content);
        List<String> freed = new ArrayList<>();
        for (String hash : affected) {
            boolean now = holds(content, hash);
            if (now && !before.get(hash)) {
                retain(added.get(hash));
            } else if (!now && before.get(hash)) {
                sql.update("UPDATE blob_chunks SET refs = refs - 1 WHERE hash = ?", hash);
                if (sql.update("DELETE FROM blob_chunks WHERE hash = ? AND refs <= 0", hash) > 0) {
                    freed.add(hash);
                }
            }
        }
        return freed;
    }

    @Override
    public List<String> link(String account, String container, String name, long content) {
        Optional<Long> old = named(account, container, name);
        if (old.isPresent() && old.get() == content) {
            return List.of();
        }
        sql.update("INSERT INTO blobs (account, container, name, content) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (account, container, name) DO UPDATE SET content = excluded.content",
                account, container, name, content);
        sql.update("UPDATE blob_contents SET refs = refs + 1 WHERE id = ?", content);
        return old.isPresent() ? release(old.get()) : List.of();
    }

    @Override
    public Optional<List<String>> unlink(String account, String container, String name) {
        Optional<Long> old = named(account, container, name);
        if (old.isEmpty()) {
            return Optional.empty();
        }
        sql.update("DELETE FROM blobs WHERE account = ? AND container = ? AND name = ?", account, container, name);
        return Optional.of(release(old.get()));
    }

    @Override
    public List<String> chunkHashes() {
        return sql.query("SELECT hash FROM blob_chunks", rs -> rs.getString(1));
    }

    @Override
    public Counts counts() {
        return sql.query("SELECT (SELECT COUNT(*) FROM blobs), (SELECT COUNT(*) FROM blob_contents), "
                        + "(SELECT COUNT(*) FROM blob_chunks), (SELECT COALESCE(SUM(size), 0) FROM blob_chunks)",
                rs -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))).get(0);
    }

    @Override
    public void clear() {
        sql.update("DELETE FROM blobs");
        sql.update("DELETE FROM blob_content_chunks");
        sql.update("DELETE FROM blob_contents");
        sql.update("DELETE FROM blob_chunks");
    }

    private Optional<Long> named(String account, String container, String name) {
        return sql.query("SELECT content FROM blobs WHERE account = ? AND container = ? AND name = ?",
                rs -> rs.getLong(1), account, container, name).stream().findFirst();
    }

    private boolean holds(long content, String hash) {
        return !sql.query("SELECT 1 FROM blob_content_chunks WHERE hash = ? AND content = ? LIMIT 1", rs -> 1, hash,
                content).isEmpty();
    }

    /** One more content holds the chunk (its row is created at the first). */
    private void retain(Chunk chunk) {
        sql.update("INSERT INTO blob_chunks (hash, size, refs) VALUES (?, ?, 1) "
                + "ON CONFLICT (hash) DO UPDATE SET refs = refs + 1", chunk.hash(), chunk.length());
    }

    /** One name fewer points at a content; at none it goes, and so do the chunks no other content holds. */
    private List<String> release(long content) {
        sql.update("UPDATE blob_contents SET refs = refs - 1 WHERE id = ?", content);
        List<Long> refs = sql.query("SELECT refs FROM blob_contents WHERE id = ?", rs -> rs.getLong(1), content);
        if (!refs.isEmpty() && refs.get(0) > 0) {
            return List.of();
        }
        sql.update("UPDATE blob_chunks SET refs = refs - 1 WHERE hash IN " + HASHES_OF, content);
        List<String> freed = sql.query("SELECT hash FROM blob_chunks WHERE refs <= 0 AND hash IN " + HASHES_OF,
                rs -> rs.getString(1), content);
        sql.update("DELETE FROM blob_chunks WHERE refs <= 0 AND hash IN " + HASHES_OF, content);
        sql.update("DELETE FROM blob_content_chunks WHERE content = ?", content);
        sql.update("DELETE FROM blob_contents WHERE id = ?", content);
        return freed;
    }

    private long lastId() {
        return sql.query("SELECT last_insert_rowid()", rs -> rs.getLong(1)).get(0);
    }
}

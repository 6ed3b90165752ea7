package io.azimuth.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The catalog of the embedded blob store, reached from a unit of work ({@link StoreTx#blobs}), so that blob
 * changes commit or roll back with whatever else the unit does.
 *
 * <p>A blob name points at a <em>content</em>: a logical size and a map from chunk index (chunk {@code i} covers
 * bytes {@code [i * chunkSize, (i + 1) * chunkSize)}) to the hash of a stored <em>chunk</em>; indexes missing
 * from the map read as zeros. Contents count the names pointing at them and chunks count the contents whose map
 * holds them. When a count reaches zero the row goes; the methods that can free chunks return the hashes of
 * those that went, whose files the caller removes once the unit has committed.
 */
public interface BlobCatalog {
    /** A content: its size in bytes and how many blob names point at it. */
    record Content(long id, long size, long refs) {
    }

    /** A stored chunk: its hash and the number of bytes its file holds. */
    record Chunk(String hash, long length) {
    }

    /** Every blob name, as account, container and name, in that order. */
    List<String[]> allNames();

    /** What the catalog holds, for health output. */
    record Counts(long blobs, long contents, long chunks, long storedBytes) {
    }

    /** The content a blob name points at. */
    Optional<Content> blob(String account, String container, String name);

    /** Blob names of a container starting with {@code prefix} (may be empty), in name order. */
    List<String> names(String account, String container, String prefix);

    /** The whole chunk map of a content, by index. */
    SortedMap<Long, String> chunks(long content);

    /** The chunk at one index of a content, or empty when that index reads as zeros. */
    Optional<String> chunk(long content, long index);

    /** A new content of {@code size} bytes with the given chunks (no names point at it yet). */
    long createContent(long size, Map<Long, Chunk> chunks);

    /** A new content with the size and chunk map of {@code content} (no names point at it yet). */
    long copyContent(long content);

    /**
     * Changes a content in place: puts {@code put}, makes the {@code zeroed} indexes zeros, sets the size and drops
     * the chunks wholly beyond it. Only for a content that no other name shares.
     *
     * @return the hashes of the chunks no content holds any more
     */
    List<String> changeContent(long content, long size, long chunkSize, Map<Long, Chunk> put,
                               Collection<Long> zeroed);

    /**
     * Points a blob name at {@code content} (created or replaced).
     *
     * @return the hashes of chunks freed because the content the name pointed at before was left with no name
     */
    List<String> link(String account, String container, String name, long content);

    /**
     * Removes a blob name.
     *
     * @return empty when there was no such name, else the hashes of the chunks it freed
     */
    Optional<List<String>> unlink(String account, String container, String name);

    /** The hashes of every chunk in the catalog. */
    List<String> chunkHashes();

    Counts counts();

    /** Forgets every blob, content and chunk. */
    void clear();
}

package io.azimuth.blobs;

import io.azimuth.blobs.BlobException.Reason;
import io.azimuth.store.BlobCatalog;
import io.azimuth.store.BlobCatalog.Chunk;
import io.azimuth.store.BlobCatalog.Content;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static io.azimuth.blobs.ChunkFiles.CHUNK;

/**
 * Writes a blob of the chunk store: a new one ({@link ChunkedVhdStore#openWrite}) or a change to an existing one
 * ({@link ChunkedVhdStore#openEdit}).
 *
 * <p>Bytes are gathered chunk by chunk: a write that covers a whole chunk is hashed and stored straight from the
 * caller's buffer; smaller writes fill a chunk buffer (a few at a time, the least recently written sealed when
 * more are needed; a sealed chunk written again is read back). Sealing hashes the chunk up to its last non-zero
 * byte and stores it under that hash (nothing for an all-zero chunk), pinned so that nothing removes it before the
 * commit refers to it; its file is made durable in the background meanwhile. The commit waits for that, then
 * changes the catalog in one transaction.
 *
 * <p>An edit starts each chunk it touches from the blob's bytes at that moment and remembers which chunk that was
 * and which byte ranges it wrote. At commit, a chunk that another change replaced meanwhile is rebuilt from the
 * new chunk with this writer's ranges written over it, so that concurrent page writes to one blob all count. The
 * blob's content is changed in place when no other name shares it; otherwise the blob gets a copy of the content
 * with the changes (copy-on-write). Readers that opened the blob before keep their own chunk map and pins.
 */
final class ChunkWriter implements BlobWriter {
    private static final int MAX_OPEN = 4;

    private final ChunkedVhdStore owner;
    private final ChunkFiles files;
    private final BlobRef blob;
    /** An edit of an existing blob (else a new blob). */
    private final boolean edit;
    /** An edit: the blob's size when it was opened. */
    private final long baseSize;
    private final long generation;
    private final MessageDigest sha = ChunkFiles.sha256();
    /** Every chunk written, by index. */
    private final TreeMap<Long, Part> parts = new TreeMap<>();
    /** Chunks being filled, by index, least recently written first. */
    private final LinkedHashMap<Long, byte[]> open = new LinkedHashMap<>(8, 0.75f, true);
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> syncs = new ArrayList<>();
    private boolean committed;
    /**
     * The commit's transaction took over the pins of the chunks written: they are let go after it commits (which,
     * when the commit runs inside another unit of work, is only when that unit commits).
     */
    private boolean pinsHandedOver;
    private boolean closed;

    /** One chunk written by this writer. */
    private static final class Part {
        /** The stored chunk (pinned), or null for zeros or not sealed yet. */
        String hash;
        /** Its length up to its last non-zero byte. */
        long length;
        /** An edit: the chunk started as the blob's chunk {@link #baseHash}, written over at {@link #written}. */
        boolean based;
        String baseHash;
        /** Start to end (exclusive) of the byte ranges written, merged. */
        TreeMap<Integer, Integer> written;

        void wrote(int from, int to) {
            if (!based) {
                return;
            }
            int start = from;
            int end = to;
            Map.Entry<Integer, Integer> before = written.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                start = before.getKey();
                end = Math.max(end, before.getValue());
            }
            for (Iterator<Map.Entry<Integer, Integer>> it = written.tailMap(start, true).entrySet().iterator();
                 it.hasNext(); ) {
                Map.Entry<Integer, Integer> e = it.next();
                if (e.getKey() > end) {
                    break;
                }
                end = Math.max(end, e.getValue());
                it.remove();
            }
            written.put(start, end);
            if (start == 0 && end >= CHUNK) {
                based = false; // all of it is this writer's
                written = null;
            }
        }
    }

    ChunkWriter(ChunkedVhdStore owner, ChunkFiles files, BlobRef blob, boolean edit, long baseSize, long generation) {
        this.owner = owner;
        this.files = files;
        this.blob = blob;
        this.edit = edit;
        this.baseSize = baseSize;
        this.generation = generation;
    }

    @Override
    public void write(long offset, ByteBuffer bytes) throws IOException {
        writable();
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        long at = offset;
        while (bytes.hasRemaining()) {
            long index = at / CHUNK;
            int within = (int) (at % CHUNK);
            int n = Math.min(bytes.remaining(), CHUNK - within);
            if (n == CHUNK && bytes.hasArray() && !open.containsKey(index)) {
                Part p = whole(index);
                seal(p, bytes.array(), bytes.arrayOffset() + bytes.position());
                bytes.position(bytes.position() + n);
            } else {
                byte[] buffer = buffer(index);
                bytes.get(buffer, within, n);
                parts.get(index).wrote(within, within + n);
            }
            at += n;
        }
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        writable();
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range " + offset + "+" + length);
        }
        long at = offset;
        long end = offset + length;
        while (at < end) {
            long index = at / CHUNK;
            int within = (int) (at % CHUNK);
            int n = (int) Math.min(end - at, CHUNK - within);
            if (n == CHUNK) {
                byte[] buffer = open.remove(index);
                if (buffer != null) {
                    spare.push(buffer);
                }
                Part p = whole(index);
                String old = p.hash;
                p.hash = null;
                p.length = 0;
                if (old != null) {
                    files.unpin(old);
                }
            } else {
                Arrays.fill(buffer(index), within, within + n, (byte) 0);
                parts.get(index).wrote(within, within + n);
            }
            at += n;
        }
    }

    /** The part of a chunk this writer replaces whole. */
    private Part whole(long index) {
        Part p = parts.computeIfAbsent(index, i -> new Part());
        p.based = false;
        p.baseHash = null;
        p.written = null;
        return p;
    }

    /** The buffer of chunk {@code index}, filled with its current bytes. */
    private byte[] buffer(long index) throws IOException {
        byte[] b = open.get(index);
        if (b != null) {
            return b;
        }
        if (open.size() >= MAX_OPEN) {
            Map.Entry<Long, byte[]> eldest = open.entrySet().iterator().next();
            open.remove(eldest.getKey());
            seal(parts.get(eldest.getKey()), eldest.getValue(), 0);
            spare.push(eldest.getValue());
        }
        b = spare.isEmpty() ? new byte[CHUNK] : spare.pop();
        Part p = parts.get(index);
        if (p != null) {
            files.read(p.hash, b); // this writer's own chunk, pinned
        } else {
            p = new Part();
            if (edit) {
                p.baseHash = owner.readChunk(blob, index, b);
                p.based = true;
                p.written = new TreeMap<>();
            } else {
                Arrays.fill(b, (byte) 0);
            }
            parts.put(index, p);
        }
        open.put(index, b);
        return b;
    }

    /** Hashes and stores a whole chunk (pinning it), and makes it the part's. */
    private void seal(Part part, byte[] data, int off) throws IOException {
        int length = ChunkFiles.trimmedLength(data, off, CHUNK);
        String hash = length == 0 ? null : ChunkFiles.hash(sha, data, off, length);
        if (hash != null && hash.equals(part.hash)) {
            return;
        }
        if (hash != null) {
            CompletableFuture<Void> durable = files.put(hash, data, off, length);
            if (syncs.size() >= 64) {
                syncs.removeIf(f -> f.isDone() && !f.isCompletedExceptionally());
            }
            syncs.add(durable);
        }
        String old = part.hash;
        part.hash = hash;
        part.length = length;
        if (old != null) {
            files.unpin(old);
        }
    }

    @Override
    public void commit(long size) throws IOException {
        writable();
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        owner.checkGeneration(generation);
        cutAt(size);
        sealAll();
        makeDurable();
        HaltPoints.reach(edit ? HaltPoints.EDIT_BEFORE_COMMIT : HaltPoints.UPLOAD_BEFORE_COMMIT);
        try {
            if (edit) {
                publishEdit(size);
            } else {
                publishNew(size);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        committed = true;
    }

    /** Makes everything from {@code size} on zeros, and drops the chunks wholly beyond it. */
    private void cutAt(long size) throws IOException {
        long last = size == 0 ? -1 : (size - 1) / CHUNK;
        if (last >= 0) {
            int tail = (int) (size - last * CHUNK);
            Part p = parts.get(last);
            boolean beyond = open.containsKey(last) || (p != null && p.length > tail)
                    || (edit && p == null && size < baseSize);
            if (tail < CHUNK && beyond) {
                Arrays.fill(buffer(last), tail, CHUNK, (byte) 0);
                parts.get(last).wrote(tail, CHUNK);
            }
        }
        for (Iterator<Map.Entry<Long, byte[]>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, byte[]> e = it.next();
            if (e.getKey() > last) {
                spare.push(e.getValue());
                it.remove();
            }
        }
        for (Iterator<Part> it = parts.tailMap(last, false).values().iterator(); it.hasNext(); ) {
            Part p = it.next();
            if (p.hash != null) {
                files.unpin(p.hash);
            }
            it.remove();
        }
    }

    private void sealAll() throws IOException {
        for (Map.Entry<Long, byte[]> e : open.entrySet()) {
            seal(parts.get(e.getKey()), e.getValue(), 0);
            spare.push(e.getValue());
        }
        open.clear();
    }

    /** Waits until every chunk written is on disk under its name. */
    private void makeDurable() throws IOException {
        try {
            for (CompletableFuture<Void> f : syncs) {
                f.join();
            }
        } catch (CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("cannot store a chunk", e.getCause());
        }
        syncs.clear();
        files.syncDirectories(staged());
    }

    private List<String> staged() {
        List<String> hashes = new ArrayList<>(parts.size());
        for (Part p : parts.values()) {
            if (p.hash != null) {
                hashes.add(p.hash);
            }
        }
        return hashes;
    }

    private void publishNew(long size) {
        Map<Long, Chunk> chunks = new TreeMap<>();
        parts.forEach((index, p) -> {
            if (p.hash != null) {
                chunks.put(index, new Chunk(p.hash, ChunkFiles.storedLength((int) p.length)));
            }
        });
        List<String> staged = staged();
        owner.store().write(tx -> {
            owner.checkGenerationUnchecked(generation);
            BlobCatalog catalog = tx.blobs();
            long content = catalog.createContent(size, chunks);
            List<String> freed = catalog.link(blob.account(), blob.container(), blob.path(), content);
            tx.afterCommit(() -> {
                files.held(staged);
                files.freed(freed);
                files.unpinAll(staged);
            });
            return null;
        });
        pinsHandedOver = true;
    }

    /**
     * Applies this writer's chunks to the blob's current content: in place when no other name shares it, else to a
     * copy the blob then points at. Chunks another change replaced since this writer read them are rebuilt first.
     */
    private void publishEdit(long size) throws IOException {
        while (true) {
            Map<Long, Chunk> put = new TreeMap<>();
            List<Long> zeroed = new ArrayList<>();
            parts.forEach((index, p) -> {
                if (p.hash != null) {
                    put.put(index, new Chunk(p.hash, ChunkFiles.storedLength((int) p.length)));
                } else {
                    zeroed.add(index);
                }
            });
            List<String> staged = staged();
            List<String> pinnedHere = new ArrayList<>();
            try {
                Map<Long, String> moved = owner.store().write(tx -> {
                    owner.checkGenerationUnchecked(generation);
                    BlobCatalog catalog = tx.blobs();
                    Content current = catalog.blob(blob.account(), blob.container(), blob.path())
                            .orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '" + blob.uri()
                                    + "' was deleted while it was being changed."));
                    Map<Long, String> changed = new HashMap<>();
                    parts.forEach((index, p) -> {
                        if (p.based) {
                            String now = catalog.chunk(current.id(), index).orElse(null);
                            if (!Objects.equals(now, p.baseHash)) {
                                changed.put(index, now);
                            }
                        }
                    });
                    if (!changed.isEmpty()) {
                        for (String h : changed.values()) {
                            if (h != null) {
                                files.pin(h); // in the writer's unit: no removal can come between
                                pinnedHere.add(h);
                            }
                        }
                        return changed;
                    }
                    long newSize = size == baseSize ? current.size() : size;
                    long target = current.refs() > 1 ? catalog.copyContent(current.id()) : current.id();
                    List<String> freed = new ArrayList<>(catalog.changeContent(target, newSize, CHUNK, put, zeroed));
                    if (target != current.id()) {
                        freed.addAll(catalog.link(blob.account(), blob.container(), blob.path(), target));
                    }
                    tx.afterCommit(() -> {
                        files.held(staged);
                        files.freed(freed);
                        files.unpinAll(staged);
                    });
                    return Map.of();
                });
                if (moved.isEmpty()) {
                    pinsHandedOver = true;
                    return;
                }
                for (Map.Entry<Long, String> e : moved.entrySet()) {
                    rebase(parts.get(e.getKey()), e.getValue());
                }
                makeDurable();
            } finally {
                files.unpinAll(pinnedHere);
            }
        }
    }

    /** Rebuilds a chunk from the blob's new chunk {@code now} (pinned) with this writer's ranges over it. */
    private void rebase(Part part, String now) throws IOException {
        byte[] ours = spare.isEmpty() ? new byte[CHUNK] : spare.pop();
        byte[] merged = spare.isEmpty() ? new byte[CHUNK] : spare.pop();
        try {
            files.read(part.hash, ours);
            files.read(now, merged);
            for (Map.Entry<Integer, Integer> r : part.written.entrySet()) {
                System.arraycopy(ours, r.getKey(), merged, r.getKey(), r.getValue() - r.getKey());
            }
            part.baseHash = now;
            seal(part, merged, 0);
        } finally {
            spare.push(ours);
            spare.push(merged);
        }
    }

    private void writable() throws IOException {
        if (closed) {
            throw new IOException("the writer of " + blob.uri() + " is closed");
        }
        if (committed) {
            throw new IOException("the writer of " + blob.uri() + " has committed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        open.clear();
        spare.clear();
        List<String> hashes = staged();
        parts.clear();
        if (!pinsHandedOver) {
            files.unpinAll(hashes); // uncommitted chunks nobody else uses go with their last pin
        }
    }
}

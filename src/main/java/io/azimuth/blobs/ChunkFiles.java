package io.azimuth.blobs;

import com.sun.nio.file.ExtendedOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The chunk files of the embedded blob store: one file per distinct chunk, named by the SHA-256 of its bytes up to
 * its last non-zero byte, at {@code root/ab/abcd...} ({@code ab} its first two hex digits). A file holds those
 * bytes, padded with zeros to whole {@value #BLOCK}-byte blocks; the rest of the chunk reads as zeros, and an
 * all-zero chunk has no file at all.
 *
 * <p>Files are written as {@code root/.tmp/{uuid}.part} (with {@code O_DIRECT} where the file system allows it),
 * made durable and renamed into place on background threads while the writer hashes the next chunks
 * ({@link #put}); a name that exists is never written again (it holds the same bytes). The directory entries are
 * made durable before a commit ({@link #syncDirectories}).
 *
 * <p><b>Pins and holds.</b> A chunk file is <em>held</em> while the catalog has a row for it. Whoever is about to
 * use a chunk (a reader of a blob, a writer staging one) pins it first; a file that is not held any more is
 * removed only once nothing pins it. The set of files known not to be held (written by a writer that has not
 * committed, or freed by a commit while pinned) is kept here: {@link #held} and {@link #freed}, called after a
 * commit, move chunks in and out of it, and the last {@link #unpin} removes the file of a chunk in it. Files
 * left behind by a process that died (renamed but never committed, or freed but never removed) are removed by
 * {@link #sweep} when the store opens.
 */
final class ChunkFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFiles.class);
    static final int CHUNK = 1 << 20;
    private static final int IN_FLIGHT = 8;
    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[BLOCK];
    private static final HexFormat HEX = HexFormat.of();

    private final Path root;
    private final Path temp;
    private final Object lock = new Object();
    /** How many users pin each chunk. */
    private final Map<String, Integer> pins = new HashMap<>();
    /** Chunks whose files exist but that the catalog does not hold: removed when the last pin goes. */
    private final Set<String> unheld = new HashSet<>();
    /** Chunks written to temporary files and waiting to be made durable and renamed into place. */
    private final Map<String, CompletableFuture<Void>> pending = new HashMap<>();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** Files removed so far; a reader that saw no change across taking its pins knows its chunks are there. */
    private long removals;
    /** Write chunk files, make them durable and rename them into place. */
    private final ExecutorService writers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "azimuth-chunk-write");
        t.setDaemon(true);
        return t;
    });
    /** Whether chunk files are written with O_DIRECT. */
    private final boolean direct;
    /** Copies of chunks on their way to a file: at most this many in flight, for all writers together. */
    private final BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(IN_FLIGHT);
    private int allocated; // guarded by buffers

    ChunkFiles(Path root) {
        this.root = root;
        this.temp = root.resolve(".tmp");
        try {
            Files.createDirectories(temp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the chunk directory " + root, e);
        }
        this.direct = directWrites(temp);
        LOG.debug("chunk files under {} are written {}", root, direct ? "with O_DIRECT" : "through the page cache");
    }

    Path root() {
        return root;
    }

    Path file(String hash) {
        return root.resolve(hash.substring(0, 2)).resolve(hash);
    }

    // ---- chunk bytes

    /** The length of {@code data[off, off + len)} without its trailing zeros: 0 for an all-zero chunk. */
    static int trimmedLength(byte[] data, int off, int len) {
        int end = len;
        while (end > 0) {
            int start = Math.max(0, end - BLOCK);
            if (Arrays.mismatch(data, off + start, off + end, ZEROS, 0, end - start) >= 0) {
                for (int i = end - 1; i >= start; i--) {
                    if (data[off + i] != 0) {
                        return i + 1;
                    }
                }
            }
            end = start;
        }
        return 0;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String hash(MessageDigest sha, byte[] data, int off, int len) {
        sha.update(data, off, len);
        return HEX.formatHex(sha.digest());
    }

    /**
     * Reads a whole chunk into {@code into} (CHUNK bytes from 0): its file's bytes, then zeros; all zeros for a
     * null hash. The caller must know the file is there (pinned, or held and retried when it is not).
     *
     * @throws NoSuchFileException when it is not
     */
    void read(String hash, byte[] into) throws IOException {
        if (hash == null) {
            Arrays.fill(into, 0, CHUNK, (byte) 0);
            return;
        }
        arrived(hash);
        try (FileChannel c = FileChannel.open(file(hash), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(into, 0, CHUNK);
            while (b.hasRemaining() && c.read(b) > 0) {
                // until the end of the file
            }
            Arrays.fill(into, b.position(), CHUNK, (byte) 0);
        }
    }

    FileChannel open(String hash) throws IOException {
        return FileChannel.open(file(hash), StandardOpenOption.READ);
    }

    /**
     * Stores a chunk (its first {@code length} bytes, the rest being zeros) and pins it. The bytes are copied (the
     * caller may reuse {@code data} at once) and, while the caller goes on hashing the next chunk, a background
     * thread writes them to a temporary file, makes it durable and renames it into place. A chunk whose file
     * exists (durable, as nothing is renamed before) or is on its way is not written again.
     *
     * @return completes once the chunk's file is durable under its name (its directory entry aside: see
     *         {@link #syncDirectories}); fails if it cannot be
     */
    CompletableFuture<Void> put(String hash, byte[] data, int off, int length) throws IOException {
        Path target = file(hash);
        CompletableFuture<Void> installed = new CompletableFuture<>();
        synchronized (lock) {
            pins.merge(hash, 1, Integer::sum);
            CompletableFuture<Void> coming = pending.get(hash);
            if (coming != null) {
                return coming;
            }
            if (Files.exists(target)) {
                return DONE;
            }
            pending.put(hash, installed);
        }
        ByteBuffer copy;
        try {
            copy = buffer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException cause = new InterruptedIOException("interrupted while storing a chunk");
            failed(hash, installed, null, cause);
            unpin(hash);
            throw cause;
        }
        int stored = (int) storedLength(length);
        copy.clear();
        copy.put(data, off, length);
        while (copy.position() < stored) {
            copy.put((byte) 0); // the file is whole blocks: zeros up to the last one's end
        }
        copy.flip();
        writers.execute(() -> write(hash, copy, target, installed));
        return installed;
    }

    /**
     * The length of a chunk's file: its bytes up to the last non-zero one, in whole blocks of
     * {@value #BLOCK} bytes (so that it can be written past the page cache, and takes what the disk allots anyway).
     */
    static long storedLength(int length) {
        return (length + BLOCK - 1L) / BLOCK * BLOCK;
    }

    /** A buffer for a copy of a chunk: a new one while fewer than {@link #IN_FLIGHT} exist, else one given back. */
    private ByteBuffer buffer() throws InterruptedException {
        ByteBuffer b = buffers.poll();
        if (b != null) {
            return b;
        }
        synchronized (buffers) {
            if (allocated < IN_FLIGHT) {
                allocated++;
                return ByteBuffer.allocateDirect(CHUNK + BLOCK).alignedSlice(BLOCK);
            }
        }
        return buffers.take();
    }

    /** On a background thread: writes the chunk to a temporary file, makes it durable, renames it into place. */
    private void write(String hash, ByteBuffer bytes, Path target, CompletableFuture<Void> installed) {
        Path part = temp.resolve(UUID.randomUUID() + ".part");
        try {
            try (FileChannel c = direct ? FileChannel.open(part, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)
                    : FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (bytes.hasRemaining()) {
                    c.write(bytes);
                }
                c.force(true);
            } finally {
                buffers.add(bytes);
            }
            synchronized (lock) {
                pending.remove(hash);
                if (!pins.containsKey(hash)) {
                    Files.deleteIfExists(part); // its writer went away
                } else {
                    try {
                        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (NoSuchFileException e) {
                        // the first chunk of its directory
                        Files.createDirectories(target.getParent());
                        force(root);
                        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                    }
                    unheld.add(hash);
                }
            }
            installed.complete(null);
        } catch (IOException | RuntimeException e) {
            failed(hash, installed, part, e);
        }
    }

    private void failed(String hash, CompletableFuture<Void> installed, Path part, Exception e) {
        synchronized (lock) {
            pending.remove(hash, installed);
        }
        if (part != null) {
            removeQuietly(part);
        }
        installed.completeExceptionally(e instanceof IOException io ? io
                : new IOException("cannot store chunk " + hash + ": " + e, e));
    }

    /**
     * Whether files in {@code dir} can be written with {@code O_DIRECT} (past the page cache: on Linux file systems
     * that support it, a chunk then costs the CPU almost nothing to write; tmpfs and others do not).
     */
    private static boolean directWrites(Path dir) {
        Path probe = dir.resolve("probe-" + UUID.randomUUID() + ".part");
        try (FileChannel c = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT)) {
            ByteBuffer block = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK);
            block.limit(BLOCK);
            c.write(block);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            removeQuietly(probe);
        }
    }

    /** Waits until a chunk on its way to its file is there. */
    private void arrived(String hash) throws IOException {
        CompletableFuture<Void> coming;
        synchronized (lock) {
            coming = pending.get(hash);
        }
        if (coming != null) {
            try {
                coming.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
    }

    /** Makes the names of these chunks' files durable (once per directory). */
    void syncDirectories(Collection<String> hashes) throws IOException {
        Set<String> dirs = new HashSet<>();
        for (String h : hashes) {
            if (h != null && dirs.add(h.substring(0, 2))) {
                force(root.resolve(h.substring(0, 2)));
            }
        }
    }

    private static void force(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    // ---- pins

    void pin(String hash) {
        synchronized (lock) {
            pins.merge(hash, 1, Integer::sum);
        }
    }

    long removals() {
        synchronized (lock) {
            return removals;
        }
    }

    /**
     * Pins every chunk of {@code hashes} (once per occurrence) unless a file was removed since {@link #removals}
     * returned {@code mark}; false, pinning nothing, when one was.
     */
    boolean pinAll(Collection<String> hashes, long mark) {
        synchronized (lock) {
            if (removals != mark) {
                return false;
            }
            for (String h : hashes) {
                pins.merge(h, 1, Integer::sum);
            }
            return true;
        }
    }

    void unpin(String hash) {
        synchronized (lock) {
            unpinLocked(hash);
        }
    }

    void unpinAll(Collection<String> hashes) {
        synchronized (lock) {
            for (String h : hashes) {
                unpinLocked(h);
            }
        }
    }

    private void unpinLocked(String hash) {
        Integer n = pins.get(hash);
        if (n == null) {
            return;
        }
        if (n > 1) {
            pins.put(hash, n - 1);
            return;
        }
        pins.remove(hash);
        if (unheld.remove(hash)) {
            removeLocked(hash);
        }
    }

    /** After a commit: the catalog holds these chunks now. */
    void held(Collection<String> hashes) {
        synchronized (lock) {
            unheld.removeAll(hashes);
        }
    }

    /** After a commit: the catalog holds these chunks no more; their files go now, or when unpinned. */
    void freed(Collection<String> hashes) {
        synchronized (lock) {
            for (String h : hashes) {
                if (pins.containsKey(h)) {
                    unheld.add(h);
                } else {
                    unheld.remove(h);
                    removeLocked(h);
                }
            }
        }
    }

    private void removeLocked(String hash) {
        removals++;
        try {
            Files.deleteIfExists(file(hash));
        } catch (IOException e) {
            LOG.warn("cannot remove chunk file {}: {}", hash, e.toString());
        }
    }

    // ---- the whole directory

    /**
     * At open, before any use: removes temporary files and every chunk file the catalog does not hold.
     *
     * @return how many files were removed
     */
    int sweep(Set<String> held) {
        int removed = clearTemporaryFiles();
        int missing = 0;
        Set<String> seen = new HashSet<>();
        for (Path f : chunkFiles()) {
            String hash = f.getFileName().toString();
            if (held.contains(hash)) {
                seen.add(hash);
            } else {
                removeQuietly(f);
                removed++;
            }
        }
        for (String h : held) {
            if (!seen.contains(h)) {
                missing++;
            }
        }
        if (missing > 0) {
            LOG.warn("{} chunk(s) of the blob catalog have no file under {}", missing, root);
        }
        return removed;
    }

    /** Removes every chunk file (those pinned when they are unpinned) and every temporary file. */
    void clear() {
        synchronized (lock) {
            for (Path f : chunkFiles()) {
                String hash = f.getFileName().toString();
                if (pins.containsKey(hash)) {
                    unheld.add(hash);
                } else {
                    removals++;
                    removeQuietly(f);
                }
            }
        }
        clearTemporaryFiles();
    }

    /** How many chunk files there are. */
    long count() {
        return chunkFiles().size();
    }

    private java.util.List<Path> chunkFiles() {
        java.util.List<Path> out = new java.util.ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (name.length() != 2 || !Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) {
                        out.add(f);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the chunk directory " + root, e);
        }
        return out;
    }

    private int clearTemporaryFiles() {
        int n = 0;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(temp)) {
            for (Path p : parts) {
                removeQuietly(p);
                n++;
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", temp, e.toString());
        }
        return n;
    }

    private static void removeQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", p, e.toString());
        }
    }

    @Override
    public void close() {
        writers.shutdown();
        try {
            writers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

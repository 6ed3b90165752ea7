package io.azimuth.blobs;

import io.azimuth.blobs.BlobException.Reason;
import io.azimuth.store.BlobCatalog;
import io.azimuth.store.BlobCatalog.Content;
import io.azimuth.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.azimuth.blobs.ChunkFiles.CHUNK;

/**
 * The embedded VHD store: blob bytes as content-addressed chunks of {@value ChunkFiles#CHUNK} bytes under
 * {@code root/chunks} (see {@link ChunkFiles}), and what names what in the blob catalog of the main store
 * ({@link BlobCatalog}), changed in the store's transactions.
 *
 * <p>A blob names a content (a size and a map from chunk index to chunk); all-zero chunks are not stored, so a
 * sparse disk costs what is written. A copy is a second name for the same content: one catalog change whatever the
 * size. Deleting the last name of a content frees the chunks no other content holds, and their files are removed
 * once that has committed. Every operation runs in a unit of work of the store: called inside another unit (a
 * resource change), it joins it and commits or rolls back with it.
 *
 * <p>At open, chunk files the catalog does not hold (left by a crash before a commit, or after one but before
 * the files it freed were removed) and temporary files are removed, and so is everything in the managed container
 * {@value #STAGING} (bytes staged there by an import that did not finish). Blob files of the earlier layout (one
 * sparse file per blob, {@code root/{account}/{container}/{path}.blob}) are imported once and removed.
 */
public final class ChunkedVhdStore implements VhdStore, SparseReads {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedVhdStore.class);
    /** The managed container whose blobs are garbage at open. */
    public static final String STAGING = "staging";
    private static final String OLD_EXT = ".blob";

    private final Store store;
    private final Path root;
    private final ChunkFiles files;
    private final boolean temporary;
    /** Raised by {@link #reset}: writers opened before it cannot commit. */
    private final AtomicLong generation = new AtomicLong();

    private ChunkedVhdStore(Store store, Path root, boolean temporary) {
        this.store = store;
        this.root = root;
        this.files = new ChunkFiles(root.resolve("chunks"));
        this.temporary = temporary;
    }

    /** The store under {@code root} (the data directory's {@code blobs}), its catalog in {@code store}. */
    public static ChunkedVhdStore open(Store store, Path root) {
        ChunkedVhdStore vhds = new ChunkedVhdStore(store, root, false);
        vhds.recover();
        return vhds;
    }

    /** A store whose chunks live in a temporary directory removed at close, for {@code --in-memory}. */
    public static ChunkedVhdStore temporary(Store store) {
        try {
            return new ChunkedVhdStore(store, Files.createTempDirectory("azimuth-blobs"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary blob directory", e);
        }
    }

    Store store() {
        return store;
    }

    /** Where the chunk files are. */
    public Path chunkDirectory() {
        return files.root();
    }

    /** How many chunk files there are on disk (for tests and checks: it matches the catalog's chunk count). */
    public long chunkFileCount() {
        return files.count();
    }

    // ---- at open

    private void recover() {
        int staged = store.write(tx -> {
            BlobCatalog catalog = tx.blobs();
            List<String> names = catalog.names(BlobRef.MANAGED_ACCOUNT, STAGING, "");
            List<String> freed = new ArrayList<>();
            for (String name : names) {
                catalog.unlink(BlobRef.MANAGED_ACCOUNT, STAGING, name).ifPresent(freed::addAll);
            }
            tx.afterCommit(() -> files.freed(freed));
            return names.size();
        });
        int swept = files.sweep(new HashSet<>(store.read(tx -> tx.blobs().chunkHashes())));
        if (staged > 0 || swept > 0) {
            LOG.info("blob store recovery: {} staged blob(s) and {} unreferenced file(s) removed", staged, swept);
        }
        importOldLayout();
    }

    /** Imports blob files of the one-file-per-blob layout, then removes them. */
    private void importOldLayout() {
        List<Path> old = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attributes) {
                    return d.equals(files.root()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        old.add(f);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot look for blob files to import under {}: {}", root, e.toString());
            return;
        }
        int imported = 0;
        for (Path f : old) {
            String fileName = f.getFileName().toString();
            Path relative = root.relativize(f);
            if (fileName.endsWith(".part")) {
                deleteQuietly(f);
                continue;
            }
            if (!fileName.endsWith(OLD_EXT) || relative.getNameCount() < 3) {
                continue;
            }
            StringBuilder name = new StringBuilder();
            for (int i = 2; i < relative.getNameCount(); i++) {
                String s = relative.getName(i).toString();
                if (i == relative.getNameCount() - 1) {
                    s = s.substring(0, s.length() - OLD_EXT.length());
                }
                name.append(i > 2 ? "/" : "").append(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
            BlobRef blob;
            try {
                blob = new BlobRef(relative.getName(0).toString(), relative.getName(1).toString(), name.toString(),
                        BlobRef.DEFAULT_SUFFIX);
            } catch (IllegalArgumentException e) {
                LOG.warn("not importing {}: {}", f, e.getMessage());
                continue;
            }
            try {
                importFile(f, blob);
                Files.delete(f);
                imported++;
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot import {}: {}", f, e.toString());
            }
        }
        if (imported > 0) {
            removeEmptyDirectories();
            LOG.info("imported {} blob file(s) of the earlier layout into the chunk store", imported);
        }
    }

    private void importFile(Path f, BlobRef blob) throws IOException {
        try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ); BlobWriter w = openWrite(blob)) {
            long size = in.size();
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            for (long at = 0; at < size; at += CHUNK) {
                buffer.clear();
                while (buffer.hasRemaining() && in.read(buffer, at + buffer.position()) > 0) {
                    // the whole chunk
                }
                buffer.flip();
                if (ChunkFiles.trimmedLength(buffer.array(), 0, buffer.limit()) > 0) {
                    w.write(at, buffer);
                }
            }
            w.commit(size);
        }
    }

    private void removeEmptyDirectories() {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path dir : all.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                if (dir.equals(root) || dir.startsWith(files.root())) {
                    continue;
                }
                try (Stream<Path> in = Files.list(dir)) {
                    if (in.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot tidy {}: {}", root, e.toString());
        }
    }

    // ---- reading

    @Override
    public OptionalLong size(BlobRef blob) {
        Optional<Content> c = store.read(tx -> tx.blobs().blob(blob.account(), blob.container(), blob.path()));
        return c.map(content -> OptionalLong.of(content.size())).orElse(OptionalLong.empty());
    }

    /** The blob's size and the chunk holding its last 512 bytes. */
    private record Tail(long size, String hash) {
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        for (int attempt = 0; ; attempt++) {
            Tail tail = store.read(tx -> {
                BlobCatalog catalog = tx.blobs();
                Optional<Content> c = catalog.blob(blob.account(), blob.container(), blob.path());
                if (c.isEmpty()) {
                    return null;
                }
                long size = c.get().size();
                String hash = size < VhdFooter.SIZE ? null
                        : catalog.chunk(c.get().id(), (size - VhdFooter.SIZE) / CHUNK).orElse(null);
                return new Tail(size, hash);
            });
            if (tail == null) {
                throw new BlobException(Reason.NOT_FOUND, "The blob '" + blob.uri() + "' given in '" + field
                        + "' does not exist.", field);
            }
            byte[] footer = new byte[VhdFooter.SIZE];
            if (tail.hash() != null) {
                try (FileChannel c = files.open(tail.hash())) {
                    ByteBuffer b = ByteBuffer.wrap(footer);
                    long at = (tail.size() - VhdFooter.SIZE) % CHUNK;
                    while (b.hasRemaining() && c.read(b, at + b.position()) > 0) {
                        // until the footer is full or the file ends (zeros)
                    }
                } catch (NoSuchFileException e) {
                    if (attempt < 100) {
                        continue; // the blob changed between the lookup and the read
                    }
                    throw new UncheckedIOException(e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            try {
                return new Vhd(blob, VhdFooter.validate(footer, tail.size()));
            } catch (IllegalArgumentException e) {
                throw new BlobException(Reason.INVALID, "The blob '" + blob.uri() + "' given in '" + field
                        + "' is not a valid fixed VHD: " + e.getMessage() + ".", field);
            }
        }
    }

    /** A content's size and chunk map, as read in one transaction. */
    private record Snapshot(long size, SortedMap<Long, String> chunks) {
    }

    @Override
    public Optional<SeekableByteChannel> openRead(BlobRef blob) {
        return Optional.ofNullable(reader(blob));
    }

    /** The blob opened for reading, with its stored chunks as the ranges that hold its data (the rest is zeros). */
    @Override
    public Optional<SparseRead> openSparse(BlobRef blob) {
        ChunkReader reader = reader(blob);
        if (reader == null) {
            return Optional.empty();
        }
        List<Range> ranges = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (long index : reader.indexes()) {
            long from = index * ChunkFiles.CHUNK;
            long to = Math.min(from + ChunkFiles.CHUNK, reader.contentSize());
            if (from >= to) {
                continue;
            }
            if (from != end) {
                if (start >= 0) {
                    ranges.add(new Range(start, end - start));
                }
                start = from;
            }
            end = to;
        }
        if (start >= 0) {
            ranges.add(new Range(start, end - start));
        }
        return Optional.of(new SparseRead(reader, ranges));
    }

    /** The blob's current content opened for reading, its chunks pinned; null when there is no such blob. */
    private ChunkReader reader(BlobRef blob) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            long mark = files.removals();
            Snapshot s = store.read(tx -> {
                BlobCatalog catalog = tx.blobs();
                return catalog.blob(blob.account(), blob.container(), blob.path())
                        .map(c -> new Snapshot(c.size(), catalog.chunks(c.id()))).orElse(null);
            });
            if (s == null) {
                return null;
            }
            long[] indexes = new long[s.chunks().size()];
            String[] hashes = new String[indexes.length];
            int i = 0;
            for (Map.Entry<Long, String> e : s.chunks().entrySet()) {
                indexes[i] = e.getKey();
                hashes[i++] = e.getValue();
            }
            List<String> pinned = Arrays.asList(hashes);
            if (files.pinAll(pinned, mark)) {
                return new ChunkReader(files, s.size(), indexes, hashes, pinned);
            }
            // a chunk file was removed meanwhile, perhaps one of these: look again
        }
        throw new IllegalStateException("the blob " + blob.uri() + " keeps changing; cannot read it");
    }

    /**
     * Reads chunk {@code index} of a blob's current content into {@code into}: the chunk it was, or null for zeros
     * (also when there is no such blob).
     */
    String readChunk(BlobRef blob, long index, byte[] into) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Optional<String> hash = store.read(tx -> tx.blobs().blob(blob.account(), blob.container(), blob.path())
                    .flatMap(c -> tx.blobs().chunk(c.id(), index)));
            try {
                files.read(hash.orElse(null), into);
                return hash.orElse(null);
            } catch (NoSuchFileException e) {
                if (attempt >= 100) {
                    throw e;
                }
                // replaced and removed between the lookup and the read: look again
            }
        }
    }

    /** Every blob this store holds, of every account (managed content included): what a state export takes. */
    public List<BlobRef> all() {
        List<String[]> names = store.read(tx -> tx.blobs().allNames());
        List<BlobRef> out = new ArrayList<>(names.size());
        for (String[] n : names) {
            out.add(new BlobRef(n[0], n[1], n[2], BlobRef.DEFAULT_SUFFIX));
        }
        return out;
    }

    @Override
    public List<BlobRef> list(String account, String container, String prefix) {
        List<String> names = store.read(tx -> tx.blobs().names(account, container, prefix == null ? "" : prefix));
        List<BlobRef> out = new ArrayList<>(names.size());
        for (String name : names) {
            out.add(new BlobRef(account, container, name, BlobRef.DEFAULT_SUFFIX));
        }
        return out;
    }

    @Override
    public Optional<StorageStats> stats() {
        BlobCatalog.Counts c = store.read(tx -> tx.blobs().counts());
        return Optional.of(new StorageStats(c.blobs(), c.contents(), c.chunks(), c.storedBytes()));
    }

    // ---- writing

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        return new ChunkWriter(this, files, blob, false, 0, generation.get());
    }

    @Override
    public BlobWriter openEdit(BlobRef blob) {
        long size = size(blob).orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '" + blob.uri()
                + "' does not exist."));
        return new ChunkWriter(this, files, blob, true, size, generation.get());
    }

    @Override
    public void createBlank(BlobRef blob, long virtualSize) {
        try (BlobWriter w = openWrite(blob)) {
            w.write(virtualSize, ByteBuffer.wrap(VhdFooter.fixed(virtualSize)));
            w.commit(virtualSize + VhdFooter.SIZE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob " + blob.uri(), e);
        }
    }

    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        store.write(tx -> {
            BlobCatalog catalog = tx.blobs();
            Content content = catalog.blob(source.account(), source.container(), source.path())
                    .orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '" + source.uri()
                            + "' does not exist."));
            if (!overwrite && catalog.blob(target.account(), target.container(), target.path()).isPresent()) {
                throw new BlobException(Reason.ALREADY_EXISTS, "The blob '" + target.uri() + "' already exists.");
            }
            List<String> freed = catalog.link(target.account(), target.container(), target.path(), content.id());
            tx.afterCommit(() -> {
                HaltPoints.reach(HaltPoints.COPY_AFTER_COMMIT);
                files.freed(freed);
            });
            HaltPoints.reach(HaltPoints.COPY_BEFORE_COMMIT);
            return null;
        });
    }

    /** Always: every change is a unit of work of the main store, joining the caller's when there is one. */
    @Override
    public boolean joinsTransaction(BlobRef blob) {
        return true;
    }

    @Override
    public boolean delete(BlobRef blob) {
        return store.write(tx -> {
            Optional<List<String>> freed = tx.blobs().unlink(blob.account(), blob.container(), blob.path());
            freed.ifPresent(f -> tx.afterCommit(() -> {
                HaltPoints.reach(HaltPoints.DELETE_AFTER_COMMIT);
                files.freed(f);
            }));
            return freed.isPresent();
        });
    }

    // ---- the rest

    void checkGeneration(long writerGeneration) throws IOException {
        if (generation.get() != writerGeneration) {
            throw new IOException("the blob store was reset while the blob was being written");
        }
    }

    void checkGenerationUnchecked(long writerGeneration) {
        try {
            checkGeneration(writerGeneration);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void reset() {
        generation.incrementAndGet();
        store.write(tx -> {
            tx.blobs().clear();
            return null;
        });
        files.clear();
    }

    @Override
    public void close() {
        files.close();
        if (temporary) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(ChunkedVhdStore::deleteQuietly);
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", root, e.toString());
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", p, e.toString());
        }
    }
}

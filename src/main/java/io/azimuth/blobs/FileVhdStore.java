package io.azimuth.blobs;

import io.azimuth.http.ApiException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The embedded VHD store: one sparse file per blob under {@code root/{account}/{container}/}, each path segment
 * percent-encoded and the blob's own file ending in {@value #EXT} (so that blobs {@code a} and {@code a/b} can
 * both exist). Writes go to a temporary file ({@code .{uuid}.part} beside the blob's) first and are moved into
 * place whole; temporary files left by a process that died are removed when the store is opened.
 */
public final class FileVhdStore implements VhdStore {
    static final String EXT = ".blob";
    private static final int CHUNK = 1 << 20;

    private final Path root;
    private final boolean temporary;

    private FileVhdStore(Path root, boolean temporary) {
        this.root = root;
        this.temporary = temporary;
    }

    public static FileVhdStore at(Path root) {
        try {
            Files.createDirectories(root);
            FileVhdStore store = new FileVhdStore(root, false);
            store.removeTemporaryFiles();
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the blob directory " + root, e);
        }
    }

    /** A store in a temporary directory removed at close, for {@code --in-memory}. */
    public static FileVhdStore temporary() {
        try {
            return new FileVhdStore(Files.createTempDirectory("azimuth-blobs"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary blob directory", e);
        }
    }

    /** The file holding a blob's bytes. */
    public Path file(BlobRef blob) {
        Path p = root.resolve(blob.account()).resolve(blob.container());
        String[] segments = blob.path().split("/");
        for (int i = 0; i < segments.length; i++) {
            String encoded = encode(segments[i]);
            p = p.resolve(i == segments.length - 1 ? encoded + EXT : encoded);
        }
        return p;
    }

    /** A fresh temporary file beside the blob's, to be {@link #publish}ed once complete. */
    public Path temporaryFile(BlobRef blob) {
        Path target = file(blob);
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target.resolveSibling("." + UUID.randomUUID() + ".part");
    }

    /** Moves a completed temporary file into place as the blob, atomically. */
    public void publish(Path temp, BlobRef blob) {
        try {
            try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(temp, file(blob), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + blob.uri(), e);
        }
    }

    @Override
    public OptionalLong size(BlobRef blob) {
        try {
            return OptionalLong.of(Files.size(file(blob)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        Path f = file(blob);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
            try {
                return new Vhd(blob, VhdFooter.check(c));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "InvalidParameter", "The blob '" + blob.uri() + "' given in '" + field
                        + "' is not a valid fixed VHD: " + e.getMessage() + ".", field);
            }
        } catch (NoSuchFileException e) {
            throw new ApiException(404, "NotFound", "The blob '" + blob.uri() + "' given in '" + field
                    + "' does not exist.", field);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        Path from = file(source);
        if (!Files.isRegularFile(from)) {
            throw new ApiException(404, "NotFound", "The blob '" + source.uri() + "' does not exist.");
        }
        if (!overwrite && Files.exists(file(target))) {
            throw new ApiException(409, "BlobAlreadyExists", "The blob '" + target.uri() + "' already exists.");
        }
        Path temp = temporaryFile(target);
        try {
            if (!copyWithCp(from, temp)) {
                copySparse(from, temp);
            }
            publish(temp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source.uri() + " to " + target.uri(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public void createBlank(BlobRef blob, long virtualSize) {
        Path temp = temporaryFile(blob);
        try {
            try (RandomAccessFile f = new RandomAccessFile(temp.toFile(), "rw")) {
                f.setLength(virtualSize);
                f.seek(virtualSize);
                f.write(VhdFooter.fixed(virtualSize));
            }
            publish(temp, blob);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob " + blob.uri(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * GNU cp finds a sparse file's data with SEEK_DATA/SEEK_HOLE (and clones it where the file system can), so a
     * mostly empty 127 GiB disk copies in milliseconds; false when cp is not there or failed.
     */
    private static boolean copyWithCp(Path from, Path to) {
        try {
            Process p = new ProcessBuilder("cp", "--sparse=always", "--reflink=auto", from.toString(), to.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Copies only the non-zero chunks, so that a sparse file stays sparse. */
    static void copySparse(Path from, Path to) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             RandomAccessFile out = new RandomAccessFile(to.toFile(), "rw")) {
            long size = in.size();
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            FileChannel outChannel = out.getChannel();
            long position = 0;
            while (position < size) {
                buffer.clear();
                int read = in.read(buffer, position);
                if (read <= 0) {
                    break;
                }
                if (!allZero(buffer.array(), read)) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        outChannel.write(buffer, position + buffer.position());
                    }
                }
                position += read;
            }
            out.setLength(size);
        }
    }

    private static boolean allZero(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<SeekableByteChannel> openRead(BlobRef blob) {
        try {
            return Optional.of(FileChannel.open(file(blob), StandardOpenOption.READ));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + blob.uri(), e);
        }
    }

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        Path temp = temporaryFile(blob);
        try {
            return new FileBlobWriter(blob, temp, new RandomAccessFile(temp.toFile(), "rw"));
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot write blob " + blob.uri(), e);
        }
    }

    @Override
    public BlobWriter openEdit(BlobRef blob) {
        Path from = file(blob);
        if (!Files.isRegularFile(from)) {
            throw new ApiException(404, "NotFound", "The blob '" + blob.uri() + "' does not exist.");
        }
        Path temp = temporaryFile(blob);
        try {
            if (!copyWithCp(from, temp)) {
                copySparse(from, temp);
            }
            return new FileBlobWriter(blob, temp, new RandomAccessFile(temp.toFile(), "rw"));
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot change blob " + blob.uri(), e);
        }
    }

    /** A temporary file written at offsets (holes stay holes), sized and published on commit. */
    private final class FileBlobWriter implements BlobWriter {
        private final BlobRef blob;
        private final Path temp;
        private final RandomAccessFile file;
        private boolean committed;

        FileBlobWriter(BlobRef blob, Path temp, RandomAccessFile file) {
            this.blob = blob;
            this.temp = temp;
            this.file = file;
        }

        @Override
        public void write(long offset, ByteBuffer bytes) throws IOException {
            FileChannel channel = file.getChannel();
            long at = offset;
            while (bytes.hasRemaining()) {
                at += channel.write(bytes, at);
            }
        }

        @Override
        public void commit(long size) throws IOException {
            file.setLength(size);
            file.close();
            try {
                publish(temp, blob);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            committed = true;
        }

        @Override
        public void close() {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
            if (!committed) {
                deleteQuietly(temp);
            }
        }
    }

    @Override
    public boolean delete(BlobRef blob) {
        try {
            return Files.deleteIfExists(file(blob));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<BlobRef> list(String account, String container, String prefix) {
        Path dir = root.resolve(account).resolve(container);
        List<BlobRef> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(EXT) && Files.isRegularFile(p)).forEach(p -> {
                StringBuilder name = new StringBuilder();
                for (Path part : dir.relativize(p)) {
                    String s = part.toString();
                    if (s.endsWith(EXT)) {
                        s = s.substring(0, s.length() - EXT.length());
                    }
                    name.append(name.length() == 0 ? "" : "/").append(URLDecoder.decode(s, StandardCharsets.UTF_8));
                }
                if (prefix == null || name.toString().startsWith(prefix)) {
                    out.add(BlobRef.of(account, container, name.toString()));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(BlobRef::path));
        return out;
    }

    @Override
    public void reset() {
        for (Path p : below(root)) {
            if (!p.equals(root)) {
                deleteQuietly(p);
            }
        }
    }

    @Override
    public void close() {
        if (temporary) {
            try {
                below(root).forEach(FileVhdStore::deleteQuietly);
            } catch (UncheckedIOException ignored) {
                // a temporary directory
            }
        }
    }

    private void removeTemporaryFiles() {
        for (Path p : below(root)) {
            String name = p.getFileName().toString();
            if (name.startsWith(".") && name.endsWith(".part")) {
                deleteQuietly(p);
            }
        }
    }

    /** Everything under {@code dir} and {@code dir} itself, deepest first (so that they can be deleted in order). */
    private static List<Path> below(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("cannot list the blob directory " + dir,
                    e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Letters, digits, '.', '_' and '-' stay; everything else becomes %XX of its UTF-8 bytes. */
    private static String encode(String segment) {
        StringBuilder b = new StringBuilder();
        for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                    || (c == '.' && b.length() > 0)) {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        if (b.length() > 200) {
            throw new ApiException(400, "InvalidParameter", "A blob name segment is too long to store: '"
                    + segment.substring(0, Math.min(40, segment.length())) + "...'.");
        }
        return b.toString();
    }
}

package io.azimuth.blobs;

import io.azimuth.http.ApiException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The embedded VHD store: one sparse file per blob under {@code root/{account}/{container}/}, each path segment
 * percent-encoded and the blob's own file ending in {@value #EXT} (so that blobs {@code a} and {@code a/b} can
 * both exist). Writes go to a temporary file first and are moved into place whole.
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
            return new FileVhdStore(root, false);
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
            long size = c.size();
            byte[] footer = new byte[VhdFooter.SIZE];
            if (size >= VhdFooter.SIZE) {
                ByteBuffer b = ByteBuffer.wrap(footer);
                while (b.hasRemaining() && c.read(b, size - VhdFooter.SIZE + b.position()) > 0) {
                    // read until the footer is full
                }
            }
            try {
                return new Vhd(blob, VhdFooter.validate(footer, size));
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
    public void close() {
        if (temporary) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(FileVhdStore::deleteQuietly);
            } catch (IOException ignored) {
                // a temporary directory
            }
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

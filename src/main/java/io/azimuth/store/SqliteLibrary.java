package io.azimuth.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads SQLite's native library for the JDBC driver. Left to itself, the driver copies the library out of the jar
 * into the temporary directory on every start, reads both copies back to compare them, and deletes its copy at
 * exit: a noticeable part of start-up. Here the library is copied once per driver version into the user's cache
 * directory ({@code $XDG_CACHE_HOME/azimuth} or {@code ~/.cache/azimuth}; a directory only its owner writes, unlike
 * the shared temporary directory) and loaded from there on every later start, as the driver allows
 * ({@code org.sqlite.lib.path}, {@code org.sqlite.lib.name}). A copy of another size than the jar's is replaced.
 * When anything of this fails, or those properties are set already, the driver's own way is taken.
 */
public final class SqliteLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteLibrary.class);

    private static boolean loaded;

    private SqliteLibrary() {
    }

    /**
     * Loads the library, at most once per process (opening a store calls it; start-up calls it early, beside other
     * work); the driver reports any failure when it is used.
     */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        try {
            if (System.getProperty("org.sqlite.lib.path") == null && System.getProperty("org.sqlite.lib.name") == null) {
                Path base = cacheDirectory();
                Path cached = base == null ? null : cachedCopy(base);
                if (cached != null) {
                    System.setProperty("org.sqlite.lib.path", cached.getParent().toString());
                    System.setProperty("org.sqlite.lib.name", cached.getFileName().toString());
                }
            }
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            LOG.debug("loading SQLite's native library early failed (opening the store will say why): {}", e.toString());
        }
    }

    /** The library in the cache directory, copied there first when it is missing or not the jar's; null if it cannot be. */
    static Path cachedCopy(Path base) {
        String name = LibraryLoaderUtil.getNativeLibName();
        URL resource = SqliteLibrary.class.getResource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name);
        if (resource == null) {
            return null;
        }
        try {
            URLConnection connection = resource.openConnection();
            long size = connection.getContentLengthLong();
            Path dir = base.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-"
                    + LibraryLoaderUtil.getNativeLibResourcePath().replaceAll("[^A-Za-z0-9_.-]+", "-")
                            .replaceAll("^-+", ""));
            Path library = dir.resolve(name);
            if (size > 0 && Files.isRegularFile(library) && Files.size(library) == size) {
                return library;
            }
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, name, ".partial");
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, library, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
            return library;
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot keep SQLite's native library in {}: {}", base, e.toString());
            return null;
        }
    }

    private static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "azimuth");
        }
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank() || "?".equals(home)) {
            return null;
        }
        return Path.of(home, ".cache", "azimuth");
    }
}

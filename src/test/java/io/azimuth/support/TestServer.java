package io.azimuth.support;

import io.azimuth.server.AzimuthServer;
import io.azimuth.server.Config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** An in-process instance on ephemeral ports with a throw-away data directory. */
public final class TestServer implements AutoCloseable {
    public static final String SUB = Config.DEFAULT_SUBSCRIPTION;

    public final AzimuthServer server;
    public final Path dataDir;
    public final Http http;

    private TestServer(AzimuthServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
        this.http = Http.plain("http://127.0.0.1:" + server.httpPort());
    }

    public static TestServer start() {
        return start(c -> c);
    }

    public static TestServer start(java.util.function.UnaryOperator<Config> tweak) {
        return start(tweak, java.util.List.of());
    }

    /** A server that also serves {@code extra} providers (resource types of a test's own). */
    public static TestServer start(java.util.function.UnaryOperator<Config> tweak,
                                   java.util.List<io.azimuth.server.Provider> extra) {
        try {
            Path dir = Files.createTempDirectory("azimuth-test");
            return new TestServer(AzimuthServer.start(tweak.apply(Config.forTests(dir)), extra), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String httpsBase() {
        return "https://127.0.0.1:" + server.httpsPort();
    }

    public Http https() {
        return Http.trusting(httpsBase(), http.get("/_azimuth/cert").body());
    }

    public void reset() {
        if (http.post("/_azimuth/reset", null).status() != 204) {
            throw new IllegalStateException("reset failed");
        }
    }

    /**
     * Puts a fixed VHD of {@code virtualSize} bytes (zeros, then its footer) into the server's blob store, as a page
     * blob client does: a blob of zeros, then the footer's page.
     */
    public void putVhd(String account, String container, String path, long virtualSize) {
        String blob = "/_azimuth/blobs/" + account + "/" + container + "/" + path;
        Http.Response created = http.sendBody("PUT", blob, java.net.http.HttpRequest.BodyPublishers.noBody(),
                java.util.Map.of("x-ms-blob-type", "PageBlob", "x-ms-blob-content-length",
                        String.valueOf(virtualSize + io.azimuth.blobs.VhdFooter.SIZE)));
        Http.Response footer = http.sendBody("PUT", blob + "?comp=page", java.net.http.HttpRequest.BodyPublishers
                        .ofByteArray(io.azimuth.blobs.VhdFooter.fixed(virtualSize)),
                java.util.Map.of("x-ms-page-write", "update", "x-ms-range",
                        "bytes=" + virtualSize + "-" + (virtualSize + io.azimuth.blobs.VhdFooter.SIZE - 1)));
        if (created.status() != 201 || footer.status() != 201) {
            throw new IllegalStateException("cannot put " + blob + ": " + created + " / " + footer);
        }
    }

    /** The same into the data directory of an instance not running yet. */
    public static void putVhd(Path dataDir, String account, String container, String path, long virtualSize) {
        try (io.azimuth.store.SqliteStore store = io.azimuth.store.SqliteStore.open(dataDir.resolve("azimuth.db"));
             io.azimuth.blobs.ChunkedVhdStore blobs = io.azimuth.blobs.ChunkedVhdStore.open(store,
                     dataDir.resolve("blobs"))) {
            blobs.createBlank(io.azimuth.blobs.BlobRef.of(account, container, path), virtualSize);
        }
    }

    public static String rg(String name) {
        return "/subscriptions/" + SUB + "/resourcegroups/" + name;
    }

    @Override
    public void close() {
        server.close();
        deleteTree(dataDir);
    }

    /** Closes each of {@code resources} that is not null, in order, all of them even when one fails. */
    public static void closeAll(AutoCloseable... resources) {
        RuntimeException failed = null;
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception e) {
                if (failed == null) {
                    failed = new IllegalStateException("cannot close " + r, e);
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
        try {
            Path dir = Files.createTempDirectory("azimuth-test");
            return new TestServer(AzimuthServer.start(tweak.apply(Config.forTests(dir))), dir);
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

    /** Puts a fixed VHD of {@code virtualSize} bytes into the embedded blob store (a sparse file). */
    public void putVhd(String account, String container, String path, long virtualSize) {
        putVhd(dataDir, account, container, path, virtualSize);
    }

    /** The same for an instance whose data directory is {@code dataDir}. */
    public static void putVhd(Path dataDir, String account, String container, String path, long virtualSize) {
        io.azimuth.blobs.BlobRef blob = io.azimuth.blobs.BlobRef.of(account, container, path);
        try (io.azimuth.blobs.FileVhdStore files = io.azimuth.blobs.FileVhdStore.at(dataDir.resolve("blobs"))) {
            Path file = files.file(blob);
            Files.createDirectories(file.getParent());
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(virtualSize);
                f.seek(virtualSize);
                f.write(io.azimuth.blobs.VhdFooter.fixed(virtualSize));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

package io.azimuth.support;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.azure.StorageAccount;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azurite's blob service, as the build installs it into {@code tools/azurite} (see {@code tools/azurite/ensure.js}):
 * a Node process on a free loopback port, data in memory, in a temporary working directory, stopped at close.
 * Tests using it are skipped under {@code -Dazurite.skip}.
 */
public final class Azurite implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listens on (http://[^\\s]+?):(\\d+)");

    private final Process process;
    private final Path workspace;
    public final int port;
    private final ConcurrentLinkedQueue<String> output;
    private BlobServiceClient sdk;

    private Azurite(Process process, Path workspace, int port, ConcurrentLinkedQueue<String> output) {
        this.process = process;
        this.workspace = workspace;
        this.port = port;
        this.output = output;
    }

    /** Where the build installed Azurite. */
    public static Path home() {
        return Path.of(System.getProperty("azurite.home", "tools/azurite")).toAbsolutePath();
    }

    public static Azurite start() {
        Assumptions.assumeFalse(Boolean.getBoolean("azurite.skip"), "Azurite is skipped (-Dazurite.skip)");
        Path main = home().resolve("node_modules/azurite/dist/src/blob/main.js");
        if (!Files.isRegularFile(main)) {
            throw new IllegalStateException("Azurite is not installed at " + main
                    + ": run 'mvn verify' (or 'node tools/azurite/ensure.js')");
        }
        try {
            Path workspace = Files.createTempDirectory("azurite");
            List<String> command = List.of(System.getProperty("azurite.node", "node"), main.toString(),
                    "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--extentMemoryLimit",
                    "1024", "--loose", "--skipApiVersionCheck", "--disableTelemetry", "--silent");
            Process p = new ProcessBuilder(command).directory(workspace.toFile()).redirectErrorStream(true).start();
            // a test JVM that ends without closing it leaves no Azurite behind
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "azurite-stop"));
            ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
            CompletableFuture<Integer> listening = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        output.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            listening.complete(Integer.parseInt(m.group(2)));
                        }
                    }
                    listening.completeExceptionally(new IllegalStateException("Azurite ended: " + output));
                } catch (IOException e) {
                    listening.completeExceptionally(e);
                }
            }, "azurite-output");
            reader.setDaemon(true);
            reader.start();
            int port;
            try {
                port = listening.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                throw new IllegalStateException("Azurite did not start: " + output, e);
            }
            Azurite azurite = new Azurite(p, workspace, port, output);
            azurite.awaitAnswer();
            return azurite;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Azurite", e);
        }
    }

    /** Waits until the blob service answers HTTP (any status). */
    private void awaitAnswer() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                client.send(HttpRequest.newBuilder(URI.create(endpoint() + "?comp=list"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("Azurite does not answer on port " + port + ": " + output, e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The development account's blob endpoint, {@code http://127.0.0.1:{port}/devstoreaccount1}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + StorageAccount.DEVELOPMENT_ACCOUNT;
    }

    /** The development account at this Azurite, with the well-known key. */
    public StorageAccount account() {
        return new StorageAccount(StorageAccount.DEVELOPMENT_ACCOUNT, endpoint(), StorageAccount.DEVELOPMENT_KEY, null);
    }

    /** A connection string for the SDK. */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + StorageAccount.DEVELOPMENT_ACCOUNT + ";AccountKey="
                + StorageAccount.DEVELOPMENT_KEY + ";BlobEndpoint=" + endpoint() + ";";
    }

    /** A blob's path-style URI, as Azurite names it. */
    public String uri(String container, String blob) {
        return endpoint() + "/" + container + "/" + blob;
    }

    /**
     * A blob's host-style URI, as Azure names blobs: {@code https://devstoreaccount1.blob.core.windows.net/...}, which
     * the emulator routes to this Azurite by its account name.
     */
    public static String hostStyleUri(String container, String blob) {
        return "https://" + StorageAccount.DEVELOPMENT_ACCOUNT + ".blob.core.windows.net/" + container + "/" + blob;
    }

    /** A storage SDK client of the development account at this Azurite. */
    public synchronized BlobServiceClient sdk() {
        if (sdk == null) {
            sdk = new BlobServiceClientBuilder().connectionString(connectionString()).buildClient();
        }
        return sdk;
    }

    /** The blob that a URI of the development account names, host-style or path-style, as the SDK reaches it here. */
    public BlobClient blob(String uri) {
        BlobRef b = BlobRef.parse(uri);
        if (!b.account().equals(StorageAccount.DEVELOPMENT_ACCOUNT)) {
            throw new AssertionError(uri + " does not name a blob of " + StorageAccount.DEVELOPMENT_ACCOUNT);
        }
        return sdk().getBlobContainerClient(b.container()).getBlobClient(b.path());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        TestServer.deleteTree(workspace);
    }
}

package io.azimuth.server;

import io.azimuth.auth.Auth;
import io.azimuth.auth.ManagementCertificates;
import io.azimuth.auth.Principals;
import io.azimuth.auth.SigningKey;
import io.azimuth.auth.Tokens;
import io.azimuth.identity.IdentityProvider;
import io.azimuth.authorization.AuthorizationProvider;
import java.time.Clock;

import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.ArmThrottle;
import io.azimuth.arm.ProviderCatalog;
import io.azimuth.blobs.ChunkedVhdStore;
import io.azimuth.blobs.LenientVhdStore;
import io.azimuth.blobs.VhdStore;
import io.azimuth.blobs.azure.RoutingVhdStore;
import io.azimuth.classic.ClassicProvider;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.disks.DisksProvider;
import io.azimuth.compute.galleries.GalleriesProvider;
import io.azimuth.compute.images.ImagesProvider;
import io.azimuth.compute.vms.VmProvider;
import io.azimuth.emulator.EmulatorEnvelope;
import io.azimuth.emulator.EmulatorRoutes;
import io.azimuth.faults.FaultRules;
import io.azimuth.http.Pipeline;
import io.azimuth.metrics.Metrics;
import io.azimuth.state.StateArchive;
import io.azimuth.http.Router;
import io.azimuth.lro.OperationEngine;
import io.azimuth.network.NetworkProvider;
import io.azimuth.resources.ResourcesProvider;
import io.azimuth.resources.deployments.DeploymentsProvider;
import io.azimuth.store.SqliteStore;
import io.azimuth.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509TrustManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Assembles and runs one Azimuth instance: the store, the shared mechanisms, every provider, and the HTTP and
 * HTTPS listeners serving the same routes.
 */
public final class AzimuthServer implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(AzimuthServer.class);

    /** The providers served, in registration order. Adding a resource provider means adding it here. */
    private static List<Provider> providers() {
        ImagesProvider images = new ImagesProvider();
        GalleriesProvider galleries = new GalleriesProvider();
        return List.of(new ResourcesProvider(), new ComputeProvider(), new DisksProvider(), images, galleries,
                new VmProvider(images, galleries), new NetworkProvider(), new ClassicProvider(), new IdentityProvider(),
                new AuthorizationProvider(),
                // last: a template may create the resources of any provider above
                new DeploymentsProvider());
    }

    private final Config config;
    private final Vertx vertx;
    private final Store store;
    private final VhdStore vhds;
    /** The embedded blob store under {@link #vhds}: what a state export holds and an import replaces. */
    private final ChunkedVhdStore embedded;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<Provider> registered = new ArrayList<>();
    private int httpPort = -1;
    private int httpsPort = -1;

    private AzimuthServer(Config config, Vertx vertx, Store store, VhdStore vhds, ChunkedVhdStore embedded,
                          FileChannel lockChannel, FileLock lock) {
        this.embedded = embedded;
        this.config = config;
        this.vertx = vertx;
        this.store = store;
        this.vhds = vhds;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static AzimuthServer start(Config config) {
        return start(config, List.of());
    }

    /**
     * Starts with {@code extra} providers registered after the built-in ones: resource types of one's own (a test's,
     * a plug-in's) served with the same mechanisms.
     */
    public static AzimuthServer start(Config config, List<Provider> extra) {
        Path dataDir = config.dataDir().toAbsolutePath();
        FileChannel channel = null;
        FileLock lock = null;
        Store store = null;
        CompletableFuture<Store> opening = null;
        VhdStore vhds = null;
        Vertx vertx = null;
        try {
            Files.createDirectories(dataDir);
            if (!config.inMemory()) {
                channel = FileChannel.open(dataDir.resolve("azimuth.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                lock = channel.tryLock();
                if (lock == null) {
                    throw new IllegalStateException("the data directory " + dataDir
                            + " is in use by another Azimuth process");
                }
            }
            // start-up is mostly class loading: what does not depend on the rest runs beside it
            opening = background("azimuth-store-open", () -> config.inMemory() ? SqliteStore.inMemory()
                    : SqliteStore.open(dataDir.resolve("azimuth.db")));
            CompletableFuture<TlsMaterial> certificate = background("azimuth-tls", () -> {
                TlsMaterial material = config.certFile() != null ? TlsMaterial.load(config.certFile(), config.keyFile())
                        : TlsMaterial.inDirectory(dataDir);
                if (config.httpsPort() >= 0) {
                    material.keyManagers();
                }
                return material;
            });
            vertx = EarlyStart.takeVertx();
            if (vertx == null) {
                vertx = Vertx.vertx(vertxOptions());
            }
            store = join(opening);
            ChunkedVhdStore chunks = config.inMemory() ? ChunkedVhdStore.temporary(store)
                    : ChunkedVhdStore.open(store, dataDir.resolve("blobs"));
            VhdStore routed = new RoutingVhdStore(chunks, config.storageAccounts());
            vhds = config.lenientVhdCheck() ? new LenientVhdStore(routed) : routed;
            TlsMaterial tls = join(certificate);

            AzimuthServer server = new AzimuthServer(config, vertx, store, vhds, chunks, channel, lock);
            server.listen(tls, extra);
            return server;
        } catch (IOException e) {
            closeWhenOpen(opening);
            cleanup(vertx, store, vhds, channel);
            throw new UncheckedIOException("cannot start: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeWhenOpen(opening);
            cleanup(vertx, store, vhds, channel);
            throw e;
        }
    }

    /** Runs {@code work} on a thread of its own. */
    private static <T> CompletableFuture<T> background(String name, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** A store still being opened when start-up failed is closed once it is open. */
    private static void closeWhenOpen(CompletableFuture<Store> opening) {
        if (opening != null) {
            opening.thenAccept(Store::close);
        }
    }

    /** How Vert.x is set up: no file cache, no class-path resolving (nothing is served from files). */
    static VertxOptions vertxOptions() {
        return new VertxOptions().setFileSystemOptions(
                new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false));
    }

    private void listen(TlsMaterial tls, List<Provider> extra) {
        ProviderCatalog catalog = new ProviderCatalog();
        Auth auth = auth(config);
        ArmEnvelope arm = ArmEnvelope.authenticated(config.strictApiVersions(), config.tenantId(), catalog, auth)
                .throttled(new ArmThrottle(config.testing().throttle()));
        Router router = new Router(arm);
        OperationEngine operations = new OperationEngine(vertx, store, config.operationDelayMillis(), Failures::known);
        Platform platform = new Platform(config, vertx, store, operations, router, catalog, arm, vhds, auth);
        for (Provider provider : providers()) {
            provider.register(platform);
            registered.add(provider);
        }
        for (Provider provider : extra) {
            provider.register(platform);
            registered.add(provider);
        }
        operations.routes(router, arm);
        FaultRules faults = FaultRules.open(store, vertx);
        Metrics metrics = new Metrics(store, vhds);
        store.observe(metrics);
        operations.observe(metrics::operationEnded);
        StateArchive state = new StateArchive(store, embedded, faults::reload, operations::track,
                row -> FaultRules.checkRow(row.key(), row.body()));
        if (config.testing().seed() != null) { // first: --faults then replaces the seed's rules
            StateArchive.Counts seeded = state.importFile(config.testing().seed());
            LOG.info("state seeded from {}: {} resources, {} blobs", config.testing().seed(), seeded.resources(),
                    seeded.blobs());
        }
        if (config.testing().faults() != null) {
            faults.load(config.testing().faults());
        }
        new EmulatorRoutes(platform, tls, VERSION, faults, metrics, state).register(router, new EmulatorEnvelope());
        Pipeline pipeline = new Pipeline(vertx, router, config.maxBodyBytes(), Failures::known, faults);
        pipeline.observe(metrics);
        operations.resume();

        if (config.httpPort() >= 0) {
            // HTTP/1.1 only, as ARM speaks: no h2c upgrade (large bodies stall in it)
            HttpServer http = await(vertx.createHttpServer(new HttpServerOptions().setHost(config.host())
                    .setPort(config.httpPort()).setHttp2ClearTextEnabled(false)).requestHandler(pipeline::handle)
                    .listen());
            servers.add(http);
            httpPort = http.actualPort();
        }
        if (config.httpsPort() >= 0) {
            KeyManagerFactory keyManagers = tls.keyManagers();
            HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.httpsPort())
                    .setSsl(true).setKeyCertOptions(keyManagers != null ? KeyCertOptions.wrap(keyManagers)
                            : new PemKeyCertOptions().setCertValue(Buffer.buffer(tls.certificatePem()))
                            .setKeyValue(Buffer.buffer(tls.keyPem())))
                    // the classic API authenticates by TLS client certificate (a management certificate): ask
                    // for one, never require it, and accept whichever is sent (an emulator has no subscriptions
                    // to bind certificates to); ARM clients simply send none
                    .setClientAuth(ClientAuth.REQUEST).setTrustOptions(TrustOptions.wrap(ANY_CLIENT_CERTIFICATE));
            HttpServer https = await(vertx.createHttpServer(options).requestHandler(pipeline::handle).listen());
            servers.add(https);
            httpsPort = https.actualPort();
        }
    }

    /** Sign-in as configured: the principals file read now (a bad one stops the start), the key kept in the data dir. */
    private static Auth auth(Config config) {
        Config.SignIn signIn = config.signIn();
        Principals principals = signIn.principals() != null ? Principals.load(signIn.principals()) : Principals.open();
        SigningKey key = config.inMemory() ? SigningKey.inMemory()
                : SigningKey.inDirectory(config.dataDir().toAbsolutePath());
        ManagementCertificates certificates = config.inMemory() ? ManagementCertificates.inMemory()
                : ManagementCertificates.inDirectory(config.dataDir().toAbsolutePath());
        return new Auth(signIn.strict(), principals, key, new Tokens(key, signIn.tokenLifetime(), Clock.systemUTC()),
                certificates);
    }

    /** Trusts every client certificate; server certificates are never checked with it. */
    private static final X509TrustManager ANY_CLIENT_CERTIFICATE = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager checks client certificates only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    private static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot listen: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out while starting", e);
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public int httpsPort() {
        return httpsPort;
    }

    public Config config() {
        return config;
    }

    /** The store of this instance's blobs: user VHDs (embedded or in Azure Storage) and managed content. */
    public VhdStore vhds() {
        return vhds;
    }

    /** One line saying where this instance listens. */
    public String describe() {
        StringBuilder b = new StringBuilder("Azimuth ").append(VERSION).append(" listening on");
        if (httpPort >= 0) {
            b.append(" http://").append(config.host()).append(':').append(httpPort);
        }
        if (httpsPort >= 0) {
            b.append(httpPort >= 0 ? " and" : "").append(" https://").append(config.host()).append(':').append(httpsPort);
        }
        b.append(" (").append(config.inMemory() ? "in memory" : "data in " + config.dataDir().toAbsolutePath())
                .append(")");
        return b.toString();
    }

    @Override
    public void close() {
        for (Provider provider : registered) {
            try {
                provider.stop();
            } catch (RuntimeException e) {
                LOG.debug("stopping a provider failed: {}", e.toString());
            }
        }
        for (HttpServer s : servers) {
            try {
                s.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("closing a listener failed: {}", e.toString());
            }
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing Vert.x failed: {}", e.toString());
        }
        store.close();
        vhds.close();
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.debug("releasing the data directory lock failed: {}", e.toString());
        }
        cleanup(null, null, null, lockChannel);
    }

    private static void cleanup(Vertx vertx, Store store, VhdStore vhds, FileChannel channel) {
        if (vertx != null) {
            vertx.close();
        }
        if (store != null) {
            store.close();
        }
        if (vhds != null) {
            vhds.close();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}

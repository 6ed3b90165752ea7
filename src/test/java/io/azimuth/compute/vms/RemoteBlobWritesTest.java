package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.ProviderCatalog;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.ChunkedVhdStore;
import io.azimuth.blobs.ForwardingVhdStore;
import io.azimuth.blobs.VhdStore;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.disks.DisksProvider;
import io.azimuth.compute.galleries.GalleriesProvider;
import io.azimuth.compute.images.ImagesProvider;
import io.azimuth.http.Pipeline;
import io.azimuth.http.Router;
import io.azimuth.lro.OperationEngine;
import io.azimuth.network.NetworkProvider;
import io.azimuth.resources.ResourcesProvider;
import io.azimuth.server.Config;
import io.azimuth.server.Failures;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.azimuth.store.SqliteStore;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.azimuth.compute.vms.VmFixture.RG;
import static io.azimuth.compute.vms.VmFixture.SP;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.dataDisks;
import static io.azimuth.compute.vms.VmFixture.diskUrl;
import static io.azimuth.compute.vms.VmFixture.unmanaged;
import static io.azimuth.compute.vms.VmFixture.vmUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes into user blobs of a slow (remote) account run outside the store's writer: while one waits, other writes
 * go on; a refused request writes no blob; a write that fails after its blobs were written removes those it made.
 * The account is slow through a blob store that holds every write into it until released, on an instance assembled
 * here as the server assembles its own.
 */
class RemoteBlobWritesTest {
    static final String REMOTE = "remoteacct";
    static final String WRITER_THREAD = "azimuth-store-writer";

    @TempDir
    Path dir;

    private Instance instance;

    @AfterEach
    void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    static String remote(String path) {
        return "https://" + REMOTE + ".blob.core.windows.net/" + path;
    }

    static BlobRef ref(String path) {
        return BlobRef.parse(remote(path));
    }

    @Test
    void aSlowBlobWriteDoesNotHoldUpOtherWrites() throws Exception {
        instance = new Instance(dir, 0);
        Http http = instance.http;
        instance.blobs.hold();
        CompletableFuture<Http.Response> vm = CompletableFuture.supplyAsync(
                () -> VmFixture.put(http, "vm1", unmanaged("vm1", remote("vhds/vm1-os.vhd"))));
        instance.blobs.awaitHeld();

        // the VM's OS disk is being written: other writes go on meanwhile
        Http.Response group = http.put(TestServer.rg("other-rg") + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        assertThat(group.status()).as(group.toString()).isEqualTo(201);
        VmFixture.emptyDisk(http, "other-disk", 4, "Linux");
        assertThat(http.get(vmUrl("vm1")).status()).as("not before its blob is written").isEqualTo(404);
        assertThat(vm).isNotDone();

        instance.blobs.release();
        Http.Response created = vm.get(30, TimeUnit.SECONDS);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(instance.blobs.size(ref("vhds/vm1-os.vhd"))).hasValue((30L << 30) + 512);
        assertThat(instance.blobs.writes).containsExactly("createBlank vhds/vm1-os.vhd");
        assertThat(instance.blobs.threads).doesNotContain(WRITER_THREAD);
    }

    @Test
    void aRefusedRequestWritesNoBlob() {
        instance = new Instance(dir, 0);
        Http http = instance.http;
        ObjectNode badLun = unmanaged("vm2", remote("vhds/vm2-os.vhd"));
        dataDisks(badLun).addObject().put("lun", 99).put("createOption", "Empty").put("diskSizeGB", 1)
                .putObject("vhd").put("uri", remote("vhds/vm2-data.vhd"));
        assertRefused(VmFixture.put(http, "vm2", badLun), 400, "InvalidParameter", SP + ".dataDisks[0].lun");

        instance.blobs.createBlank(ref("vhds/taken.vhd"), 1L << 20);
        instance.blobs.writes.clear();
        ObjectNode taken = unmanaged("vm2", remote("vhds/vm2-os.vhd"));
        dataDisks(taken).addObject().put("lun", 0).put("createOption", "Empty").put("diskSizeGB", 1)
                .putObject("vhd").put("uri", remote("vhds/taken.vhd"));
        assertRefused(VmFixture.put(http, "vm2", taken), 409, "BlobAlreadyExists", SP + ".dataDisks[0].vhd.uri");

        assertThat(instance.blobs.writes).isEmpty();
        assertThat(instance.blobs.size(ref("vhds/vm2-os.vhd"))).isEmpty();
        assertThat(instance.blobs.size(ref("vhds/taken.vhd"))).hasValue((1L << 20) + 512);
        assertThat(http.get(vmUrl("vm2")).status()).isEqualTo(404);
    }

    @Test
    void aWriteThatFailsAfterItsBlobsWereWrittenRemovesThem() throws Exception {
        instance = new Instance(dir, 0);
        Http http = instance.http;
        ObjectNode body = unmanaged("vm3", remote("vhds/vm3-os.vhd"));
        dataDisks(body).addObject().put("lun", 0).put("name", "vm3-data").put("createOption", "Empty")
                .put("diskSizeGB", 1).putObject("vhd").put("uri", remote("vhds/vm3-data.vhd"));
        dataDisks(body).addObject().put("lun", 1).put("name", "vm3-managed").put("createOption", "Empty")
                .put("diskSizeGB", 1).putObject("managedDisk").put("storageAccountType", "Standard_LRS");
        instance.blobs.hold();
        CompletableFuture<Http.Response> vm = CompletableFuture.supplyAsync(() -> VmFixture.put(http, "vm3", body));
        instance.blobs.awaitHeld();
        // meanwhile a disk takes the name of the VM's managed data disk: the VM's write is refused once its blobs exist
        VmFixture.emptyDisk(http, "vm3-managed", 1, null);
        instance.blobs.release();

        assertRefused(vm.get(30, TimeUnit.SECONDS), 409, "ConflictingDiskName", null);
        assertThat(instance.blobs.writes).contains("createBlank vhds/vm3-os.vhd", "createBlank vhds/vm3-data.vhd",
                "delete vhds/vm3-os.vhd", "delete vhds/vm3-data.vhd");
        assertThat(instance.blobs.size(ref("vhds/vm3-os.vhd"))).isEmpty();
        assertThat(instance.blobs.size(ref("vhds/vm3-data.vhd"))).isEmpty();
        assertThat(http.get(vmUrl("vm3")).status()).isEqualTo(404);
        assertThat(instance.blobs.threads).doesNotContain(WRITER_THREAD);
    }

    @Test
    void aLongRunningCaptureCopiesOutsideTheWriteThatCompletesIt() throws Exception {
        long delay = 300;
        instance = new Instance(dir, delay);
        Http http = instance.http;
        Http.Response created = VmFixture.put(http, "vm4", unmanaged("vm4", remote("vhds/vm4-os.vhd")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        waitFor(http, created.header("Azure-AsyncOperation"));
        Http.Response stopping = http.post(action("vm4", "powerOff"), null);
        assertThat(stopping.status()).as(stopping.toString()).isEqualTo(202);
        waitFor(http, stopping.header("Azure-AsyncOperation"));
        VmFixture.act(http, "vm4", "generalize");
        instance.blobs.writes.clear();
        instance.blobs.threads.clear();

        instance.blobs.hold();
        Http.Response capture = http.post(action("vm4", "capture"), "{\"vhdPrefix\":\"pfx\","
                + "\"destinationContainerName\":\"images\",\"overwriteVhds\":false}");
        assertThat(capture.status()).as(capture.toString()).isEqualTo(202);
        instance.blobs.awaitHeld();
        // the operation's copy is under way: other writes go on meanwhile
        Http.Response group = http.put(TestServer.rg("other-rg") + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        assertThat(group.status()).as(group.toString()).isEqualTo(201);
        instance.blobs.release();

        assertThat(waitFor(http, capture.header("Azure-AsyncOperation")).path("status").asText()).isEqualTo("Succeeded");
        assertThat(instance.blobs.writes).hasSize(1);
        assertThat(instance.blobs.writes.get(0)).startsWith("copy system/Microsoft.Compute/Images/images/pfx-osDisk.");
        assertThat(instance.blobs.threads).doesNotContain(WRITER_THREAD);
        String template = http.get(capture.header("Location")).json().path("resources").get(0).path("properties")
                .path("storageProfile").path("osDisk").path("image").path("uri").asText();
        assertThat(instance.blobs.size(BlobRef.parse(template))).hasValue((30L << 30) + 512);
    }

    private static JsonNode waitFor(Http http, String statusUrl) throws InterruptedException {
        JsonNode status = http.awaitOperation(statusUrl, 30_000);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("Succeeded");
        return status;
    }

    /** The compute providers on a store of their own, with {@link HeldBlobs} as their blob store. */
    static final class Instance implements AutoCloseable {
        final Vertx vertx = Vertx.vertx();
        final SqliteStore store;
        final HeldBlobs blobs;
        final HttpServer server;
        final Http http;

        Instance(Path dir, long operationDelayMillis) {
            store = SqliteStore.open(dir.resolve("azimuth.db"));
            blobs = new HeldBlobs(ChunkedVhdStore.open(store, dir.resolve("blobs")));
            Config config = Config.forTests(dir).withOperationDelay(operationDelayMillis);
            ProviderCatalog catalog = new ProviderCatalog();
            ArmEnvelope arm = ArmEnvelope.authenticated(false, config.tenantId(), catalog);
            Router router = new Router(arm);
            OperationEngine operations = new OperationEngine(vertx, store, operationDelayMillis, Failures::known);
            Platform platform = new Platform(config, vertx, store, operations, router, catalog, arm, blobs);
            ImagesProvider images = new ImagesProvider();
            GalleriesProvider galleries = new GalleriesProvider();
            for (Provider p : List.of(new ResourcesProvider(), new ComputeProvider(), new DisksProvider(), images,
                    galleries, new VmProvider(images, galleries), new NetworkProvider())) {
                p.register(platform);
            }
            operations.routes(router, arm);
            Pipeline pipeline = new Pipeline(vertx, router, config.maxBodyBytes(), Failures::known);
            try {
                server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                        .requestHandler(pipeline::handle).listen().toCompletionStage().toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            http = Http.plain("http://127.0.0.1:" + server.actualPort());
            Http.Response group = http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
            assertThat(group.status()).as(group.toString()).isEqualTo(201);
        }

        @Override
        public void close() {
            blobs.release();
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
            store.close();
            blobs.close();
        }
    }

    /**
     * The embedded store, where writes into the account {@value #REMOTE} are recorded (with the thread making them)
     * and, while held, wait until released, as a slow remote account would make them wait.
     */
    static final class HeldBlobs extends ForwardingVhdStore {
        final List<String> writes = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        private volatile CountDownLatch gate;
        private volatile CountDownLatch held = new CountDownLatch(1);

        HeldBlobs(VhdStore inner) {
            super(inner);
        }

        /** Blobs of the held account are remote: their work runs outside store writes. */
        @Override
        public boolean joinsTransaction(BlobRef blob) {
            return !blob.account().equals(REMOTE) && inner.joinsTransaction(blob);
        }

        void hold() {
            held = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(30, TimeUnit.SECONDS)).as("a write into the account was held").isTrue();
        }

        void release() {
            CountDownLatch g = gate;
            gate = null;
            if (g != null) {
                g.countDown();
            }
        }

        private void writing(String what, BlobRef blob) {
            if (!blob.account().equals(REMOTE)) {
                return;
            }
            writes.add(what + " " + blob.container() + "/" + blob.path());
            threads.add(Thread.currentThread().getName());
            CountDownLatch g = gate;
            if (g != null) {
                held.countDown();
                try {
                    assertThat(g.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void copy(BlobRef source, BlobRef target, boolean overwrite) {
            writing("copy", target);
            inner.copy(source, target, overwrite);
        }

        @Override
        public BlobWriter openWrite(BlobRef blob) {
            writing("openWrite", blob);
            return inner.openWrite(blob);
        }

        @Override
        public BlobWriter openEdit(BlobRef blob) {
            writing("openEdit", blob);
            return inner.openEdit(blob);
        }

        @Override
        public void resize(BlobRef blob, long newVirtualSize) {
            writing("resize", blob);
            inner.resize(blob, newVirtualSize);
        }

        @Override
        public boolean delete(BlobRef blob) {
            writing("delete", blob);
            return inner.delete(blob);
        }

        @Override
        public void createBlank(BlobRef blob, long virtualSize) {
            writing("createBlank", blob);
            inner.createBlank(blob, virtualSize);
        }
    }
}

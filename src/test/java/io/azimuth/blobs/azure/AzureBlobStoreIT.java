package io.azimuth.blobs.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobType;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.ChunkedVhdStore;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.blobs.VhdStore;
import io.azimuth.blobs.BlobException;
import io.azimuth.store.SqliteStore;
import io.azimuth.support.Azurite;
import io.azimuth.support.RecordingWrites;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.azimuth.support.Vhds.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Azure Storage blob store against a real Azurite: VHD checks, writers, readers, copies, errors. */
class AzureBlobStoreIT {
    static final int MIB = (int) Vhds.MIB;

    static Azurite azurite;
    static BlobServiceClient sdk;
    static VhdStore store;
    static BlobContainerClient vhds;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        azurite = Azurite.start();
        sdk = azurite.sdk();
        store = AzureBlobStore.open(azurite.account());
        vhds = sdk.getBlobContainerClient("vhds");
        vhds.createIfNotExists();
    }

    @AfterAll
    static void stop() {
        TestServer.closeAll(store, azurite);
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID() + ".vhd";
    }

    static BlobRef ref(String container, String name) {
        return BlobRef.parse(azurite.uri(container, name));
    }

    static BlobException vhdError(BlobRef blob) {
        try {
            store.vhd(blob, "properties.storageProfile.osDisk.blobUri");
        } catch (BlobException e) {
            return e;
        }
        throw new AssertionError("the blob was taken as a valid VHD");
    }

    static List<String> stagingBlobs(String container) {
        List<String> names = new ArrayList<>();
        for (BlobItem item : sdk.getBlobContainerClient(container).listBlobs(
                new ListBlobsOptions().setPrefix(AzureBlobStore.STAGING), null)) {
            names.add(item.getName());
        }
        return names;
    }

    // ---- the VHD check

    @Test
    void aPageBlobHoldingAFixedVhdIsOne() {
        Vhds.Sparse vhd = Vhds.sparse(3 * MIB, 1, 0, 8192);
        String name = unique("valid");
        vhd.uploadAsPageBlob(vhds, name);
        assertThat(store.vhd(ref("vhds", name), "f").virtualSize()).isEqualTo(3L * MIB);
        assertThat(store.size(ref("vhds", name))).hasValue(3L * MIB + 512);
    }

    @Test
    void aBlockBlobIs400NamingTheBlobAndTheField() {
        String name = unique("block");
        Vhds.sparse(MIB, 2, 0, 4096).uploadAsBlockBlob(vhds, name);
        BlobException e = vhdError(ref("vhds", name));
        assertThat(e.reason().status).isEqualTo(400);
        assertThat(e.reason().code).isEqualTo("InvalidParameter");
        assertThat(e.target()).isEqualTo("properties.storageProfile.osDisk.blobUri");
        assertThat(e.getMessage()).contains(azurite.uri("vhds", name), "block blob", "must be a page blob");
    }

    @Test
    void aMissingBlobIs404NamingTheField() {
        BlobException e = vhdError(ref("vhds", unique("missing")));
        assertThat(e.reason().status).isEqualTo(404);
        assertThat(e.reason().code).isEqualTo("NotFound");
        assertThat(e.target()).isEqualTo("properties.storageProfile.osDisk.blobUri");
        assertThat(e.getMessage()).contains("does not exist");
        assertThat(store.size(ref("vhds", unique("missing")))).isEmpty();
        assertThat(store.size(ref("no-such-container", "x.vhd"))).isEmpty();
    }

    @Test
    void aCorruptFooterIs400() {
        Vhds.Sparse vhd = Vhds.sparse(2 * MIB, 3, 0, 4096);
        vhd.bytes()[vhd.bytes().length - 512 + 70] ^= 0x5a; // inside the unique id: the checksum no longer matches
        String name = unique("corrupt");
        vhd.uploadAsPageBlob(vhds, name);
        BlobException e = vhdError(ref("vhds", name));
        assertThat(e.reason().status).isEqualTo(400);
        assertThat(e.getMessage()).contains(azurite.uri("vhds", name), "not a valid fixed VHD", "checksum");
    }

    // ---- writing

    @Test
    void aWriterPublishesOnCommitOnlyWithUnalignedWritesInAnyOrder() throws IOException {
        BlobRef blob = ref("written", unique("w"));
        byte[] expected = new byte[9 * MIB + 512];
        Random random = new Random(4);
        try (BlobWriter w = store.openWrite(blob)) {
            write(w, expected, random, 100, 1000);                   // a partial first page
            write(w, expected, random, 4 * MIB - 10, 20);            // across two windows
            write(w, expected, random, 8 * MIB + 3, 5000);           // a third window
            write(w, expected, random, 200, 50);                     // back in the first, already sent, window
            write(w, expected, random, 4 * MIB + 4096, 4096);        // whole pages
            w.write(4 * MIB + 4096 + 512, ByteBuffer.allocate(512)); // zeros over written data
            System.arraycopy(new byte[512], 0, expected, 4 * MIB + 4096 + 512, 512);
            assertThat(store.size(blob)).as("nothing visible before the commit").isEmpty();
            w.commit(expected.length);
        }
        assertThat(Vhds.sha256(Vhds.download(sdk.getBlobContainerClient("written").getBlobClient(blob.path()))))
                .isEqualTo(Vhds.sha256(expected));
        assertThat(sdk.getBlobContainerClient("written").getBlobClient(blob.path()).getProperties().getBlobType())
                .isEqualTo(BlobType.PAGE_BLOB);
        assertThat(stagingBlobs("written")).isEmpty();
        assertThat(store.list("devstoreaccount1", "written", "")).extracting(BlobRef::path).contains(blob.path())
                .noneMatch(p -> p.startsWith(AzureBlobStore.STAGING));
        // only the written pages hold data
        assertThat(describe(Vhds.pageRanges(sdk.getBlobContainerClient("written").getBlobClient(blob.path()))))
                .containsExactly("0-1536", (4 * MIB - 512) + "-" + (4 * MIB + 512),
                        (4 * MIB + 4096) + "-" + (4 * MIB + 4096 + 512),
                        (4 * MIB + 4096 + 1024) + "-" + (4 * MIB + 8192), (8 * MIB) + "-" + (8 * MIB + 5120));
    }

    private static void write(BlobWriter w, byte[] expected, Random random, int offset, int length) throws IOException {
        byte[] data = new byte[length];
        random.nextBytes(data);
        data[0] = 1;
        System.arraycopy(data, 0, expected, offset, length);
        w.write(offset, ByteBuffer.wrap(data));
    }

    @Test
    void aWriterClosedWithoutCommitLeavesNothing() throws IOException {
        BlobRef blob = ref("abandoned", unique("a"));
        try (BlobWriter w = store.openWrite(blob)) {
            w.write(0, ByteBuffer.wrap(new byte[]{1, 2, 3}));
            w.write(5 * MIB, ByteBuffer.wrap(new byte[]{4}));
        }
        assertThat(store.size(blob)).isEmpty();
        assertThat(stagingBlobs("abandoned")).isEmpty();
    }

    @Test
    void aBlobOfPartPagesIsRefused() throws IOException {
        BlobRef blob = ref("vhds", unique("odd"));
        try (BlobWriter w = store.openWrite(blob)) {
            w.write(0, ByteBuffer.wrap(new byte[]{1}));
            assertThatThrownBy(() -> w.commit(1000)).isInstanceOfSatisfying(BlobException.class, e -> {
                assertThat(e.reason().status).isEqualTo(400);
                assertThat(e.getMessage()).contains("multiple of 512");
            });
        }
        assertThat(store.size(blob)).isEmpty();
    }

    @Test
    void aBlankVhdIsItsFooterOnly() {
        BlobRef blob = ref("blank", unique("b"));
        store.createBlank(blob, 30L << 30);
        assertThat(store.vhd(blob, "f").virtualSize()).isEqualTo(30L << 30);
        assertThat(describe(Vhds.pageRanges(sdk.getBlobContainerClient("blank").getBlobClient(blob.path()))))
                .containsExactly((30L << 30) + "-" + ((30L << 30) + 512));
    }

    @Test
    void editingKeepsUnwrittenBytesAndResizingMovesTheFooter() throws IOException {
        Vhds.Sparse vhd = Vhds.sparse(2 * MIB, 5, 0, 64 * 1024, MIB, 4096);
        String name = unique("edit");
        vhd.uploadAsPageBlob(vhds, name);
        BlobRef blob = ref("vhds", name);
        try (BlobWriter w = store.openEdit(blob)) {
            w.write(10, ByteBuffer.wrap(new byte[]{9, 9, 9}));
            assertThat(Vhds.sha256(Vhds.download(vhds.getBlobClient(name)))).as("unchanged until the commit")
                    .isEqualTo(vhd.sha256());
            w.commit(vhd.bytes().length);
        }
        byte[] expected = vhd.bytes().clone();
        expected[10] = 9;
        expected[11] = 9;
        expected[12] = 9;
        assertThat(Vhds.sha256(Vhds.download(vhds.getBlobClient(name)))).isEqualTo(Vhds.sha256(expected));

        store.resize(blob, 3L * MIB);
        assertThat(store.vhd(blob, "f").virtualSize()).isEqualTo(3L * MIB);
        byte[] resized = Vhds.download(vhds.getBlobClient(name));
        assertThat(resized).hasSize(3 * MIB + 512);
        assertThat(Vhds.sha256(java.util.Arrays.copyOf(resized, 2 * MIB)))
                .isEqualTo(Vhds.sha256(java.util.Arrays.copyOf(expected, 2 * MIB)));
        assertThat(java.util.Arrays.copyOfRange(resized, 2 * MIB, 2 * MIB + 512)).containsOnly(0);
        assertThat(stagingBlobs("vhds")).isEmpty();
    }

    @Test
    void editingABlockBlobOrAMissingBlobIsRefused() {
        String name = unique("block-edit");
        Vhds.sparse(MIB, 6, 0, 4096).uploadAsBlockBlob(vhds, name);
        assertThatThrownBy(() -> store.openEdit(ref("vhds", name))).isInstanceOfSatisfying(BlobException.class,
                e -> assertThat(e.reason().status).isEqualTo(400));
        assertThatThrownBy(() -> store.openEdit(ref("vhds", unique("none")))).isInstanceOfSatisfying(
                BlobException.class, e -> assertThat(e.reason().status).isEqualTo(404));
    }

    // ---- reading, listing, deleting

    @Test
    void readsAreRangedAndPinnedToTheBlobTheyOpened() throws IOException {
        Vhds.Sparse vhd = Vhds.sparse(9 * MIB, 7, 0, 4096, 5 * MIB, 8192);
        String name = unique("read");
        vhd.uploadAsPageBlob(vhds, name);
        BlobRef blob = ref("vhds", name);
        try (SeekableByteChannel c = store.openRead(blob).orElseThrow()) {
            assertThat(c.size()).isEqualTo(vhd.bytes().length);
            ByteBuffer b = ByteBuffer.allocate(100);
            c.position(5 * MIB + 10);
            while (b.hasRemaining() && c.read(b) > 0) {
                // fill
            }
            assertThat(b.array()).isEqualTo(java.util.Arrays.copyOfRange(vhd.bytes(), 5 * MIB + 10, 5 * MIB + 110));
            assertThat(VhdFooter.check(c)).isEqualTo(9L * MIB);

            Vhds.sparse(9 * MIB, 8, 0, 4096).uploadAsPageBlob(vhds, name); // replaced while open
            c.position(0);
            assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10))).isInstanceOfSatisfying(BlobException.class,
                    e -> assertThat(e.reason().status).isEqualTo(409));
        }
        assertThat(store.openRead(ref("vhds", unique("absent")))).isEmpty();
    }

    @Test
    void listingIsInNameOrderWithAPrefixAndDeletingSaysWhetherThereWasABlob() {
        BlobContainerClient c = sdk.getBlobContainerClient("listing");
        Vhds.Sparse vhd = Vhds.sparse(MIB, 9, 0, 512);
        for (String n : List.of("b/2.vhd", "a.vhd", "b/1.vhd", "c.vhd")) {
            vhd.uploadAsPageBlob(c, n);
        }
        assertThat(store.list("devstoreaccount1", "listing", "")).extracting(BlobRef::path)
                .containsExactly("a.vhd", "b/1.vhd", "b/2.vhd", "c.vhd");
        assertThat(store.list("devstoreaccount1", "listing", "b/")).extracting(BlobRef::uri)
                .containsExactly(azurite.uri("listing", "b/1.vhd"), azurite.uri("listing", "b/2.vhd"));
        assertThat(store.list("devstoreaccount1", "no-such-container", "")).isEmpty();
        assertThat(store.delete(ref("listing", "a.vhd"))).isTrue();
        assertThat(store.delete(ref("listing", "a.vhd"))).isFalse();
        assertThat(store.size(ref("listing", "a.vhd"))).isEmpty();
    }

    @Test
    void resetDeletesNoBlobOfTheAccount() {
        String name = unique("kept");
        Vhds.sparse(MIB, 10, 0, 512).uploadAsPageBlob(vhds, name);
        store.reset();
        assertThat(vhds.getBlobClient(name).exists()).isTrue();
    }

    // ---- copies

    @Test
    void aCopyInsideTheAccountIsServerSideAndKeepsBytesAndPageRanges() {
        Vhds.Sparse vhd = Vhds.sparse(6 * MIB, 11, 0, 4096, 3 * MIB, 3 * MIB);
        String name = unique("source");
        vhd.uploadAsPageBlob(vhds, name);
        BlobRef target = ref("copies", unique("target"));
        store.copy(ref("vhds", name), target, false);
        var copied = sdk.getBlobContainerClient("copies").getBlobClient(target.path());
        assertThat(Vhds.sha256(Vhds.download(copied))).isEqualTo(vhd.sha256());
        assertThat(describe(Vhds.pageRanges(copied))).isEqualTo(describe(vhd.regions()));
        assertThatThrownBy(() -> store.copy(ref("vhds", name), target, false)).isInstanceOfSatisfying(
                BlobException.class, e -> assertThat(e.reason().code).isEqualTo("BlobAlreadyExists"));
        assertThatThrownBy(() -> store.copy(ref("vhds", unique("none")), target, true)).isInstanceOfSatisfying(
                BlobException.class, e -> assertThat(e.reason().status).isEqualTo(404));
    }

    @Test
    void aPageBlobCopiedOverABlockBlobReplacesIt() {
        Vhds.Sparse vhd = Vhds.sparse(MIB, 12, 0, 4096);
        String source = unique("page");
        String target = unique("was-block");
        vhd.uploadAsPageBlob(vhds, source);
        Vhds.sparse(MIB, 13, 0, 512).uploadAsBlockBlob(vhds, target);
        store.copy(ref("vhds", source), ref("vhds", target), true);
        assertThat(vhds.getBlobClient(target).getProperties().getBlobType()).isEqualTo(BlobType.PAGE_BLOB);
        assertThat(Vhds.sha256(Vhds.download(vhds.getBlobClient(target)))).isEqualTo(vhd.sha256());
    }

    @Test
    void copiesBetweenTheEmbeddedStoreAndAzuriteKeepBytesAndSparseness() throws IOException {
        Vhds.Sparse vhd = Vhds.sparse(12 * MIB, 14, 0, 8192, 5 * MIB + 512, 100 * 1024, 11 * MIB, MIB);
        List<long[]> embeddedWrites = new ArrayList<>();
        try (SqliteStore catalog = SqliteStore.inMemory();
             ChunkedVhdStore files = ChunkedVhdStore.open(catalog, dir.resolve("blobs"))) {
            StorageAccounts accounts = StorageAccounts.none().with(azurite.account());
            RoutingVhdStore routing = new RoutingVhdStore(new RecordingWrites(files, embeddedWrites), accounts, a -> store);

            // Azurite -> embedded: only the page ranges are read, only data is written
            String name = unique("azure-source");
            vhd.uploadAsPageBlob(vhds, name);
            BlobRef local = BlobRef.of("acct1", "vhds", "from-azure.vhd");
            long before = ((AzureBlobStore) store).downloaded.sum();
            routing.copy(ref("vhds", name), local, false);
            assertThat(((AzureBlobStore) store).downloaded.sum() - before).as("bytes downloaded")
                    .isEqualTo(vhd.regions().stream().mapToLong(r -> r[1] - r[0]).sum());
            assertThat(sha256(files, local)).isEqualTo(vhd.sha256());
            assertThat(embeddedWrites).isNotEmpty().allSatisfy(w -> assertThat(vhd.regions())
                    .anySatisfy(r -> assertThat(w[0] >= r[0] && w[1] <= r[1]).isTrue()));
            assertThat(embeddedWrites.stream().mapToLong(w -> w[1] - w[0]).sum())
                    .isEqualTo(vhd.regions().stream().mapToLong(r -> r[1] - r[0]).sum());

            // embedded -> Azurite: a page blob of the non-zero pages only
            BlobRef remote = ref("from-embedded", unique("copy"));
            routing.copy(local, remote, false);
            var copied = sdk.getBlobContainerClient("from-embedded").getBlobClient(remote.path());
            assertThat(copied.getProperties().getBlobType()).isEqualTo(BlobType.PAGE_BLOB);
            assertThat(Vhds.sha256(Vhds.download(copied))).isEqualTo(vhd.sha256());
            assertThat(describe(Vhds.pageRanges(copied))).isEqualTo(describe(vhd.regions()));
            assertThat(routing.vhd(remote, "f").virtualSize()).isEqualTo(12L * MIB);

            // Azurite -> Azurite (server-side)
            BlobRef again = ref("from-embedded", unique("again"));
            routing.copy(remote, again, false);
            var second = sdk.getBlobContainerClient("from-embedded").getBlobClient(again.path());
            assertThat(Vhds.sha256(Vhds.download(second))).isEqualTo(vhd.sha256());
            assertThat(describe(Vhds.pageRanges(second))).isEqualTo(describe(vhd.regions()));

            assertThatThrownBy(() -> routing.copy(local, remote, false)).isInstanceOfSatisfying(BlobException.class,
                    e -> assertThat(e.reason().code).isEqualTo("BlobAlreadyExists"));
            assertThatThrownBy(() -> routing.copy(ref("vhds", unique("none")), local, true))
                    .isInstanceOfSatisfying(BlobException.class, e -> assertThat(e.reason().status).isEqualTo(404));
        }
    }

    private static String sha256(VhdStore store, BlobRef blob) throws IOException {
        try (SeekableByteChannel c = store.openRead(blob).orElseThrow()) {
            ByteBuffer b = ByteBuffer.allocate((int) c.size());
            while (b.hasRemaining() && c.read(b) > 0) {
                // fill
            }
            return Vhds.sha256(b.array());
        }
    }

    @Test
    void anAccountReachedWithASasTokenReadsWritesAndCopies() throws IOException {
        String sas = sdk.generateAccountSas(new com.azure.storage.common.sas.AccountSasSignatureValues(
                java.time.OffsetDateTime.now().plusHours(1),
                com.azure.storage.common.sas.AccountSasPermission.parse("rwdlacup"),
                com.azure.storage.common.sas.AccountSasService.parse("b"),
                com.azure.storage.common.sas.AccountSasResourceType.parse("sco")));
        StorageAccount withSas = StorageAccount.parse("devstoreaccount1=" + azurite.endpoint() + "?" + sas);
        assertThat(withSas.authentication()).isEqualTo("SAS token");
        Vhds.Sparse vhd = Vhds.sparse(2 * MIB, 15, 0, 4096);
        String name = unique("sas");
        vhd.uploadAsPageBlob(vhds, name);
        try (VhdStore viaSas = AzureBlobStore.open(withSas)) {
            assertThat(viaSas.vhd(ref("vhds", name), "f").virtualSize()).isEqualTo(2L * MIB);
            BlobRef copy = ref("vhds", unique("sas-copy"));
            viaSas.copy(ref("vhds", name), copy, false);
            try (BlobWriter w = viaSas.openEdit(copy)) {
                w.write(0, ByteBuffer.wrap(new byte[]{7}));
                w.commit(vhd.bytes().length);
            }
            byte[] expected = vhd.bytes().clone();
            expected[0] = 7;
            assertThat(Vhds.sha256(Vhds.download(vhds.getBlobClient(copy.path()))))
                    .isEqualTo(Vhds.sha256(expected));
        }
    }

    // ---- an unreachable account

    @Test
    void anUnreachableAccountIsA502SayingSoWithinSeconds() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StorageAccount dead = new StorageAccount("deadaccount", "http://127.0.0.1:" + port + "/deadaccount",
                StorageAccount.DEVELOPMENT_KEY, null);
        try (VhdStore unreachable = AzureBlobStore.open(dead)) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> unreachable.vhd(BlobRef.parse("http://127.0.0.1:" + port + "/deadaccount/vhds/d.vhd"),
                    "blobUri")).isInstanceOfSatisfying(BlobException.class, e -> {
                        assertThat(e.reason().status).isEqualTo(502);
                        assertThat(e.reason().code).isEqualTo("StorageAccountUnreachable");
                        assertThat(e.getMessage()).contains("deadaccount", "http://127.0.0.1:" + port, "cannot be reached");
                    });
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
        }
    }

    @Test
    void aWrongKeyIsA502AboutTheCredentials() {
        StorageAccount wrong = new StorageAccount("devstoreaccount1", azurite.endpoint(),
                java.util.Base64.getEncoder().encodeToString(new byte[64]), null);
        try (VhdStore refused = AzureBlobStore.open(wrong)) {
            assertThatThrownBy(() -> refused.list("devstoreaccount1", "vhds", "")).isInstanceOfSatisfying(
                    BlobException.class, e -> {
                        assertThat(e.reason().status).isEqualTo(502);
                        assertThat(e.reason().code).isEqualTo("StorageAccountAuthenticationFailed");
                        assertThat(e.getMessage()).contains("--storage-account devstoreaccount1");
                    });
        }
    }
}

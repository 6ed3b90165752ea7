package io.azimuth.blobs.azure;

import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.ChunkedVhdStore;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.blobs.VhdStore;
import io.azimuth.blobs.BlobException;
import io.azimuth.store.SqliteStore;
import io.azimuth.support.RecordingWrites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routing by account, lazily opened remote stores, and streamed copies between stores (with stand-in stores). */
class RoutingVhdStoreTest {
    static final long MIB = VhdFooter.MIB;

    @TempDir
    Path dir;
    SqliteStore catalog;
    SqliteStore remoteCatalog;
    ChunkedVhdStore embedded;
    ChunkedVhdStore remoteFiles;
    List<String> opened = new ArrayList<>();
    List<long[]> remoteWrites = new ArrayList<>();
    RoutingVhdStore routing;

    @BeforeEach
    void open() {
        catalog = SqliteStore.inMemory();
        remoteCatalog = SqliteStore.inMemory();
        embedded = ChunkedVhdStore.open(catalog, dir.resolve("embedded"));
        remoteFiles = ChunkedVhdStore.open(remoteCatalog, dir.resolve("remote"));
        StorageAccounts accounts = StorageAccounts.none().with(StorageAccount.development())
                .with(StorageAccount.parse("remote2=http://127.0.0.1:1"));
        routing = new RoutingVhdStore(embedded, accounts, account -> {
            opened.add(account.name());
            return new RecordingWrites(remoteFiles, remoteWrites);
        });
    }

    @AfterEach
    void close() {
        routing.close();
        remoteFiles.close();
        catalog.close();
        remoteCatalog.close();
    }

    static BlobRef dev(String path) {
        return BlobRef.parse("http://127.0.0.1:10000/devstoreaccount1/vhds/" + path);
    }

    /** A VHD of {@code virtualMiB} MiB with random bytes at 1 KiB and at 3 MiB + 4 KiB. */
    static byte[] put(VhdStore store, BlobRef blob, int virtualMiB, long seed) throws IOException {
        byte[] bytes = new byte[(int) (virtualMiB * MIB) + VhdFooter.SIZE];
        Random r = new Random(seed);
        byte[] a = new byte[3000];
        r.nextBytes(a);
        System.arraycopy(a, 0, bytes, 1024, a.length);
        byte[] b = new byte[8192];
        r.nextBytes(b);
        System.arraycopy(b, 0, bytes, (int) (3 * MIB) + 4096, b.length);
        System.arraycopy(VhdFooter.fixed(virtualMiB * MIB), 0, bytes, (int) (virtualMiB * MIB), VhdFooter.SIZE);
        try (BlobWriter w = store.openWrite(blob)) {
            w.write(0, ByteBuffer.wrap(bytes));
            w.commit(bytes.length);
        }
        return bytes;
    }

    static byte[] read(VhdStore store, BlobRef blob) throws IOException {
        try (SeekableByteChannel c = store.openRead(blob).orElseThrow()) {
            ByteBuffer b = ByteBuffer.allocate((int) c.size());
            while (b.hasRemaining() && c.read(b) > 0) {
                // fill
            }
            return b.array();
        }
    }

    @Test
    void configuredAccountsGoToTheirStoreOpenedOnFirstUseOthersAndManagedContentStayEmbedded() throws IOException {
        assertThat(opened).isEmpty();
        put(routing, BlobRef.of("acct1", "vhds", "a.vhd"), 4, 1);
        put(routing, BlobRef.managed("disks", "d1"), 4, 2);
        assertThat(opened).as("no remote store opened for embedded blobs").isEmpty();
        assertThat(embedded.size(BlobRef.of("acct1", "vhds", "a.vhd"))).isPresent();
        assertThat(embedded.size(BlobRef.managed("disks", "d1"))).isPresent();

        put(routing, dev("b.vhd"), 4, 3);
        put(routing, BlobRef.of("devstoreaccount1", "vhds", "c.vhd"), 4, 4);
        assertThat(opened).containsExactly("devstoreaccount1");
        assertThat(remoteFiles.size(dev("b.vhd"))).isPresent();
        assertThat(embedded.size(dev("b.vhd"))).isEmpty();
        assertThat(routing.vhd(dev("b.vhd"), "f").virtualSize()).isEqualTo(4 * MIB);
        assertThat(routing.list("devstoreaccount1", "vhds", "")).extracting(BlobRef::path).containsExactly("b.vhd", "c.vhd");
        assertThat(routing.list("acct1", "vhds", "")).extracting(BlobRef::path).containsExactly("a.vhd");
    }

    @Test
    void resetEmptiesTheEmbeddedStoreOnly() throws IOException {
        put(routing, BlobRef.of("acct1", "vhds", "a.vhd"), 4, 1);
        put(routing, dev("b.vhd"), 4, 3);
        routing.reset();
        assertThat(routing.size(BlobRef.of("acct1", "vhds", "a.vhd"))).isEmpty();
        assertThat(routing.size(dev("b.vhd"))).isPresent();
    }

    @Test
    void aCopyBetweenStoresStreamsOnlyTheNonZeroBlocks() throws IOException {
        BlobRef local = BlobRef.of("acct1", "vhds", "a.vhd");
        byte[] bytes = put(routing, local, 8, 5);
        routing.copy(local, dev("copy.vhd"), false);
        assertThat(read(routing, dev("copy.vhd"))).isEqualTo(bytes);
        assertThat(remoteWrites).extracting(w -> w[0] + "-" + w[1]).containsExactly("0-4096",
                (3 * MIB + 4096) + "-" + (3 * MIB + 12288), (8 * MIB) + "-" + (8 * MIB + 512));

        BlobRef back = BlobRef.of("acct1", "vhds", "back.vhd");
        routing.copy(dev("copy.vhd"), back, false);
        assertThat(read(routing, back)).isEqualTo(bytes);
        assertThatThrownBy(() -> routing.copy(local, dev("copy.vhd"), false)).isInstanceOfSatisfying(BlobException.class,
                e -> assertThat(e.reason().code).isEqualTo("BlobAlreadyExists"));
        assertThatThrownBy(() -> routing.copy(dev("none.vhd"), back, true)).isInstanceOfSatisfying(BlobException.class,
                e -> assertThat(e.reason().status).isEqualTo(404));
    }

    @Test
    void twoRemoteAccountsAreTwoStores() throws IOException {
        byte[] bytes = put(routing, dev("x.vhd"), 4, 6);
        BlobRef other = BlobRef.parse("http://127.0.0.1:1/remote2/vhds/x.vhd");
        routing.copy(dev("x.vhd"), other, false);
        assertThat(opened).containsExactly("devstoreaccount1", "remote2");
        assertThat(read(routing, other)).isEqualTo(bytes);
    }

    @Test
    void aClosedStoreOpensNoRemoteStore() {
        routing.close();
        assertThatThrownBy(() -> routing.size(dev("b.vhd"))).isInstanceOf(IllegalStateException.class);
        routing = new RoutingVhdStore(ChunkedVhdStore.temporary(catalog), StorageAccounts.none());
    }
}

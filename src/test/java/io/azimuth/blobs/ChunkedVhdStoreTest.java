package io.azimuth.blobs;

import io.azimuth.store.SqliteStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.azimuth.blobs.VhdFooter.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded chunk store: the VHD checks and their errors, writing, reading, copying, changing and deleting
 * blobs, what each costs in chunks, what readers and writers in progress keep, and what is cleaned up at open.
 */
class ChunkedVhdStoreTest {
    static final BlobRef BLOB = BlobRef.of("acct", "vhds", "dir/disk.vhd");
    static final BlobRef COPY = BlobRef.of("acct", "vhds", "copy.vhd");

    @TempDir
    Path dir;
    SqliteStore db;
    ChunkedVhdStore store;

    @BeforeEach
    void open() {
        db = SqliteStore.open(dir.resolve("azimuth.db"));
        store = ChunkedVhdStore.open(db, dir.resolve("blobs"));
    }

    @AfterEach
    void close() {
        store.close();
        db.close();
    }

    /** Closes the store and opens it again on the same directory, as a restart does. */
    void reopen() {
        close();
        open();
    }

    // ---- helpers

    /** Stores {@code bytes} at offset 0 and {@code footer} at {@code footerAt}, as a blob of {@code size} bytes. */
    void put(BlobRef blob, byte[] bytes, byte[] footer, long footerAt, long size) throws IOException {
        try (BlobWriter w = store.openWrite(blob)) {
            w.write(0, ByteBuffer.wrap(bytes));
            if (footer != null) {
                w.write(footerAt, ByteBuffer.wrap(footer));
            }
            w.commit(size);
        }
    }

    void putVhd(BlobRef blob, long virtualSize, byte[] footer) throws IOException {
        put(blob, new byte[]{1, 2, 3}, footer, virtualSize, virtualSize + VhdFooter.SIZE);
    }

    /** {@code n} random non-zero bytes (so that a chunk of them is stored whole), the same for the same seed. */
    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                b[i] = 1;
            }
        }
        return b;
    }

    /** Writes each of {@code data} at its offset and commits {@code size}. */
    void write(BlobRef blob, long size, long[] offsets, byte[]... data) throws IOException {
        try (BlobWriter w = store.openWrite(blob)) {
            for (int i = 0; i < data.length; i++) {
                w.write(offsets[i], ByteBuffer.wrap(data[i]));
            }
            w.commit(size);
        }
    }

    VhdStore.StorageStats stats() {
        return store.stats().orElseThrow();
    }

    /** The catalog's chunk count matches the files on disk. */
    void assertNoLeak() {
        assertThat(store.chunkFileCount()).as("chunk files on disk").isEqualTo(stats().chunks());
    }

    static BlobException vhdError(VhdStore store, BlobRef blob) {
        try {
            store.vhd(blob, "properties.source.uri");
        } catch (BlobException e) {
            return e;
        }
        throw new AssertionError("the blob was taken as a valid VHD");
    }

    static void assertNamesTheField(BlobException e, int status, String reason) {
        assertThat(e.reason().status).isEqualTo(status);
        assertThat(e.target()).isEqualTo("properties.source.uri");
        assertThat(e.getMessage()).contains("'properties.source.uri'", BLOB.uri(), reason);
    }

    static byte[] read(SeekableByteChannel c, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        c.position(at);
        while (b.hasRemaining() && c.read(b) > 0) {
            // until full
        }
        return b.array();
    }

    byte[] read(BlobRef blob, long at, int n) throws IOException {
        try (SeekableByteChannel c = store.openRead(blob).orElseThrow()) {
            return read(c, at, n);
        }
    }

    /** SHA-256 of all of a blob's bytes, read through a channel. */
    String digest(BlobRef blob) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (SeekableByteChannel c = store.openRead(blob).orElseThrow()) {
            ByteBuffer b = ByteBuffer.allocate(256 * 1024);
            while (c.read(b) >= 0) {
                b.flip();
                sha.update(b);
                b.clear();
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    // ---- VHD checks

    @Test
    void sparseReadsNameTheStoredChunksAsRangesAndReadTheSameBytes() throws IOException {
        long virtualSize = 10 * MIB;
        byte[] a = random((int) MIB, 21);
        byte[] b = random((int) (2 * MIB), 22);
        byte[] footer = VhdFooter.fixed(virtualSize);
        try (BlobWriter w = store.openWrite(BLOB)) {
            w.write(2 * MIB, ByteBuffer.wrap(a));
            w.write(5 * MIB, ByteBuffer.wrap(b));
            w.write(virtualSize, ByteBuffer.wrap(footer));
            w.commit(virtualSize + VhdFooter.SIZE);
        }
        try (SparseReads.SparseRead read = store.openSparse(BLOB).orElseThrow()) {
            assertThat(read.ranges()).containsExactly(new SparseReads.Range(2 * MIB, MIB),
                    new SparseReads.Range(5 * MIB, 2 * MIB), new SparseReads.Range(virtualSize, VhdFooter.SIZE));
            assertThat(read(read.channel(), 2 * MIB, (int) MIB)).isEqualTo(a);
            assertThat(read(read.channel(), 5 * MIB, (int) (2 * MIB))).isEqualTo(b);
            assertThat(read(read.channel(), virtualSize, VhdFooter.SIZE)).isEqualTo(footer);
        }
        assertThat(store.openSparse(COPY)).isEmpty();
    }

    @Test
    void aValidFixedVhdReportsItsVirtualSize() throws IOException {
        putVhd(BLOB, 3 * MIB, VhdFooter.fixed(3 * MIB));
        Vhd vhd = store.vhd(BLOB, "properties.source.uri");
        assertThat(vhd.virtualSize()).isEqualTo(3 * MIB);
        assertThat(vhd.sizeGiB()).isEqualTo(1);
    }

    @Test
    void aMissingBlobIs404NamingTheField() {
        BlobException e = vhdError(store, BLOB);
        assertNamesTheField(e, 404, "does not exist");
        assertThat(e.reason().code).isEqualTo("NotFound");
    }

    @Test
    void aBlobWithoutTheCookieIs400NamingTheField() throws IOException {
        byte[] footer = VhdFooter.fixed(MIB);
        footer[0] = 'X';
        putVhd(BLOB, MIB, footer);
        assertNamesTheField(vhdError(store, BLOB), 400, "no VHD footer (cookie 'conectix')");
        assertThat(vhdError(store, BLOB).reason().code).isEqualTo("InvalidParameter");
    }

    @Test
    void aBlobOfTheWrongSizeIs400NamingTheField() throws IOException {
        putVhd(BLOB, MIB, VhdFooter.fixed(2 * MIB)); // the footer says 2 MiB, the blob holds 1 MiB
        assertNamesTheField(vhdError(store, BLOB), 400, "is not its virtual size (2097152 bytes) plus the 512-byte footer");

        put(BLOB, new byte[1000], null, 0, 1000);
        assertNamesTheField(vhdError(store, BLOB), 400, "is not a multiple of 512 bytes");
    }

    @Test
    void aVirtualSizeThatIsNotWholeMibIs400NamingTheField() throws IOException {
        long virtualSize = MIB + 512;
        putVhd(BLOB, virtualSize, VhdFooter.fixed(virtualSize));
        assertNamesTheField(vhdError(store, BLOB), 400, "virtual size (1049088 bytes) is not a whole number of MiB");
    }

    @Test
    void aBadChecksumOrADynamicVhdIs400NamingTheField() throws IOException {
        byte[] footer = VhdFooter.fixed(MIB);
        footer[20]++;
        putVhd(BLOB, MIB, footer);
        assertNamesTheField(vhdError(store, BLOB), 400, "checksum is wrong");

        byte[] dynamic = VhdFooter.fixed(MIB);
        ByteBuffer.wrap(dynamic).putInt(60, 3).putInt(64, checksum(dynamic));
        putVhd(BLOB, MIB, dynamic);
        assertNamesTheField(vhdError(store, BLOB), 400, "not a fixed VHD");
    }

    static int checksum(byte[] footer) {
        int sum = 0;
        for (int i = 0; i < footer.length; i++) {
            if (i < 64 || i >= 68) {
                sum += footer[i] & 0xff;
            }
        }
        return ~sum;
    }

    // ---- writing and reading

    @Test
    void aWrittenBlobAppearsOnlyOnCommitAndZeroChunksCostNothing() throws IOException {
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x5a);
        try (BlobWriter w = store.openWrite(BLOB)) {
            w.write(32 * MIB + 100, ByteBuffer.wrap(data));
            w.write(20 * MIB, ByteBuffer.wrap(new byte[(int) MIB])); // a whole chunk of zeros
            assertThat(store.size(BLOB)).as("invisible before the commit").isEmpty();
            assertThat(store.list("acct", "vhds", "")).isEmpty();
            w.commit(30L << 30);
        }
        assertThat(store.size(BLOB)).hasValue(30L << 30);
        assertThat(store.list("acct", "vhds", "dir/")).containsExactly(BLOB);
        VhdStore.StorageStats stats = stats();
        assertThat(stats.blobs()).isEqualTo(1);
        assertThat(stats.contents()).isEqualTo(1);
        assertThat(stats.chunks()).as("one chunk holds data").isEqualTo(1);
        assertThat(stats.storedBytes()).as("stored up to its last non-zero block").isEqualTo(2 * ChunkFiles.BLOCK);
        assertNoLeak();
        try (SeekableByteChannel c = store.openRead(BLOB).orElseThrow()) {
            assertThat(c.size()).isEqualTo(30L << 30);
            assertThat(read(c, 32 * MIB + 100, 4096)).isEqualTo(data);
            assertThat(read(c, 32 * MIB, 100)).isEqualTo(new byte[100]);
            assertThat(read(c, 0, 4096)).isEqualTo(new byte[4096]);
            assertThat(read(c, (30L << 30) - 10, 10)).isEqualTo(new byte[10]);
            c.position(30L << 30);
            assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void writesInAnyOrderAndSizeReadBackAsWritten() throws Exception {
        byte[] expected = new byte[(int) (5 * MIB + 300)];
        Random random = new Random(7);
        try (BlobWriter w = store.openWrite(BLOB)) {
            for (int i = 0; i < 200; i++) {
                int at = random.nextInt(expected.length - 70_000);
                byte[] b = random(1 + random.nextInt(70_000), i);
                System.arraycopy(b, 0, expected, at, b.length);
                w.write(at, ByteBuffer.wrap(b));
            }
            byte[] whole = random((int) MIB, 99); // a whole chunk over what was there
            System.arraycopy(whole, 0, expected, (int) (2 * MIB), whole.length);
            w.write(2 * MIB, ByteBuffer.wrap(whole));
            w.commit(expected.length);
        }
        assertThat(read(BLOB, 0, expected.length)).isEqualTo(expected);
        assertNoLeak();
    }

    @Test
    void aCommitCutsWhatLiesBeyondTheSize() throws IOException {
        byte[] data = random((int) (3 * MIB), 1);
        try (BlobWriter w = store.openWrite(BLOB)) {
            w.write(0, ByteBuffer.wrap(data));
            w.commit(MIB + 1000);
        }
        assertThat(store.size(BLOB)).hasValue(MIB + 1000);
        assertThat(read(BLOB, 0, (int) MIB + 1000)).isEqualTo(Arrays.copyOf(data, (int) MIB + 1000));
        assertThat(stats().chunks()).isEqualTo(2);
        assertThat(stats().storedBytes()).isEqualTo(MIB + ChunkFiles.BLOCK);
        assertNoLeak();

        try (BlobWriter w = store.openEdit(BLOB)) { // growing it again shows zeros, not the bytes cut
            w.commit(3 * MIB);
        }
        assertThat(read(BLOB, MIB + 1000, 2000)).isEqualTo(new byte[2000]);
    }

    @Test
    void identicalChunksAreStoredOnce() throws IOException {
        byte[] chunk = random((int) MIB, 3);
        write(BLOB, 4 * MIB, new long[]{0, MIB, 3 * MIB}, chunk, chunk, chunk);
        assertThat(stats().chunks()).as("one chunk three times in a blob").isEqualTo(1);
        write(COPY, MIB, new long[]{0}, chunk);
        assertThat(stats().chunks()).as("and in another blob").isEqualTo(1);
        assertThat(stats().contents()).isEqualTo(2);
        assertThat(stats().storedBytes()).isEqualTo(MIB);
        assertNoLeak();

        assertThat(store.delete(BLOB)).isTrue();
        assertThat(stats().chunks()).as("still held by the other blob").isEqualTo(1);
        assertThat(read(COPY, 0, (int) MIB)).isEqualTo(chunk);
        assertThat(store.delete(COPY)).isTrue();
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(0, 0, 0, 0));
        assertNoLeak();
    }

    @Test
    void aWriterClosedWithoutCommitLeavesNothing() throws IOException {
        try (BlobWriter w = store.openWrite(BLOB)) {
            w.write(0, ByteBuffer.wrap(random((int) (2 * MIB), 5)));
            w.write(5 * MIB, ByteBuffer.wrap(new byte[]{1, 2, 3}));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (store.chunkFileCount() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(store.chunkFileCount()).as("whole chunks are stored as they come").isEqualTo(2);
        }
        assertThat(store.chunkFileCount()).isZero();
        assertThat(store.size(BLOB)).isEmpty();
        assertThat(store.openRead(BLOB)).isEmpty();
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(0, 0, 0, 0));
    }

    @Test
    void aCommitReplacesTheBlobWhileOpenReadersKeepTheOldBytes() throws IOException {
        byte[] old = random((int) MIB, 11);
        write(BLOB, MIB, new long[]{0}, old);
        try (SeekableByteChannel before = store.openRead(BLOB).orElseThrow()) {
            put(BLOB, new byte[]{2, 2}, null, 0, 2);
            assertThat(store.chunkFileCount()).as("the old chunk stays while it is read").isEqualTo(2);
            assertThat(stats().chunks()).isEqualTo(1);
            assertThat(read(before, 0, (int) MIB)).isEqualTo(old);
            assertThat(before.size()).isEqualTo(MIB);
        }
        assertThat(store.chunkFileCount()).as("and goes when the reader closes").isEqualTo(1);
        assertThat(read(BLOB, 0, 2)).containsExactly(2, 2);
        assertNoLeak();
    }

    @Test
    void aReaderKeepsTheBytesOfADeletedBlob() throws IOException {
        byte[] old = random((int) (2 * MIB), 12);
        write(BLOB, old.length, new long[]{0}, old);
        SeekableByteChannel reader = store.openRead(BLOB).orElseThrow();
        assertThat(store.delete(BLOB)).isTrue();
        assertThat(stats()).as("the catalog forgets it at once").isEqualTo(new VhdStore.StorageStats(0, 0, 0, 0));
        assertThat(read(reader, 0, old.length)).isEqualTo(old);
        reader.close();
        assertThat(store.chunkFileCount()).isZero();
        assertThatThrownBy(() -> reader.read(ByteBuffer.allocate(1))).isInstanceOf(IOException.class);
    }

    // ---- copies

    @Test
    void aCopyOfA64GibSparseBlobTakesMillisecondsAndNoChunks() throws IOException {
        BlobRef big = BlobRef.of("acct", "vhds", "big.vhd");
        long virtual = 64L << 30;
        try (BlobWriter w = store.openWrite(big)) {
            for (int i = 0; i < 64; i++) {
                w.write(i * (1L << 30), ByteBuffer.wrap(random((int) MIB, i)));
            }
            w.write(virtual, ByteBuffer.wrap(VhdFooter.fixed(virtual)));
            w.commit(virtual + VhdFooter.SIZE);
        }
        VhdStore.StorageStats before = stats();
        store.copy(big, BlobRef.of("acct", "vhds", "warm-up.vhd"), false);

        long[] micros = new long[5];
        for (int i = 0; i < micros.length; i++) {
            long started = System.nanoTime();
            store.copy(big, i == 0 ? COPY : BlobRef.of("acct", "vhds", "copy-" + i + ".vhd"), false);
            micros[i] = (System.nanoTime() - started) / 1000;
        }
        Arrays.sort(micros);
        System.out.printf("copy of a 64 GiB sparse blob (64 MiB written, a durable commit each): median %d us%n",
                micros[2]);
        assertThat(micros[2]).as("the median of five copies, in microseconds").isLessThan(50_000);

        VhdStore.StorageStats after = stats();
        assertThat(after.blobs()).isEqualTo(before.blobs() + 6);
        assertThat(after.contents()).as("the same content").isEqualTo(before.contents());
        assertThat(after.chunks()).isEqualTo(before.chunks());
        assertThat(after.storedBytes()).isEqualTo(before.storedBytes());
        assertThat(store.vhd(COPY, "f").virtualSize()).isEqualTo(virtual);
        assertThat(read(COPY, 5L << 30, (int) MIB)).isEqualTo(random((int) MIB, 5));
    }

    @Test
    void copyRefusesAMissingSourceAndAnExistingTargetUnlessOverwriting() throws IOException {
        assertThatThrownBy(() -> store.copy(BLOB, COPY, false)).isInstanceOfSatisfying(BlobException.class,
                e -> assertThat(e.reason().status).isEqualTo(404));
        write(BLOB, MIB, new long[]{0}, random((int) MIB, 1));
        write(COPY, MIB, new long[]{0}, random((int) MIB, 2));
        assertThatThrownBy(() -> store.copy(BLOB, COPY, false)).isInstanceOfSatisfying(BlobException.class,
                e -> assertThat(e.reason().status).isEqualTo(409));
        assertThat(stats().chunks()).isEqualTo(2);

        store.copy(BLOB, COPY, true);
        assertThat(read(COPY, 0, (int) MIB)).isEqualTo(random((int) MIB, 1));
        assertThat(stats()).as("the copy's old content and its chunk are gone")
                .isEqualTo(new VhdStore.StorageStats(2, 1, 1, MIB));
        assertNoLeak();
    }

    @Test
    void deletingTheLastReferenceFreesTheSpace() throws IOException {
        write(BLOB, 3 * MIB, new long[]{0, 2 * MIB}, random((int) MIB, 1), random((int) MIB, 2));
        store.copy(BLOB, COPY, false);
        BlobRef managed = BlobRef.managed("disks", "d1");
        store.copy(COPY, managed, false);
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(3, 1, 2, 2 * MIB));

        assertThat(store.delete(BLOB)).isTrue();
        assertThat(store.delete(COPY)).isTrue();
        assertThat(stats()).as("one name left").isEqualTo(new VhdStore.StorageStats(1, 1, 2, 2 * MIB));
        assertThat(store.chunkFileCount()).isEqualTo(2);

        assertThat(store.delete(managed)).isTrue();
        assertThat(store.delete(managed)).isFalse();
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(0, 0, 0, 0));
        assertThat(store.chunkFileCount()).isZero();
    }

    // ---- edits

    @Test
    void anEditOfASharedBlobCopiesOnWrite() throws Exception {
        byte[] a = random((int) (3 * MIB), 1);
        write(BLOB, a.length, new long[]{0}, a);
        store.copy(BLOB, COPY, false);
        String before = digest(BLOB);

        try (BlobWriter w = store.openEdit(COPY)) {
            w.write(MIB + 512, ByteBuffer.wrap(new byte[]{9, 9, 9}));
            w.commit(a.length);
        }
        assertThat(digest(BLOB)).as("the other name keeps its bytes").isEqualTo(before);
        byte[] expected = a.clone();
        expected[(int) MIB + 512] = expected[(int) MIB + 513] = expected[(int) MIB + 514] = 9;
        assertThat(read(COPY, 0, a.length)).isEqualTo(expected);
        assertThat(stats()).as("a second content sharing two of the three chunks")
                .isEqualTo(new VhdStore.StorageStats(2, 2, 4, 4 * MIB));
        assertNoLeak();
    }

    @Test
    void anEditOfAnUnsharedBlobChangesItInPlaceWhileReadersKeepTheOldBytes() throws IOException {
        byte[] a = random((int) (2 * MIB), 1);
        write(BLOB, a.length, new long[]{0}, a);
        try (SeekableByteChannel reader = store.openRead(BLOB).orElseThrow()) {
            try (BlobWriter w = store.openEdit(BLOB)) {
                w.write(100, ByteBuffer.wrap(new byte[]{7}));
                w.commit(a.length);
            }
            assertThat(stats()).as("the same content, its first chunk replaced")
                    .isEqualTo(new VhdStore.StorageStats(1, 1, 2, 2 * MIB));
            assertThat(store.chunkFileCount()).as("the replaced chunk stays for the reader").isEqualTo(3);
            assertThat(read(reader, 0, a.length)).isEqualTo(a);
        }
        assertNoLeak();
        assertThat(read(BLOB, 100, 1)).containsExactly(7);
        assertThat(read(BLOB, 101, (int) MIB)).isEqualTo(Arrays.copyOfRange(a, 101, 101 + (int) MIB));
    }

    @Test
    void anEditStartsFromTheCurrentBytesAndAClosedEditLeavesThemAlone() throws Exception {
        byte[] a = random((int) MIB, 1);
        write(BLOB, a.length, new long[]{0}, a);
        String before = digest(BLOB);
        try (BlobWriter w = store.openEdit(BLOB)) {
            w.write(0, ByteBuffer.wrap(random((int) MIB, 2)));
            w.write(10, ByteBuffer.wrap(new byte[]{1}));
        }
        assertThat(digest(BLOB)).isEqualTo(before);
        assertNoLeak();
        assertThatThrownBy(() -> store.openEdit(COPY)).isInstanceOfSatisfying(BlobException.class,
                e -> assertThat(e.reason().status).isEqualTo(404));
    }

    @Test
    void concurrentEditsOfOneChunkAllCount() throws Exception {
        write(BLOB, 2 * MIB, new long[]{0}, random((int) (2 * MIB), 1));
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch opened = new CountDownLatch(writers);
        try {
            List<Future<Object>> done = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int page = i;
                done.add(pool.submit(() -> {
                    try (BlobWriter w = store.openEdit(BLOB)) {
                        byte[] bytes = new byte[512];
                        Arrays.fill(bytes, (byte) (page + 1));
                        w.write(page * 1024L, ByteBuffer.wrap(bytes)); // all in chunk 0
                        opened.countDown();
                        opened.await(); // every writer has read the chunk before any commits
                        w.commit(2 * MIB);
                    }
                    return null;
                }));
            }
            for (Future<Object> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < writers; i++) {
            byte[] expected = new byte[512];
            Arrays.fill(expected, (byte) (i + 1));
            assertThat(read(BLOB, i * 1024L, 512)).as("page %d", i).isEqualTo(expected);
        }
        assertThat(read(BLOB, 512, 512)).isEqualTo(Arrays.copyOfRange(random((int) (2 * MIB), 1), 512, 1024));
        assertNoLeak();
        assertThat(stats().chunks()).isEqualTo(2);
    }

    @Test
    void resizeAndZeroKeepTheDataAndStoreNoZeros() throws IOException {
        store.createBlank(BLOB, 16L << 30);
        assertThat(stats().storedBytes()).as("a blank disk stores its footer chunk only").isEqualTo(ChunkFiles.BLOCK);
        assertThat(stats().chunks()).isEqualTo(1);
        try (BlobWriter w = store.openEdit(BLOB)) {
            w.write(5 * MIB, ByteBuffer.wrap(random((int) (2 * MIB), 3)));
            w.commit(store.size(BLOB).orElseThrow());
        }
        store.resize(BLOB, 20L << 30);
        assertThat(store.vhd(BLOB, "f").virtualSize()).isEqualTo(20L << 30);
        assertThat(read(BLOB, 5 * MIB, (int) (2 * MIB))).isEqualTo(random((int) (2 * MIB), 3));
        assertThat(read(BLOB, 16L << 30, 512)).as("the old footer's place").isEqualTo(new byte[512]);
        assertThat(stats().chunks()).as("two data chunks and the new footer's").isEqualTo(3);

        try (BlobWriter w = store.openEdit(BLOB)) {
            w.zero(5 * MIB, MIB + 4096);
            w.commit(store.size(BLOB).orElseThrow());
        }
        byte[] expected = new byte[(int) (2 * MIB)];
        System.arraycopy(random((int) (2 * MIB), 3), (int) MIB + 4096, expected, (int) MIB + 4096,
                (int) MIB - 4096);
        assertThat(read(BLOB, 5 * MIB, (int) (2 * MIB))).isEqualTo(expected);
        assertThat(stats().chunks()).isEqualTo(2);
        assertNoLeak();
    }

    // ---- in transactions

    @Test
    void operationsInsideAUnitOfWorkCommitAndRollBackWithIt() throws IOException {
        write(BLOB, MIB, new long[]{0}, random((int) MIB, 1));
        assertThatThrownBy(() -> db.write(tx -> {
            store.copy(BLOB, COPY, false);
            store.delete(BLOB);
            throw new IllegalStateException("the resource change failed");
        })).hasMessageContaining("failed");
        assertThat(store.size(COPY)).isEmpty();
        assertThat(store.size(BLOB)).hasValue(MIB);
        assertThat(store.chunkFileCount()).as("the delete rolled back: nothing was unlinked").isEqualTo(1);

        db.write(tx -> {
            store.copy(BLOB, COPY, false);
            assertThat(store.delete(BLOB)).isTrue();
            return null;
        });
        assertThat(store.size(BLOB)).isEmpty();
        assertThat(read(COPY, 0, (int) MIB)).isEqualTo(random((int) MIB, 1));
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(1, 1, 1, MIB));
        assertNoLeak();
    }

    @Test
    void aWriterCommittingInsideAUnitOfWorkKeepsItsChunksUntilTheUnitCommits() throws IOException {
        db.write(tx -> {
            store.createBlank(BLOB, 4 * MIB);
            try (BlobWriter w = store.openEdit(BLOB)) {
                w.write(MIB, ByteBuffer.wrap(random((int) MIB, 1)));
                w.commit(4 * MIB + VhdFooter.SIZE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(store.chunkFileCount()).as("not removed before the unit commits").isEqualTo(2);
            return null;
        });
        assertThat(store.vhd(BLOB, "f").virtualSize()).isEqualTo(4 * MIB);
        assertThat(read(BLOB, MIB, (int) MIB)).isEqualTo(random((int) MIB, 1));
        assertNoLeak();

        assertThatThrownBy(() -> db.write(tx -> {
            store.createBlank(COPY, 4 * MIB);
            throw new IllegalStateException("the resource change failed");
        })).hasMessageContaining("failed");
        assertThat(store.size(COPY)).isEmpty();
        reopen();
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(1, 1, 2, stats().storedBytes()));
        assertNoLeak();
    }

    // ---- pins

    @Test
    void aWriterStagingAChunkKeepsItWhenTheBlobHoldingItIsDeleted() throws IOException {
        byte[] chunk = random((int) MIB, 4);
        write(BLOB, MIB, new long[]{0}, chunk);
        try (BlobWriter w = store.openWrite(COPY)) {
            w.write(0, ByteBuffer.wrap(chunk)); // the same bytes: no new file
            assertThat(store.chunkFileCount()).isEqualTo(1);
            assertThat(store.delete(BLOB)).isTrue();
            assertThat(store.chunkFileCount()).as("pinned by the writer").isEqualTo(1);
            w.commit(MIB);
        }
        assertThat(read(COPY, 0, (int) MIB)).isEqualTo(chunk);
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(1, 1, 1, MIB));
        assertNoLeak();
    }

    /**
     * Writers, editors, copiers, deleters and readers at once on a few names whose chunks come from a few patterns
     * (so that chunks are shared and freed all the time): every read sees whole patterns, and in the end the files
     * on disk are exactly the chunks the catalog counts, none once every blob is deleted.
     */
    @Test
    void concurrentOperationsKeepReadsWholeAndLeakNothing() throws Exception {
        byte[][] patterns = new byte[6][];
        patterns[0] = new byte[(int) MIB];
        for (int i = 1; i < patterns.length; i++) {
            patterns[i] = random((int) MIB, 100 + i);
        }
        List<BlobRef> names = List.of(BlobRef.of("acct", "vhds", "n0"), BlobRef.of("acct", "vhds", "n1"),
                BlobRef.of("acct", "vhds", "n2"), BlobRef.managed("disks", "n3"));
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    int reads = 0;
                    for (int op = 0; op < 150; op++) {
                        BlobRef name = names.get(random.nextInt(names.size()));
                        switch (random.nextInt(5)) {
                            case 0 -> {
                                try (BlobWriter w = store.openWrite(name)) {
                                    for (int c = 0; c < 3; c++) {
                                        w.write(c * MIB, ByteBuffer.wrap(patterns[random.nextInt(patterns.length)]));
                                    }
                                    if (random.nextInt(4) > 0) {
                                        w.commit(3 * MIB);
                                    }
                                }
                            }
                            case 1 -> {
                                try {
                                    store.copy(name, names.get(random.nextInt(names.size())), true);
                                } catch (BlobException e) {
                                    assertThat(e.reason().status).isEqualTo(404);
                                }
                            }
                            case 2 -> store.delete(name);
                            case 3 -> {
                                try (BlobWriter w = store.openEdit(name)) {
                                    w.write(random.nextInt(3) * MIB,
                                            ByteBuffer.wrap(patterns[random.nextInt(patterns.length)]));
                                    w.commit(3 * MIB);
                                } catch (BlobException e) {
                                    assertThat(e.reason().status).isEqualTo(404); // deleted before or meanwhile
                                }
                            }
                            default -> {
                                java.util.Optional<SeekableByteChannel> c = store.openRead(name);
                                if (c.isPresent()) {
                                    try (SeekableByteChannel reader = c.get()) {
                                        for (int k = 0; k < 3; k++) {
                                            byte[] chunk = read(reader, k * MIB, (int) MIB);
                                            assertThat(Arrays.stream(patterns).anyMatch(p -> Arrays.equals(p, chunk)))
                                                    .as("chunk %d of %s is a whole pattern", k, name).isTrue();
                                        }
                                    }
                                    reads++;
                                }
                            }
                        }
                    }
                    return reads;
                }));
            }
            for (Future<Integer> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertNoLeak();
        assertThat(stats().chunks()).isLessThanOrEqualTo(patterns.length - 1);
        for (BlobRef name : names) {
            store.delete(name);
        }
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(0, 0, 0, 0));
        assertThat(store.chunkFileCount()).isZero();
    }

    // ---- reset, open

    @Test
    void resetRemovesEveryBlobAndEveryUploadInProgress() throws IOException {
        BlobRef other = BlobRef.of("other", "images", "a.vhd");
        write(BLOB, MIB, new long[]{0}, random((int) MIB, 1));
        write(other, MIB, new long[]{0}, random((int) MIB, 2));
        BlobWriter pending = store.openWrite(BlobRef.of("acct", "vhds", "pending.vhd"));
        pending.write(0, ByteBuffer.wrap(random((int) MIB, 3)));

        store.reset();

        assertThat(store.size(BLOB)).isEmpty();
        assertThat(store.list("other", "images", "")).isEmpty();
        assertThatThrownBy(() -> pending.commit(MIB)).isInstanceOf(IOException.class);
        pending.close();
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(0, 0, 0, 0));
        assertThat(store.chunkFileCount()).isZero();
        write(BLOB, MIB, new long[]{0}, random((int) MIB, 1));
        assertThat(read(BLOB, 0, (int) MIB)).as("usable afterwards").isEqualTo(random((int) MIB, 1));
    }

    @Test
    void openingRemovesOrphanChunksTemporaryFilesAndStagedBlobs() throws IOException {
        write(BLOB, MIB, new long[]{0}, random((int) MIB, 1));
        store.copy(BLOB, BlobRef.managed(ChunkedVhdStore.STAGING, "import-1"), false);
        write(BlobRef.managed(ChunkedVhdStore.STAGING, "import-2"), MIB, new long[]{0}, random((int) MIB, 2));
        Path chunks = store.chunkDirectory();
        String orphan = "ab" + "0".repeat(62);
        Files.createDirectories(chunks.resolve("ab"));
        Files.write(chunks.resolve("ab").resolve(orphan), new byte[]{1});
        Files.write(chunks.resolve(".tmp").resolve("x.part"), new byte[]{1});
        assertThat(stats().blobs()).isEqualTo(3);

        reopen();

        assertThat(chunks.resolve("ab").resolve(orphan)).doesNotExist();
        assertThat(chunks.resolve(".tmp")).isEmptyDirectory();
        assertThat(store.list(BlobRef.MANAGED_ACCOUNT, ChunkedVhdStore.STAGING, "")).isEmpty();
        assertThat(stats()).isEqualTo(new VhdStore.StorageStats(1, 1, 1, MIB));
        assertThat(read(BLOB, 0, (int) MIB)).isEqualTo(random((int) MIB, 1));
        assertNoLeak();
    }

    @Test
    void blobFilesOfTheEarlierLayoutAreImportedOnce() throws Exception {
        close();
        Path old = dir.resolve("blobs/acct/vhds/dir/my%20disk.vhd.blob");
        Files.createDirectories(old.getParent());
        byte[] data = random((int) MIB, 8);
        try (RandomAccessFile f = new RandomAccessFile(old.toFile(), "rw")) {
            f.setLength(1L << 30);
            f.seek(3 * MIB + 5);
            f.write(data);
        }
        open();
        BlobRef imported = BlobRef.of("acct", "vhds", "dir/my disk.vhd");
        assertThat(store.size(imported)).hasValue(1L << 30);
        assertThat(read(imported, 3 * MIB + 5, data.length)).isEqualTo(data);
        assertThat(stats().chunks()).isEqualTo(2);
        assertThat(old).doesNotExist();
        assertThat(dir.resolve("blobs/acct")).doesNotExist();
        reopen();
        assertThat(stats().blobs()).isEqualTo(1);
    }

    @Test
    void inMemoryChunksLiveInATemporaryDirectoryRemovedAtClose() throws IOException {
        try (SqliteStore memory = SqliteStore.inMemory()) {
            ChunkedVhdStore temporary = ChunkedVhdStore.temporary(memory);
            Path chunks = temporary.chunkDirectory();
            try (BlobWriter w = temporary.openWrite(BLOB)) {
                w.write(0, ByteBuffer.wrap(random((int) MIB, 1)));
                w.commit(MIB);
            }
            assertThat(temporary.chunkFileCount()).isEqualTo(1);
            temporary.close();
            assertThat(chunks).doesNotExist();
        }
    }
}

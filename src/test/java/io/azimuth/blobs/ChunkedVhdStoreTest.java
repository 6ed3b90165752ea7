package io.azimuth.blobs;

import io.azimuth.http.ApiException;
import io.azimuth.support.Disk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.azimuth.blobs.VhdFooter.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded VHD store: the VHD checks and their errors, writing, reading, publishing and resetting. */
class FileVhdStoreTest {
    static final BlobRef BLOB = BlobRef.of("acct", "vhds", "dir/disk.vhd");

    @TempDir
    Path root;
    FileVhdStore store;

    @BeforeEach
    void open() {
        store = FileVhdStore.at(root);
    }

    @AfterEach
    void close() {
        store.close();
    }

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

    static ApiException vhdError(FileVhdStore store, BlobRef blob) {
        try {
            store.vhd(blob, "properties.source.uri");
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("the blob was taken as a valid VHD");
    }

    static void assertNamesTheField(ApiException e, int status, String reason) {
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.target()).isEqualTo("properties.source.uri");
        assertThat(e.getMessage()).contains("'properties.source.uri'", BLOB.uri(), reason);
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
        ApiException e = vhdError(store, BLOB);
        assertNamesTheField(e, 404, "does not exist");
        assertThat(e.code()).isEqualTo("NotFound");
    }

    @Test
    void aBlobWithoutTheCookieIs400NamingTheField() throws IOException {
        byte[] footer = VhdFooter.fixed(MIB);
        footer[0] = 'X';
        putVhd(BLOB, MIB, footer);
        assertNamesTheField(vhdError(store, BLOB), 400, "no VHD footer (cookie 'conectix')");
        assertThat(vhdError(store, BLOB).code()).isEqualTo("InvalidParameter");
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

    @Test
    void aWrittenBlobAppearsOnlyOnCommitAndStaysSparse() throws IOException {
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x5a);
        try (BlobWriter w = store.openWrite(BLOB)) {
            w.write(32 * MIB, ByteBuffer.wrap(data));
            assertThat(store.size(BLOB)).as("invisible before the commit").isEmpty();
            assertThat(store.list("acct", "vhds", "")).isEmpty();
            w.commit(64 * MIB);
        }
        assertThat(store.size(BLOB)).hasValue(64 * MIB);
        assertThat(store.list("acct", "vhds", "dir/")).containsExactly(BLOB);
        assertThat(Disk.allocatedBytes(store.file(BLOB))).as("holes stay holes").isLessThan(MIB);
        try (SeekableByteChannel c = store.openRead(BLOB).orElseThrow()) {
            assertThat(c.size()).isEqualTo(64 * MIB);
            assertThat(read(c, 32 * MIB, 4096)).isEqualTo(data);
            assertThat(read(c, 0, 4096)).isEqualTo(new byte[4096]);
        }
    }

    @Test
    void aWriterClosedWithoutCommitLeavesNothing() throws IOException {
        try (BlobWriter w = store.openWrite(BLOB)) {
            w.write(0, ByteBuffer.wrap(new byte[]{1, 2, 3}));
            assertThat(files()).hasSize(1);
        }
        assertThat(files()).isEmpty();
        assertThat(store.size(BLOB)).isEmpty();
        assertThat(store.openRead(BLOB)).isEmpty();
    }

    @Test
    void aCommitReplacesTheBlobWhileOpenReadersKeepTheOldBytes() throws IOException {
        put(BLOB, new byte[]{1, 1, 1, 1}, null, 0, 4);
        try (SeekableByteChannel before = store.openRead(BLOB).orElseThrow()) {
            put(BLOB, new byte[]{2, 2}, null, 0, 2);
            assertThat(read(before, 0, 4)).containsExactly(1, 1, 1, 1);
        }
        try (SeekableByteChannel after = store.openRead(BLOB).orElseThrow()) {
            assertThat(read(after, 0, 2)).containsExactly(2, 2);
        }
        assertThat(files()).hasSize(1);
    }

    @Test
    void resetRemovesEveryBlobAndEveryUploadInProgress() throws IOException {
        BlobRef other = BlobRef.of("other", "images", "a.vhd");
        put(BLOB, new byte[]{1}, null, 0, 1);
        put(other, new byte[]{1}, null, 0, 1);
        BlobWriter pending = store.openWrite(BlobRef.of("acct", "vhds", "pending.vhd"));
        pending.write(0, ByteBuffer.wrap(new byte[]{1}));

        store.reset();

        assertThat(store.size(BLOB)).isEmpty();
        assertThat(store.list("other", "images", "")).isEmpty();
        assertThatThrownBy(() -> pending.commit(1)).isInstanceOf(IOException.class);
        pending.close();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
        assertThat(root).isDirectory();
    }

    @Test
    void temporaryFilesOfAProcessThatDiedAreRemovedWhenTheStoreOpens() throws IOException {
        put(BLOB, new byte[]{1}, null, 0, 1);
        Path partial = store.temporaryFile(BlobRef.of("acct", "vhds", "cut.vhd"));
        Files.write(partial, new byte[]{1, 2});

        FileVhdStore again = FileVhdStore.at(root);
        assertThat(partial).doesNotExist();
        assertThat(again.size(BLOB)).hasValue(1);
    }

    List<Path> files() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    static byte[] read(SeekableByteChannel c, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        c.position(at);
        while (b.hasRemaining() && c.read(b) > 0) {
            // until full
        }
        return b.array();
    }
}

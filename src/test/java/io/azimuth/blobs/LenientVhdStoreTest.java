package io.azimuth.blobs;

import io.azimuth.store.SqliteStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** --vhd-check lenient: any blob URI is a VHD of unknown size; real blobs are still stored and served. */
class LenientVhdStoreTest {
    static final BlobRef STORED = BlobRef.of("acct", "vhds", "stored.vhd");
    static final BlobRef ABSENT = BlobRef.of("acct", "vhds", "absent.vhd");

    @TempDir
    Path root;
    SqliteStore store;
    ChunkedVhdStore files;
    LenientVhdStore lenient;

    @BeforeEach
    void open() throws IOException {
        store = SqliteStore.inMemory();
        files = ChunkedVhdStore.open(store, root);
        lenient = new LenientVhdStore(files);
        try (BlobWriter w = lenient.openWrite(STORED)) {
            w.write(0, ByteBuffer.wrap("not a vhd".getBytes()));
            w.commit(9);
        }
    }

    @AfterEach
    void close() {
        lenient.close();
        store.close();
    }

    @Test
    void everyBlobIsAVhdOfUnknownSize() {
        for (BlobRef blob : new BlobRef[]{STORED, ABSENT}) {
            Vhd vhd = lenient.vhd(blob, "properties.source.uri");
            assertThat(vhd.blob()).isEqualTo(blob);
            assertThat(vhd.sizeKnown()).isFalse();
            assertThat(vhd.sizeGiB()).isEqualTo(-1);
        }
    }

    @Test
    void copiesWhatExistsAndIgnoresWhatDoesNot() {
        BlobRef copy = BlobRef.of("acct", "vhds", "copy.vhd");
        lenient.copy(ABSENT, copy, false);
        assertThat(lenient.size(copy)).isEmpty();
        lenient.copy(STORED, copy, false);
        assertThat(lenient.size(copy)).hasValue(9);
    }

    @Test
    void storedBlobsAreWrittenReadListedDeletedAndResetThroughTheUnderlyingStore() throws IOException {
        assertThat(files.size(STORED)).as("written through").hasValue(9);
        assertThat(lenient.size(STORED)).hasValue(9);
        assertThat(lenient.size(ABSENT)).isEmpty();
        try (SeekableByteChannel c = lenient.openRead(STORED).orElseThrow()) {
            assertThat(c.size()).isEqualTo(9);
        }
        assertThat(lenient.openRead(ABSENT)).isEmpty();
        assertThat(lenient.list("acct", "vhds", "st")).containsExactly(STORED);
        assertThat(lenient.delete(ABSENT)).isFalse();
        assertThat(lenient.delete(STORED)).isTrue();
        assertThat(files.size(STORED)).isEmpty();

        try (BlobWriter w = lenient.openWrite(STORED)) {
            w.commit(0);
        }
        lenient.reset();
        assertThat(files.list("acct", "vhds", "")).isEmpty();
    }
}

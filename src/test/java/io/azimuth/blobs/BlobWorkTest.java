package io.azimuth.blobs;

import io.azimuth.store.SqliteStore;
import io.azimuth.store.StoreTx;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Blob I/O asked for by a store write: done outside it, and undone (only what it created) when the write fails. */
class BlobWorkTest {
    static final long MIB = 1L << 20;

    private static BlobRef blob(String path) {
        return BlobRef.of("acct", "vhds", path);
    }

    /** A write that copies, blanks and overwrites blobs and is then refused. */
    private static void refusedWrite(SqliteStore store, VhdStore vhds) {
        assertThatThrownBy(() -> store.write(tx -> {
            tx.outside(List.of(BlobWork.copy(vhds, blob("source.vhd"), blob("copied.vhd"), false),
                    BlobWork.blank(vhds, blob("blank.vhd"), MIB),
                    BlobWork.copy(vhds, blob("source.vhd"), blob("existing.vhd"), true)));
            throw new IllegalStateException("refused once the blobs were written");
        })).hasMessageContaining("refused once");
    }

    @Test
    void aFailedWriteOutsideTheStoreRemovesTheBlobsItCreatedAndKeepsThoseThatExisted() {
        try (SqliteStore store = SqliteStore.inMemory(); ChunkedVhdStore chunks = ChunkedVhdStore.temporary(store)) {
            VhdStore remote = new ForwardingVhdStore(chunks) { // as a remote account: its work runs outside the write
                @Override
                public boolean joinsTransaction(BlobRef blob) {
                    return false;
                }
            };
            remote.createBlank(blob("source.vhd"), MIB);
            remote.createBlank(blob("existing.vhd"), 2 * MIB);
            refusedWrite(store, remote);
            assertThat(remote.size(blob("copied.vhd"))).isEmpty();
            assertThat(remote.size(blob("blank.vhd"))).isEmpty();
            assertThat(remote.size(blob("existing.vhd"))).as("overwritten, not removed").hasValue(MIB + VhdFooter.SIZE);
        }
    }

    @Test
    void aFailedWriteOnEmbeddedBlobsLeavesThemAllAsTheyWere() {
        try (SqliteStore store = SqliteStore.inMemory(); ChunkedVhdStore vhds = ChunkedVhdStore.temporary(store)) {
            vhds.createBlank(blob("source.vhd"), MIB);
            vhds.createBlank(blob("existing.vhd"), 2 * MIB);
            refusedWrite(store, vhds);
            assertThat(vhds.size(blob("copied.vhd"))).isEmpty();
            assertThat(vhds.size(blob("blank.vhd"))).isEmpty();
            assertThat(vhds.size(blob("existing.vhd"))).as("rolled back with the write")
                    .hasValue(2 * MIB + VhdFooter.SIZE);
        }
    }

    @Test
    void embeddedBlobWorkJoinsTheWriteThatAsksForIt() {
        try (SqliteStore store = SqliteStore.inMemory(); ChunkedVhdStore vhds = ChunkedVhdStore.temporary(store)) {
            vhds.createBlank(blob("source.vhd"), MIB);
            String thread = store.write(tx -> {
                boolean created = tx.outside(BlobWork.copy(vhds, blob("source.vhd"), blob("copy.vhd"), false));
                assertThat(created).isTrue();
                assertThat(tx.outside(BlobWork.copy(vhds, blob("source.vhd"), blob("copy.vhd"), false)))
                        .as("asked again in the same run: done once").isTrue();
                return Thread.currentThread().getName();
            });
            assertThat(thread).isEqualTo("azimuth-store-writer");
            assertThat(vhds.size(blob("copy.vhd"))).hasValue(MIB + VhdFooter.SIZE);
        }
    }

    @Test
    void checksAndRefusalsReachTheUnitThatAsked() {
        try (SqliteStore store = SqliteStore.inMemory(); ChunkedVhdStore vhds = ChunkedVhdStore.temporary(store)) {
            vhds.createBlank(blob("a.vhd"), MIB);
            String seen = store.write(tx -> {
                OptionalLong size = tx.outside(BlobWork.size(vhds, blob("a.vhd")));
                String missing;
                try {
                    tx.outside(BlobWork.vhd(vhds, blob("none.vhd"), "field"));
                    missing = "found";
                } catch (BlobException e) {
                    missing = e.reason().status + " " + e.getMessage();
                }
                return size.getAsLong() + ", " + missing;
            });
            assertThat(seen).isEqualTo((MIB + VhdFooter.SIZE) + ", 404 The blob '" + blob("none.vhd").uri()
                    + "' given in 'field' does not exist.");
            assertThatThrownBy(() -> store.write((StoreTx tx) -> tx.outside(
                    BlobWork.copy(vhds, blob("a.vhd"), blob("a.vhd"), false))))
                    .isInstanceOf(BlobException.class).hasMessageContaining("already exists");
            assertThat(vhds.size(blob("a.vhd"))).as("a 409 leaves the blob that was there").isPresent();
        }
    }
}

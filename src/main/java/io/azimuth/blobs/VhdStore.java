package io.azimuth.blobs;

import io.azimuth.blobs.BlobException.Reason;

import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where VHD blobs live. The embedded implementation ({@link ChunkedVhdStore}) keeps them as content-addressed
 * chunks under the data directory, named in the main store; an Azure Storage one can stand behind the same
 * interface.
 */
public interface VhdStore extends AutoCloseable {
    /** The blob's size in bytes, or empty when there is no such blob. */
    OptionalLong size(BlobRef blob);

    /**
     * The blob as a fixed VHD.
     *
     * @param field the request field that named it, for the error's target
     * @throws BlobException 404 when the blob does not exist, 400 when it is not a valid fixed VHD
     */
    Vhd vhd(BlobRef blob, String field);

    /** Copies a blob; the target is replaced when {@code overwrite}, else a 409 if it exists. */
    void copy(BlobRef source, BlobRef target, boolean overwrite);

    /**
     * Opens the blob for reading, positioned at its start; the caller closes the channel. It keeps reading the
     * bytes the blob had when opened, even if the blob is replaced or deleted meanwhile.
     *
     * @return empty when there is no such blob
     */
    Optional<SeekableByteChannel> openRead(BlobRef blob);

    /**
     * Starts writing a blob (creating or, on commit, replacing it); nothing is visible until
     * {@link BlobWriter#commit}.
     */
    BlobWriter openWrite(BlobRef blob);

    /**
     * Starts changing an existing blob: a writer whose bytes start as the blob's current bytes (unwritten ranges
     * keep them), published on {@link BlobWriter#commit} as the blob's new content, replacing the old atomically.
     * Readers that opened the blob before keep seeing the old bytes.
     *
     * @throws BlobException 404 when the blob does not exist
     */
    BlobWriter openEdit(BlobRef blob);

    /**
     * Grows a fixed VHD to {@code newVirtualSize} bytes: its data stays, the old footer's place becomes zeros and a
     * new footer is written at the new end. Nothing happens when the size is unchanged.
     *
     * @throws BlobException 404 when the blob does not exist, 400 when it is not a valid fixed VHD or would shrink
     */
    default void resize(BlobRef blob, long newVirtualSize) {
        long old = vhd(blob, "blob").virtualSize();
        if (old == newVirtualSize) {
            return;
        }
        if (old > newVirtualSize || newVirtualSize % VhdFooter.MIB != 0) {
            throw new BlobException(Reason.INVALID, "The VHD '" + blob.uri() + "' of " + old
                    + " bytes cannot be resized to " + newVirtualSize + " bytes: it only grows, by whole MiB.");
        }
        try (BlobWriter w = openEdit(blob)) {
            w.write(old, java.nio.ByteBuffer.allocate(VhdFooter.SIZE));
            w.write(newVirtualSize, java.nio.ByteBuffer.wrap(VhdFooter.fixed(newVirtualSize)));
            w.commit(newVirtualSize + VhdFooter.SIZE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot resize " + blob.uri(), e);
        }
    }

    boolean delete(BlobRef blob);

    /**
     * True when operations on this blob change the store's state only through the main store's transactions (the
     * embedded store), so that, called inside a store write, they commit or roll back with it; false for a remote
     * account, whose I/O belongs outside writes.
     */
    default boolean joinsTransaction(BlobRef blob) {
        return false;
    }

    /** Creates a blank fixed VHD of {@code virtualSize} bytes (zeros, then the footer). */
    void createBlank(BlobRef blob, long virtualSize);

    /** Blobs of a container whose names start with {@code prefix} (may be empty), in name order. */
    List<BlobRef> list(String account, String container, String prefix);

    /** What the store holds; empty for stores that do not count (a remote account). */
    default Optional<StorageStats> stats() {
        return Optional.empty();
    }

    /**
     * Counts for health output and tests: blobs (managed content included), distinct contents, distinct stored
     * chunks and the bytes those chunks take.
     */
    record StorageStats(long blobs, long contents, long chunks, long storedBytes) {
    }

    /** Removes every blob (and every upload in progress). */
    void reset();

    @Override
    void close();
}

package io.azimuth.blobs;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A blob being written: bytes go in at their offsets, in any order, and ranges never written read as zeros (so a
 * writer can skip runs of zeros and the blob stays sparse, as a page blob does). Nothing is visible under the
 * blob's name until {@link #commit}; {@link #close} without a commit discards everything written. Its methods
 * block and are called by one thread at a time.
 */
public interface BlobWriter extends AutoCloseable {
    /** Writes all of {@code bytes} (from its position to its limit) at {@code offset}. */
    void write(long offset, ByteBuffer bytes) throws IOException;

    /** Makes the {@code length} bytes at {@code offset} zeros (for a writer of an existing blob, {@code openEdit}). */
    default void zero(long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(length - done, zeros.capacity());
            zeros.clear().limit(n);
            write(offset + done, zeros);
            done += n;
        }
    }

    /**
     * Makes the blob exactly {@code size} bytes long and publishes it atomically under its name, replacing any
     * blob there.
     */
    void commit(long size) throws IOException;

    /** Discards an uncommitted blob; after a commit, only releases resources. Never throws. */
    @Override
    void close();
}

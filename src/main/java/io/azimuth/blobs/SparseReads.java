package io.azimuth.blobs;


import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;

/**
 * A store that knows where a blob's data is (a page blob's page ranges, the chunk store's stored chunks), so that a
 * copy between stores transfers only that.
 */
public interface SparseReads {
    /**
     * Opens the blob for reading with the ranges that hold its data, in order and not overlapping; everything
     * outside them reads as zeros. Empty when there is no such blob.
     */
    Optional<SparseRead> openSparse(BlobRef blob);

    /** A byte range, {@code [offset, offset + length)}. */
    record Range(long offset, long length) {
        public long end() {
            return offset + length;
        }
    }

    /** A blob opened for reading, and where its data is. */
    record SparseRead(SeekableByteChannel channel, List<Range> ranges) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}

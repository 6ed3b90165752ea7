package io.azimuth.blobs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;
import java.util.List;

import static io.azimuth.blobs.ChunkFiles.CHUNK;

/**
 * Reads one content of the chunk store: its size and chunk map as they were when it was opened, with every chunk
 * in the map pinned until it is closed, so that its bytes stay readable whatever happens to the blob meanwhile.
 * Indexes missing from the map, and the part of a chunk beyond its file's end, read as zeros.
 */
final class ChunkReader implements SeekableByteChannel {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final ChunkFiles files;
    private final long size;
    /** The map, sorted by index. */
    private final long[] indexes;
    private final String[] hashes;
    /** What was pinned, to unpin at close. */
    private final List<String> pinned;
    private long position;
    private boolean open = true;
    private int currentSlot = -1;
    private FileChannel current;
    private long currentLength;

    ChunkReader(ChunkFiles files, long size, long[] indexes, String[] hashes, List<String> pinned) {
        this.files = files;
        this.size = size;
        this.indexes = indexes;
        this.hashes = hashes;
        this.pinned = pinned;
    }

    /** The content's size in bytes. */
    long contentSize() {
        return size;
    }

    /** The indexes of the chunks stored, in order (the others read as zeros). */
    long[] indexes() {
        return indexes.clone();
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (position >= size) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        long index = position / CHUNK;
        int within = (int) (position % CHUNK);
        int n = (int) Math.min(Math.min(dst.remaining(), CHUNK - within), size - position);
        int slot = Arrays.binarySearch(indexes, index);
        if (slot >= 0) {
            FileChannel c = channel(slot);
            if (within < currentLength) {
                int m = (int) Math.min(n, currentLength - within);
                int limit = dst.limit();
                dst.limit(dst.position() + m);
                int read;
                try {
                    read = c.read(dst, within);
                } finally {
                    dst.limit(limit);
                }
                if (read <= 0) {
                    throw new IOException("chunk " + hashes[slot] + " ended early");
                }
                position += read;
                return read;
            }
        }
        zeros(dst, n);
        position += n;
        return n;
    }

    private FileChannel channel(int slot) throws IOException {
        if (slot != currentSlot) {
            if (current != null) {
                current.close();
                current = null;
            }
            currentSlot = -1;
            current = files.open(hashes[slot]);
            currentLength = current.size();
            currentSlot = slot;
        }
        return current;
    }

    private static void zeros(ByteBuffer dst, int n) {
        int left = n;
        while (left > 0) {
            int k = Math.min(left, ZEROS.length);
            dst.put(ZEROS, 0, k);
            left -= k;
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() throws IOException {
        checkOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        checkOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position");
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        checkOpen();
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        try {
            if (current != null) {
                current.close();
            }
        } finally {
            files.unpinAll(pinned);
        }
    }

    private void checkOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}

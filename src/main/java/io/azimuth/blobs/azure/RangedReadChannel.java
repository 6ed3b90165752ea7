package io.azimuth.blobs.azure;

import com.azure.storage.blob.specialized.BlobClientBase;
import io.azimuth.blobs.BlobRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A blob read through ranged GETs of up to {@value AzureBlobStore#READ_CHUNK} bytes, each one only while the blob
 * keeps the ETag it had when opened: a blob replaced meanwhile fails the next read (a 409) rather than mixing old
 * and new bytes. A GET asks for what the read wants, but at least {@code readAhead} bytes (0 for a copy that reads
 * exactly the ranges holding data).
 */
final class RangedReadChannel implements SeekableByteChannel {
    private final AzureBlobStore store;
    private final BlobClientBase client;
    private final BlobRef blob;
    private final long size;
    private final String etag;
    private final int readAhead;
    private byte[] buffer;
    private long bufferStart;
    private int bufferLength;
    private long position;
    private boolean open = true;

    RangedReadChannel(AzureBlobStore store, BlobClientBase client, BlobRef blob, long size, String etag,
                      int readAhead) {
        this.readAhead = Math.min(readAhead, AzureBlobStore.READ_CHUNK);
        this.store = store;
        this.client = client;
        this.blob = blob;
        this.size = size;
        this.etag = etag;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (buffer == null || position < bufferStart || position >= bufferStart + bufferLength) {
            int wanted = Math.min(AzureBlobStore.READ_CHUNK, Math.max(dst.remaining(), readAhead));
            int length = (int) Math.min(wanted, size - position);
            if (buffer == null || buffer.length < length) {
                buffer = new byte[length];
            }
            store.download(client, blob, position, length, etag, buffer);
            bufferStart = position;
            bufferLength = length;
        }
        int at = (int) (position - bufferStart);
        int n = Math.min(dst.remaining(), bufferLength - at);
        dst.put(buffer, at, n);
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        buffer = null;
    }

    private void ensureOpen() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}

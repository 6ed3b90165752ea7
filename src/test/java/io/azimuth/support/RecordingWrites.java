package io.azimuth.support;

import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.ForwardingVhdStore;
import io.azimuth.blobs.VhdStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** A store that records the byte ranges its writers are given, {@code [from, to)}, in the order given. */
public final class RecordingWrites extends ForwardingVhdStore {
    private final List<long[]> writes;

    public RecordingWrites(VhdStore inner, List<long[]> writes) {
        super(inner);
        this.writes = writes;
    }

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        BlobWriter w = inner.openWrite(blob);
        return new BlobWriter() {
            @Override
            public void write(long offset, ByteBuffer bytes) throws IOException {
                writes.add(new long[]{offset, offset + bytes.remaining()});
                w.write(offset, bytes);
            }

            @Override
            public void commit(long size) throws IOException {
                w.commit(size);
            }

            @Override
            public void close() {
                w.close();
            }
        };
    }
}

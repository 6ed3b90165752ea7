package io.azimuth.blobs;

import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A store passing every call to another: the base of stores that change a few of its answers (lenient VHD checks,
 * and tests that watch or hold what a store is asked).
 */
public class ForwardingVhdStore implements VhdStore {
    protected final VhdStore inner;

    public ForwardingVhdStore(VhdStore inner) {
        this.inner = inner;
    }

    @Override
    public OptionalLong size(BlobRef blob) {
        return inner.size(blob);
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        return inner.vhd(blob, field);
    }

    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        inner.copy(source, target, overwrite);
    }

    @Override
    public Optional<SeekableByteChannel> openRead(BlobRef blob) {
        return inner.openRead(blob);
    }

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        return inner.openWrite(blob);
    }

    @Override
    public BlobWriter openEdit(BlobRef blob) {
        return inner.openEdit(blob);
    }

    @Override
    public void resize(BlobRef blob, long newVirtualSize) {
        inner.resize(blob, newVirtualSize);
    }

    @Override
    public boolean delete(BlobRef blob) {
        return inner.delete(blob);
    }

    @Override
    public void createBlank(BlobRef blob, long virtualSize) {
        inner.createBlank(blob, virtualSize);
    }

    @Override
    public List<BlobRef> list(String account, String container, String prefix) {
        return inner.list(account, container, prefix);
    }

    @Override
    public boolean joinsTransaction(BlobRef blob) {
        return inner.joinsTransaction(blob);
    }

    @Override
    public Optional<StorageStats> stats() {
        return inner.stats();
    }

    @Override
    public void reset() {
        inner.reset();
    }

    @Override
    public void close() {
        inner.close();
    }
}

package io.azimuth.blobs;

import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code --vhd-check lenient}: every well-formed blob URI names an existing VHD of unknown size, for users who
 * do not care about disk bytes. Blobs that do exist in the underlying store are still read, written, copied and
 * listed.
 */
public final class LenientVhdStore implements VhdStore {
    private final VhdStore stored;

    public LenientVhdStore(VhdStore stored) {
        this.stored = stored;
    }

    @Override
    public OptionalLong size(BlobRef blob) {
        return stored.size(blob);
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        return new Vhd(blob, -1);
    }

    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        if (stored.size(source).isPresent()) {
            stored.copy(source, target, overwrite);
        }
    }

    @Override
    public Optional<SeekableByteChannel> openRead(BlobRef blob) {
        return stored.openRead(blob);
    }

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        return stored.openWrite(blob);
    }

    @Override
    public BlobWriter openEdit(BlobRef blob) {
        return stored.openEdit(blob);
    }

    @Override
    public void resize(BlobRef blob, long newVirtualSize) {
        if (stored.size(blob).isPresent()) {
            stored.resize(blob, newVirtualSize);
        }
    }

    @Override
    public Optional<StorageStats> stats() {
        return stored.stats();
    }

    @Override
    public boolean joinsTransaction(BlobRef blob) {
        return stored.joinsTransaction(blob);
    }

    @Override
    public boolean delete(BlobRef blob) {
        return stored.delete(blob);
    }

    @Override
    public void createBlank(BlobRef blob, long virtualSize) {
        stored.createBlank(blob, virtualSize);
    }

    @Override
    public List<BlobRef> list(String account, String container, String prefix) {
        return stored.list(account, container, prefix);
    }

    @Override
    public void reset() {
        stored.reset();
    }

    @Override
    public void close() {
        stored.close();
    }
}

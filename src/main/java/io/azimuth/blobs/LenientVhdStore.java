package io.azimuth.blobs;

/**
 * {@code --vhd-check lenient}: every well-formed blob URI names an existing VHD of unknown size, for users who
 * do not care about disk bytes. Blobs that do exist in the underlying store are still read, written, copied and
 * listed.
 */
public final class LenientVhdStore extends ForwardingVhdStore {
    public LenientVhdStore(VhdStore stored) {
        super(stored);
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        return new Vhd(blob, -1);
    }

    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        if (inner.size(source).isPresent()) {
            inner.copy(source, target, overwrite);
        }
    }

    @Override
    public void resize(BlobRef blob, long newVirtualSize) {
        if (inner.size(blob).isPresent()) {
            inner.resize(blob, newVirtualSize);
        }
    }
}

package io.azimuth.blobs;

/** A blob checked to be a fixed VHD; {@code virtualSize} is -1 when not checked (lenient mode). */
public record Vhd(BlobRef blob, long virtualSize) {
    public static final long GIB = 1024L * 1024 * 1024;

    public boolean sizeKnown() {
        return virtualSize >= 0;
    }

    /** Virtual size in whole GiB, rounded up, as disks report it; -1 when unknown. */
    public int sizeGiB() {
        return sizeKnown() ? (int) ((virtualSize + GIB - 1) / GIB) : -1;
    }
}

package io.azimuth.blobs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The 512-byte footer at the end of a VHD file. Azure accepts only fixed VHDs whose virtual size is a whole
 * number of MiB, stored in a page blob (size a multiple of 512) of exactly virtual size + 512 bytes.
 */
public final class VhdFooter {
    public static final int SIZE = 512;
    public static final long MIB = 1024L * 1024;
    private static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final int FIXED = 2;

    private VhdFooter() {
    }

    /** A footer for a fixed VHD of {@code virtualSize} bytes. */
    public static byte[] fixed(long virtualSize) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(COOKIE);
        b.putInt(2);                       // features: reserved bit set
        b.putInt(0x00010000);              // format version 1.0
        b.putLong(-1L);                    // data offset: none for fixed disks
        b.putInt((int) ((System.currentTimeMillis() / 1000) - 946_684_800L)); // seconds since 2000-01-01
        b.put("azmt".getBytes(StandardCharsets.US_ASCII));
        b.putInt(0x00010000);
        b.put("Wi2k".getBytes(StandardCharsets.US_ASCII));
        b.putLong(virtualSize);            // original size
        b.putLong(virtualSize);            // current size
        b.putInt(geometry(virtualSize));
        b.putInt(FIXED);
        b.putInt(0);                       // checksum, set below
        UUID id = UUID.randomUUID();
        b.putLong(id.getMostSignificantBits());
        b.putLong(id.getLeastSignificantBits());
        byte[] footer = b.array();
        ByteBuffer.wrap(footer, 64, 4).putInt(checksum(footer));
        return footer;
    }

    /**
     * Reads the footer at the end of a blob's bytes and checks it.
     *
     * @return the virtual size in bytes
     * @throws IllegalArgumentException saying what is wrong
     */
    public static long check(SeekableByteChannel blob) throws IOException {
        long size = blob.size();
        byte[] footer = new byte[SIZE];
        if (size >= SIZE) {
            blob.position(size - SIZE);
            ByteBuffer b = ByteBuffer.wrap(footer);
            while (b.hasRemaining() && blob.read(b) > 0) {
                // read until the footer is full
            }
        }
        return validate(footer, size);
    }

    /**
     * Checks a footer read from the last 512 bytes of a blob of {@code blobSize} bytes.
     *
     * @return the virtual size in bytes
     * @throws IllegalArgumentException saying what is wrong
     */
    public static long validate(byte[] footer, long blobSize) {
        if (blobSize < SIZE || blobSize % 512 != 0) {
            throw new IllegalArgumentException("its size (" + blobSize + " bytes) is not a multiple of 512 bytes "
                    + "holding a VHD footer");
        }
        for (int i = 0; i < COOKIE.length; i++) {
            if (footer[i] != COOKIE[i]) {
                throw new IllegalArgumentException("it has no VHD footer (cookie 'conectix')");
            }
        }
        ByteBuffer b = ByteBuffer.wrap(footer);
        int stored = b.getInt(64);
        if (stored != checksum(footer)) {
            throw new IllegalArgumentException("its VHD footer checksum is wrong");
        }
        if (b.getInt(60) != FIXED) {
            throw new IllegalArgumentException("it is not a fixed VHD (dynamic and differencing VHDs are not supported)");
        }
        long virtualSize = b.getLong(48);
        if (virtualSize <= 0 || virtualSize % MIB != 0) {
            throw new IllegalArgumentException("its virtual size (" + virtualSize + " bytes) is not a whole number of MiB");
        }
        if (virtualSize + SIZE != blobSize) {
            throw new IllegalArgumentException("its size (" + blobSize + " bytes) is not its virtual size ("
                    + virtualSize + " bytes) plus the 512-byte footer");
        }
        return virtualSize;
    }

    private static int checksum(byte[] footer) {
        int sum = 0;
        for (int i = 0; i < SIZE; i++) {
            if (i < 64 || i >= 68) {
                sum += footer[i] & 0xff;
            }
        }
        return ~sum;
    }

    /** CHS geometry as the VHD specification computes it. */
    private static int geometry(long size) {
        long sectors = Math.min(size / 512, 65535L * 16 * 255);
        long spt;
        long heads;
        long cth;
        if (sectors >= 65535L * 16 * 63) {
            spt = 255;
            heads = 16;
            cth = sectors / spt;
        } else {
            spt = 17;
            cth = sectors / spt;
            heads = Math.max((cth + 1023) / 1024, 4);
            if (cth >= heads * 1024 || heads > 16) {
                spt = 31;
                heads = 16;
                cth = sectors / spt;
            }
            if (cth >= heads * 1024) {
                spt = 63;
                heads = 16;
                cth = sectors / spt;
            }
        }
        long cylinders = cth / heads;
        return (int) ((cylinders << 16) | (heads << 8) | spt);
    }
}

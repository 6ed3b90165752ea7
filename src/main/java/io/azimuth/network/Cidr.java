package io.azimuth.network;

import java.util.Optional;

/** An IPv4 address range in CIDR notation ({@code 10.0.0.0/16}): its first address and prefix length. */
record Cidr(long base, int length) {
    /** The number of addresses in the range. */
    long size() {
        return 1L << (32 - length);
    }

    long last() {
        return base + size() - 1;
    }

    boolean contains(Cidr other) {
        return other.base >= base && other.last() <= last();
    }

    boolean contains(long address) {
        return address >= base && address <= last();
    }

    boolean overlaps(Cidr other) {
        return base <= other.last() && other.base <= last();
    }

    @Override
    public String toString() {
        return format(base) + "/" + length;
    }

    /** What a text says: a well-formed range, a well-formed one whose address has host bits set, or neither. */
    enum Form { VALID, NOT_ALIGNED, MALFORMED }

    static Form form(String text) {
        Optional<long[]> parsed = split(text);
        if (parsed.isEmpty()) {
            return Form.MALFORMED;
        }
        long address = parsed.get()[0];
        int length = (int) parsed.get()[1];
        return (address & mask(length)) == address ? Form.VALID : Form.NOT_ALIGNED;
    }

    /** The range a text names, its host bits cleared; empty when the text is not CIDR notation. */
    static Optional<Cidr> parse(String text) {
        return split(text).map(p -> new Cidr(p[0] & mask((int) p[1]), (int) p[1]));
    }

    private static Optional<long[]> split(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            return Optional.empty();
        }
        Optional<Long> address = address(text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (address.isEmpty() || !len.matches("\\d{1,2}")) {
            return Optional.empty();
        }
        int length = Integer.parseInt(len);
        if (length > 32) {
            return Optional.empty();
        }
        return Optional.of(new long[]{address.get(), length});
    }

    /** A dotted-quad IPv4 address as a number; empty when malformed. */
    static Optional<Long> address(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        long value = 0;
        for (String p : parts) {
            if (!p.matches("\\d{1,3}")) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                return Optional.empty();
            }
            value = (value << 8) | octet;
        }
        return Optional.of(value);
    }

    static String format(long address) {
        return ((address >> 24) & 255) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "."
                + (address & 255);
    }

    private static long mask(int length) {
        return length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
    }
}

package io.azimuth.tools;

import io.azimuth.blobs.VhdFooter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a page blob made from a file: a fixed VHD as it is, or a raw disk image as a fixed VHD (its size
 * rounded up to a whole MiB with zeros, the footer after), read as runs of non-zero 512-byte pages of at most 4 MiB,
 * which is what one Put Page may carry. Zeros are never sent: a new page blob is all zeros.
 */
final class PageSource implements AutoCloseable {
    static final int PAGE = 512;
    static final int MAX_WRITE = 4 * 1024 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(MAX_WRITE).asReadOnlyBuffer();

    private final FileChannel file;
    private final long fileSize;
    /** Where the footer goes when the image is converted (the rounded size), or -1 for a VHD as it is. */
    private final long footerAt;
    private final byte[] footer;

    private PageSource(FileChannel file, long fileSize, long footerAt, byte[] footer) {
        this.file = file;
        this.fileSize = fileSize;
        this.footerAt = footerAt;
        this.footer = footer;
    }

    static PageSource open(Path path, boolean convert) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (convert) {
                if (size == 0) {
                    throw new IllegalArgumentException(path + " is empty: there is no disk to convert");
                }
                long virtual = (size + VhdFooter.MIB - 1) / VhdFooter.MIB * VhdFooter.MIB;
                return new PageSource(ch, size, virtual, VhdFooter.fixed(virtual));
            }
            try {
                VhdFooter.check(ch);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + " is not a fixed VHD Azure accepts (" + e.getMessage()
                        + "); --convert sends a raw disk image as one");
            }
            return new PageSource(ch, size, -1, null);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    long blobSize() {
        return footerAt < 0 ? fileSize : footerAt + VhdFooter.SIZE;
    }

    /** Receives the runs in order; {@code data} is the sink's to keep. */
    interface Sink {
        void range(long offset, byte[] data) throws IOException, InterruptedException;

        /** How far the scan has gone. */
        default void scanned(long offset) {
        }
    }

    /** Sends every run of non-zero pages to {@code sink}, in order; the data bytes sent. */
    long ranges(Sink sink) throws IOException, InterruptedException {
        long data = 0;
        ByteBuffer window = ByteBuffer.allocateDirect(MAX_WRITE);
        long runStart = -1;
        ByteBuffer run = ByteBuffer.allocate(MAX_WRITE);
        long end = footerAt < 0 ? fileSize : footerAt; // the footer of a converted image is sent on its own
        for (long at = 0; at < end; ) {
            window.clear();
            int want = (int) Math.min(MAX_WRITE, end - at);
            window.limit(want);
            if (at < fileSize) {
                while (window.hasRemaining()) {
                    if (file.read(window, at + window.position()) < 0) {
                        break;
                    }
                }
            }
            while (window.position() < want) { // past the end of a converted image: zeros
                window.put((byte) 0);
            }
            window.flip();
            if (window.mismatch(ZEROS.duplicate().limit(want)) < 0) { // all zeros (a hole, mostly): nothing to send
                if (runStart >= 0) {
                    data += flush(sink, runStart, run);
                    runStart = -1;
                }
                at += want;
                sink.scanned(at);
                continue;
            }
            int pages = (want + PAGE - 1) / PAGE;
            for (int p = 0; p < pages; p++) {
                int from = p * PAGE;
                int to = Math.min(want, from + PAGE);
                long offset = at + from;
                if (zero(window, from, to)) {
                    if (runStart >= 0) {
                        data += flush(sink, runStart, run);
                        runStart = -1;
                    }
                    continue;
                }
                if (runStart < 0) {
                    runStart = offset;
                    run.clear();
                } else if (run.position() + PAGE > MAX_WRITE) {
                    data += flush(sink, runStart, run);
                    runStart = offset;
                    run.clear();
                }
                window.limit(to).position(from);
                run.put(window);
                for (int pad = to - from; pad < PAGE; pad++) {
                    run.put((byte) 0); // a last partial page of a raw image: padded
                }
                window.limit(want).position(0);
            }
            at += want;
            sink.scanned(at);
        }
        if (runStart >= 0) {
            data += flush(sink, runStart, run);
        }
        if (footerAt >= 0) {
            sink.range(footerAt, footer.clone());
            data += footer.length;
        }
        sink.scanned(blobSize());
        return data;
    }

    /** The bytes of non-zero pages, counted without sending anything. */
    long dataBytes() throws IOException, InterruptedException {
        long[] n = {0};
        ranges((offset, bytes) -> n[0] += bytes.length);
        return n[0];
    }

    private static long flush(Sink sink, long start, ByteBuffer run) throws IOException, InterruptedException {
        byte[] bytes = new byte[run.position()];
        run.flip();
        run.get(bytes);
        run.clear();
        sink.range(start, bytes);
        return bytes.length;
    }

    /** Whether bytes [from, to) of {@code b} are all zeros (compared as a whole: vectorised by the JIT). */
    private static boolean zero(ByteBuffer b, int from, int to) {
        return b.slice(from, to - from).mismatch(ZEROS.duplicate().limit(to - from)) < 0;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}

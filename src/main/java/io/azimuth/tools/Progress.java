package io.azimuth.tools;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar on standard error: how much of the blob has been read, how much data sent, and the rate. Redrawn in
 * place at most ten times a second on a terminal; elsewhere (a log) a line at each quarter.
 */
final class Progress {
    private final PrintWriter out;
    private final boolean shown;
    private final boolean terminal = System.console() != null;
    private final long total;
    private final long started = System.nanoTime();
    private final AtomicLong sent = new AtomicLong();
    private volatile long scanned;
    private long lastDraw;
    private int lastQuarter = -1;

    Progress(PrintWriter out, boolean shown, long total) {
        this.out = out;
        this.shown = shown;
        this.total = total;
    }

    void sent(long bytes) {
        sent.addAndGet(bytes);
    }

    synchronized void scanned(long offset) {
        scanned = offset;
        if (!shown) {
            return;
        }
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw > 100_000_000L || offset >= total) {
                lastDraw = now;
                out.print("\r" + line());
                out.flush();
            }
        } else {
            int quarter = (int) (offset * 4 / Math.max(1, total));
            if (quarter != lastQuarter) {
                lastQuarter = quarter;
                out.println(line());
            }
        }
    }

    void done() {
        if (shown && terminal) {
            out.println();
        }
    }

    private String line() {
        int width = 30;
        int filled = (int) (scanned * width / Math.max(1, total));
        double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        return String.format(Locale.ROOT, "[%s%s] %3d%% %s of %s, %s of data sent, %s/s", "#".repeat(filled),
                " ".repeat(width - filled), scanned * 100 / Math.max(1, total), size(scanned), size(total),
                size(sent.get()), size((long) (scanned / seconds)));
    }

    static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

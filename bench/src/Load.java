import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The load generator: a closed loop over plain sockets (HTTP/1.1, keep-alive, {@link BenchHttp}), cheap enough that
 * it leaves most of a small machine to the server, with the latency of every request recorded and the CPU used by
 * the server, by the benchmark and by everything else read over the measured window. Keeps every measured phase
 * for the report, and whether any request failed.
 */
final class Load {
    /** A request to send, and the status it must be answered with. */
    record Req(String method, String path, byte[] body, int expected) {
    }

    @FunctionalInterface
    interface RequestSource {
        Req next(int worker, long sequence);
    }

    /** What one phase measured: throughput, latency percentiles and the cores used while it ran. */
    record Phase(String name, int images, int workers, long requests, long errors, String firstError, double seconds,
                 double perSecond, double p50Ms, double p90Ms, double p99Ms, double maxMs, double serverCores,
                 double benchCores, double otherCores) {
    }

    private final BenchSettings settings;
    private final List<Phase> phases = new ArrayList<>();
    private boolean failed;

    Load(BenchSettings settings) {
        this.settings = settings;
    }

    /** Every measured phase so far, in order. */
    List<Phase> phases() {
        return phases;
    }

    /** Whether any request of any phase, warm-up included, failed. */
    boolean failed() {
        return failed;
    }

    /** A phase with the configured warm-up and measured window, kept for the report. */
    Phase measure(String name, int images, int workers, BenchServer server, int port, RequestSource source)
            throws Exception {
        Phase p = run(name, images, workers, server, port, source, settings.warmup(), settings.measure());
        phases.add(p);
        return p;
    }

    /**
     * {@code workers} threads, each on its own keep-alive connection, send back to back for the warm-up and then
     * for the measured window; a request counts when it started inside the window, and throughput is those
     * requests over the time from the window's start to the last one's end. Latency is from just before the
     * request is written to the last byte of the response read.
     */
    Phase run(String name, int images, int workers, BenchServer server, int port, RequestSource source,
              Duration warmup, Duration measure) throws Exception {
        PerfBench.log("%s, %d workers%s: %.1f s warm-up, %.1f s measured", name, workers,
                images > 0 ? ", " + images + " images" : "", warmup.toMillis() / 1000.0, measure.toMillis() / 1000.0);
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long measureEnd = measureStart + measure.toNanos();
        Samples[] samples = new Samples[workers];
        Thread[] threads = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            Samples s = samples[i] = new Samples();
            int worker = i;
            threads[i] = new Thread(() -> {
                BenchHttp http = null;
                long seq = 0;
                try {
                    while (true) {
                        Req r = source.next(worker, seq++);
                        long t0 = System.nanoTime();
                        if (t0 >= measureEnd) {
                            return;
                        }
                        int status;
                        String error = null;
                        try {
                            if (http == null) {
                                http = new BenchHttp(port);
                            }
                            status = http.send(r.method(), r.path(), r.body());
                            if (status != r.expected()) {
                                error = r.method() + " " + r.path() + " answered " + status + ": " + http.bodyText();
                            }
                        } catch (IOException e) {
                            status = -1;
                            error = r.method() + " " + r.path() + ": " + e;
                            if (http != null) {
                                http.close();
                            }
                            http = null;
                        }
                        long t1 = System.nanoTime();
                        if (t0 < measureStart) {
                            if (error != null) {
                                s.warmupErrors++;
                                s.firstError = s.firstError == null ? error : s.firstError;
                            }
                            continue;
                        }
                        s.lastEnd = t1;
                        if (error == null) {
                            s.add(t1 - t0);
                        } else {
                            s.errors++;
                            s.firstError = s.firstError == null ? error : s.firstError;
                        }
                    }
                } finally {
                    if (http != null) {
                        http.close();
                    }
                }
            }, "load-" + i);
            threads[i].start();
        }
        sleepUntil(measureStart);
        long server0 = BenchMachine.cpuTicks(server.process.pid());
        long bench0 = BenchMachine.cpuTicks(ProcessHandle.current().pid());
        long machine0 = BenchMachine.machineTicks();
        sleepUntil(measureEnd);
        long server1 = BenchMachine.cpuTicks(server.process.pid());
        long bench1 = BenchMachine.cpuTicks(ProcessHandle.current().pid());
        long machine1 = BenchMachine.machineTicks();
        for (Thread t : threads) {
            t.join();
        }
        long warmupErrors = 0;
        long errors = 0;
        int total = 0;
        long lastEnd = measureEnd;
        String firstError = null;
        for (Samples s : samples) {
            warmupErrors += s.warmupErrors;
            errors += s.errors;
            total += s.size;
            lastEnd = Math.max(lastEnd, s.lastEnd);
            firstError = firstError == null ? s.firstError : firstError;
        }
        if (warmupErrors + errors > 0) {
            failed = true;
            PerfBench.log("  %d requests failed; first: %s", warmupErrors + errors, firstError);
        }
        if (measure.isZero()) {
            return null;
        }
        long[] all = new long[total];
        int at = 0;
        for (Samples s : samples) {
            System.arraycopy(s.values, 0, all, at, s.size);
            at += s.size;
        }
        Arrays.sort(all);
        double seconds = (lastEnd - measureStart) / 1e9;
        double window = measure.toNanos() / 1e9;
        double serverCores = share(server0, server1, window);
        double benchCores = share(bench0, bench1, window);
        double other = machine0 < 0 || server0 < 0 || bench0 < 0 ? -1
                : Math.max(0, share(machine0, machine1, window) - serverCores - benchCores);
        Phase p = new Phase(name, images, workers, total, errors, firstError, seconds, total / seconds,
                millis(percentile(all, 50)), millis(percentile(all, 90)), millis(percentile(all, 99)),
                total == 0 ? 0 : millis(all[all.length - 1]), serverCores, benchCores, other);
        PerfBench.log("  %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors; CPU: server %.2f, bench %.2f, other %.2f",
                p.perSecond(), p.p50Ms(), p.p99Ms(), p.errors(), serverCores, benchCores, other);
        return p;
    }

    /** One worker's latencies (nanoseconds) and errors. */
    private static final class Samples {
        long[] values = new long[4096];
        int size;
        long errors;
        long warmupErrors;
        String firstError;
        long lastEnd;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    private double share(long t0, long t1, double seconds) {
        return t0 < 0 || t1 < 0 ? -1 : (t1 - t0) / (double) settings.clockTicks() / seconds;
    }

    static long percentile(long[] sorted, double pct) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}

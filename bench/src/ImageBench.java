import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image PUT and GET throughput and latency against the packaged jar on its on-disk SQLite store, next to a
 * minimal Vert.x server answering a static body of the same size (the baseline: what the same load generator
 * reaches when the server does no work).
 *
 * <p>{@code ImageBench run} runs the benchmark (settings from {@code BENCH_*} environment variables, see
 * bench/README.md); {@code ImageBench baseline <port> <body-file>} is the baseline server, started by the
 * benchmark as a process of its own so that it runs in a JVM like the emulator's.
 */
public final class ImageBench {
    static final String SUBSCRIPTION = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    static final String GROUP = "bench-rg";
    static final String API_VERSION = "2024-03-01";
    static final String IMAGE_BODY = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":"
            + "{\"osType\":\"Linux\",\"osState\":\"Generalized\","
            + "\"blobUri\":\"https://acct1.blob.core.windows.net/vhds/os.vhd\"}}}}";
    static final Pattern LISTENING = Pattern.compile("listening on http://[^:\\s]+:(\\d+)");

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("baseline")) {
            baseline(Integer.parseInt(args[1]), Path.of(args[2]));
        } else if (args.length == 1 && args[0].equals("run")) {
            System.exit(new ImageBench(Settings.fromEnvironment()).run());
        } else {
            System.err.println("usage: ImageBench run | ImageBench baseline <port> <body-file>");
            System.exit(2);
        }
    }

    // ---------------------------------------------------------------------------------------------- baseline

    /** A Vert.x HTTP server (one instance, as the emulator's) answering every request with the same bytes. */
    static void baseline(int port, Path bodyFile) throws Exception {
        Buffer body = Buffer.buffer(Files.readAllBytes(bodyFile));
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(req -> req.response()
                        // the header names and value lengths the emulator sends with a GET, so the wire size matches
                        .putHeader("x-ms-request-id", "00000000-0000-4000-8000-000000000001")
                        .putHeader("x-ms-correlation-request-id", "00000000-0000-4000-8000-000000000002")
                        .putHeader("Cache-Control", "no-cache")
                        .putHeader("Content-Type", "application/json; charset=utf-8")
                        .end(body))
                .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("Baseline listening on http://127.0.0.1:" + server.actualPort());
        System.out.flush();
        Thread.currentThread().join();
    }

    // ---------------------------------------------------------------------------------------------- settings

    record Settings(Path jar, Path dataDir, Path logs, Path results, List<Integer> concurrency, Duration warmup,
                    Duration measure, Duration jitWarmup, int minImages, int fsyncProbes, long clockTicks,
                    String fileSystem, String revision, List<String> jvmOptions,
                    List<String> azimuthJvmOptions) {
        static Settings fromEnvironment() {
            List<Integer> levels = new ArrayList<>();
            for (String s : env("BENCH_CONCURRENCY", "8 32").trim().split("[\\s,]+")) {
                levels.add(Integer.parseInt(s));
            }
            return new Settings(Path.of(env("BENCH_JAR", "target/azimuth.jar")),
                    Path.of(env("BENCH_DATA_DIR", null)),
                    Path.of(env("BENCH_LOGS", "bench/target/logs")),
                    Path.of(env("BENCH_RESULTS", "bench/results")),
                    levels,
                    Duration.ofMillis((long) (Double.parseDouble(env("BENCH_WARMUP", "2")) * 1000)),
                    Duration.ofMillis((long) (Double.parseDouble(env("BENCH_DURATION", "5")) * 1000)),
                    Duration.ofMillis((long) (Double.parseDouble(env("BENCH_JIT_WARMUP", "18")) * 1000)),
                    Integer.parseInt(env("BENCH_GET_IMAGES", "500")),
                    Integer.parseInt(env("BENCH_FSYNC_PROBES", "200")),
                    Long.parseLong(env("BENCH_CLK_TCK", "100")),
                    env("BENCH_FS", "unknown"),
                    env("BENCH_REVISION", "unknown"),
                    words(env("BENCH_JVM_OPTS", " ")),
                    words(env("BENCH_AZIMUTH_JVM_OPTS", " ")));
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }

        private static String env(String name, String fallback) {
            String v = System.getenv(name);
            if (v == null || v.isBlank()) {
                if (fallback == null) {
                    throw new IllegalArgumentException(name + " must be set (bench/images.sh sets it)");
                }
                return fallback;
            }
            return v;
        }
    }

    // ---------------------------------------------------------------------------------------------- the run

    private final Settings settings;
    private final List<Phase> phases = new ArrayList<>();
    private final List<String> created = new ArrayList<>();
    private final AtomicLong nextImage = new AtomicLong();
    private String azimuthLine;
    private final String loadAverage = loadAverage();
    private Fsync fsync;

    ImageBench(Settings settings) {
        this.settings = settings;
    }

    int run() throws Exception {
        Files.createDirectories(settings.dataDir());
        Path logs = settings.logs();
        Files.createDirectories(logs);
        fsync = Fsync.probe(settings.dataDir(), settings.fsyncProbes());
        log("fsync probe in %s (%s): %d x 4 KiB append+fsync, p50 %.3f ms, %.0f/s",
                settings.dataDir(), settings.fileSystem(), fsync.count, fsync.p50Millis, fsync.perSecond);

        Server azimuth = Server.start("azimuth", command(settings.azimuthJvmOptions(), "-jar", settings.jar().toString(),
                "--http-port", "0", "--https-port", "-1", "--data-dir", settings.dataDir().toString(),
                "--vhd-check", "lenient"), logs.resolve("azimuth.log"));
        Server baseline = null;
        try {
            azimuthLine = azimuth.line;
            log("%s", azimuth.line);
            HttpClient setupClient = client();
            String base = "http://127.0.0.1:" + azimuth.port;
            waitHealthy(setupClient, base);
            int rg = setupClient.send(json("PUT", URI.create(base + "/subscriptions/" + SUBSCRIPTION
                    + "/resourceGroups/" + GROUP + "?api-version=2021-04-01"), "{\"location\":\"westus\"}"),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            check(rg == 201 || rg == 200, "resource group PUT answered " + rg);

            // one image, read back: its GET response is what the baseline serves, byte for byte
            String probe = imageName();
            int put = setupClient.send(putImage(base, probe), HttpResponse.BodyHandlers.discarding()).statusCode();
            check(put == 201, "image PUT answered " + put);
            created.add(probe);
            HttpResponse<byte[]> got = setupClient.send(getImage(base, probe), HttpResponse.BodyHandlers.ofByteArray());
            check(got.statusCode() == 200, "image GET answered " + got.statusCode());
            byte[] getBody = got.body();
            Path bodyFile = logs.resolve("baseline-body.json");
            Files.write(bodyFile, getBody);
            log("image GET body: %d bytes", getBody.length);

            baseline = Server.start("baseline", command(List.of(), "-cp", System.getProperty("java.class.path"),
                    "ImageBench", "baseline", "0", bodyFile.toString()), logs.resolve("baseline.log"));
            String baselineBase = "http://127.0.0.1:" + baseline.port;
            HttpResponse<byte[]> b = setupClient.send(getImage(baselineBase, probe),
                    HttpResponse.BodyHandlers.ofByteArray());
            check(b.statusCode() == 200 && b.body().length == getBody.length, "baseline answered "
                    + b.statusCode() + " with " + b.body().length + " bytes");

            HttpClient azimuthClient = client();
            HttpClient baselineClient = client();
            Supplier<HttpRequest> puts = () -> putImage(base, imageName());

            // both server JVMs (and this one) compile their hot paths before anything is measured
            if (!settings.jitWarmup().isZero()) {
                int top = settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(8);
                Duration each = settings.jitWarmup().dividedBy(3);
                load("warm-up: image PUT", top, azimuth, azimuthClient, 201, puts, true, each, Duration.ZERO);
                topUp(azimuthClient, base);
                load("warm-up: image GET", top, azimuth, azimuthClient, 200, randomGet(base), false, each,
                        Duration.ZERO);
                load("warm-up: baseline GET", top, baseline, baselineClient, 200, randomGet(baselineBase), false,
                        each, Duration.ZERO);
            }
            for (int c : settings.concurrency()) {
                phases.add(load("image PUT", c, azimuth, azimuthClient, 201, puts, true, settings.warmup(),
                        settings.measure()));
                topUp(azimuthClient, base);
                phases.add(load("image GET", c, azimuth, azimuthClient, 200, randomGet(base), false,
                        settings.warmup(), settings.measure()));
                phases.add(load("baseline GET", c, baseline, baselineClient, 200, randomGet(baselineBase), false,
                        settings.warmup(), settings.measure()));
            }
        } finally {
            if (baseline != null) {
                baseline.stop();
            }
            azimuth.stop();
        }

        String markdown = markdown();
        String json = json();
        System.out.println();
        System.out.print(markdown);
        Files.createDirectories(settings.results());
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        Path md = settings.results().resolve("images-" + stamp + ".md");
        Path js = settings.results().resolve("images-" + stamp + ".json");
        Files.writeString(md, markdown);
        Files.writeString(js, json);
        log("written %s and %s", md, js);
        long errors = phases.stream().mapToLong(p -> p.errors).sum();
        if (errors > 0) {
            log("%d requests failed or answered an unexpected status (see the errors column)", errors);
            return 1;
        }
        return 0;
    }

    /** Creates images until at least {@code BENCH_GET_IMAGES} exist to be read. */
    private void topUp(HttpClient client, String base) throws Exception {
        while (created.size() < settings.minImages()) {
            String name = imageName();
            int s = client.send(putImage(base, name), HttpResponse.BodyHandlers.discarding()).statusCode();
            check(s == 201, "image PUT answered " + s);
            created.add(name);
        }
    }

    /** GETs of the images created so far, picked at random, against {@code base}. */
    private Supplier<HttpRequest> randomGet(String base) {
        HttpRequest[] gets = created.stream().map(n -> getImage(base, n)).toArray(HttpRequest[]::new);
        return () -> gets[ThreadLocalRandom.current().nextInt(gets.length)];
    }

    private String imageName() {
        return String.format(Locale.ROOT, "img-%07d", nextImage.getAndIncrement());
    }

    private static HttpRequest putImage(String base, String name) {
        return json("PUT", imageUri(base, name), IMAGE_BODY);
    }

    private static HttpRequest getImage(String base, String name) {
        return HttpRequest.newBuilder(imageUri(base, name)).header("Authorization", "Bearer x")
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static URI imageUri(String base, String name) {
        return URI.create(base + "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.Compute/images/" + name + "?api-version=" + API_VERSION);
    }

    private static HttpRequest json(String method, URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer x")
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * HTTP/1.1 with keep-alive: each worker's synchronous sends reuse a pooled connection. Responses complete on
     * the client's selector thread rather than being handed to a pool thread (the default), which roughly
     * doubles what one client can drive on two cores and so leaves more of the machine to the server measured.
     */
    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Runnable::run).build();
    }

    private static void waitHealthy(HttpClient client, String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/_azimuth/health")).build();
        while (true) {
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            check(System.nanoTime() < deadline, "the emulator did not become healthy within 30 s");
            Thread.sleep(20);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    /** A server JVM's command line: this JVM's java, {@code BENCH_JVM_OPTS}, {@code extra}, then {@code args}. */
    private List<String> command(List<String> extra, String... args) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(settings.jvmOptions());
        c.addAll(extra);
        c.addAll(List.of(args));
        return c;
    }

    static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }

    // ---------------------------------------------------------------------------------------------- load

    /** Latencies of one worker, in nanoseconds. */
    static final class Samples {
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

    /**
     * {@code workers} threads send back to back for the warm-up, then for the measured window (none: a warm-up
     * only, answering null); a request counts
     * if it started inside the window, and throughput is those requests over the time from the window's start to
     * the last one's end.
     */
    private Phase load(String name, int workers, Server server, HttpClient client, int expected,
                       Supplier<HttpRequest> next, boolean records, Duration warmup, Duration measure)
            throws Exception {
        log("%s, %d workers: %.1f s warm-up, %.1f s measured", name, workers, warmup.toMillis() / 1000.0,
                measure.toMillis() / 1000.0);
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long measureEnd = measureStart + measure.toNanos();
        Samples[] samples = new Samples[workers];
        Thread[] threads = new Thread[workers];
        List<List<String>> names = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Samples s = samples[i] = new Samples();
            List<String> mine = new ArrayList<>();
            names.add(mine);
            threads[i] = new Thread(() -> {
                while (true) {
                    HttpRequest request = next.get();
                    long t0 = System.nanoTime();
                    if (t0 >= measureEnd) {
                        return;
                    }
                    int status;
                    String error = null;
                    try {
                        status = client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                        error = e.toString();
                    }
                    long t1 = System.nanoTime();
                    if (status == expected && records) {
                        String path = request.uri().getPath();
                        mine.add(path.substring(path.lastIndexOf('/') + 1));
                    }
                    if (t0 < measureStart) {
                        if (status != expected) {
                            s.warmupErrors++;
                        }
                        continue;
                    }
                    s.lastEnd = t1;
                    if (status == expected) {
                        s.add(t1 - t0);
                    } else {
                        s.errors++;
                        if (s.firstError == null) {
                            s.firstError = error != null ? error : "status " + status;
                        }
                    }
                }
            }, "bench-" + i);
            threads[i].start();
        }
        sleepUntil(measureStart);
        long serverCpu0 = Cpu.ticks(server.process.pid());
        long benchCpu0 = Cpu.ticks(ProcessHandle.current().pid());
        long machineCpu0 = Cpu.machineTicks();
        sleepUntil(measureEnd);
        long serverCpu1 = Cpu.ticks(server.process.pid());
        long benchCpu1 = Cpu.ticks(ProcessHandle.current().pid());
        long machineCpu1 = Cpu.machineTicks();
        for (Thread t : threads) {
            t.join();
        }
        for (List<String> mine : names) {
            created.addAll(mine);
        }

        long warmupErrors = Arrays.stream(samples).mapToLong(x -> x.warmupErrors).sum();
        check(warmupErrors == 0, name + ": " + warmupErrors + " requests failed during the warm-up");
        int total = 0;
        long errors = 0;
        long lastEnd = measureEnd;
        String firstError = null;
        for (Samples s : samples) {
            total += s.size;
            errors += s.errors;
            lastEnd = Math.max(lastEnd, s.lastEnd);
            if (firstError == null) {
                firstError = s.firstError;
            }
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
        if (measure.isZero()) {
            return null; // a warm-up only
        }
        Phase p = new Phase(name, workers, total, errors, firstError, seconds, total / seconds,
                millis(percentile(all, 50)), millis(percentile(all, 90)), millis(percentile(all, 99)),
                total == 0 ? 0 : millis(all[all.length - 1]),
                cpuShare(serverCpu0, serverCpu1, window), cpuShare(benchCpu0, benchCpu1, window),
                machineCpu0 < 0 || serverCpu0 < 0 || benchCpu0 < 0 ? -1 : Math.max(0,
                        cpuShare(machineCpu0, machineCpu1, window) - cpuShare(serverCpu0, serverCpu1, window)
                                - cpuShare(benchCpu0, benchCpu1, window)));
        log("  %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors%s", p.perSecond, p.p50, p.p99, p.errors,
                p.firstError == null ? "" : " (first: " + p.firstError + ")");
        return p;
    }

    private double cpuShare(long t0, long t1, double seconds) {
        return t0 < 0 || t1 < 0 ? -1 : (t1 - t0) / (double) settings.clockTicks() / seconds;
    }

    private static long percentile(long[] sorted, double pct) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    record Phase(String name, int workers, long requests, long errors, String firstError, double seconds,
                 double perSecond, double p50, double p90, double p99, double max, double serverCores,
                 double benchCores, double otherCores) {
    }

    // ---------------------------------------------------------------------------------------------- processes

    /** A JVM the benchmark started, and the HTTP port it printed. */
    static final class Server {
        /** Whatever is still running when this JVM exits (an error, a signal) is stopped with it. */
        private static final List<Process> RUNNING = new java.util.concurrent.CopyOnWriteArrayList<>();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Process p : RUNNING) {
                    p.destroyForcibly();
                }
            }, "bench-servers-stop"));
        }

        final String name;
        final Process process;
        final int port;
        final String line;

        private Server(String name, Process process, int port, String line) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.line = line;
        }

        static Server start(String name, List<String> command, Path log) throws Exception {
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            RUNNING.add(p);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                            StandardCharsets.UTF_8));
                    String l;
                    while ((l = out.readLine()) != null) {
                        if (LISTENING.matcher(l).find()) {
                            return l;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String line;
            try {
                line = first.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                line = null;
            }
            if (line == null) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not start; its log: " + Files.readString(log));
            }
            Matcher m = LISTENING.matcher(line);
            m.find();
            return new Server(name, p, Integer.parseInt(m.group(1)), line);
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
            RUNNING.remove(process);
        }
    }

    /** CPU time (user + system) of a process in clock ticks, from /proc; -1 where there is no /proc. */
    static final class Cpu {
        /** Busy time of all CPUs together (user, nice, system, irq, softirq, steal), in clock ticks. */
        static long machineTicks() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                    busy += Long.parseLong(f[i]);
                }
                return busy;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    /** What one durable 4 KiB append costs on the data directory's file system: about the floor of a commit. */
    record Fsync(int count, double p50Millis, double p99Millis, double perSecond) {
        static Fsync probe(Path dir, int count) throws IOException {
            if (count <= 0) {
                return new Fsync(0, 0, 0, 0);
            }
            Path file = dir.resolve("fsync-probe.bin");
            long[] t = new long[count];
            long started = System.nanoTime();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer page = ByteBuffer.allocate(4096);
                for (int i = 0; i < count; i++) {
                    page.clear();
                    long t0 = System.nanoTime();
                    ch.write(page, (long) i * 4096);
                    ch.force(true); // fsync, as SQLite issues on each WAL commit with synchronous=FULL
                    t[i] = System.nanoTime() - t0;
                }
            } finally {
                Files.deleteIfExists(file);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Arrays.sort(t);
            return new Fsync(count, millis(percentile(t, 50)), millis(percentile(t, 99)), count / seconds);
        }
    }

    // ---------------------------------------------------------------------------------------------- report

    private Phase find(String name, int workers) {
        return phases.stream().filter(p -> p.name.equals(name) && p.workers == workers).findFirst().orElseThrow();
    }

    private Map<String, String> environment() {
        Map<String, String> e = new TreeMap<>();
        e.put("date", OffsetDateTime.now().withNano(0).toString());
        e.put("revision", settings.revision());
        e.put("azimuth", azimuthLine == null ? "" : azimuthLine.replaceAll(" listening on .*$", ""));
        e.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        e.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        e.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        e.put("cpuModel", cpuModel());
        e.put("loadAverageAtStart", loadAverage);
        e.put("fileSystem", settings.fileSystem());
        e.put("serverJvmOptions", String.join(" ", settings.jvmOptions()));
        e.put("azimuthJvmOptions", String.join(" ", settings.azimuthJvmOptions()));
        e.put("warmupSeconds", String.valueOf(settings.warmup().toMillis() / 1000.0));
        e.put("initialWarmupSeconds", String.valueOf(settings.jitWarmup().toMillis() / 1000.0));
        e.put("measureSeconds", String.valueOf(settings.measure().toMillis() / 1000.0));
        return e;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        Map<String, String> env = environment();
        b.append("# Image PUT/GET benchmark, ").append(env.get("date")).append("\n\n");
        b.append(String.format(Locale.ROOT, "%s, revision %s; %s; %s cores (%s); %s; data dir on %s; "
                        + "load average at start %s. "
                        + "First %s s of unmeasured load on each server; then each phase: %s s warm-up, %s s "
                        + "measured, keep-alive HTTP/1.1, synchronous workers.%n%n",
                env.get("azimuth"), env.get("revision"), env.get("java"), env.get("cpus"), env.get("cpuModel"),
                env.get("os"), env.get("fileSystem"), env.get("loadAverageAtStart"), env.get("initialWarmupSeconds"),
                env.get("warmupSeconds"), env.get("measureSeconds")));
        b.append("| phase | workers | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU | bench CPU | other CPU |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.1f | %d | %s | %s | %s |%n",
                    p.name, p.workers, p.requests, p.perSecond, p.p50, p.p90, p.p99, p.max, p.errors,
                    cores(p.serverCores), cores(p.benchCores), cores(p.otherCores)));
        }
        b.append("\n| workers | GET / baseline req/s | GET p50 / baseline p50 | GET p99 / baseline p99 | PUT req/s | PUT p50 ms |\n");
        b.append("|---:|---:|---:|---:|---:|---:|\n");
        for (int c : settings.concurrency()) {
            Phase get = find("image GET", c);
            Phase base = find("baseline GET", c);
            Phase put = find("image PUT", c);
            b.append(String.format(Locale.ROOT, "| %d | %.2f | %.1fx | %.1fx | %.0f | %.2f |%n", c,
                    get.perSecond / base.perSecond, get.p50 / base.p50, get.p99 / base.p99, put.perSecond, put.p50));
        }
        if (fsync.count > 0) {
            b.append(String.format(Locale.ROOT, "%nfsync probe (4 KiB append + fsync, one thread, %d times): "
                            + "p50 %.3f ms, p99 %.3f ms, %.0f/s (a rough upper bound for commits made one at a time).%n",
                    fsync.count, fsync.p50Millis, fsync.p99Millis, fsync.perSecond));
        }
        b.append("\nserver CPU / bench CPU / other CPU: cores used during the measured window by the server process, "
                + "by the load generator, and by everything else on the machine (should be near 0).\n");
        return b.toString();
    }

    private static String cores(double c) {
        return c < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", c);
    }

    String json() {
        StringBuilder b = new StringBuilder("{\n  \"environment\": {");
        String sep = "\n";
        for (Map.Entry<String, String> e : environment().entrySet()) {
            b.append(sep).append("    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
            sep = ",\n";
        }
        b.append("\n  },\n  \"fsyncProbe\": ").append(String.format(Locale.ROOT,
                "{\"count\": %d, \"p50Ms\": %.4f, \"p99Ms\": %.4f, \"perSecond\": %.1f}",
                fsync.count, fsync.p50Millis, fsync.p99Millis, fsync.perSecond));
        b.append(",\n  \"phases\": [");
        sep = "\n";
        for (Phase p : phases) {
            b.append(sep).append(String.format(Locale.ROOT, "    {\"phase\": %s, \"workers\": %d, \"requests\": %d, "
                            + "\"errors\": %d, \"firstError\": %s, \"seconds\": %.3f, \"perSecond\": %.1f, "
                            + "\"p50Ms\": %.3f, \"p90Ms\": %.3f, \"p99Ms\": %.3f, \"maxMs\": %.3f, "
                            + "\"serverCores\": %.3f, \"benchCores\": %.3f, \"otherCores\": %.3f}",
                    str(p.name), p.workers, p.requests, p.errors, p.firstError == null ? "null" : str(p.firstError),
                    p.seconds, p.perSecond, p.p50, p.p90, p.p99, p.max, p.serverCores, p.benchCores, p.otherCores));
            sep = ",\n";
        }
        b.append("\n  ],\n  \"ratios\": [");
        sep = "\n";
        for (int c : settings.concurrency()) {
            Phase get = find("image GET", c);
            Phase base = find("baseline GET", c);
            Phase put = find("image PUT", c);
            b.append(sep).append(String.format(Locale.ROOT, "    {\"workers\": %d, \"getOverBaselineThroughput\": %.4f, "
                            + "\"getOverBaselineP50\": %.4f, \"getOverBaselineP99\": %.4f, \"putPerSecond\": %.1f}",
                    c, get.perSecond / base.perSecond, get.p50 / base.p50, get.p99 / base.p99, put.perSecond));
            sep = ",\n";
        }
        return b.append("\n  ]\n}\n").toString();
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

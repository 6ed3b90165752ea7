import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The performance suite behind {@code bench/run.sh}: start-up, memory, throughput and latency of the packaged
 * emulator against a baseline Vert.x server ({@link BaselineServer}) measured in the same run, cost growth with
 * the number of stored images, and the Azure SDK's wall time ({@code SdkBench}). Settings come from
 * {@code BENCH_*} environment variables (see bench/README.md); the load generator is the closed loop below over
 * plain sockets (HTTP/1.1, keep-alive), cheap enough that it leaves most of a small machine to the server.
 */
public final class PerfBench {
    static final String SUB = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    static final String RG = "bench-rg";
    static final String VM_RG = "bench-vms";
    static final String V = "2024-03-01";
    static final String RG_V = "2025-04-01";
    static final String IMAGES = "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/images";
    static final String VMS = "/subscriptions/" + SUB + "/resourceGroups/" + VM_RG
            + "/providers/Microsoft.Compute/virtualMachines";
    static final byte[] IMAGE_BODY = ("{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":"
            + "{\"osType\":\"Linux\",\"osState\":\"Generalized\","
            + "\"blobUri\":\"https://acct1.blob.core.windows.net/vhds/os.vhd\"}}}}").getBytes(StandardCharsets.UTF_8);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) throws Exception {
        Settings s = Settings.fromEnvironment();
        int code;
        try {
            code = new PerfBench(s).run();
        } catch (Exception e) {
            log("FAILED: %s", e);
            e.printStackTrace();
            code = 1;
        } finally {
            Server.stopAll();
        }
        System.exit(code);
    }

    // ================================================================================================ settings

    record Settings(boolean smoke, Path jar, Path classes, String sdkClasspath, Path work, Path dataRoot,
                    Path results, Path report, List<Integer> levels, int workers, int seedWorkers,
                    Duration warmup, Duration measure, Duration jitWarmup, Duration idleSettle, int startupRuns,
                    int sdkRuns,
                    int fsyncProbes, long clockTicks, String fileSystem, String revision, String command,
                    List<String> jvmOptions, List<String> azimuthJvmOptions, String label, Path cdsArchive) {
        static Settings fromEnvironment() {
            boolean smoke = env("BENCH_SMOKE", "0").equals("1");
            List<Integer> levels = new ArrayList<>();
            for (String l : env("BENCH_LEVELS", smoke ? "100 1000" : "1000 10000 100000").trim().split("[\\s,]+")) {
                levels.add(Integer.parseInt(l.replace("_", "")));
            }
            String report = env("BENCH_REPORT", smoke ? "none" : "docs/PERFORMANCE.md");
            return new Settings(smoke, Path.of(env("BENCH_JAR", "target/azimuth.jar")),
                    Path.of(env("BENCH_CLASSES", "bench/target/classes")),
                    env("BENCH_SDK_CLASSPATH", ""),
                    Path.of(env("BENCH_WORK", "bench/target")),
                    Path.of(env("BENCH_DATA_DIR", "/tmp")),
                    Path.of(env("BENCH_RESULTS", smoke ? "bench/target/results" : "bench/results")),
                    report.equals("none") ? null : Path.of(report),
                    levels,
                    Integer.parseInt(env("BENCH_WORKERS", "8")),
                    Integer.parseInt(env("BENCH_SEED_WORKERS", "32")),
                    seconds(env("BENCH_WARMUP", smoke ? "0.3" : "1")),
                    seconds(env("BENCH_DURATION", smoke ? "0.7" : "3")),
                    seconds(env("BENCH_JIT_WARMUP", smoke ? "0.5" : "8")),
                    seconds(env("BENCH_IDLE_SETTLE", smoke ? "0.3" : "1")),
                    Integer.parseInt(env("BENCH_STARTUP_RUNS", smoke ? "1" : "5")),
                    Integer.parseInt(env("BENCH_SDK_RUNS", smoke ? "2" : "10")),
                    Integer.parseInt(env("BENCH_FSYNC_PROBES", smoke ? "20" : "200")),
                    Long.parseLong(env("BENCH_CLK_TCK", "100")),
                    env("BENCH_FS", "unknown"),
                    env("BENCH_REVISION", "unknown"),
                    env("BENCH_COMMAND", "bench/run.sh"),
                    words(env("BENCH_JVM_OPTS", "")),
                    words(env("BENCH_AZIMUTH_JVM_OPTS", "")),
                    env("BENCH_LABEL", "").replaceAll("[^A-Za-z0-9._-]", "-"),
                    env("BENCH_CDS_ARCHIVE", "").isEmpty() ? null : Path.of(env("BENCH_CDS_ARCHIVE", "")));
        }

        private static Duration seconds(String s) {
            return Duration.ofMillis((long) (Double.parseDouble(s) * 1000));
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }

        private static String env(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        int topLevel() {
            return levels.get(levels.size() - 1);
        }
    }

    // ================================================================================================ the run

    private final Settings settings;
    private final ObjectNode result = JSON.createObjectNode();
    private final String loadAtStart = loadAverage();
    private final AtomicInteger nextImage = new AtomicInteger();
    private final List<Phase> phases = new ArrayList<>();
    private Path logs;
    private boolean failed;

    PerfBench(Settings settings) {
        this.settings = settings;
    }

    int run() throws Exception {
        long began = System.nanoTime();
        logs = settings.work().resolve("logs");
        Files.createDirectories(logs);
        Path dataRoot = Files.createTempDirectory(settings.dataRoot(), "azimuth-perf-");
        try {
            Fsync fsync = Fsync.probe(dataRoot, settings.fsyncProbes());
            result.set("fsyncProbe", JSON.valueToTree(fsync));
            log("fsync probe: p50 %.3f ms, %.0f/s", fsync.p50Ms(), fsync.perSecond());
            startup(dataRoot);
            throughput(dataRoot);
        } finally {
            deleteTree(dataRoot);
        }
        result.set("environment", JSON.valueToTree(environment((System.nanoTime() - began) / 1e9)));
        result.set("phases", JSON.valueToTree(phases));
        ObjectNode targets = targets();
        result.set("targets", targets);

        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + (settings.label().isEmpty() ? "" : "-" + settings.label());
        Files.createDirectories(settings.results());
        Path json = settings.results().resolve("perf-" + stamp + (settings.smoke() ? "-smoke" : "") + ".json");
        Files.writeString(json, JSON.writeValueAsString(result));
        String markdown = markdown(json);
        Path md = settings.results().resolve("perf-" + stamp + (settings.smoke() ? "-smoke" : "") + ".md");
        Files.writeString(md, markdown);
        if (settings.report() != null) {
            writeReport(settings.report(), markdown);
        }
        System.out.println(markdown);
        log("results: %s and %s%s (%.0f s)", json, md, settings.report() == null ? "" : ", table in " + settings.report(),
                (System.nanoTime() - began) / 1e9);
        int missed = 0;
        for (JsonNode t : targets.path("list")) {
            if (!t.path("met").asBoolean()) {
                missed++;
                log("target missed: %s (measured %s)", t.path("target").asText(), t.path("measured").asText());
            }
        }
        if (missed == 0) {
            log("every target met");
        }
        if (failed) {
            log("FAILED: some requests failed (see the errors column and %s)", logs);
            return 1;
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ start-up

    /**
     * Process start to the first 200 of {@code /_azimuth/health}, and to the first successful image PUT; idle
     * resident memory a moment (BENCH_IDLE_SETTLE) after the health answer, before any other request. The baseline: process start
     * to its first 200. Each run a new process; the median is reported.
     */
    private void startup(Path dataRoot) throws Exception {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        List<String> cds = settings.cdsArchive() == null ? List.of()
                : List.of("-XX:SharedArchiveFile=" + settings.cdsArchive(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        for (int run = 0; run < settings.startupRuns(); run++) {
            // the baseline
            int port = freePort();
            long t0 = System.nanoTime();
            Server base = Server.start("baseline-startup", command(List.of(), "-cp",
                    settings.jar() + java.io.File.pathSeparator + settings.classes(), "BaselineServer",
                    String.valueOf(port)), logs.resolve("baseline-startup.log"));
            add(samples, "baselineHealthyMs", untilStatus(base, port, "GET", "/_azimuth/health", null, 200, t0));
            add(samples, "baselineHealthyCpuMs", cpuMs(base));
            Thread.sleep(settings.idleSettle().toMillis());
            add(samples, "baselineIdleRssMiB", base.rssMiB());
            base.stop();

            startupRuns(dataRoot.resolve("startup-" + run), List.of(), "", samples);
            if (!cds.isEmpty()) {
                startupRuns(dataRoot.resolve("startup-cds-" + run), cds, "Cds", samples);
            }
            log("start-up run %d: baseline %.0f ms; Azimuth first start %.0f ms to healthy, restart %.0f ms to "
                            + "healthy, %.0f ms to first image PUT%s; idle RSS %.0f MiB (baseline %.0f MiB)", run + 1,
                    last(samples, "baselineHealthyMs"), last(samples, "firstStartHealthyMs"),
                    last(samples, "restartHealthyMs"), last(samples, "restartFirstImagePutMs"),
                    cds.isEmpty() ? "" : fmt("; with the CDS archive %.0f ms first start, %.0f ms restart",
                            last(samples, "firstStartCdsHealthyMs"), last(samples, "restartCdsHealthyMs")),
                    last(samples, "restartIdleRssMiB"), last(samples, "baselineIdleRssMiB"));
        }
        ObjectNode s = result.putObject("startup");
        s.put("runs", settings.startupRuns());
        s.put("cdsArchive", settings.cdsArchive() == null ? null : settings.cdsArchive().toString());
        for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
            s.put(e.getKey(), median(e.getValue()));
        }
        s.set("samples", JSON.valueToTree(samples));
    }

    /**
     * Azimuth on an empty data directory (its first start, which also writes the certificate), then twice again on
     * it: to healthy with idle memory, and to the first image PUT answered 201, tried from process start on.
     */
    private void startupRuns(Path dir, List<String> jvmOptions, String variant, Map<String, List<Double>> samples)
            throws Exception {
        int http = freePort();
        int https = freePort();
        long s0 = System.nanoTime();
        Server az = Server.start("azimuth-startup", azimuth(jvmOptions, dir, http, https),
                logs.resolve("azimuth-startup.log"));
        add(samples, "firstStart" + variant + "HealthyMs", untilStatus(az, http, "GET", "/_azimuth/health", null,
                200, s0));
        add(samples, "firstStart" + variant + "HealthyCpuMs", cpuMs(az));
        Thread.sleep(settings.idleSettle().toMillis());
        add(samples, "firstStart" + variant + "IdleRssMiB", az.rssMiB());
        check(Http.once(http, "PUT", "/subscriptions/" + SUB + "/resourceGroups/" + RG + "?api-version=" + RG_V,
                "{\"location\":\"westus\"}".getBytes(StandardCharsets.UTF_8)) == 201,
                "cannot create the resource group");
        az.stop();
        s0 = System.nanoTime();
        az = Server.start("azimuth-startup", azimuth(jvmOptions, dir, http, https), logs.resolve("azimuth-startup.log"));
        add(samples, "restart" + variant + "HealthyMs", untilStatus(az, http, "GET", "/_azimuth/health", null, 200, s0));
        add(samples, "restart" + variant + "HealthyCpuMs", cpuMs(az));
        Thread.sleep(settings.idleSettle().toMillis());
        add(samples, "restart" + variant + "IdleRssMiB", az.rssMiB());
        az.stop();
        s0 = System.nanoTime();
        az = Server.start("azimuth-startup", azimuth(jvmOptions, dir, http, https), logs.resolve("azimuth-startup.log"));
        add(samples, "restart" + variant + "FirstImagePutMs", untilStatus(az, http, "PUT",
                IMAGES + "/startup-image?api-version=" + V, IMAGE_BODY, 201, s0));
        az.stop();
    }

    /**
     * The CPU time (user and system, every thread, the JIT compilers' included) a process has used so far: read just
     * after its first health answer, what start-up cost, which on two cores bounds how fast it can be.
     */
    private double cpuMs(Server server) {
        long ticks = Cpu.ticks(server.process.pid());
        return ticks < 0 ? -1 : ticks * 1000.0 / settings.clockTicks();
    }

    private static void add(Map<String, List<Double>> samples, String key, double value) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static double last(Map<String, List<Double>> samples, String key) {
        List<Double> l = samples.get(key);
        return l == null || l.isEmpty() ? 0 : l.get(l.size() - 1);
    }

    /** Milliseconds from {@code t0} until the request answers {@code status}, trying every 2 ms. */
    private static double untilStatus(Server server, int port, String method, String path, byte[] body, int status,
                                      long t0) throws Exception {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            int got = Http.once(port, method, path, body);
            if (got == status) {
                return (System.nanoTime() - t0) / 1e6;
            }
            check(server.process.isAlive(), server.name + " exited during start-up; see " + server.log);
            check(got == -1 || got == 503, server.name + " answered " + got + " to " + method + " " + path);
            check(System.nanoTime() < deadline, server.name + " did not answer within 60 s");
            Thread.sleep(2);
        }
    }

    // ------------------------------------------------------------------------------------------------ throughput

    private Server azimuth;
    private int httpPort;
    private int httpsPort;
    private Path dataDir;

    private void throughput(Path dataRoot) throws Exception {
        dataDir = dataRoot.resolve("main");
        httpPort = freePort();
        httpsPort = freePort();
        azimuth = Server.start("azimuth", azimuth(dataDir, httpPort, httpsPort), logs.resolve("azimuth.log"));
        untilStatus(azimuth, httpPort, "GET", "/_azimuth/health", null, 200, System.nanoTime());
        log("Azimuth on port %d (data in %s)", httpPort, dataDir);
        check(Http.once(httpPort, "PUT", "/subscriptions/" + SUB + "/resourceGroups/" + RG + "?api-version=" + RG_V,
                "{\"location\":\"westus\"}".getBytes(StandardCharsets.UTF_8)) == 201, "cannot create " + RG);
        check(Http.once(httpPort, "PUT", "/subscriptions/" + SUB + "/resourceGroups/" + VM_RG + "?api-version=" + RG_V,
                "{\"location\":\"westus\"}".getBytes(StandardCharsets.UTF_8)) == 201, "cannot create " + VM_RG);
        for (int w = 0; w < settings.workers(); w++) {
            int status = Http.once(httpPort, "PUT", VMS + "/vm-" + w + "?api-version=" + V, vmBody(w));
            check(status == 201, "cannot create VM vm-" + w + ": " + status);
        }
        ArrayNode growth = result.putArray("growth");
        ArrayNode seeding = result.putArray("seeding");
        ArrayNode rows = result.putArray("comparison");
        int w = settings.workers();
        for (int level : settings.levels()) {
            seed(level, seeding);
            if (level == settings.levels().get(0)) {
                jitWarmup();
            }
            boolean top = level == settings.topLevel();
            ObjectNode g = growth.addObject();
            g.put("images", nextImage.get());
            g.put("rssMiB", azimuth.rssMiB());
            if (top) {
                startBaseline();
            }
            // at the largest level each phase is followed at once by the baseline's, so both meet the same
            // machine (other processes come and go); the baseline answers the bytes the emulator answered
            g.set("get", JSON.valueToTree(pair(rows, top, "image GET", level, w, this::imageGet, "get")));
            g.set("putUpdate", JSON.valueToTree(pair(rows, top, "image PUT (update)", level, w, this::imageUpdate,
                    "put")));
            g.set("listFirst", JSON.valueToTree(pair(rows, top, "image list, first page", level, w, this::listFirst,
                    "list")));
            g.set("listDeep", JSON.valueToTree(pair(rows, top, "image list, deep page", level, w, this::listDeep,
                    "deep")));
            if (top) {
                pair(rows, true, "image PUT (create)", level, w, this::imageCreate, "create");
                pair(rows, true, "image PUT (create)", level, settings.seedWorkers(), this::imageCreate, "create");
                pair(rows, true, "VM deallocate/start", level, w, this::vmAction, "action");
                baseline.stop();
                g.put("rssAfterMiB", azimuth.rssMiB());
                g.put("liveHeapMiB", azimuth.liveHeapMiB());
                log("RSS %.0f MiB; live heap after a full GC %.0f MiB", g.path("rssAfterMiB").asDouble(),
                        g.path("liveHeapMiB").asDouble());
            }
        }
        sdk();
        azimuth.stop();
    }

    /** Creates images by concurrent PUTs until {@code level} exist, each acknowledged (201) only once durable. */
    private void seed(int level, ArrayNode seeding) throws Exception {
        int from = nextImage.get();
        if (from >= level) {
            return;
        }
        int workers = settings.seedWorkers();
        log("seeding images %d..%d with %d concurrent PUTs", from, level - 1, workers);
        AtomicReference<String> error = new AtomicReference<>();
        Thread[] threads = new Thread[workers];
        long t0 = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            threads[i] = new Thread(() -> {
                try (Http http = new Http(httpPort)) {
                    while (error.get() == null) {
                        int n = nextImage.getAndIncrement();
                        if (n >= level) {
                            nextImage.compareAndSet(n + 1, level);
                            return;
                        }
                        int status = http.send("PUT", image(n), IMAGE_BODY);
                        if (status != 201) {
                            error.compareAndSet(null, "PUT " + image(n) + " answered " + status + ": "
                                    + http.bodyText());
                        }
                    }
                } catch (IOException e) {
                    error.compareAndSet(null, e.toString());
                }
            }, "seed-" + i);
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        nextImage.set(level);
        check(error.get() == null, "seeding failed: " + error.get());
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode s = seeding.addObject();
        s.put("from", from);
        s.put("to", level);
        s.put("workers", workers);
        s.put("seconds", seconds);
        s.put("perSecond", (level - from) / seconds);
        s.put("rssMiB", azimuth.rssMiB());
        log("  %d images in %.1f s: %.0f PUT/s; RSS %.0f MiB", level - from, seconds, (level - from) / seconds,
                azimuth.rssMiB());
    }

    /** Unmeasured load on every path measured, so that the JIT has compiled them before the first figures. */
    private void jitWarmup() throws Exception {
        Duration each = settings.jitWarmup().dividedBy(5);
        int w = settings.workers();
        load("warm-up: image GET", 0, w, azimuth, httpPort, this::imageGet, each, Duration.ZERO);
        load("warm-up: image PUT (update)", 0, w, azimuth, httpPort, this::imageUpdate, each, Duration.ZERO);
        load("warm-up: image list", 0, w, azimuth, httpPort, this::listFirst, each, Duration.ZERO);
        load("warm-up: image list, deep", 0, w, azimuth, httpPort, this::listDeep, each, Duration.ZERO);
        load("warm-up: VM actions", 0, w, azimuth, httpPort, this::vmAction, each, Duration.ZERO);
    }

    private Server baseline;
    private int baselinePort;
    private final Map<String, Answer> samples = new LinkedHashMap<>();

    /**
     * Starts the baseline server answering, on a path per request kind, the status and bytes the emulator answered
     * to one such request, and warms it up.
     */
    private void startBaseline() throws Exception {
        try (Http http = new Http(httpPort)) {
            samples.put("get", Answer.of(http, imageGet(0, 0), "GET", "/get", null));
            samples.put("put", Answer.of(http, imageUpdate(0, 0), "PUT", "/put", IMAGE_BODY));
            samples.put("create", Answer.of(http, imageCreate(0, 0), "PUT", "/create", IMAGE_BODY));
            samples.put("list", Answer.of(http, listFirst(0, 0), "GET", "/list", null));
            samples.put("deep", Answer.of(http, listDeep(0, 0), "GET", "/deep", null));
            samples.put("action", Answer.of(http, vmAction(0, 0), "POST", "/action", null));
            Answer.of(http, vmAction(0, 1), "POST", "/action", null); // and started again
        }
        List<String> args = new ArrayList<>(List.of("-cp", settings.jar() + java.io.File.pathSeparator
                + settings.classes(), "BaselineServer"));
        baselinePort = freePort();
        args.add(String.valueOf(baselinePort));
        Path bodies = settings.work().resolve("baseline-bodies");
        Files.createDirectories(bodies);
        for (Map.Entry<String, Answer> e : samples.entrySet()) {
            Path f = bodies.resolve(e.getKey() + ".json");
            Files.write(f, e.getValue().body());
            args.add(e.getValue().path() + "=" + e.getValue().status() + ":" + f.toAbsolutePath());
        }
        baseline = Server.start("baseline", command(List.of(), args.toArray(String[]::new)),
                logs.resolve("baseline.log"));
        untilStatus(baseline, baselinePort, "GET", "/", null, 200, System.nanoTime());
        Answer get = samples.get("get");
        load("warm-up: baseline", 0, settings.workers(), baseline, baselinePort,
                (x, n) -> new Req("GET", get.path(), null, get.status()), settings.jitWarmup().dividedBy(2),
                Duration.ZERO);
    }

    /** A measured phase on the emulator and, when {@code compared}, the same on the baseline right after it. */
    private Phase pair(ArrayNode rows, boolean compared, String name, int images, int workers, RequestSource source,
                       String sample) throws Exception {
        Phase p = measure(name, images, workers, azimuth, httpPort, source);
        if (compared) {
            Answer a = samples.get(sample);
            Phase base = measure("baseline, " + name, 0, workers, baseline, baselinePort,
                    (x, n) -> new Req(a.method(), a.path(), a.request(), a.status()));
            compare(rows, p, base, a);
        }
        return p;
    }

    private static void compare(ArrayNode rows, Phase p, Phase base, Answer sample) {
        ObjectNode row = rows.addObject();
        row.put("request", p.name());
        row.put("workers", p.workers());
        row.put("responseBytes", sample.body().length);
        row.put("perSecond", p.perSecond());
        row.put("p50Ms", p.p50Ms());
        row.put("p99Ms", p.p99Ms());
        row.put("baselinePerSecond", base.perSecond());
        row.put("baselineP50Ms", base.p50Ms());
        row.put("baselineP99Ms", base.p99Ms());
        row.put("throughputRatio", p.perSecond() / base.perSecond());
        row.put("p50Ratio", p.p50Ms() / base.p50Ms());
        row.put("p99Ratio", p.p99Ms() / base.p99Ms());
        row.put("serverCores", p.serverCores());
        row.put("baselineCores", base.serverCores());
    }

    private void sdk() throws Exception {
        if (settings.sdkClasspath().isBlank() || settings.sdkRuns() <= 0) {
            log("SDK timing skipped (no BENCH_SDK_CLASSPATH or BENCH_SDK_RUNS=0)");
            return;
        }
        log("SDK: image define().create() and VM reimage, %d times each after a first call", settings.sdkRuns());
        Path out = logs.resolve("sdk.out");
        Path err = logs.resolve("sdk.log");
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(List.of("-cp", settings.sdkClasspath(), "SdkBench", "https://127.0.0.1:" + httpsPort,
                dataDir.resolve("azimuth-cert.pem").toString(), String.valueOf(settings.sdkRuns())));
        Process p = new ProcessBuilder(c).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the SDK timing did not finish within 300 s; see " + err);
        }
        check(p.exitValue() == 0, "the SDK timing failed; see " + err);
        String line = Files.readAllLines(out).stream().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("the SDK timing printed nothing; see " + err));
        ObjectNode sdk = (ObjectNode) JSON.readTree(line);
        for (String k : List.of("imageCreateMs", "reimageMs")) {
            double[] v = new double[sdk.path(k).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = sdk.path(k).get(i).asDouble();
            }
            Arrays.sort(v);
            sdk.put(k.replace("Ms", "MedianMs"), v.length == 0 ? 0 : v[(v.length - 1) / 2]);
            sdk.put(k.replace("Ms", "P90Ms"), v.length == 0 ? 0 : v[(int) Math.ceil(0.9 * v.length) - 1]);
        }
        result.set("sdk", sdk);
        log("  image create: first %.0f ms, median %.1f ms; reimage: first %.0f ms, median %.1f ms",
                sdk.path("firstImageCreateMs").asDouble(), sdk.path("imageCreateMedianMs").asDouble(),
                sdk.path("firstReimageMs").asDouble(), sdk.path("reimageMedianMs").asDouble());
    }

    // ------------------------------------------------------------------------------------------------ requests

    private static String image(int n) {
        return IMAGES + String.format(Locale.ROOT, "/img-%07d", n) + "?api-version=" + V;
    }

    private int existing() {
        return Math.max(1, Math.min(nextImage.get(), settings.topLevel()));
    }

    private Req imageGet(int worker, long n) {
        return new Req("GET", image(ThreadLocalRandom.current().nextInt(existing())), null, 200);
    }

    private Req imageUpdate(int worker, long n) {
        return new Req("PUT", image(ThreadLocalRandom.current().nextInt(existing())), IMAGE_BODY, 200);
    }

    private Req imageCreate(int worker, long n) {
        return new Req("PUT", image(nextImage.getAndIncrement()), IMAGE_BODY, 201);
    }

    private Req listFirst(int worker, long n) {
        return new Req("GET", IMAGES + "?api-version=" + V, null, 200);
    }

    /** The page after the image at 90% of those stored: at 100,000 images, page 900 of 1,000. */
    private Req listDeep(int worker, long n) {
        String key = (IMAGES + String.format(Locale.ROOT, "/img-%07d", (int) (existing() * 0.9)))
                .toLowerCase(Locale.ROOT);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
        return new Req("GET", IMAGES + "?api-version=" + V + "&$skiptoken=" + token, null, 200);
    }

    /** Each worker its own VM, deallocated and started in turn (both answered 200 at once with no delay). */
    private Req vmAction(int worker, long n) {
        return new Req("POST", VMS + "/vm-" + worker + "/" + (n % 2 == 0 ? "deallocate" : "start") + "?api-version="
                + V, null, 200);
    }

    private static byte[] vmBody(int w) {
        return ("{\"location\":\"westus\",\"properties\":{\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},"
                + "\"storageProfile\":{\"imageReference\":{\"publisher\":\"Canonical\","
                + "\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\",\"version\":\"latest\"},"
                + "\"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{\"storageAccountType\":\"Standard_LRS\"}}},"
                + "\"osProfile\":{\"computerName\":\"vm" + w + "\",\"adminUsername\":\"azureuser\","
                + "\"adminPassword\":\"Bench-Pass1\"},\"networkProfile\":{\"networkInterfaces\":[{\"id\":"
                + "\"/subscriptions/" + SUB + "/resourceGroups/" + VM_RG
                + "/providers/Microsoft.Network/networkInterfaces/nic-" + w + "\"}]}}}").getBytes(StandardCharsets.UTF_8);
    }

    record Req(String method, String path, byte[] body, int expected) {
    }

    @FunctionalInterface
    interface RequestSource {
        Req next(int worker, long sequence);
    }

    /**
     * A response as the emulator gave it, for the baseline to give again on {@code path} to a request of the same
     * method and body.
     */
    record Answer(int status, byte[] body, String method, String path, byte[] request) {
        static Answer of(Http http, Req r, String method, String path, byte[] request) throws IOException {
            int status = http.send(r.method(), r.path(), r.body());
            check(status == r.expected(), r.method() + " " + r.path() + " answered " + status + ": " + http.bodyText());
            return new Answer(status, http.bodyBytes(), method, path, request);
        }
    }

    // ------------------------------------------------------------------------------------------------ load

    record Phase(String name, int images, int workers, long requests, long errors, String firstError, double seconds,
                 double perSecond, double p50Ms, double p90Ms, double p99Ms, double maxMs, double serverCores,
                 double benchCores, double otherCores) {
    }

    private Phase measure(String name, int images, int workers, Server server, int port, RequestSource source)
            throws Exception {
        Phase p = load(name, images, workers, server, port, source, settings.warmup(), settings.measure());
        phases.add(p);
        return p;
    }

    /**
     * {@code workers} threads, each on its own keep-alive connection, send back to back for the warm-up and then
     * for the measured window; a request counts when it started inside the window, and throughput is those
     * requests over the time from the window's start to the last one's end. Latency is from just before the
     * request is written to the last byte of the response read.
     */
    private Phase load(String name, int images, int workers, Server server, int port, RequestSource source,
                       Duration warmup, Duration measure) throws Exception {
        log("%s, %d workers%s: %.1f s warm-up, %.1f s measured", name, workers,
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
                Http http = null;
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
                                http = new Http(port);
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
        long server0 = Cpu.ticks(server.process.pid());
        long bench0 = Cpu.ticks(ProcessHandle.current().pid());
        long machine0 = Cpu.machineTicks();
        sleepUntil(measureEnd);
        long server1 = Cpu.ticks(server.process.pid());
        long bench1 = Cpu.ticks(ProcessHandle.current().pid());
        long machine1 = Cpu.machineTicks();
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
            log("  %d requests failed; first: %s", warmupErrors + errors, firstError);
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
        log("  %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors; CPU: server %.2f, bench %.2f, other %.2f", p.perSecond(),
                p.p50Ms(), p.p99Ms(), p.errors(), serverCores, benchCores, other);
        return p;
    }

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

    private double share(long t0, long t1, double seconds) {
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

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    /** A minimal HTTP/1.1 client on one keep-alive connection: requests written whole, responses read whole. */
    static final class Http implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final String host;
        private final StringBuilder head = new StringBuilder(512);
        private final StringBuilder line = new StringBuilder(256);
        private byte[] body = new byte[64 * 1024];
        private int bodyLength;
        private boolean closeAfter;

        Http(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            host = "127.0.0.1:" + port;
        }

        /** One request on a new connection; -1 when nothing listens yet. */
        static int once(int port, String method, String path, byte[] body) {
            try (Http http = new Http(port)) {
                return http.send(method, path, body);
            } catch (IOException e) {
                return -1;
            }
        }

        int send(String method, String path, byte[] content) throws IOException {
            if (closeAfter) {
                throw new IOException("the server closed the connection");
            }
            head.setLength(0);
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                    .append("\r\nAuthorization: Bearer bench\r\nAccept: application/json\r\n");
            if (content != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
            } else if (!method.equals("GET")) {
                head.append("Content-Length: 0\r\n");
            }
            head.append("\r\n");
            for (int i = 0; i < head.length(); i++) {
                out.write(head.charAt(i));
            }
            if (content != null) {
                out.write(content);
            }
            out.flush();
            return read(method.equals("HEAD"));
        }

        private int read(boolean head) throws IOException {
            String status = readLine();
            if (status == null || !status.startsWith("HTTP/1.")) {
                throw new IOException("no HTTP response: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            String h;
            while ((h = readLine()) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    closeAfter = true;
                }
            }
            bodyLength = 0;
            if (head || code == 204 || code == 304) {
                return code;
            }
            if (chunked) {
                while (true) {
                    String size = readLine();
                    int semi = size.indexOf(';');
                    int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    readBody(n);
                    readLine();
                }
            } else if (length >= 0) {
                readBody((int) length);
            } else {
                throw new IOException("a response without a length");
            }
            return code;
        }

        private void readBody(int n) throws IOException {
            if (bodyLength + n > body.length) {
                body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
            }
            int read = in.readNBytes(body, bodyLength, n);
            if (read < n) {
                throw new IOException("the response body ended early");
            }
            bodyLength += n;
        }

        private String readLine() throws IOException {
            line.setLength(0);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int l = line.length();
                    if (l > 0 && line.charAt(l - 1) == '\r') {
                        line.setLength(l - 1);
                    }
                    return line.toString();
                }
                line.append((char) c);
            }
            if (line.length() == 0) {
                throw new IOException("the connection closed");
            }
            return line.toString();
        }

        byte[] bodyBytes() {
            return Arrays.copyOf(body, bodyLength);
        }

        String bodyText() {
            String s = new String(body, 0, bodyLength, StandardCharsets.UTF_8);
            return s.length() > 300 ? s.substring(0, 300) + "..." : s;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ processes

    private List<String> azimuth(Path dir, int http, int https) {
        return azimuth(List.of(), dir, http, https);
    }

    private List<String> azimuth(List<String> jvmOptions, Path dir, int http, int https) {
        List<String> c = new ArrayList<>(settings.azimuthJvmOptions());
        c.addAll(jvmOptions);
        c.addAll(List.of("-jar", settings.jar().toString(), "--http-port", String.valueOf(http), "--https-port",
                String.valueOf(https), "--data-dir", dir.toString(), "--vhd-check", "lenient",
                "--operation-delay", "0"));
        return command(c);
    }

    private List<String> command(List<String> extra, String... args) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(settings.jvmOptions());
        c.addAll(extra);
        c.addAll(List.of(args));
        return c;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A server JVM the benchmark started; its output goes to a log file. */
    static final class Server {
        private static final List<Process> RUNNING = new java.util.concurrent.CopyOnWriteArrayList<>();

        final String name;
        final Process process;
        final Path log;

        private Server(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        static Server start(String name, List<String> command, Path log) throws IOException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RUNNING.add(p);
            return new Server(name, p, log);
        }

        /** The heap still in use after a full collection (jcmd GC.run, then GC.heap_info); -1 if unknown. */
        double liveHeapMiB() {
            try {
                Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
                String pid = String.valueOf(process.pid());
                new ProcessBuilder(jcmd.toString(), pid, "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
                Process info = new ProcessBuilder(jcmd.toString(), pid, "GC.heap_info").redirectErrorStream(true)
                        .start();
                String out = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                info.waitFor(60, TimeUnit.SECONDS);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
                return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : -1;
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        double rssMiB() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                    if (l.startsWith("VmRSS:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            RUNNING.remove(process);
        }

        static void stopAll() {
            for (Process p : RUNNING) {
                p.destroyForcibly();
            }
        }
    }

    /** CPU time of processes and of the machine in clock ticks, from /proc; -1 where there is no /proc. */
    static final class Cpu {
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
    record Fsync(int count, double p50Ms, double p99Ms, double perSecond) {
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
                    ch.force(true);
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

    // ================================================================================================ report

    private Map<String, String> environment(double seconds) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("date", OffsetDateTime.now().withNano(0).toString());
        e.put("revision", settings.revision());
        e.put("command", settings.command());
        e.put("smoke", String.valueOf(settings.smoke()));
        e.put("label", settings.label());
        e.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        e.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        e.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        e.put("cpuModel", cpuModel());
        e.put("memory", memory());
        e.put("fileSystem", settings.fileSystem());
        e.put("loadAverageAtStart", loadAtStart);
        e.put("loadAverageAtEnd", loadAverage());
        e.put("jvmOptions", String.join(" ", settings.jvmOptions()));
        e.put("azimuthJvmOptions", String.join(" ", settings.azimuthJvmOptions()));
        e.put("workers", String.valueOf(settings.workers()));
        e.put("seedWorkers", String.valueOf(settings.seedWorkers()));
        e.put("warmupSeconds", String.valueOf(settings.warmup().toMillis() / 1000.0));
        e.put("measureSeconds", String.valueOf(settings.measure().toMillis() / 1000.0));
        e.put("jitWarmupSeconds", String.valueOf(settings.jitWarmup().toMillis() / 1000.0));
        e.put("runSeconds", String.format(Locale.ROOT, "%.0f", seconds));
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

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB").findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private ObjectNode targets() {
        ObjectNode t = JSON.createObjectNode();
        ArrayNode list = t.putArray("list");
        JsonNode s = result.path("startup");
        double first = s.path("firstStartHealthyMs").asDouble();
        double again = s.path("restartHealthyMs").asDouble();
        double base = s.path("baselineHealthyMs").asDouble();
        double slowest = Math.max(first, again);
        String withCds = s.has("restartCdsHealthyMs") ? fmt("; with a CDS archive (--training-run) %.0f ms and %.0f ms",
                s.path("firstStartCdsHealthyMs").asDouble(), s.path("restartCdsHealthyMs").asDouble()) : "";
        target(list, "start-up to healthy < 0.5 s (first start and restart; `java -jar`)",
                fmt("%.0f ms first start, %.0f ms restart%s", first, again, withCds), slowest < 500);
        target(list, "start-up to healthy <= 3x the baseline's", fmt("%.1fx first start, %.1fx restart (baseline %.0f ms)",
                first / base, again / base, base), slowest <= 3 * base);
        double idle = Math.max(s.path("firstStartIdleRssMiB").asDouble(), s.path("restartIdleRssMiB").asDouble());
        target(list, "idle memory < 128 MiB", fmt("%.0f MiB RSS", idle), idle < 128);
        JsonNode get = row("image GET", settings.workers());
        if (get != null) {
            target(list, "image GET >= 0.5x the baseline's throughput", fmt("%.2fx (%.0f/s vs %.0f/s)",
                    get.path("throughputRatio").asDouble(), get.path("perSecond").asDouble(),
                    get.path("baselinePerSecond").asDouble()), get.path("throughputRatio").asDouble() >= 0.5);
        }
        double put = phases.stream().filter(p -> p.name().equals("image PUT (create)")).mapToDouble(Phase::perSecond)
                .max().orElse(0);
        target(list, "durable image PUT >= 2,000/s", fmt("%.0f/s (creates, best of %d and %d workers)", put,
                settings.workers(), settings.seedWorkers()), put >= 2000);
        JsonNode list1 = row("image list, first page", settings.workers());
        JsonNode deep = row("image list, deep page", settings.workers());
        if (list1 != null && deep != null) {
            double worst = Math.max(list1.path("p99Ms").asDouble(), deep.path("p99Ms").asDouble());
            target(list, fmt("list pages p99 < 20 ms at %,d images", settings.topLevel()),
                    fmt("%.1f ms first page, %.1f ms deep page", list1.path("p99Ms").asDouble(),
                            deep.path("p99Ms").asDouble()), worst < 20);
        }
        JsonNode sdk = result.path("sdk");
        if (!sdk.isMissingNode()) {
            double create = sdk.path("imageCreateMedianMs").asDouble();
            target(list, "SDK image create < 100 ms", fmt("%.1f ms median (first call %.0f ms)", create,
                    sdk.path("firstImageCreateMs").asDouble()), create < 100);
        }
        return t;
    }

    private JsonNode row(String name, int workers) {
        for (JsonNode r : result.path("comparison")) {
            if (r.path("request").asText().equals(name) && r.path("workers").asInt() == workers) {
                return r;
            }
        }
        return null;
    }

    private static void target(ArrayNode list, String target, String measured, boolean met) {
        ObjectNode o = list.addObject();
        o.put("target", target);
        o.put("measured", measured);
        o.put("met", met);
    }

    private String markdown(Path json) {
        Map<String, String> env = environment(0);
        JsonNode r = result;
        JsonNode e = r.path("environment");
        StringBuilder b = new StringBuilder();
        b.append(fmt("Measured %s by `%s` (revision %s%s): %s cores (%s), %s RAM, %s; %s; data directory on %s; "
                        + "load average %s at the start, %s at the end; %s s in all. Machine-readable: `%s`.%n%n",
                e.path("date").asText(), settings.command(), e.path("revision").asText(),
                settings.smoke() ? ", smoke run: tiny and not meaningful" : "", env.get("cpus"), env.get("cpuModel"),
                env.get("memory"), env.get("os"), env.get("java"), settings.fileSystem(), loadAtStart,
                e.path("loadAverageAtEnd").asText(), e.path("runSeconds").asText(), json.toString().replace('\\', '/')));

        b.append("**Targets**\n\n| target | measured | met |\n|---|---|---|\n");
        for (JsonNode t : r.path("targets").path("list")) {
            b.append(fmt("| %s | %s | %s |%n", t.path("target").asText(), t.path("measured").asText(),
                    t.path("met").asBoolean() ? "yes" : "**no**"));
        }

        JsonNode s = r.path("startup");
        b.append(fmt("%n**Start-up and idle memory** (median of %d runs; each a new process)%n%n", s.path("runs").asInt()));
        b.append("| | baseline Vert.x server | Azimuth, first start (empty data dir) | Azimuth, restart (existing data dir) |\n");
        b.append("|---|---:|---:|---:|\n");
        b.append(fmt("| process start → first 200 of `/_azimuth/health` | %.0f ms | %.0f ms (%.1fx) | %.0f ms (%.1fx) |%n",
                s.path("baselineHealthyMs").asDouble(), s.path("firstStartHealthyMs").asDouble(),
                s.path("firstStartHealthyMs").asDouble() / s.path("baselineHealthyMs").asDouble(),
                s.path("restartHealthyMs").asDouble(),
                s.path("restartHealthyMs").asDouble() / s.path("baselineHealthyMs").asDouble()));
        b.append(fmt("| CPU time used by then (all threads, JIT compilers included) | %.0f ms | %.0f ms | %.0f ms |%n",
                s.path("baselineHealthyCpuMs").asDouble(), s.path("firstStartHealthyCpuMs").asDouble(),
                s.path("restartHealthyCpuMs").asDouble()));
        b.append(fmt("| process start → first image PUT answered 201 | | | %.0f ms |%n",
                s.path("restartFirstImagePutMs").asDouble()));
        b.append(fmt("| resident memory %s s after healthy, idle | %.0f MiB | %.0f MiB | %.0f MiB |%n",
                settings.idleSettle().toMillis() / 1000.0,
                s.path("baselineIdleRssMiB").asDouble(), s.path("firstStartIdleRssMiB").asDouble(),
                s.path("restartIdleRssMiB").asDouble()));
        if (s.has("restartCdsHealthyMs")) {
            double base = s.path("baselineHealthyMs").asDouble();
            b.append(fmt("| the same with a class-data sharing archive (`-XX:SharedArchiveFile=%s`): to healthy | | %.0f ms "
                            + "(%.1fx) | %.0f ms (%.1fx) |%n", s.path("cdsArchive").asText(),
                    s.path("firstStartCdsHealthyMs").asDouble(), s.path("firstStartCdsHealthyMs").asDouble() / base,
                    s.path("restartCdsHealthyMs").asDouble(), s.path("restartCdsHealthyMs").asDouble() / base));
            b.append(fmt("| ... CPU time used by then | | %.0f ms | %.0f ms |%n",
                    s.path("firstStartCdsHealthyCpuMs").asDouble(), s.path("restartCdsHealthyCpuMs").asDouble()));
            b.append(fmt("| ... to first image PUT answered 201 | | | %.0f ms |%n",
                    s.path("restartCdsFirstImagePutMs").asDouble()));
            b.append(fmt("| ... resident memory, idle | | %.0f MiB | %.0f MiB |%n",
                    s.path("firstStartCdsIdleRssMiB").asDouble(), s.path("restartCdsIdleRssMiB").asDouble()));
        }

        b.append(fmt("%n**Throughput and latency at %,d stored images** (closed loop: N workers, each one keep-alive "
                + "connection, one request at a time; the baseline answers the same number of bytes)%n%n",
                settings.topLevel()));
        b.append("| request | workers | bytes | req/s | p50 ms | p99 ms | baseline req/s | baseline p50 / p99 ms "
                + "| req/s ratio | p99 ratio | server CPU | baseline CPU |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode c : r.path("comparison")) {
            b.append(fmt("| %s | %d | %,d | %,.0f | %.2f | %.2f | %,.0f | %.2f / %.2f | %.2f | %.1fx | %.2f | %.2f |%n",
                    c.path("request").asText(), c.path("workers").asInt(), c.path("responseBytes").asInt(),
                    c.path("perSecond").asDouble(), c.path("p50Ms").asDouble(), c.path("p99Ms").asDouble(),
                    c.path("baselinePerSecond").asDouble(), c.path("baselineP50Ms").asDouble(),
                    c.path("baselineP99Ms").asDouble(), c.path("throughputRatio").asDouble(),
                    c.path("p99Ratio").asDouble(), c.path("serverCores").asDouble(),
                    c.path("baselineCores").asDouble()));
        }

        b.append(fmt("%n**Cost growth** (%d workers; p50 / p99 ms; PUT = replacing an existing image, 200)%n%n",
                settings.workers()));
        b.append("| stored images | GET req/s | GET | PUT req/s | PUT | list first page | list deep page | RSS |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode g : r.path("growth")) {
            b.append(fmt("| %,d | %,.0f | %.2f / %.2f | %,.0f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.0f MiB |%n",
                    g.path("images").asInt(), g.path("get").path("perSecond").asDouble(),
                    g.path("get").path("p50Ms").asDouble(), g.path("get").path("p99Ms").asDouble(),
                    g.path("putUpdate").path("perSecond").asDouble(), g.path("putUpdate").path("p50Ms").asDouble(),
                    g.path("putUpdate").path("p99Ms").asDouble(), g.path("listFirst").path("p50Ms").asDouble(),
                    g.path("listFirst").path("p99Ms").asDouble(), g.path("listDeep").path("p50Ms").asDouble(),
                    g.path("listDeep").path("p99Ms").asDouble(), g.path("rssMiB").asDouble()));
        }
        b.append("\nHow the images were stored: ");
        List<String> seeds = new ArrayList<>();
        for (JsonNode sd : r.path("seeding")) {
            seeds.add(fmt("%,d → %,d in %.1f s (%,.0f/s, RSS after: %.0f MiB)", sd.path("from").asInt(),
                    sd.path("to").asInt(), sd.path("seconds").asDouble(), sd.path("perSecond").asDouble(),
                    sd.path("rssMiB").asDouble()));
        }
        b.append(fmt("image PUTs through the API (each acknowledged only once durable), %d concurrent: %s.",
                settings.seedWorkers(), String.join("; ", seeds)));
        JsonNode growth = r.path("growth");
        if (growth.size() > 0 && growth.get(growth.size() - 1).has("rssAfterMiB")) {
            JsonNode last = growth.get(growth.size() - 1);
            b.append(fmt(" Resident memory after every measurement at %,d images: %.0f MiB, of which the heap "
                            + "still in use after a full collection is %.0f MiB (the rest is mostly heap the JVM "
                            + "sized for itself; see the notes).", settings.topLevel(),
                    last.path("rssAfterMiB").asDouble(), last.path("liveHeapMiB").asDouble()));
        }
        b.append("\n");

        JsonNode sdk = r.path("sdk");
        if (!sdk.isMissingNode()) {
            b.append(fmt("%n**Azure SDK for Java, end to end** (HTTPS; the first call of each kind, with the client's "
                    + "class loading, apart; then %d calls)%n%n", sdk.path("imageCreateMs").size()));
            b.append("| call | first call | median | p90 |\n|---|---:|---:|---:|\n");
            b.append(fmt("| `virtualMachineCustomImages().define(...).withLinuxFromVhd(...).create()` | %.0f ms | %.1f ms | %.1f ms |%n",
                    sdk.path("firstImageCreateMs").asDouble(), sdk.path("imageCreateMedianMs").asDouble(),
                    sdk.path("imageCreateP90Ms").asDouble()));
            b.append(fmt("| `virtualMachines.reimage(rg, vm)` (new OS disk, old one deleted) | %.0f ms | %.1f ms | %.1f ms |%n",
                    sdk.path("firstReimageMs").asDouble(), sdk.path("reimageMedianMs").asDouble(),
                    sdk.path("reimageP90Ms").asDouble()));
        }

        JsonNode f = r.path("fsyncProbe");
        if (f.path("count").asInt() > 0) {
            b.append(fmt("%nfsync probe on the data directory's disk (4 KiB append + fsync, one thread, %d times): "
                    + "p50 %.3f ms, p99 %.3f ms, %,.0f/s.%n", f.path("count").asInt(), f.path("p50Ms").asDouble(),
                    f.path("p99Ms").asDouble(), f.path("perSecond").asDouble()));
        }

        b.append("\n<details><summary>Every measured phase</summary>\n\n");
        b.append("| phase | images | workers | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU | bench CPU | other CPU |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            b.append(fmt("| %s | %,d | %d | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f | %d | %.2f | %.2f | %.2f |%n",
                    p.name(), p.images(), p.workers(), p.requests(), p.perSecond(), p.p50Ms(), p.p90Ms(), p.p99Ms(),
                    p.maxMs(), p.errors(), p.serverCores(), p.benchCores(), p.otherCores()));
        }
        b.append("\nCPU columns: cores used during the measured window by the server, by the load generator, and by "
                + "everything else on the machine (near 0 on a quiet machine).\n\n</details>\n");
        return b.toString();
    }

    static final String BEGIN = "<!-- bench/run.sh results: begin -->";
    static final String END = "<!-- bench/run.sh results: end -->";

    /** Replaces the generated section of the report (between the markers), keeping everything around it. */
    private static void writeReport(Path report, String markdown) throws IOException {
        String section = BEGIN + "\n" + markdown + END;
        String text;
        if (Files.exists(report)) {
            String old = Files.readString(report);
            int b = old.indexOf(BEGIN);
            int e = old.indexOf(END);
            text = b >= 0 && e > b ? old.substring(0, b) + section + old.substring(e + END.length())
                    : old + "\n" + section + "\n";
        } else {
            text = "# Performance\n\n" + section + "\n";
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, text);
    }

    // ================================================================================================ helpers

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static void log(String format, Object... args) {
        System.err.println("[bench] " + fmt(format, args));
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

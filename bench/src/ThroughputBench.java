import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Throughput, latency and cost growth on one emulator: images stored through the API up to each level, GET, PUT and
 * list measured at each, and at the largest every phase compared at once with the baseline server answering the same
 * bytes; then the Azure SDK's wall time ({@code SdkBench}) against the same emulator. Results under
 * {@code growth}, {@code seeding}, {@code comparison} and {@code sdk}.
 */
final class ThroughputBench {
    private final BenchSettings settings;
    private final Path logs;
    private final ObjectNode result;
    private final Load load;
    private final BenchRequests requests;

    private BenchServer azimuth;
    private int httpPort;
    private int httpsPort;
    private Path dataDir;

    private BenchServer baseline;
    private int baselinePort;
    private final Map<String, Answer> answers = new LinkedHashMap<>();

    ThroughputBench(BenchSettings settings, Path logs, ObjectNode result, Load load) {
        this.settings = settings;
        this.logs = logs;
        this.result = result;
        this.load = load;
        this.requests = new BenchRequests(settings);
    }

    void run(Path dataRoot) throws Exception {
        dataDir = dataRoot.resolve("main");
        httpPort = BenchServer.freePort();
        httpsPort = BenchServer.freePort();
        azimuth = BenchServer.start("azimuth", BenchServer.azimuth(settings, dataDir, httpPort, httpsPort),
                logs.resolve("azimuth.log"));
        azimuth.untilStatus(httpPort, "GET", "/_azimuth/health", null, 200, System.nanoTime());
        PerfBench.log("Azimuth on port %d (data in %s)", httpPort, dataDir);
        createResourceGroup(BenchRequests.RG);
        createResourceGroup(BenchRequests.VM_RG);
        int network = BenchHttp.once(httpPort, "PUT", BenchRequests.NETWORK + "/virtualNetworks/vnet?api-version="
                + "2023-09-01", BenchRequests.vnetBody());
        PerfBench.check(network == 201 || network == 200, "cannot create the VMs' network: " + network);
        for (int w = 0; w < settings.workers(); w++) {
            int nic = BenchHttp.once(httpPort, "PUT", BenchRequests.NETWORK + "/networkInterfaces/nic-" + w
                    + "?api-version=2023-09-01", BenchRequests.nicBody());
            PerfBench.check(nic == 201 || nic == 200, "cannot create NIC nic-" + w + ": " + nic);
            int status = BenchHttp.once(httpPort, "PUT", BenchRequests.VMS + "/vm-" + w + "?api-version="
                    + BenchRequests.V, BenchRequests.vmBody(w));
            PerfBench.check(status == 201, "cannot create VM vm-" + w + ": " + status);
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
            g.put("images", requests.nextImage.get());
            g.put("rssMiB", azimuth.rssMiB());
            if (top) {
                startBaseline();
            }
            // at the largest level each phase is followed at once by the baseline's, so both meet the same
            // machine (other processes come and go); the baseline answers the bytes the emulator answered
            g.set("get", PerfBench.JSON.valueToTree(pair(rows, top, "image GET", level, w, requests::imageGet,
                    "get")));
            g.set("putUpdate", PerfBench.JSON.valueToTree(pair(rows, top, "image PUT (update)", level, w,
                    requests::imageUpdate, "put")));
            g.set("listFirst", PerfBench.JSON.valueToTree(pair(rows, top, "image list, first page", level, w,
                    requests::listFirst, "list")));
            g.set("listDeep", PerfBench.JSON.valueToTree(pair(rows, top, "image list, deep page", level, w,
                    requests::listDeep, "deep")));
            if (top) {
                pair(rows, true, "image PUT (create)", level, w, requests::imageCreate, "create");
                pair(rows, true, "image PUT (create)", level, settings.seedWorkers(), requests::imageCreate, "create");
                pair(rows, true, "VM deallocate/start", level, w, requests::vmAction, "action");
                baseline.stop();
                writesUnderReads(level, w);
                g.put("rssAfterMiB", azimuth.rssMiB());
                g.put("liveHeapMiB", azimuth.liveHeapMiB());
                PerfBench.log("RSS %.0f MiB; live heap after a full GC %.0f MiB", g.path("rssAfterMiB").asDouble(),
                        g.path("liveHeapMiB").asDouble());
            }
        }
        sdk();
        azimuth.stop();
    }

    /**
     * Image PUTs (replacing existing images) by {@code workers} clients while 0, 8 and 32 more clients list images
     * without pausing (each one keep-alive connection, the next GET as soon as the last is answered): whether reads
     * take the writer's pace. Results under {@code writesUnderReads}.
     */
    private void writesUnderReads(int level, int workers) throws Exception {
        ArrayNode out = result.putArray("writesUnderReads");
        for (int readers : new int[]{0, 8, 32}) {
            java.util.concurrent.atomic.AtomicBoolean on = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            AtomicReference<String> error = new AtomicReference<>();
            Thread[] threads = new Thread[readers];
            for (int i = 0; i < readers; i++) {
                int reader = i;
                threads[i] = new Thread(() -> {
                    try (BenchHttp http = new BenchHttp(httpPort)) {
                        for (long n = 0; on.get(); n++) {
                            Load.Req r = requests.listFirst(reader, n);
                            int status = http.send(r.method(), r.path(), r.body());
                            if (status != r.expected()) {
                                error.compareAndSet(null, r.method() + " " + r.path() + " answered " + status);
                                return;
                            }
                            reads.incrementAndGet();
                        }
                    } catch (IOException e) {
                        error.compareAndSet(null, e.toString());
                    }
                }, "reader-" + i);
                threads[i].start();
            }
            long readsBefore = reads.get();
            long t0 = System.nanoTime();
            Load.Phase p;
            try {
                p = load.measure("image PUT (update) beside " + readers + " listing clients", level, workers, azimuth,
                        httpPort, requests::imageUpdate);
            } finally {
                on.set(false);
                for (Thread t : threads) {
                    t.join();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            PerfBench.check(error.get() == null, "a listing client failed: " + error.get());
            ObjectNode row = out.addObject();
            row.put("readers", readers);
            row.put("putPerSecond", p.perSecond());
            row.put("putP50Ms", p.p50Ms());
            row.put("putP99Ms", p.p99Ms());
            row.put("listsPerSecond", (reads.get() - readsBefore) / seconds);
            row.put("serverCores", p.serverCores());
        }
    }

    private void createResourceGroup(String name) {
        PerfBench.check(BenchHttp.once(httpPort, "PUT", "/subscriptions/" + BenchRequests.SUB + "/resourceGroups/"
                        + name + "?api-version=" + BenchRequests.RG_V,
                "{\"location\":\"westus\"}".getBytes(StandardCharsets.UTF_8)) == 201, "cannot create " + name);
    }

    /** Creates images by concurrent PUTs until {@code level} exist, each acknowledged (201) only once durable. */
    private void seed(int level, ArrayNode seeding) throws Exception {
        int from = requests.nextImage.get();
        if (from >= level) {
            return;
        }
        int workers = settings.seedWorkers();
        PerfBench.log("seeding images %d..%d with %d concurrent PUTs", from, level - 1, workers);
        AtomicReference<String> error = new AtomicReference<>();
        Thread[] threads = new Thread[workers];
        long t0 = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            threads[i] = new Thread(() -> {
                try (BenchHttp http = new BenchHttp(httpPort)) {
                    while (error.get() == null) {
                        int n = requests.nextImage.getAndIncrement();
                        if (n >= level) {
                            requests.nextImage.compareAndSet(n + 1, level);
                            return;
                        }
                        int status = http.send("PUT", BenchRequests.image(n), BenchRequests.IMAGE_BODY);
                        if (status != 201) {
                            error.compareAndSet(null, "PUT " + BenchRequests.image(n) + " answered " + status + ": "
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
        requests.nextImage.set(level);
        PerfBench.check(error.get() == null, "seeding failed: " + error.get());
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode s = seeding.addObject();
        s.put("from", from);
        s.put("to", level);
        s.put("workers", workers);
        s.put("seconds", seconds);
        s.put("perSecond", (level - from) / seconds);
        s.put("rssMiB", azimuth.rssMiB());
        PerfBench.log("  %d images in %.1f s: %.0f PUT/s; RSS %.0f MiB", level - from, seconds,
                (level - from) / seconds, azimuth.rssMiB());
    }

    /** Unmeasured load on every path measured, so that the JIT has compiled them before the first figures. */
    private void jitWarmup() throws Exception {
        Duration each = settings.jitWarmup().dividedBy(5);
        int w = settings.workers();
        load.run("warm-up: image GET", 0, w, azimuth, httpPort, requests::imageGet, each, Duration.ZERO);
        load.run("warm-up: image PUT (update)", 0, w, azimuth, httpPort, requests::imageUpdate, each, Duration.ZERO);
        load.run("warm-up: image list", 0, w, azimuth, httpPort, requests::listFirst, each, Duration.ZERO);
        load.run("warm-up: image list, deep", 0, w, azimuth, httpPort, requests::listDeep, each, Duration.ZERO);
        load.run("warm-up: VM actions", 0, w, azimuth, httpPort, requests::vmAction, each, Duration.ZERO);
    }

    /**
     * Starts the baseline server answering, on a path per request kind, the status and bytes the emulator answered
     * to one such request, and warms it up.
     */
    private void startBaseline() throws Exception {
        byte[] body = BenchRequests.IMAGE_BODY;
        try (BenchHttp http = new BenchHttp(httpPort)) {
            answers.put("get", Answer.of(http, requests.imageGet(0, 0), "GET", "/get", null));
            answers.put("put", Answer.of(http, requests.imageUpdate(0, 0), "PUT", "/put", body));
            answers.put("create", Answer.of(http, requests.imageCreate(0, 0), "PUT", "/create", body));
            answers.put("list", Answer.of(http, requests.listFirst(0, 0), "GET", "/list", null));
            answers.put("deep", Answer.of(http, requests.listDeep(0, 0), "GET", "/deep", null));
            answers.put("action", Answer.of(http, requests.vmAction(0, 0), "POST", "/action", null));
            Answer.of(http, requests.vmAction(0, 1), "POST", "/action", null); // and started again
        }
        baselinePort = BenchServer.freePort();
        List<String> served = new ArrayList<>();
        Path bodies = settings.work().resolve("baseline-bodies");
        Files.createDirectories(bodies);
        for (Map.Entry<String, Answer> e : answers.entrySet()) {
            Path f = bodies.resolve(e.getKey() + ".json");
            Files.write(f, e.getValue().body());
            served.add(e.getValue().path() + "=" + e.getValue().status() + ":" + f.toAbsolutePath());
        }
        baseline = BenchServer.start("baseline", BenchServer.baseline(settings, baselinePort, served),
                logs.resolve("baseline.log"));
        baseline.untilStatus(baselinePort, "GET", "/", null, 200, System.nanoTime());
        Answer get = answers.get("get");
        load.run("warm-up: baseline", 0, settings.workers(), baseline, baselinePort,
                (x, n) -> new Load.Req("GET", get.path(), null, get.status()), settings.jitWarmup().dividedBy(2),
                Duration.ZERO);
    }

    /** A measured phase on the emulator and, when {@code compared}, the same on the baseline right after it. */
    private Load.Phase pair(ArrayNode rows, boolean compared, String name, int images, int workers,
                            Load.RequestSource source, String sample) throws Exception {
        Load.Phase p = load.measure(name, images, workers, azimuth, httpPort, source);
        if (compared) {
            Answer a = answers.get(sample);
            Load.Phase base = load.measure("baseline, " + name, 0, workers, baseline, baselinePort,
                    (x, n) -> new Load.Req(a.method(), a.path(), a.request(), a.status()));
            compare(rows, p, base, a);
        }
        return p;
    }

    private static void compare(ArrayNode rows, Load.Phase p, Load.Phase base, Answer sample) {
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
            PerfBench.log("SDK timing skipped (no BENCH_SDK_CLASSPATH or BENCH_SDK_RUNS=0)");
            return;
        }
        PerfBench.log("SDK: image define().create() and VM reimage, %d times each after a first call",
                settings.sdkRuns());
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
        PerfBench.check(p.exitValue() == 0, "the SDK timing failed; see " + err);
        String line = Files.readAllLines(out).stream().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("the SDK timing printed nothing; see " + err));
        ObjectNode sdk = (ObjectNode) PerfBench.JSON.readTree(line);
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
        PerfBench.log("  image create: first %.0f ms, median %.1f ms; reimage: first %.0f ms, median %.1f ms",
                sdk.path("firstImageCreateMs").asDouble(), sdk.path("imageCreateMedianMs").asDouble(),
                sdk.path("firstReimageMs").asDouble(), sdk.path("reimageMedianMs").asDouble());
    }

    /**
     * A response as the emulator gave it, for the baseline to give again on {@code path} to a request of the same
     * method and body.
     */
    record Answer(int status, byte[] body, String method, String path, byte[] request) {
        static Answer of(BenchHttp http, Load.Req r, String method, String path, byte[] request) throws IOException {
            int status = http.send(r.method(), r.path(), r.body());
            PerfBench.check(status == r.expected(), r.method() + " " + r.path() + " answered " + status + ": "
                    + http.bodyText());
            return new Answer(status, http.bodyBytes(), method, path, request);
        }
    }
}

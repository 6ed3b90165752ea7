import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up and idle memory: process start to the first 200 of {@code /_azimuth/health}, and to the first successful
 * image PUT; idle resident memory a moment (BENCH_IDLE_SETTLE) after the health answer, before any other request;
 * the CPU time used by then. The baseline: process start to its first 200. Each run a new process; the median is
 * reported, under {@code startup} in the results.
 */
final class StartupBench {
    private final BenchSettings settings;
    private final Path logs;
    private final ObjectNode result;

    StartupBench(BenchSettings settings, Path logs, ObjectNode result) {
        this.settings = settings;
        this.logs = logs;
        this.result = result;
    }

    /** Every run, with and without the class-data sharing archive when there is one, each in a directory of its own. */
    void run(Path dataRoot) throws Exception {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        List<String> cds = settings.cdsArchive() == null ? List.of()
                : List.of("-XX:SharedArchiveFile=" + settings.cdsArchive(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        for (int run = 0; run < settings.startupRuns(); run++) {
            // the baseline
            int port = BenchServer.freePort();
            long t0 = System.nanoTime();
            BenchServer base = BenchServer.start("baseline-startup", BenchServer.baseline(settings, port, List.of()),
                    logs.resolve("baseline-startup.log"));
            add(samples, "baselineHealthyMs", base.untilStatus(port, "GET", "/_azimuth/health", null, 200, t0));
            add(samples, "baselineHealthyCpuMs", cpuMs(base));
            Thread.sleep(settings.idleSettle().toMillis());
            add(samples, "baselineIdleRssMiB", base.rssMiB());
            base.stop();

            startupRuns(dataRoot.resolve("startup-" + run), null, List.of(), "", samples);
            if (!cds.isEmpty()) {
                startupRuns(dataRoot.resolve("startup-cds-" + run), null, cds, "Cds", samples);
            }
            if (settings.jdk25Java() != null) { // the JVM bin/azimuth prefers, without and with its AOT cache
                startupRuns(dataRoot.resolve("startup-jdk25-" + run), settings.jdk25Java(), List.of(), "Jdk25",
                        samples);
                if (settings.aotCache() != null) {
                    startupRuns(dataRoot.resolve("startup-aot-" + run), settings.jdk25Java(),
                            List.of("-XX:AOTCache=" + settings.aotCache()), "Jdk25Aot", samples);
                }
            }
            PerfBench.log("start-up run %d: baseline %.0f ms; Azimuth first start %.0f ms to healthy, restart %.0f "
                            + "ms to healthy, %.0f ms to first image PUT%s; idle RSS %.0f MiB (baseline %.0f MiB)",
                    run + 1,
                    last(samples, "baselineHealthyMs"), last(samples, "firstStartHealthyMs"),
                    last(samples, "restartHealthyMs"), last(samples, "restartFirstImagePutMs"),
                    cds.isEmpty() ? "" : PerfBench.fmt("; with the CDS archive %.0f ms first start, %.0f ms restart",
                            last(samples, "firstStartCdsHealthyMs"), last(samples, "restartCdsHealthyMs")),
                    last(samples, "restartIdleRssMiB"), last(samples, "baselineIdleRssMiB"));
            if (settings.jdk25Java() != null) {
                PerfBench.log("start-up run %d on %s: %.0f ms first start, %.0f ms restart; with the AOT cache %.0f ms "
                                + "and %.0f ms", run + 1, settings.jdk25Java(), last(samples, "firstStartJdk25HealthyMs"),
                        last(samples, "restartJdk25HealthyMs"), last(samples, "firstStartJdk25AotHealthyMs"),
                        last(samples, "restartJdk25AotHealthyMs"));
            }
        }
        ObjectNode s = result.putObject("startup");
        s.put("runs", settings.startupRuns());
        s.put("cdsArchive", settings.cdsArchive() == null ? null : settings.cdsArchive().toString());
        s.put("jdk25Java", settings.jdk25Java() == null ? null : settings.jdk25Java().toString());
        s.put("aotCache", settings.aotCache() == null ? null : settings.aotCache().toString());
        for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
            s.put(e.getKey(), median(e.getValue()));
        }
        s.set("samples", PerfBench.JSON.valueToTree(samples));
    }

    /**
     * Azimuth on an empty data directory (its first start, which also writes the certificate), then twice again on
     * it: to healthy with idle memory, and to the first image PUT answered 201, tried from process start on.
     */
    private void startupRuns(Path dir, Path java, List<String> jvmOptions, String variant,
                             Map<String, List<Double>> samples) throws Exception {
        int http = BenchServer.freePort();
        int https = BenchServer.freePort();
        long s0 = System.nanoTime();
        BenchServer az = BenchServer.start("azimuth-startup",
                BenchServer.azimuth(settings, java, jvmOptions, dir, http, https), logs.resolve("azimuth-startup.log"));
        add(samples, "firstStart" + variant + "HealthyMs", az.untilStatus(http, "GET", "/_azimuth/health", null,
                200, s0));
        add(samples, "firstStart" + variant + "HealthyCpuMs", cpuMs(az));
        Thread.sleep(settings.idleSettle().toMillis());
        add(samples, "firstStart" + variant + "IdleRssMiB", az.rssMiB());
        PerfBench.check(BenchHttp.once(http, "PUT", "/subscriptions/" + BenchRequests.SUB + "/resourceGroups/"
                        + BenchRequests.RG + "?api-version=" + BenchRequests.RG_V,
                "{\"location\":\"westus\"}".getBytes(StandardCharsets.UTF_8)) == 201,
                "cannot create the resource group");
        az.stop();
        s0 = System.nanoTime();
        az = BenchServer.start("azimuth-startup", BenchServer.azimuth(settings, java, jvmOptions, dir, http, https),
                logs.resolve("azimuth-startup.log"));
        add(samples, "restart" + variant + "HealthyMs", az.untilStatus(http, "GET", "/_azimuth/health", null, 200, s0));
        add(samples, "restart" + variant + "HealthyCpuMs", cpuMs(az));
        Thread.sleep(settings.idleSettle().toMillis());
        add(samples, "restart" + variant + "IdleRssMiB", az.rssMiB());
        az.stop();
        s0 = System.nanoTime();
        az = BenchServer.start("azimuth-startup", BenchServer.azimuth(settings, java, jvmOptions, dir, http, https),
                logs.resolve("azimuth-startup.log"));
        add(samples, "restart" + variant + "FirstImagePutMs", az.untilStatus(http, "PUT",
                BenchRequests.IMAGES + "/startup-image?api-version=" + BenchRequests.V, BenchRequests.IMAGE_BODY, 201,
                s0));
        az.stop();
    }

    /**
     * The CPU time (user and system, every thread, the JIT compilers' included) a process has used so far: read just
     * after its first health answer, what start-up cost, which on two cores bounds how fast it can be.
     */
    private double cpuMs(BenchServer server) {
        long ticks = BenchMachine.cpuTicks(server.process.pid());
        return ticks < 0 ? -1 : ticks * 1000.0 / settings.clockTicks();
    }

    private static void add(Map<String, List<Double>> samples, String key, double value) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static double last(Map<String, List<Double>> samples, String key) {
        List<Double> l = samples.get(key);
        return l == null || l.isEmpty() ? 0 : l.get(l.size() - 1);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

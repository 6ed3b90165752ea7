import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of a run: the environment it ran in, the targets met or missed, and the figures as JSON
 * ({@code perf-<date>-<time>[-smoke].json}) and as markdown ({@code .md} beside it, printed, and written between the
 * markers of the report, docs/PERFORMANCE.md, unless BENCH_REPORT=none).
 */
final class BenchReport {
    private final BenchSettings settings;
    private final ObjectNode result;
    private final List<Load.Phase> phases;
    private final String loadAtStart = BenchMachine.loadAverage();

    BenchReport(BenchSettings settings, ObjectNode result, List<Load.Phase> phases) {
        this.settings = settings;
        this.result = result;
        this.phases = phases;
    }

    /** Adds the environment, every measured phase and the targets to the results; the targets. */
    ObjectNode complete(double seconds) {
        result.set("environment", PerfBench.JSON.valueToTree(environment(seconds)));
        result.set("phases", PerfBench.JSON.valueToTree(phases));
        ObjectNode targets = targets();
        result.set("targets", targets);
        return targets;
    }

    /** Writes the JSON and the markdown (and the report's section), and prints the markdown. */
    void write(long began) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + (settings.label().isEmpty() ? "" : "-" + settings.label());
        Files.createDirectories(settings.results());
        Path json = settings.results().resolve("perf-" + stamp + (settings.smoke() ? "-smoke" : "") + ".json");
        Files.writeString(json, PerfBench.JSON.writeValueAsString(result));
        String markdown = markdown(json);
        Path md = settings.results().resolve("perf-" + stamp + (settings.smoke() ? "-smoke" : "") + ".md");
        Files.writeString(md, markdown);
        if (settings.report() != null) {
            writeReport(settings.report(), markdown);
        }
        System.out.println(markdown);
        PerfBench.log("results: %s and %s%s (%.0f s)", json, md,
                settings.report() == null ? "" : ", table in " + settings.report(), (System.nanoTime() - began) / 1e9);
    }

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
        e.put("cpuModel", BenchMachine.cpuModel());
        e.put("memory", BenchMachine.memory());
        e.put("fileSystem", settings.fileSystem());
        e.put("loadAverageAtStart", loadAtStart);
        e.put("loadAverageAtEnd", BenchMachine.loadAverage());
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

    private ObjectNode targets() {
        ObjectNode t = PerfBench.JSON.createObjectNode();
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
        if (s.has("restartJdk25AotHealthyMs")) {
            double aot = Math.max(s.path("firstStartJdk25AotHealthyMs").asDouble(),
                    s.path("restartJdk25AotHealthyMs").asDouble());
            target(list, "start-up to healthy < 0.5 s as `bin/azimuth` starts (JDK 25 and its AOT cache)",
                    fmt("%.0f ms first start, %.0f ms restart (%.1fx and %.1fx the baseline's)",
                            s.path("firstStartJdk25AotHealthyMs").asDouble(), s.path("restartJdk25AotHealthyMs").asDouble(),
                            s.path("firstStartJdk25AotHealthyMs").asDouble() / base,
                            s.path("restartJdk25AotHealthyMs").asDouble() / base), aot < 500);
        }
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
        double put = phases.stream().filter(p -> p.name().equals("image PUT (create)"))
                .mapToDouble(Load.Phase::perSecond).max().orElse(0);
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
        for (String[] v : new String[][] {{"Jdk25", "on `" + s.path("jdk25Java").asText() + "`"},
                {"Jdk25Aot", "on the same with its AOT cache (`-XX:AOTCache=" + s.path("aotCache").asText() + "`, "
                        + "as `bin/azimuth` starts)"}}) {
            if (!s.has("restart" + v[0] + "HealthyMs")) {
                continue;
            }
            double base = s.path("baselineHealthyMs").asDouble();
            b.append(fmt("| %s: to healthy | | %.0f ms (%.1fx) | %.0f ms (%.1fx) |%n", v[1],
                    s.path("firstStart" + v[0] + "HealthyMs").asDouble(),
                    s.path("firstStart" + v[0] + "HealthyMs").asDouble() / base,
                    s.path("restart" + v[0] + "HealthyMs").asDouble(),
                    s.path("restart" + v[0] + "HealthyMs").asDouble() / base));
            b.append(fmt("| ... CPU time used by then | | %.0f ms | %.0f ms |%n",
                    s.path("firstStart" + v[0] + "HealthyCpuMs").asDouble(),
                    s.path("restart" + v[0] + "HealthyCpuMs").asDouble()));
            b.append(fmt("| ... resident memory, idle | | %.0f MiB | %.0f MiB |%n",
                    s.path("firstStart" + v[0] + "IdleRssMiB").asDouble(),
                    s.path("restart" + v[0] + "IdleRssMiB").asDouble()));
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

        JsonNode under = r.path("writesUnderReads");
        if (under.size() > 0) {
            double alone = under.get(0).path("putPerSecond").asDouble();
            b.append(fmt("%n**Writes beside readers** (%d workers replacing images while more clients list the first "
                    + "page without pausing; the ratio is against the same PUTs with no lister, in the same run)%n%n",
                    settings.workers()));
            b.append("| listing clients | PUT/s | ratio | PUT p50 / p99 ms | lists/s | server CPU |\n");
            b.append("|---:|---:|---:|---:|---:|---:|\n");
            for (JsonNode u : under) {
                b.append(fmt("| %d | %,.0f | %.2f | %.2f / %.2f | %,.0f | %.2f |%n", u.path("readers").asInt(),
                        u.path("putPerSecond").asDouble(), alone > 0 ? u.path("putPerSecond").asDouble() / alone : 0,
                        u.path("putP50Ms").asDouble(), u.path("putP99Ms").asDouble(),
                        u.path("listsPerSecond").asDouble(), u.path("serverCores").asDouble()));
            }
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
        for (Load.Phase p : phases) {
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

    private static String fmt(String format, Object... args) {
        return PerfBench.fmt(format, args);
    }
}

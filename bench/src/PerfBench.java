import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;

/**
 * The performance suite behind {@code bench/run.sh}: start-up, memory, throughput and latency of the packaged
 * emulator against a baseline Vert.x server ({@link BaselineServer}) measured in the same run, cost growth with
 * the number of stored images, and the Azure SDK's wall time ({@code SdkBench}). Settings come from
 * {@code BENCH_*} environment variables ({@link BenchSettings}, see bench/README.md); the load generator is a closed
 * loop over plain sockets (HTTP/1.1, keep-alive; {@link Load}), cheap enough that it leaves most of a small machine
 * to the server. This class runs the phases in order ({@link StartupBench}, then {@link ThroughputBench}) and hands
 * the results to {@link BenchReport}; the formatting, logging and file helpers below are shared with the rest of the
 * benchmark, {@code DiskBench} included.
 */
public final class PerfBench {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) throws Exception {
        BenchSettings s = BenchSettings.fromEnvironment();
        int code;
        try {
            code = new PerfBench(s).run();
        } catch (Exception e) {
            log("FAILED: %s", e);
            e.printStackTrace();
            code = 1;
        } finally {
            BenchServer.stopAll();
        }
        System.exit(code);
    }

    // ================================================================================================ the run

    private final BenchSettings settings;
    private final ObjectNode result = JSON.createObjectNode();
    private final Load load;
    private final BenchReport report;

    PerfBench(BenchSettings settings) {
        this.settings = settings;
        this.load = new Load(settings);
        this.report = new BenchReport(settings, result, load.phases());
    }

    int run() throws Exception {
        long began = System.nanoTime();
        Path logs = settings.work().resolve("logs");
        Files.createDirectories(logs);
        Path dataRoot = Files.createTempDirectory(settings.dataRoot(), "azimuth-perf-");
        try {
            BenchMachine.Fsync fsync = BenchMachine.Fsync.probe(dataRoot, settings.fsyncProbes());
            result.set("fsyncProbe", JSON.valueToTree(fsync));
            log("fsync probe: p50 %.3f ms, %.0f/s", fsync.p50Ms(), fsync.perSecond());
            new StartupBench(settings, logs, result).run(dataRoot);
            new ThroughputBench(settings, logs, result, load).run(dataRoot);
        } finally {
            deleteTree(dataRoot);
        }
        ObjectNode targets = report.complete((System.nanoTime() - began) / 1e9);
        report.write(began);
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
        if (load.failed()) {
            log("FAILED: some requests failed (see the errors column and %s)", logs);
            return 1;
        }
        return 0;
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
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

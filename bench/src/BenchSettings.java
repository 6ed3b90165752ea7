import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run of {@link PerfBench} is told, from {@code BENCH_*} environment variables (see bench/README.md; run.sh
 * sets most of them): where the jar, the classes and the results are, the image counts to measure at, the workers,
 * the durations of warm-up and measurement, and what the report says about the run.
 */
record BenchSettings(boolean smoke, Path jar, Path classes, String sdkClasspath, Path work, Path dataRoot,
                     Path results, Path report, List<Integer> levels, int workers, int seedWorkers,
                     Duration warmup, Duration measure, Duration jitWarmup, Duration idleSettle, int startupRuns,
                     int sdkRuns,
                     int fsyncProbes, long clockTicks, String fileSystem, String revision, String command,
                     List<String> jvmOptions, List<String> azimuthJvmOptions, String label, Path cdsArchive,
                     Path jdk25Java, Path aotCache) {
    static BenchSettings fromEnvironment() {
        boolean smoke = env("BENCH_SMOKE", "0").equals("1");
        List<Integer> levels = new ArrayList<>();
        for (String l : env("BENCH_LEVELS", smoke ? "100 1000" : "1000 10000 100000").trim().split("[\\s,]+")) {
            levels.add(Integer.parseInt(l.replace("_", "")));
        }
        String report = env("BENCH_REPORT", smoke ? "none" : "docs/PERFORMANCE.md");
        return new BenchSettings(smoke, Path.of(env("BENCH_JAR", "target/azimuth.jar")),
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
                env("BENCH_CDS_ARCHIVE", "").isEmpty() ? null : Path.of(env("BENCH_CDS_ARCHIVE", "")),
                env("BENCH_JDK25_JAVA", "").isEmpty() ? null : Path.of(env("BENCH_JDK25_JAVA", "")),
                env("BENCH_AOT_CACHE", "").isEmpty() ? null : Path.of(env("BENCH_AOT_CACHE", "")));
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

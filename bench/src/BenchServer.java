import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server JVM the benchmark started, the emulator from its jar or the baseline ({@link BaselineServer}); its output
 * goes to a log file. The command lines that start either, the wait for a first answer, the memory read from it, and
 * stopping it (every one still running when the benchmark ends, too).
 */
final class BenchServer {
    private static final List<Process> RUNNING = new CopyOnWriteArrayList<>();

    final String name;
    final Process process;
    final Path log;

    private BenchServer(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static BenchServer start(String name, List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RUNNING.add(p);
        return new BenchServer(name, p, log);
    }

    // ------------------------------------------------------------------------------------------------ commands

    static List<String> azimuth(BenchSettings settings, Path dir, int http, int https) {
        return azimuth(settings, List.of(), dir, http, https);
    }

    static List<String> azimuth(BenchSettings settings, List<String> jvmOptions, Path dir, int http, int https) {
        return azimuth(settings, null, jvmOptions, dir, http, https);
    }

    /** On the JVM {@code java} (null: the one running the bench). */
    static List<String> azimuth(BenchSettings settings, Path java, List<String> jvmOptions, Path dir, int http,
                                int https) {
        List<String> c = new ArrayList<>(settings.azimuthJvmOptions());
        c.addAll(jvmOptions);
        c.addAll(List.of("-jar", settings.jar().toString(), "--http-port", String.valueOf(http), "--https-port",
                String.valueOf(https), "--data-dir", dir.toString(), "--vhd-check", "lenient",
                "--operation-delay", "0"));
        return command(settings, java, c);
    }

    /** The baseline on {@code port}, answering each {@code path=status:file} of {@code answers}. */
    static List<String> baseline(BenchSettings settings, int port, List<String> answers) {
        List<String> args = new ArrayList<>(List.of("-cp", settings.jar() + File.pathSeparator + settings.classes(),
                "BaselineServer", String.valueOf(port)));
        args.addAll(answers);
        return command(settings, List.of(), args.toArray(String[]::new));
    }

    private static List<String> command(BenchSettings settings, List<String> extra, String... args) {
        return command(settings, null, extra, args);
    }

    private static List<String> command(BenchSettings settings, Path java, List<String> extra, String... args) {
        List<String> c = new ArrayList<>();
        c.add(java != null ? java.toString() : Path.of(System.getProperty("java.home"), "bin", "java").toString());
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

    // ------------------------------------------------------------------------------------------------ the process

    /** Milliseconds from {@code t0} until the request answers {@code status}, trying every 2 ms. */
    double untilStatus(int port, String method, String path, byte[] body, int status, long t0) throws Exception {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            int got = BenchHttp.once(port, method, path, body);
            if (got == status) {
                return (System.nanoTime() - t0) / 1e6;
            }
            PerfBench.check(process.isAlive(), name + " exited during start-up; see " + log);
            PerfBench.check(got == -1 || got == 503, name + " answered " + got + " to " + method + " " + path);
            PerfBench.check(System.nanoTime() < deadline, name + " did not answer within 60 s");
            Thread.sleep(2);
        }
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
            Matcher m = Pattern.compile("used (\\d+)K").matcher(out);
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

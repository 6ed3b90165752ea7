package io.azimuth.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged jar run as users run it: a separate process on ephemeral ports, killed or stopped at will. */
public final class JarProcess implements AutoCloseable {
    private static final Pattern LISTENING =
            Pattern.compile("listening on http://[^:]+:(\\d+) and https://[^:]+:(\\d+)");

    public final Process process;
    public final int httpPort;
    public final int httpsPort;
    /** From process start to the first 200 of {@code /_azimuth/health}. */
    public final long startupMillis;
    private final Path log;

    private JarProcess(Process process, int httpPort, int httpsPort, long startupMillis, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.startupMillis = startupMillis;
        this.log = log;
    }

    public static Path jar() {
        String path = System.getProperty("azimuth.jar", "target/azimuth.jar");
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the packaged jar is missing at " + jar + ": run 'mvn verify'");
        }
        return jar;
    }

    public static JarProcess start(Path dataDir, String... args) {
        return start(List.of(), dataDir, args);
    }

    /** With options for the JVM (a heap limit, say) before {@code -jar}. */
    public static JarProcess start(List<String> jvmOptions, Path dataDir, String... args) {
        try {
            Files.createDirectories(dataDir);
            Path log = Files.createTempFile("azimuth-stderr", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar().toString(), "--http-port", "0", "--https-port", "0", "--data-dir",
                    dataDir.toString()));
            command.addAll(List.of(args));
            long started = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
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
            String first;
            try {
                first = line.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                first = null;
            }
            if (first == null) {
                p.destroyForcibly();
                throw new IllegalStateException("the jar did not start: " + Files.readString(log));
            }
            Matcher m = LISTENING.matcher(first);
            m.find();
            int http = Integer.parseInt(m.group(1));
            int https = Integer.parseInt(m.group(2));
            Http client = Http.plain("http://127.0.0.1:" + http);
            while (client.get("/_azimuth/health").status() != 200) {
                Thread.sleep(5);
            }
            long startup = (System.nanoTime() - started) / 1_000_000;
            return new JarProcess(p, http, https, startup, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Http http() {
        return Http.plain("http://127.0.0.1:" + httpPort);
    }

    public String httpsBase() {
        return "https://127.0.0.1:" + httpsPort;
    }

    public String certificatePem() {
        return http().get("/_azimuth/cert").body();
    }

    /** Resident memory of the process in KiB, from /proc. */
    public long residentKib() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String stderr() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}

package io.azimuth.it;

import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/azimuth, the README's way to start: the newest JDK found (JAVA_HOME first), the start-up cache the build made
 * for it, every argument passed through, and the JVM exec'd so that signals reach it.
 */
class LauncherIT {
    static final Path LAUNCHER = Path.of("bin/azimuth").toAbsolutePath();
    static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private static String print(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        pb.environment().put("AZIMUTH_LAUNCHER", "print");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** The JDK directories under /usr/lib/jvm whose release file says JAVA_VERSION 25 or later. */
    private static List<Path> jdks25() throws IOException {
        List<Path> found = new ArrayList<>();
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return found;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvm)) {
            for (Path d : dirs) {
                Path release = d.resolve("release");
                if (!Files.isRegularFile(release) || Files.isSymbolicLink(d)) {
                    continue;
                }
                Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
                if (m.find() && Integer.parseInt(m.group(1)) >= 25) {
                    found.add(d.toRealPath());
                }
            }
        }
        return found;
    }

    @Test
    void theJdkAndItsCacheAreChosenAndEveryArgumentPassedThrough() throws Exception {
        Path jar = JarProcess.jar().toRealPath();
        String javaHome = Path.of(System.getProperty("java.home")).toRealPath().toString();
        String withHome = print(Map.of("JAVA_HOME", javaHome), "--in-memory", "--http-port", "0");
        assertThat(withHome).startsWith(javaHome + "/bin/java ").endsWith("-jar " + jar + " --in-memory --http-port 0");
        Matcher runtime = Pattern.compile("(?m)^JAVA_RUNTIME_VERSION=\"([^\"]+)\"")
                .matcher(Files.readString(Path.of(javaHome, "release")));
        assertThat(runtime.find()).isTrue();
        Path cache = Path.of(jar.toString().replace(".jar", "-" + runtime.group(1)
                + (Runtime.version().feature() >= 25 ? ".aot" : ".jsa")));
        assertThat(cache).as("the build made a cache for the JDK running it").exists();
        assertThat(withHome).contains((Runtime.version().feature() >= 25 ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=")
                + cache + " -jar ");
        List<Path> newer = jdks25();
        String chosen = print(Map.of(), "--log-level", "WARN");
        if (!newer.isEmpty()) {
            assertThat(newer.stream().anyMatch(d -> chosen.startsWith(d + "/bin/java "))).as(chosen).isTrue();
            assertThat(chosen).as("the AOT cache the build made for it").contains("-XX:AOTCache=")
                    .contains(".aot -jar " + jar);
        }
        assertThat(chosen).endsWith("-jar " + jar + " --log-level WARN");

        // a jar without caches beside it (or older ones) starts without
        Path dir = Files.createTempDirectory("azimuth-launcher");
        try {
            Path copy = dir.resolve("azimuth.jar");
            Files.copy(jar, copy);
            String bare = print(Map.of("AZIMUTH_JAR", copy.toString(), "JAVA_HOME", javaHome));
            assertThat(bare).isEqualTo(javaHome + "/bin/java -jar " + copy.toRealPath());
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void theLauncherBecomesTheJvmWhichServesAndStopsOnSigterm() throws Exception {
        Path data = Files.createTempDirectory("azimuth-launcher-data");
        Process p = new ProcessBuilder(LAUNCHER.toString(), "--http-port", "0", "--https-port", "0", "--data-dir",
                data.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            Matcher m = null;
            while ((line = out.readLine()) != null) {
                m = LISTENING.matcher(line);
                if (m.find()) {
                    break;
                }
            }
            assertThat(line).as("the listening line").isNotNull();
            Http http = Http.plain("http://127.0.0.1:" + m.group(1));
            assertThat(http.get("/_azimuth/health").status()).isEqualTo(200);
            assertThat(p.info().command().orElse("")).as("exec'd: the process is the JVM").endsWith("/java");
            p.destroy(); // SIGTERM, to the JVM itself
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            assertThat(Files.exists(data.resolve("azimuth.lock"))).isTrue();
        } finally {
            p.destroyForcibly();
            TestServer.deleteTree(data);
        }
    }
}

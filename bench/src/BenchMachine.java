import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * What the benchmark reads about the machine it runs on: CPU time of processes and of the machine in clock ticks,
 * from /proc (-1 where there is no /proc); the cost of a durable write on the data directory's file system; and the
 * load average, CPU model and memory the report states.
 */
final class BenchMachine {
    private BenchMachine() {
    }

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

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
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
            return new Fsync(count, Load.millis(Load.percentile(t, 50)),
                    Load.millis(Load.percentile(t, 99)), count / seconds);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB").findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.VhdFooter;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The disk-bytes benchmark (bench/disks.sh): what copying a disk costs in Azimuth against copying its file with
 * {@code cp --sparse=always}, as the disk grows with the same amount of data in it; and what a streamed VHD upload
 * achieves against {@code dd} writing the same bytes to the same file system. Both sides of every ratio are measured
 * in the same run, on the same machine, with the same page cache. Compiled with {@link PerfBench} and the classes
 * beside it, whose process ({@link BenchServer}) and formatting helpers it shares.
 */
public final class DiskBench {
    static final long MIB = 1024L * 1024;
    static final long GIB = 1024 * MIB;
    static final String SUB = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    static final String RG = "/subscriptions/" + SUB + "/resourceGroups/diskbench";
    static final String COMPUTE = RG + "/providers/Microsoft.Compute";
    static final String DISKS_API = "api-version=2025-01-02";
    static final String IMAGES_API = "api-version=2025-04-01";
    static final String GALLERY_API = "api-version=2024-03-03";
    static final String GALLERY = COMPUTE + "/galleries/bench";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String BEGIN = "<!-- bench/disks.sh results: begin -->";
    static final String END = "<!-- bench/disks.sh results: end -->";

    final boolean smoke = "1".equals(System.getenv("BENCH_SMOKE"));
    final Path jar = Path.of(env("BENCH_JAR", "target/azimuth.jar"));
    final Path work;
    final List<Long> sizes;
    final long data;
    final long upload;
    final int runs;
    final int warmUps;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    Process server;
    int port;

    DiskBench() throws IOException {
        work = Files.createTempDirectory(Path.of(env("BENCH_DATA_DIR", System.getProperty("java.io.tmpdir"))),
                "azimuth-diskbench");
        sizes = Arrays.stream(env("BENCH_DISK_SIZES_MIB", smoke ? "64 256" : "1024 4096 16384 65536").trim()
                .split("\\s+")).map(s -> Long.parseLong(s) * MIB).toList();
        data = Long.parseLong(env("BENCH_DISK_DATA_MIB", smoke ? "16" : "1024")) * MIB;
        upload = Long.parseLong(env("BENCH_UPLOAD_MIB", smoke ? "64" : "2048")) * MIB;
        runs = Integer.parseInt(env("BENCH_DISK_RUNS", smoke ? "1" : "5"));
        warmUps = Integer.parseInt(env("BENCH_DISK_WARMUP", smoke ? "1" : "40"));
    }

    public static void main(String[] args) throws Exception {
        DiskBench b = new DiskBench();
        try {
            b.run();
        } finally {
            b.stop();
            PerfBench.deleteTree(b.work);
        }
    }

    void run() throws Exception {
        ObjectNode report = JSON.createObjectNode();
        report.put("date", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        report.put("command", env("BENCH_COMMAND", "bench/disks.sh"));
        report.put("revision", env("BENCH_REVISION", "unknown"));
        report.put("fileSystem", env("BENCH_FS", "unknown"));
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("smoke", smoke);
        start();
        call("PUT", RG + "?api-version=2021-04-01", "{\"location\":\"westus\"}", 200, 201);
        // the network the VMs' NICs sit in (a VM's NIC must exist)
        call("PUT", RG + "/providers/Microsoft.Network/virtualNetworks/vnet?api-version=2023-09-01",
                "{\"location\":\"westus\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},"
                + "\"subnets\":[{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}", 200, 201);

        // the gallery and image definition the versions are published to
        call("PUT", GALLERY + "?" + GALLERY_API, "{\"location\":\"westus\"}", 200, 201);
        call("PUT", GALLERY + "/images/linux?" + GALLERY_API, "{\"location\":\"westus\",\"properties\":"
                + "{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"identifier\":{\"publisher\":\"bench\","
                + "\"offer\":\"disks\",\"sku\":\"linux\"}}}", 200, 201);

        // the JIT compiles the request paths of capture, images and snapshots first, on a small disk, unmeasured
        log("warming up: %d rounds on a 64 MiB disk", warmUps);
        copySeries(64 * MIB, warmUps);
        ArrayNode copies = report.putArray("copies");
        for (long size : sizes) {
            copies.add(copySeries(size, runs));
        }
        report.set("upload", uploadSeries());
        stop();

        String markdown = markdown(report);
        System.out.println(markdown);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path results = smoke ? Path.of("bench/target/results") : Path.of("bench/results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("disks-" + stamp + ".json"), JSON.writeValueAsString(report));
        Files.writeString(results.resolve("disks-" + stamp + ".md"), markdown);
        if (!smoke) {
            writeSection(Path.of("docs/PERFORMANCE.md"), markdown);
        }
        log("wrote %s/disks-%s.{md,json}", results, stamp);
    }

    // ------------------------------------------------------------------------------------------ copy cost

    /**
     * One disk size: a sparse VHD with {@link #data} bytes of random data in 64 MiB extents spread over the disk,
     * written as a local file and uploaded page by page; then, alternating, {@code cp --sparse=always} of the file
     * and Azimuth's image-from-disk and snapshot (copy) of the imported disk, each timed end to end.
     */
    ObjectNode copySeries(long size, int runs) throws Exception {
        long written = Math.min(data, size / 2);
        long extent = Math.min(64 * MIB, written);
        int extents = (int) (written / extent);
        long stride = size / extents;
        log("disk %s: %s of data in %d extents", human(size), human(written), extents);
        Path file = work.resolve("disk-" + size + ".vhd");
        String blob = "/_azimuth/blobs/benchacct/vhds/disk-" + size + ".vhd";
        byte[][] digests = new byte[extents][];
        SplittableRandom random = new SplittableRandom(size);
        byte[] buffer = new byte[(int) Math.min(extent, 4 * MIB)];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size + VhdFooter.SIZE);
            call("PUT", blob, null, 201, 201, "x-ms-blob-type", "PageBlob", "x-ms-blob-content-length",
                    String.valueOf(size + VhdFooter.SIZE));
            for (int e = 0; e < extents; e++) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long at = e * stride;
                for (long off = 0; off < extent; off += buffer.length) {
                    fill(random, buffer);
                    sha.update(buffer);
                    f.seek(at + off);
                    f.write(buffer);
                    putPage(blob, at + off, buffer);
                }
                digests[e] = sha.digest();
            }
            byte[] footer = VhdFooter.fixed(size);
            f.seek(size);
            f.write(footer);
            putPage(blob, size, footer);
        }
        String diskId = COMPUTE + "/disks/source-" + size;
        call("PUT", diskId + "?" + DISKS_API, "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\","
                + "\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"https://benchacct.blob.core.windows.net"
                + "/vhds/disk-" + size + ".vhd\"}}}", 200, 200);

        String blobUri = "https://benchacct.blob.core.windows.net/vhds/disk-" + size + ".vhd";
        String vm = COMPUTE + "/virtualMachines/vm-" + size;
        String nic = RG + "/providers/Microsoft.Network/networkInterfaces/nic-" + size;
        call("PUT", nic + "?api-version=2023-09-01", "{\"location\":\"westus\",\"properties\":{\"ipConfigurations\":"
                + "[{\"name\":\"ip\",\"properties\":{\"subnet\":{\"id\":\"" + RG
                + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default\"}}}]}}", 200, 201);
        call("PUT", vm + "?" + IMAGES_API, "{\"location\":\"westus\",\"properties\":{\"hardwareProfile\":"
                + "{\"vmSize\":\"Standard_D2s_v3\"},\"storageProfile\":{\"osDisk\":{\"createOption\":\"FromImage\","
                + "\"osType\":\"Linux\",\"image\":{\"uri\":\"" + blobUri + "\"},\"vhd\":{\"uri\":"
                + "\"https://benchacct.blob.core.windows.net/vhds/vm-" + size + "-os.vhd\"}}},\"osProfile\":"
                + "{\"computerName\":\"bench\",\"adminUsername\":\"azureuser\",\"adminPassword\":\"Bench-Pass1\"},"
                + "\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"" + nic + "\"}]}}}", 200, 201);
        call("POST", vm + "/powerOff?" + IMAGES_API, null, 200, 200);
        call("POST", vm + "/generalize?" + IMAGES_API, null, 200, 200);

        List<Double> cp = new ArrayList<>();
        List<Double> capture = new ArrayList<>();
        List<Double> image = new ArrayList<>();
        List<Double> snapshot = new ArrayList<>();
        List<Double> version = new ArrayList<>();
        List<Double> deletes = new ArrayList<>();
        Path copy = work.resolve("copy.vhd");
        for (int i = 0; i <= runs; i++) { // run 0 warms up both sides and is not counted
            Files.deleteIfExists(copy);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("cp", "--sparse=always", file.toString(), copy.toString()).inheritIO().start();
            check(p.waitFor() == 0, "cp failed");
            double cpMs = ms(t0);
            Files.deleteIfExists(copy);

            String imageId = COMPUTE + "/images/image-" + size + "-" + i;
            t0 = System.nanoTime();
            call("PUT", imageId + "?" + IMAGES_API, "{\"location\":\"westus\",\"properties\":{\"storageProfile\":"
                    + "{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\""
                    + diskId + "\"}}}}}", 201, 201);
            double imageMs = ms(t0);

            String versionId = GALLERY + "/images/linux/versions/1." + (size / MIB) + "." + i;
            t0 = System.nanoTime();
            call("PUT", versionId + "?" + GALLERY_API, "{\"location\":\"westus\",\"properties\":{\"storageProfile\":"
                    + "{\"source\":{\"id\":\"" + imageId + "\"}}}}", 201, 201);
            double versionMs = ms(t0);

            String snapshotId = COMPUTE + "/snapshots/snapshot-" + size + "-" + i;
            t0 = System.nanoTime();
            call("PUT", snapshotId + "?" + DISKS_API, "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                    + "{\"createOption\":\"Copy\",\"sourceResourceId\":\"" + diskId + "\"}}}", 200, 200);
            double snapshotMs = ms(t0);
            t0 = System.nanoTime();
            HttpResponse<String> captured = call("POST", vm + "/capture?" + IMAGES_API, "{\"vhdPrefix\":\"cap" + i
                    + "\",\"destinationContainerName\":\"captures\",\"overwriteVhds\":true}", 200, 200);
            double captureMs = ms(t0);
            String capturedUri = JSON.readTree(captured.body()).path("resources").path(0).path("properties")
                    .path("storageProfile").path("osDisk").path("image").path("uri").asText();
            check(capturedUri.startsWith("https://benchacct.blob.core.windows.net/"), "capture answered " + captured.body());
            String capturedBlob = "/_azimuth/blobs/benchacct/" + capturedUri.substring(
                    "https://benchacct.blob.core.windows.net/".length());
            if (i == runs) {
                verify(snapshotId, size, stride, extent, digests);
                verifyBlob(capturedBlob, stride, extent, digests);
                log("  the captured VHD of the %s disk reads back byte for byte", human(size));
            }
            call("DELETE", capturedBlob, null, 204, 204);
            call("DELETE", versionId + "?" + GALLERY_API, null, 200, 204);
            t0 = System.nanoTime();
            call("DELETE", imageId + "?" + IMAGES_API, null, 200, 204);
            call("DELETE", snapshotId + "?" + DISKS_API, null, 200, 204);
            double deleteMs = ms(t0) / 2;
            if (i > 0) {
                cp.add(cpMs);
                capture.add(captureMs);
                image.add(imageMs);
                snapshot.add(snapshotMs);
                version.add(versionMs);
                deletes.add(deleteMs);
            }
        }
        call("DELETE", vm + "?" + IMAGES_API, null, 200, 204);
        call("DELETE", "/_azimuth/blobs/benchacct/vhds/vm-" + size + "-os.vhd", null, 204, 404); // a detached disk
        call("DELETE", diskId + "?" + DISKS_API, null, 200, 204);
        call("DELETE", blob, null, 200, 204);
        Files.delete(file);

        ObjectNode row = JSON.createObjectNode();
        row.put("diskBytes", size);
        row.put("dataBytes", written);
        row.put("cpMillis", median(cp));
        row.put("captureMillis", median(capture));
        row.put("cpOverCapture", median(cp) / median(capture));
        row.put("imageFromDiskMillis", median(image));
        row.put("snapshotCopyMillis", median(snapshot));
        row.put("galleryVersionMillis", median(version));
        row.put("cpOverGalleryVersion", median(cp) / median(version));
        row.put("deleteMillis", median(deletes));
        row.put("cpOverImage", median(cp) / median(image));
        row.put("cpOverSnapshot", median(cp) / median(snapshot));
        row.put("runs", runs);
        row.put("bytesVerified", true);
        log("  cp %.1f ms, capture %.2f ms (%.0fx), image from disk %.2f ms (%.0fx), snapshot %.2f ms (%.0fx), "
                + "gallery version %.2f ms (%.0fx), delete %.2f ms", median(cp), median(capture),
                median(cp) / median(capture), median(image), median(cp) / median(image), median(snapshot),
                median(cp) / median(snapshot), median(version), median(cp) / median(version), median(deletes));
        return row;
    }

    /** Reads the snapshot back through its access URL and compares every data extent with what was written. */
    void verify(String snapshotId, long size, long stride, long extent, byte[][] digests) throws Exception {
        HttpResponse<String> r = call("POST", snapshotId + "/beginGetAccess?" + DISKS_API,
                "{\"access\":\"Read\",\"durationInSeconds\":600}", 200, 202);
        JsonNode result;
        if (r.statusCode() == 202) {
            String location = r.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> polled;
            do {
                polled = send(HttpRequest.newBuilder(URI.create(location)).GET(), HttpResponse.BodyHandlers.ofString());
            } while (polled.statusCode() == 202);
            check(polled.statusCode() == 200, "access result: " + polled.statusCode() + " " + polled.body());
            result = JSON.readTree(polled.body());
        } else {
            result = JSON.readTree(r.body());
        }
        String sas = result.path("accessSAS").asText();
        check(!sas.isEmpty(), "no accessSAS in " + result);
        URI uri = URI.create(sas);
        compareExtents(URI.create("http://127.0.0.1:" + port + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())), stride, extent, digests);
        call("POST", snapshotId + "/endGetAccess?" + DISKS_API, null, 200, 202);
        log("  the snapshot of the %s disk reads back byte for byte", human(size));
    }

    /** Reads a blob of the blob endpoint and compares every data extent with what was written. */
    void verifyBlob(String path, long stride, long extent, byte[][] digests) throws Exception {
        compareExtents(local(path), stride, extent, digests);
    }

    void compareExtents(URI local, long stride, long extent, byte[][] digests) throws Exception {
        for (int e = 0; e < digests.length; e++) {
            long at = e * stride;
            HttpResponse<InputStream> part = send(HttpRequest.newBuilder(local)
                    .header("Range", "bytes=" + at + "-" + (at + extent - 1)).GET(),
                    HttpResponse.BodyHandlers.ofInputStream());
            check(part.statusCode() == 206, "range read of " + local.getPath() + ": " + part.statusCode());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = part.body()) {
                byte[] b = new byte[1 << 20];
                int n;
                while ((n = in.read(b)) > 0) {
                    sha.update(b, 0, n);
                }
            }
            check(Arrays.equals(sha.digest(), digests[e]), local.getPath() + ": extent " + e + " differs from the disk's");
        }
    }

    // ------------------------------------------------------------------------------------------ upload

    /**
     * A VHD full of random data streamed to the blob endpoint in one PUT, against {@code dd bs=1M} of the same file
     * into the same file system, with {@code conv=fsync} (what Azimuth does before it answers) and without.
     */
    ObjectNode uploadSeries() throws Exception {
        long size = upload;
        Path file = work.resolve("upload.vhd");
        SplittableRandom random = new SplittableRandom(7);
        byte[] buffer = new byte[(int) (4 * MIB)];
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long off = 0; off < size; off += buffer.length) {
                fill(random, buffer);
                c.write(ByteBuffer.wrap(buffer), off);
            }
            c.write(ByteBuffer.wrap(VhdFooter.fixed(size)), size);
        }
        long bytes = size + VhdFooter.SIZE;
        log("upload: %s VHD", human(size));
        List<Double> azimuth = new ArrayList<>();
        List<Double> ddSync = new ArrayList<>();
        List<Double> ddCache = new ArrayList<>();
        Path out = work.resolve("dd.out");
        int uploads = smoke ? 1 : 3;
        for (int i = 0; i <= uploads; i++) {
            Files.deleteIfExists(out);
            long t0 = System.nanoTime();
            dd(file, out, true);
            double sync = ms(t0);
            Files.deleteIfExists(out);
            t0 = System.nanoTime();
            dd(file, out, false);
            double cache = ms(t0);
            Files.deleteIfExists(out);

            String blob = "/_azimuth/blobs/benchacct/uploads/up-" + i + ".vhd";
            t0 = System.nanoTime();
            HttpResponse<String> r = send(HttpRequest.newBuilder(local(blob))
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)), HttpResponse.BodyHandlers.ofString());
            double put = ms(t0);
            check(r.statusCode() == 201, "upload: " + r.statusCode() + " " + r.body());
            call("DELETE", blob, null, 200, 204);
            if (i > 0) { // the first round warms up the JIT and the page cache
                azimuth.add(put);
                ddSync.add(sync);
                ddCache.add(cache);
            }
        }
        Files.delete(file);
        ObjectNode row = JSON.createObjectNode();
        row.put("bytes", bytes);
        row.put("azimuthMiBps", bytes / MIB / (median(azimuth) / 1000));
        row.put("ddFsyncMiBps", bytes / MIB / (median(ddSync) / 1000));
        row.put("ddMiBps", bytes / MIB / (median(ddCache) / 1000));
        row.put("azimuthOverDdFsync", median(ddSync) / median(azimuth));
        row.put("azimuthOverDd", median(ddCache) / median(azimuth));
        row.put("runs", uploads);
        log("  Azimuth %.0f MiB/s, dd conv=fsync %.0f MiB/s (%.2fx), dd %.0f MiB/s (%.2fx)",
                row.get("azimuthMiBps").asDouble(), row.get("ddFsyncMiBps").asDouble(),
                row.get("azimuthOverDdFsync").asDouble(), row.get("ddMiBps").asDouble(),
                row.get("azimuthOverDd").asDouble());
        return row;
    }

    static void dd(Path in, Path out, boolean fsync) throws Exception {
        List<String> c = new ArrayList<>(List.of("dd", "if=" + in, "of=" + out, "bs=1M", "status=none"));
        if (fsync) {
            c.add("conv=fsync");
        }
        Process p = new ProcessBuilder(c).inheritIO().start();
        check(p.waitFor() == 0, "dd failed");
    }

    // ------------------------------------------------------------------------------------------ report

    String markdown(ObjectNode report) {
        StringBuilder b = new StringBuilder();
        b.append("Disk bytes: `").append(report.get("command").asText()).append("` at ")
                .append(report.get("revision").asText()).append(", ").append(report.get("date").asText())
                .append(", ").append(report.get("cpus").asInt()).append(" CPUs, data on ")
                .append(report.get("fileSystem").asText()).append(".\n\n");
        b.append("Copy cost as the disk grows (same data in it; median of ").append(runs)
                .append(" runs; times end to end over HTTP, from request to answer):\n\n");
        b.append("| disk | data | `cp --sparse=always` | VM capture | cp ÷ capture | image from disk | cp ÷ image "
                + "| snapshot (copy) | cp ÷ snapshot | gallery version (of the image) | cp ÷ version | delete |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode r : report.get("copies")) {
            b.append(fmt("| %s | %s | %.1f ms | %.2f ms | %.0f× | %.2f ms | %.0f× | %.2f ms | %.0f× | %.2f ms | %.0f× "
                            + "| %.2f ms |\n",
                    human(r.get("diskBytes").asLong()), human(r.get("dataBytes").asLong()),
                    r.get("cpMillis").asDouble(), r.get("captureMillis").asDouble(), r.get("cpOverCapture").asDouble(),
                    r.get("imageFromDiskMillis").asDouble(),
                    r.get("cpOverImage").asDouble(), r.get("snapshotCopyMillis").asDouble(),
                    r.get("cpOverSnapshot").asDouble(), r.get("galleryVersionMillis").asDouble(),
                    r.get("cpOverGalleryVersion").asDouble(), r.get("deleteMillis").asDouble()));
        }
        JsonNode u = report.get("upload");
        b.append("\nThe last snapshot of each size was read back through its `beginGetAccess` URL, and the last captured VHD "
                + "through the blob endpoint, and their data compared with what was written.\n\n");
        b.append(fmt("Upload of a %s VHD of random data (one streamed PUT to `/_azimuth/blobs`, plain HTTP on loopback; "
                        + "median of %d):\n\n", human(u.get("bytes").asLong() - VhdFooter.SIZE), u.get("runs").asInt()));
        b.append("| Azimuth | `dd bs=1M conv=fsync` | Azimuth ÷ dd (fsync) | `dd bs=1M` (page cache) | Azimuth ÷ dd |\n");
        b.append("|---:|---:|---:|---:|---:|\n");
        b.append(fmt("| %.0f MiB/s | %.0f MiB/s | %.2f | %.0f MiB/s | %.2f |\n", u.get("azimuthMiBps").asDouble(),
                u.get("ddFsyncMiBps").asDouble(), u.get("azimuthOverDdFsync").asDouble(), u.get("ddMiBps").asDouble(),
                u.get("azimuthOverDd").asDouble()));
        return b.toString();
    }

    static void writeSection(Path report, String markdown) throws IOException {
        writeSection(report, markdown, BEGIN, END);
    }

    /** Replaces the text between the markers {@code begin} and {@code end} of a report (or appends it). */
    static void writeSection(Path report, String markdown, String begin, String end) throws IOException {
        String section = begin + "\n" + markdown + end;
        String old = Files.exists(report) ? Files.readString(report) : "# Performance\n";
        int b = old.indexOf(begin);
        int e = old.indexOf(end);
        String text = b >= 0 && e > b ? old.substring(0, b) + section + old.substring(e + end.length())
                : old + "\n" + section + "\n";
        Files.writeString(report, text);
    }

    // ------------------------------------------------------------------------------------------ server & HTTP

    void start() throws Exception {
        port = BenchServer.freePort();
        Path log = Path.of("bench/target/logs");
        Files.createDirectories(log);
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--http-port", String.valueOf(port), "--https-port", "-1",
                "--data-dir", work.resolve("data").toString(), "--operation-delay", "0"));
        server = new ProcessBuilder(c).redirectErrorStream(true)
                .redirectOutput(log.resolve("diskbench-azimuth.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            check(server.isAlive(), "Azimuth exited; see bench/target/logs/diskbench-azimuth.log");
            try {
                if (send(HttpRequest.newBuilder(local("/_azimuth/health")).GET(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("Azimuth did not become healthy in 60 s");
    }

    void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    void putPage(String blob, long offset, byte[] bytes) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(local(blob + "?comp=page"))
                .header("x-ms-page-write", "update")
                .header("x-ms-range", "bytes=" + offset + "-" + (offset + bytes.length - 1))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)), HttpResponse.BodyHandlers.ofString());
        check(r.statusCode() == 201, "put page at " + offset + ": " + r.statusCode() + " " + r.body());
    }

    HttpResponse<String> call(String method, String path, String body, int okLow, int okHigh, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(local(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer bench");
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = send(b, HttpResponse.BodyHandlers.ofString());
        check(r.statusCode() >= okLow && r.statusCode() <= okHigh,
                method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r;
    }

    <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) throws Exception {
        return http.send(b.timeout(Duration.ofMinutes(5)).build(), handler);
    }

    URI local(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Random bytes, different everywhere (so that no two chunks are alike and nothing deduplicates). */
    static void fill(SplittableRandom random, byte[] b) {
        ByteBuffer w = ByteBuffer.wrap(b);
        while (w.remaining() >= 8) {
            w.putLong(random.nextLong());
        }
    }

    static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String human(long bytes) {
        return bytes >= GIB && bytes % GIB == 0 ? bytes / GIB + " GiB" : bytes / MIB + " MiB";
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static String fmt(String format, Object... args) {
        return PerfBench.fmt(format, args);
    }

    static void check(boolean ok, String message) {
        PerfBench.check(ok, message);
    }

    static void log(String format, Object... args) {
        System.err.println("[diskbench] " + fmt(format, args));
    }

}

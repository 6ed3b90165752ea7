package io.azimuth.state;

import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * /_azimuth/state: export, reset, import, and every GET answers as before with the same bytes; a broken archive is
 * refused with a 400 saying what is wrong and changes nothing; an import is refused while operations run; --seed.
 */
class StateArchiveTest {
    static final String V = "?api-version=2024-03-02";
    static final String RGV = "?api-version=2025-04-01";
    static final String VHD = "https://stateacct.blob.core.windows.net/vhds/base.vhd";
    static final String COMPUTE = "/subscriptions/" + SUB + "/resourceGroups/state/providers/Microsoft.Compute/";

    @TempDir
    Path dir;

    /** A group, a disk imported from a VHD, a snapshot and an image of it, a fault rule that never hits. */
    static void prepare(TestServer s, byte[] vhd) {
        assertThat(s.http.put(rg("state") + RGV, "{\"location\":\"westus\",\"tags\":{\"a\":\"b\"}}").status())
                .isEqualTo(201);
        Vhds.upload(s.http, VHD, vhd);
        String storage = "/subscriptions/" + SUB + "/resourceGroups/state/providers/Microsoft.Storage/storageAccounts/"
                + "stateacct";
        Http.Response disk = s.http.put(COMPUTE + "disks/d1" + V, "{\"location\":\"westus\",\"properties\":{"
                + "\"osType\":\"Linux\",\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + VHD
                + "\",\"storageAccountId\":\"" + storage + "\"}}}");
        assertThat(disk.status()).as(disk.toString()).isEqualTo(200);
        assertThat(s.http.put(COMPUTE + "snapshots/s1" + V, "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                + "{\"createOption\":\"Copy\",\"sourceResourceId\":\"" + disk.json().path("id").asText() + "\"}}}")
                .status()).isEqualTo(200);
        Http.Response image = s.http.put(COMPUTE + "images/i1?api-version=2024-07-01", "{\"location\":\"westus\","
                + "\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\","
                + "\"managedDisk\":{\"id\":\"" + disk.json().path("id").asText() + "\"}}}}}");
        assertThat(image.status()).as(image.toString()).isIn(200, 201);
        assertThat(s.http.post("/_azimuth/faults", "{\"match\":{\"name\":\"never-such-name\"},\"effect\":"
                + "{\"status\":500}}").status()).isEqualTo(201);
    }

    /** What a user sees: the GETs and lists of everything prepared, and the bytes of the disk and the blob. */
    static Map<String, String> seen(TestServer s) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String path : List.of(rg("state") + RGV, COMPUTE + "disks/d1" + V, COMPUTE + "snapshots/s1" + V,
                COMPUTE + "images/i1?api-version=2024-07-01", COMPUTE + "disks" + V,
                "/subscriptions/" + SUB + "/resourcegroups" + RGV, "/_azimuth/faults")) {
            Http.Response r = s.http.get(path);
            seen.put(path, r.status() + " " + r.body());
        }
        seen.put("blob", Vhds.sha256(Vhds.blob(s.http, VHD)));
        return seen;
    }

    static byte[] export(TestServer s) {
        Http.Bytes archive = s.http.getBytes("/_azimuth/state", Map.of());
        assertThat(archive.status()).isEqualTo(200);
        assertThat(archive.header("Content-Type")).isEqualTo("application/zip");
        return archive.body();
    }

    static Http.Response importState(TestServer s, byte[] archive) {
        return s.http.sendBody("PUT", "/_azimuth/state", HttpRequest.BodyPublishers.ofByteArray(archive),
                Map.of("Content-Type", "application/zip"));
    }

    @Test
    void exportResetImportGivesBackTheSameAnswersAndBytes() throws Exception {
        byte[] vhd = Vhds.sparse(8 * Vhds.MIB, 11, 0, Vhds.MIB, 5 * Vhds.MIB, 2 * Vhds.MIB).bytes();
        try (TestServer s = TestServer.start(c -> c.withInMemory(false))) {
            prepare(s, vhd);
            String sas = grant(s);
            byte[] disk = Vhds.download(s.http, sas);
            Map<String, String> before = seen(s);
            byte[] archive = export(s);
            assertThat(archive.length).as("the data once, not once per copy; no zeros").isLessThan(5 * 1024 * 1024);

            s.reset();
            assertThat(s.http.get(COMPUTE + "disks/d1" + V).status()).isEqualTo(404);
            Http.Response imported = importState(s, archive);
            assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
            assertThat(imported.json().path("blobs").asInt()).isGreaterThanOrEqualTo(3); // the VHD and managed copies

            assertThat(seen(s)).isEqualTo(before);
            assertThat(Vhds.download(s.http, sas)).as("the grant made before the export still reads").isEqualTo(disk);
            assertThat(Vhds.download(s.http, grant(s))).as("the disk's bytes").isEqualTo(disk);
            assertThat(Arrays.copyOf(disk, vhd.length)).isEqualTo(vhd);
            // the state goes on as before: a new write, a delete that finds what the import brought
            assertThat(s.http.put(COMPUTE + "disks/d2" + V, "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                    + "{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}").status()).isEqualTo(200);
            assertThat(s.http.delete(COMPUTE + "images/i1?api-version=2024-07-01").status()).isEqualTo(200);
        }
    }

    private static String grant(TestServer s) {
        Http.Response r = s.http.post(COMPUTE + "disks/d1/beginGetAccess" + V, "{\"access\":\"Read\","
                + "\"durationInSeconds\":600}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("accessSAS").asText();
    }

    @Test
    void aBrokenArchiveIsRefusedSayingWhatIsWrongAndChangesNothing() throws Exception {
        byte[] vhd = Vhds.sparse(4 * Vhds.MIB, 12, 0, Vhds.MIB).bytes();
        try (TestServer s = TestServer.start()) {
            prepare(s, vhd);
            byte[] archive = export(s);
            Map<String, String> before = seen(s);
            List<Map.Entry<String, byte[]>> broken = List.of(
                    Map.entry("not a zip archive", "plainly not a zip".getBytes()),
                    Map.entry("not a zip archive", Arrays.copyOf(archive, archive.length / 2)),
                    Map.entry("has no azimuth-state.json", rezip(archive, "azimuth-state.json", null)),
                    Map.entry("resources.jsonl line 1", rezip(archive, "resources.jsonl", "{\"key\":3}\n")),
                    Map.entry("its bytes do not have that SHA-256", corruptChunk(archive)),
                    Map.entry("blobs.jsonl line 1", rezip(archive, "blobs.jsonl", "{\"account\":\"Bad Name\","
                            + "\"container\":\"vhds\",\"name\":\"x\",\"size\":0,\"ranges\":[]}\n")));
            for (Map.Entry<String, byte[]> b : broken) {
                Http.Response r = importState(s, b.getValue());
                assertThat(r.status()).as(b.getKey() + ": " + r).isEqualTo(400);
                assertThat(r.errorCode()).isEqualTo("InvalidStateArchive");
                assertThat(r.json().path("error").path("message").asText()).contains(b.getKey());
                assertThat(seen(s)).as("nothing changed after: " + b.getKey()).isEqualTo(before);
            }
        }
    }

    @Test
    void anImportIsRefusedWhileOperationsRunAndSeedLoadsOneAtStart() throws Exception {
        byte[] vhd = Vhds.sparse(4 * Vhds.MIB, 13, Vhds.MIB, Vhds.MIB).bytes();
        Path file = dir.resolve("state.zip");
        Map<String, String> before;
        try (TestServer s = TestServer.start()) {
            prepare(s, vhd);
            before = seen(s);
            Files.write(file, export(s));
        }
        try (TestServer s = TestServer.start(c -> c.withTesting(new Config.Testing(null, file, false))
                .withOperationDelay(3000))) {
            assertThat(seen(s)).as("seeded at start").isEqualTo(before);
            Http.Response busy = s.http.put(COMPUTE + "disks/slow" + V, "{\"location\":\"westus\",\"properties\":"
                    + "{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}");
            assertThat(busy.status()).isEqualTo(202);
            Http.Response refused = importState(s, Files.readAllBytes(file));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.errorCode()).isEqualTo("OperationsInProgress");
            assertThat(s.http.get(COMPUTE + "disks/slow" + V).status()).as("nothing replaced").isEqualTo(200);
        }
        // with --faults too, the file's rules replace the seed's
        Path rules = dir.resolve("faults.json");
        Files.writeString(rules, "[{\"id\":\"from-file\",\"effect\":{\"latencyMs\":1}}]");
        try (TestServer s = TestServer.start(c -> c.withTesting(new Config.Testing(rules, file, false)))) {
            assertThat(s.http.get(rg("state") + RGV).status()).as("seeded").isEqualTo(200);
            assertThat(s.http.get("/_azimuth/faults").json().path("value")).extracting(n -> n.path("id").asText())
                    .containsExactly("from-file");
        }
    }

    /** The archive with {@code entry} replaced by {@code content} (null: left out). */
    static byte[] rezip(byte[] archive, String entry, String content) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(archive));
             java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().equals(entry)) {
                    if (content == null) {
                        continue;
                    }
                    bytes = content.getBytes();
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** The archive with one chunk's first byte flipped. */
    static byte[] corruptChunk(byte[] archive) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean done = false;
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(archive));
             java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (!done && e.getName().startsWith("chunks/")) {
                    bytes[0] ^= 1;
                    done = true;
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        assertThat(done).isTrue();
        return out.toByteArray();
    }
}

package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static io.azimuth.compute.DiskFixture.RG;
import static io.azimuth.compute.DiskFixture.SOURCE;
import static io.azimuth.compute.DiskFixture.id;
import static io.azimuth.compute.DiskFixture.url;
import static io.azimuth.support.Vhds.GIB;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes of managed disks and snapshots, read back through beginGetAccess: Import copies the blob, Empty is blank,
 * Copy and snapshots copy their source, growth grows the bytes, deletion frees them.
 */
class DiskBytesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    byte[] vhd;

    @BeforeEach
    void group() {
        vhd = Vhds.random(2 * MIB, 7);
        DiskFixture.group(server.server(), vhd);
    }

    static JsonNode put(String type, String name, String properties) {
        return DiskFixture.put(server.http(), type, name, properties);
    }

    static JsonNode imported(String type, String name) {
        return DiskFixture.imported(server.http(), type, name);
    }

    static JsonNode copied(String type, String name, String sourceType, String source) {
        return DiskFixture.copied(server.http(), type, name, sourceType, source);
    }

    static String grant(String type, String name, int seconds) {
        return DiskFixture.grant(server.http(), type, name, seconds);
    }

    static void revoke(String type, String name) {
        DiskFixture.revoke(server.http(), type, name);
    }

    static byte[] bytes(String type, String name) {
        return DiskFixture.bytes(server.http(), type, name);
    }

    @Test
    void importCopiesTheBlob() {
        imported("disks", "d1");
        Vhds.assertSameDisk(bytes("disks", "d1"), vhd);
        imported("snapshots", "s1");
        Vhds.assertSameDisk(bytes("snapshots", "s1"), vhd);
    }

    @Test
    void theImportedBytesAreTheBlobsAsItWasThen() {
        imported("disks", "d1");
        Vhds.upload(server.http(), SOURCE, Vhds.random(2 * MIB, 8));
        Vhds.assertSameDisk(bytes("disks", "d1"), vhd);
    }

    @Test
    void importWithALargerSizeGrowsTheBytes() {
        put("disks", "d1", "{\"diskSizeGB\":2,\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"" + SOURCE
                + "\"}}");
        String sas = grant("disks", "d1", 300);
        Vhds.assertGrown(server.http(), sas, vhd, 2 * GIB);
    }

    @Test
    void anEmptyDiskIsABlankVhdOfItsSize() {
        put("disks", "empty", "{\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":3}");
        Vhds.assertBlank(server.http(), grant("disks", "empty", 300), 3 * GIB);
    }

    @Test
    void copiesAndSnapshotsCarryTheSourcesBytes() {
        imported("disks", "d1");
        copied("snapshots", "snap", "disks", "d1");
        copied("disks", "from-snap", "snapshots", "snap");
        copied("disks", "from-disk", "disks", "d1");
        copied("snapshots", "snap-of-snap", "snapshots", "snap");
        for (String[] r : new String[][]{{"snapshots", "snap"}, {"disks", "from-snap"}, {"disks", "from-disk"},
                {"snapshots", "snap-of-snap"}}) {
            Vhds.assertSameDisk(bytes(r[0], r[1]), vhd);
        }
    }

    @Test
    void aCopyAskingForMoreGrowsItsBytesOnly() {
        imported("disks", "d1");
        put("disks", "bigger", "{\"diskSizeGB\":2,\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\""
                + id("disks", "d1") + "\"}}");
        Vhds.assertGrown(server.http(), grant("disks", "bigger", 300), vhd, 2 * GIB);
        Vhds.assertSameDisk(bytes("disks", "d1"), vhd);
    }

    @Test
    void growingADiskGrowsItsBytes() {
        imported("disks", "d1");
        Http.Response r = server.http().patch(url("disks", "d1"), "{\"properties\":{\"diskSizeGB\":2}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Vhds.assertGrown(server.http(), grant("disks", "d1", 300), vhd, 2 * GIB);
        revoke("disks", "d1");
        r = server.http().put(url("disks", "d1"), "{\"location\":\"westus\",\"properties\":{\"diskSizeGB\":3,\"creationData\":"
                + "{\"createOption\":\"Import\",\"sourceUri\":\"" + SOURCE + "\"}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Vhds.assertGrown(server.http(), grant("disks", "d1", 300), vhd, 3 * GIB);
    }

    @Test
    void deletingFreesTheBytes() {
        long before = Vhds.blobCount(server.server());
        imported("disks", "d1");
        copied("snapshots", "s1", "disks", "d1");
        Vhds.assertBlobCount(server.server(), before, 2, "a disk and a snapshot, one content each");
        String sas = grant("snapshots", "s1", 300);
        Vhds.assertBlobCount(server.server(), before, 3, "and the export of a grant");
        revoke("snapshots", "s1");
        assertThat(server.http().getBytes(sas, java.util.Map.of()).status()).isEqualTo(403);
        Vhds.assertBlobCount(server.server(), before, 2, "the export goes with the grant");
        assertThat(server.http().delete(url("snapshots", "s1")).status()).isEqualTo(200);
        assertThat(server.http().delete(url("disks", "d1")).status()).isEqualTo(200);
        Vhds.assertBlobCount(server.server(), before, 0, "deleted disks and snapshots keep no bytes");
    }

    @Test
    void deletingTheGroupFreesTheBytes() {
        long before = Vhds.blobCount(server.server());
        imported("disks", "d1");
        copied("snapshots", "s1", "disks", "d1");
        String sas = grant("disks", "d1", 300);
        Vhds.assertBlobCount(server.server(), before, 3, "two contents and an export");
        assertThat(server.http().delete(TestServer.rg(RG) + "?api-version=2025-04-01").status()).isIn(200, 202);
        assertThat(server.http().get(url("disks", "d1")).status()).isEqualTo(404);
        Vhds.assertBlobCount(server.server(), before, 0, "a deleted group keeps no bytes");
        assertThat(server.http().getBytes(sas, java.util.Map.of()).status()).isEqualTo(403);
    }
}

package io.azimuth.support;

import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.VhdFooter;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VHDs with random data for tests that follow bytes: made here, uploaded through the blob endpoint, read back from
 * blob URLs and export URLs, and compared by the SHA-256 of their data region and the validity of their footer.
 */
public final class Vhds {
    public static final long MIB = VhdFooter.MIB;
    public static final long GIB = 1024 * MIB;

    private Vhds() {
    }

    /** A fixed VHD of {@code virtualSize} bytes (whole MiB) of random data (from {@code seed}), then its footer. */
    public static byte[] random(long virtualSize, long seed) {
        byte[] vhd = new byte[(int) virtualSize + VhdFooter.SIZE];
        new Random(seed).nextBytes(vhd);
        System.arraycopy(VhdFooter.fixed(virtualSize), 0, vhd, (int) virtualSize, VhdFooter.SIZE);
        return vhd;
    }

    /** The path of a blob URI under the blob endpoint: {@code /_azimuth/blobs/{account}/{container}/{blob}}. */
    public static String endpoint(String blobUri) {
        BlobRef b = BlobRef.parse(blobUri);
        return "/_azimuth/blobs/" + b.account() + "/" + b.container() + "/" + b.path();
    }

    /** Uploads a VHD to a blob URI through the blob endpoint; it must be taken as a valid fixed VHD. */
    public static void upload(Http http, String blobUri, byte[] vhd) {
        Http.Response r = http.putBytes(endpoint(blobUri), vhd);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("vhd").path("valid").asBoolean()).as(r.toString()).isTrue();
    }

    /** The bytes of a blob, read through the blob endpoint. */
    public static byte[] blob(Http http, String blobUri) {
        return download(http, endpoint(blobUri));
    }

    /** The whole body of a GET (a blob endpoint path or an absolute export URL), which must answer 200. */
    public static byte[] download(Http http, String url) {
        Http.Bytes r = http.getBytes(url, Map.of());
        assertThat(r.status()).as("GET " + url + ": " + new String(r.body())).isEqualTo(200);
        return r.body();
    }

    /** Bytes {@code first} to {@code last} (included) of a URL, which must answer 206. */
    public static byte[] range(Http http, String url, long first, long last) {
        Http.Bytes r = http.getBytes(url, Map.of("Range", "bytes=" + first + "-" + last));
        assertThat(r.status()).as("GET " + url + " bytes " + first + "-" + last + ": " + new String(r.body()))
                .isEqualTo(206);
        assertThat(r.body()).hasSize((int) (last - first + 1));
        return r.body();
    }

    /** The length a HEAD of the URL announces. */
    public static long length(Http http, String url) {
        Http.Response r = http.head(url, Map.of());
        assertThat(r.status()).as("HEAD " + url).isEqualTo(200);
        return Long.parseLong(r.header("Content-Length"));
    }

    public static String sha256(byte[] bytes, int from, int to) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(bytes, from, to - from);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The virtual size a VHD's footer states, failing unless the footer is a valid fixed-VHD footer for its length. */
    public static long footerSize(byte[] vhd) {
        return VhdFooter.validate(Arrays.copyOfRange(vhd, vhd.length - VhdFooter.SIZE, vhd.length), vhd.length);
    }

    /** {@code actual} holds the same data as {@code expected} (same virtual size, same SHA-256) and a valid footer. */
    public static void assertSameDisk(byte[] actual, byte[] expected) {
        assertThat(actual.length).as("blob length").isEqualTo(expected.length);
        assertThat(footerSize(actual)).as("virtual size in the footer").isEqualTo(expected.length - VhdFooter.SIZE);
        int data = expected.length - VhdFooter.SIZE;
        assertThat(sha256(actual, 0, data)).as("SHA-256 of the data").isEqualTo(sha256(expected, 0, data));
    }

    /**
     * The content at {@code url} is {@code expected}'s data grown to {@code virtualSize} bytes: its data first, zeros
     * after it, a valid footer of the new size at the end (read by ranges: the content may be large).
     */
    public static void assertGrown(Http http, String url, byte[] expected, long virtualSize) {
        assertThat(length(http, url)).isEqualTo(virtualSize + VhdFooter.SIZE);
        int data = expected.length - VhdFooter.SIZE;
        assertThat(sha256(range(http, url, 0, data - 1), 0, data)).as("SHA-256 of the data")
                .isEqualTo(sha256(expected, 0, data));
        assertThat(range(http, url, data, data + MIB - 1)).as("the grown part is zeros").containsOnly((byte) 0);
        byte[] footer = range(http, url, virtualSize, virtualSize + VhdFooter.SIZE - 1);
        assertThat(VhdFooter.validate(footer, virtualSize + VhdFooter.SIZE)).isEqualTo(virtualSize);
    }

    /** The content at {@code url} is a blank VHD of {@code virtualSize} bytes (read by ranges). */
    public static void assertBlank(Http http, String url, long virtualSize) {
        assertThat(length(http, url)).isEqualTo(virtualSize + VhdFooter.SIZE);
        assertThat(range(http, url, 0, MIB - 1)).as("the first MiB").containsOnly((byte) 0);
        assertThat(range(http, url, virtualSize - MIB, virtualSize - 1)).as("the last MiB").containsOnly((byte) 0);
        byte[] footer = range(http, url, virtualSize, virtualSize + VhdFooter.SIZE - 1);
        assertThat(VhdFooter.validate(footer, virtualSize + VhdFooter.SIZE)).isEqualTo(virtualSize);
    }

    // ---- what the store holds ----

    /** How many blobs (user blobs in the embedded store and managed content) the instance's VHD store holds. */
    public static long blobCount(TestServer s) {
        return s.server.vhds().stats().orElseThrow(() -> new AssertionError("the VHD store does not count its blobs"))
                .blobs();
    }

    /** The store holds {@code delta} blobs more than {@code before} (a {@link #blobCount}). */
    public static void assertBlobCount(TestServer s, long before, long delta, String why) {
        assertThat(blobCount(s) - before).as(why).isEqualTo(delta);
    }
}

package io.azimuth.support;

import com.azure.core.http.HttpRange;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobType;
import com.azure.storage.blob.models.PageRange;
import com.azure.storage.blob.models.PageRangeItem;
import com.azure.storage.blob.options.ListPageRangesOptions;
import com.azure.storage.blob.specialized.PageBlobClient;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.VhdFooter;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fixed VHDs with random data for tests that follow bytes: made here (data everywhere, or in a few page-aligned
 * regions with zeros between them), put through the emulator's blob endpoint or, with the storage SDK, into Azure
 * Storage (Azurite) as page or block blobs; read back from blob URLs, export URLs and the SDK; compared by the
 * SHA-256 of their data and the validity of their footer.
 */
public final class Vhds {
    public static final long MIB = VhdFooter.MIB;
    public static final long GIB = 1024 * MIB;
    public static final int PAGE = 512;

    private Vhds() {
    }

    // ---- making VHDs ----

    /** A fixed VHD of {@code virtualSize} bytes (whole MiB) of random data (from {@code seed}), then its footer. */
    public static byte[] random(long virtualSize, long seed) {
        return sparse(virtualSize, seed, 0, virtualSize).bytes();
    }

    /**
     * A fixed VHD of {@code virtualSize} bytes (whole MiB) with random data (from {@code seed}) at the given
     * {@code offset, length} pairs (whole pages; no page of a region is all zeros), zeros elsewhere, then its footer.
     */
    public static Sparse sparse(long virtualSize, long seed, long... offsetLengthPairs) {
        if (offsetLengthPairs.length % 2 != 0) {
            throw new IllegalArgumentException("regions are offset, length pairs");
        }
        byte[] bytes = new byte[Math.toIntExact(virtualSize + VhdFooter.SIZE)];
        Random random = new Random(seed);
        List<long[]> regions = new ArrayList<>();
        for (int i = 0; i < offsetLengthPairs.length; i += 2) {
            int offset = Math.toIntExact(offsetLengthPairs[i]);
            int length = Math.toIntExact(offsetLengthPairs[i + 1]);
            if (offset % PAGE != 0 || length % PAGE != 0 || length == 0 || offset + (long) length > virtualSize) {
                throw new IllegalArgumentException("regions are whole pages inside the virtual size");
            }
            byte[] data = new byte[length];
            random.nextBytes(data);
            for (int p = 0; p < length; p += PAGE) {
                data[p] |= 1; // never a page of zeros, which a sparse copy would rightly skip
            }
            System.arraycopy(data, 0, bytes, offset, length);
            regions.add(new long[]{offset, offset + length});
        }
        System.arraycopy(VhdFooter.fixed(virtualSize), 0, bytes, (int) virtualSize, VhdFooter.SIZE);
        regions.add(new long[]{virtualSize, virtualSize + VhdFooter.SIZE});
        regions.sort((a, b) -> Long.compare(a[0], b[0]));
        return new Sparse(bytes, merge(regions));
    }

    /**
     * A fixed VHD whose data is in a few regions, as {@link #sparse} makes it.
     *
     * @param bytes   the whole blob
     * @param regions the page-aligned {@code [offset, end)} ranges holding data, footer included, merged, in order
     */
    public record Sparse(byte[] bytes, List<long[]> regions) {
        public long virtualSize() {
            return bytes.length - VhdFooter.SIZE;
        }

        public String sha256() {
            return Vhds.sha256(bytes);
        }

        /** This VHD once {@code data} (whole pages, not all zeros) is written at {@code offset}, as a VM writes. */
        public Sparse written(long offset, byte[] data) {
            if (offset % PAGE != 0 || data.length % PAGE != 0 || offset + data.length > virtualSize()) {
                throw new IllegalArgumentException("a write of whole pages inside the virtual size");
            }
            byte[] after = bytes.clone();
            System.arraycopy(data, 0, after, (int) offset, data.length);
            List<long[]> ranges = new ArrayList<>(regions);
            ranges.add(new long[]{offset, offset + data.length});
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            return new Sparse(after, merge(ranges));
        }

        /** Creates (or replaces) the page blob {@code name} with this content, uploading only the data regions. */
        public void uploadAsPageBlob(BlobContainerClient container, String name) {
            container.createIfNotExists();
            PageBlobClient pages = container.getBlobClient(name).getPageBlobClient();
            pages.create(bytes.length, true);
            for (long[] r : regions) {
                for (long at = r[0]; at < r[1]; at += 4 * MIB) {
                    long end = Math.min(r[1], at + 4 * MIB);
                    pages.uploadPages(new PageRange().setStart(at).setEnd(end - 1),
                            new ByteArrayInputStream(bytes, (int) at, (int) (end - at)));
                }
            }
        }

        /** Creates (or replaces) the block blob {@code name} with the same bytes. */
        public void uploadAsBlockBlob(BlobContainerClient container, String name) {
            container.createIfNotExists();
            container.getBlobClient(name).upload(new ByteArrayInputStream(bytes), bytes.length, true);
        }
    }

    // ---- through the emulator's blob endpoint and export URLs ----

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

    // ---- comparing ----

    public static String sha256(byte[] bytes) {
        return sha256(bytes, 0, bytes.length);
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

    // ---- through the storage SDK (Azure Storage, Azurite) ----

    /** The bytes of a blob. */
    public static byte[] download(BlobClient blob) {
        return blob.downloadContent().toBytes();
    }

    /** The blob is a page blob holding the same data as {@code expected} and a valid footer. */
    public static void assertSamePageBlob(BlobClient blob, byte[] expected) {
        assertThat(blob.getProperties().getBlobType()).as(blob.getBlobUrl()).isEqualTo(BlobType.PAGE_BLOB);
        assertSameDisk(download(blob), expected);
    }

    /**
     * The blob is a page blob of {@code expected}'s bytes ({@link #assertSameDisk}) with data in {@code expected}'s
     * data regions only, as a sparse copy writes it.
     */
    public static void assertSamePageBlob(BlobClient blob, Sparse expected, String why) {
        assertSamePageBlob(blob, expected.bytes());
        assertThat(describe(pageRanges(blob))).as(why + ": the pages holding data")
                .isEqualTo(describe(expected.regions()));
    }

    /** The page ranges holding data of a page blob, merged, as {@code [offset, end)}. */
    public static List<long[]> pageRanges(BlobClient blob) {
        PageBlobClient pages = blob.getPageBlobClient();
        List<long[]> out = new ArrayList<>();
        for (PageRangeItem item : pages.listPageRanges(new ListPageRangesOptions(new BlobRange(0)), null, null)) {
            if (!item.isClear()) {
                HttpRange r = item.getRange();
                out.add(new long[]{r.getOffset(), r.getOffset() + r.getLength()});
            }
        }
        return merge(out);
    }

    /** Sorted ranges, those that touch or overlap merged. */
    private static List<long[]> merge(List<long[]> ranges) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            if (!out.isEmpty() && out.get(out.size() - 1)[1] >= r[0]) {
                long[] last = out.get(out.size() - 1);
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new long[]{r[0], r[1]});
            }
        }
        return out;
    }

    /** Ranges as text, for assertions. */
    public static List<String> describe(List<long[]> ranges) {
        List<String> out = new ArrayList<>();
        for (long[] r : ranges) {
            out.add(r[0] + "-" + r[1]);
        }
        return out;
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

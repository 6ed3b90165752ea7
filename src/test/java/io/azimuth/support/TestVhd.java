package io.azimuth.support;

import com.azure.core.http.HttpRange;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.PageRange;
import com.azure.storage.blob.models.PageRangeItem;
import com.azure.storage.blob.options.ListPageRangesOptions;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.specialized.PageBlobClient;
import io.azimuth.blobs.VhdFooter;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A fixed VHD for blob tests: random bytes in a few page-aligned regions, zeros elsewhere, the footer at the end;
 * uploaded to Azurite with the SDK as a page blob of only its non-zero pages, or as a block blob.
 *
 * @param bytes   the whole blob
 * @param regions the page-aligned {@code [offset, end)} ranges holding data, footer included, in order
 */
public record TestVhd(byte[] bytes, List<long[]> regions) {
    public static final int MIB = 1 << 20;

    /** {@code virtualMiB} MiB of virtual size with random data at the given {@code [offset, length]} pairs. */
    public static TestVhd random(int virtualMiB, long seed, long... offsetLengthPairs) {
        int virtual = virtualMiB * MIB;
        byte[] bytes = new byte[virtual + VhdFooter.SIZE];
        Random random = new Random(seed);
        List<long[]> regions = new ArrayList<>();
        for (int i = 0; i < offsetLengthPairs.length; i += 2) {
            int offset = (int) offsetLengthPairs[i];
            int length = (int) offsetLengthPairs[i + 1];
            if (offset % 512 != 0 || length % 512 != 0) {
                throw new IllegalArgumentException("regions are whole pages");
            }
            byte[] data = new byte[length];
            random.nextBytes(data);
            data[0] |= 1; // never a page of zeros at a region's edge
            data[length - 1] |= 1;
            for (int p = 0; p < length; p += 512) {
                data[p] |= 1;
            }
            System.arraycopy(data, 0, bytes, offset, length);
            regions.add(new long[]{offset, offset + length});
        }
        System.arraycopy(VhdFooter.fixed(virtual), 0, bytes, virtual, VhdFooter.SIZE);
        regions.add(new long[]{virtual, virtual + VhdFooter.SIZE});
        return new TestVhd(bytes, merge(regions));
    }

    public long virtualSize() {
        return bytes.length - VhdFooter.SIZE;
    }

    public String sha256() {
        return sha256(bytes);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** The bytes of a blob. */
    public static byte[] download(BlobClient blob) {
        return blob.downloadContent().toBytes();
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

    static List<long[]> merge(List<long[]> ranges) {
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
}

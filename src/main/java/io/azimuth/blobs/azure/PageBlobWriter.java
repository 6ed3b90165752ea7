package io.azimuth.blobs.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.PageRange;
import com.azure.storage.blob.specialized.PageBlobClient;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * A page blob being written: bytes gather in an aligned {@value #WINDOW}-byte window that goes out, when the
 * writer moves to another window or commits, as Put Page calls for its non-zero pages (at most 4 MiB each, at
 * 512-byte-aligned offsets) into a staging page blob; pages only partly written are completed with the bytes the
 * staging blob holds. Pages of zeros are not sent to a fresh blob (it reads as zeros, and stays sparse) and are
 * cleared where the blob may hold data. Commit sizes the staging blob and copies it over the target inside the
 * account; close without commit deletes it.
 */
final class PageBlobWriter implements BlobWriter {
    static final int PAGE = 512;
    static final int WINDOW = 4 << 20;
    /** The largest page blob Azure allows: 8 TiB. */
    static final long MAX_SIZE = 8L << 40;
    /** Staging blobs start at least this large and double as writes reach past their end. */
    static final long MIN_CAPACITY = 64L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(PageBlobWriter.class);

    private final AzureBlobStore store;
    private final BlobRef target;
    private final BlobRef staging;
    private final PageBlobClient pages;
    /** True when the staging blob starts as a copy of the target's bytes. */
    private final boolean edit;
    private boolean created;
    private long capacity;
    private final byte[] window = new byte[WINDOW];
    private final BitSet dirty = new BitSet(WINDOW);
    private long windowStart = -1;
    /** Windows of a fresh staging blob that have been sent before (their pages may hold data). */
    private final Set<Long> sent = new HashSet<>();
    private boolean committed;

    /**
     * @param staging the staging blob: for an edit, already a copy of the target of {@code capacity} bytes; else
     *                not yet created
     */
    PageBlobWriter(AzureBlobStore store, BlobRef target, BlobRef staging, boolean edit, long capacity) {
        this.store = store;
        this.target = target;
        this.staging = staging;
        this.pages = store.client(staging).getPageBlobClient();
        this.edit = edit;
        this.created = edit;
        this.capacity = capacity;
    }

    @Override
    public void write(long offset, ByteBuffer bytes) {
        if (committed) {
            throw new IllegalStateException("the blob " + target.uri() + " is already committed");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        long at = offset;
        while (bytes.hasRemaining()) {
            long start = at - at % WINDOW;
            if (start != windowStart) {
                flush();
                windowStart = start;
                Arrays.fill(window, (byte) 0);
            }
            int from = (int) (at - start);
            int n = Math.min(bytes.remaining(), WINDOW - from);
            bytes.get(window, from, n);
            dirty.set(from, from + n);
            at += n;
        }
    }

    /** Sends the window's written pages to the staging blob. */
    private void flush() {
        if (windowStart < 0 || dirty.isEmpty()) {
            return;
        }
        int first = dirty.nextSetBit(0) / PAGE * PAGE;
        int last = (dirty.previousSetBit(WINDOW - 1) / PAGE + 1) * PAGE;
        long oldCapacity = capacity;
        ensureCapacity(windowStart + last);
        boolean mayHoldData = edit || sent.contains(windowStart);
        if (mayHoldData) {
            completePartialPages(first, last, oldCapacity);
        }
        int p = first;
        while (p < last) {
            if (!pageDirty(p)) {
                p += PAGE;
                continue;
            }
            boolean zero = zeros(p);
            int q = p + PAGE;
            while (q < last && pageDirty(q) && zeros(q) == zero) {
                q += PAGE;
            }
            PageRange range = new PageRange().setStart(windowStart + p).setEnd(windowStart + q - 1);
            if (!zero) {
                int from = p;
                int length = q - p;
                store.call(target, "writing", () -> pages.uploadPagesWithResponse(range,
                        new ByteArrayInputStream(window, from, length), null, null, AzureBlobStore.CALL, Context.NONE));
            } else if (mayHoldData) {
                store.call(target, "writing", () -> pages.clearPagesWithResponse(range, null, AzureBlobStore.CALL,
                        Context.NONE));
            }
            p = q;
        }
        if (!edit) {
            sent.add(windowStart);
        }
        dirty.clear();
    }

    /** Fills the unwritten bytes of partly written pages with what the staging blob holds there. */
    private void completePartialPages(int first, int last, long oldCapacity) {
        byte[] page = new byte[PAGE];
        for (int p = first; p < last; p += PAGE) {
            if (!pageDirty(p) || dirty.nextClearBit(p) >= p + PAGE || windowStart + p >= oldCapacity) {
                continue;
            }
            store.download(pages, target, windowStart + p, PAGE, null, page);
            for (int i = 0; i < PAGE; i++) {
                if (!dirty.get(p + i)) {
                    window[p + i] = page[i];
                }
            }
        }
    }

    private boolean pageDirty(int p) {
        int next = dirty.nextSetBit(p);
        return next >= 0 && next < p + PAGE;
    }

    private boolean zeros(int p) {
        for (int i = p; i < p + PAGE; i++) {
            if (window[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Makes the staging blob at least {@code end} bytes long, creating it on first use. */
    private void ensureCapacity(long end) {
        if (end > MAX_SIZE) {
            throw tooLarge(end);
        }
        if (created && end <= capacity) {
            return;
        }
        long size = Math.min(MAX_SIZE, Math.max(roundUp(end), Math.max(MIN_CAPACITY, capacity * 2)));
        sizeStaging(size);
    }

    private void sizeStaging(long size) {
        if (!created) {
            store.call(target, "writing", () -> store.creatingContainer(staging, () -> pages.create(size, true)));
            created = true;
        } else {
            store.call(target, "writing", () -> pages.resizeWithResponse(size, null, AzureBlobStore.CALL,
                    Context.NONE));
        }
        capacity = size;
    }

    private BlobException tooLarge(long size) {
        return new BlobException(Reason.INVALID, "The blob '" + target.uri() + "' would be " + size
                + " bytes: a page blob holds at most " + MAX_SIZE + " bytes.");
    }

    private static long roundUp(long n) {
        return (n + PAGE - 1) / PAGE * PAGE;
    }

    @Override
    public void commit(long size) {
        if (committed) {
            throw new IllegalStateException("the blob " + target.uri() + " is already committed");
        }
        if (size < 0 || size % PAGE != 0) {
            throw new BlobException(Reason.INVALID, "The blob '" + target.uri() + "' would be " + size
                    + " bytes: Azure Storage keeps VHDs in page blobs, whose size is a multiple of 512 bytes.");
        }
        if (size > MAX_SIZE) {
            throw tooLarge(size);
        }
        flush();
        if (!created || capacity != size) {
            sizeStaging(size);
        }
        store.serverCopy(pages, null, target, true);
        committed = true;
        deleteStaging();
    }

    @Override
    public void close() {
        if (!committed && created) {
            deleteStaging();
        }
    }

    private void deleteStaging() {
        try {
            pages.deleteIfExistsWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, AzureBlobStore.CALL,
                    Context.NONE);
        } catch (RuntimeException e) {
            LOG.warn("The staging blob {} could not be deleted: {}", staging.uri(), AzureErrors.cause(e));
        }
    }
}

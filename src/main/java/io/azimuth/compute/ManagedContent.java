package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.blobs.VhdStore;
import io.azimuth.store.StoreTx;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The bytes behind managed disks, snapshots, image disks and ephemeral OS disks: fixed VHDs (data, then the
 * 512-byte footer) in the VHD store's reserved account ({@link BlobRef#managed}). A resource names its content in
 * its private state ({@value #STATE}, which clients never see), as {@code container/path}.
 *
 * <p>Content is created, copied, grown and freed inside the store write that changes its resource, so that the
 * embedded store (whose catalog lives in the same database) changes both atomically. User blobs a request names
 * may live in a remote account, whose I/O must not run inside a write: {@link #staged} has them copied into staging
 * blobs outside it ({@link StoreTx#outside}), and the write moves them into place.
 */
public final class ManagedContent {
    /** The member of a stored document that holds a provider's private state. */
    public static final String STATE = ResourceRecords.PRIVATE_STATE;
    /** The container of staging copies of user blobs; leftovers are removed by the store at start-up. */
    /** Where staged bytes wait; the blob store's start-up recovery removes what is left there. */
    public static final String STAGING = io.azimuth.blobs.ChunkedVhdStore.STAGING;

    private final VhdStore vhds;

    public ManagedContent(VhdStore vhds) {
        this.vhds = vhds;
    }

    public VhdStore vhds() {
        return vhds;
    }

    // ---- names in private state ----

    /** How content is named in private state: {@code container/path}. */
    public static String ref(BlobRef content) {
        return content.container() + "/" + content.path();
    }

    /** The content a {@link #ref} names. */
    public static BlobRef parse(String ref) {
        int slash = ref.indexOf('/');
        return BlobRef.managed(ref.substring(0, slash), ref.substring(slash + 1));
    }

    /** A document's private state, created when missing. */
    public static ObjectNode state(ObjectNode doc) {
        return doc.withObjectProperty(STATE);
    }

    /** The content a document's private state names under {@code content}, if any. */
    public static Optional<BlobRef> content(JsonNode doc) {
        JsonNode ref = doc.path(STATE).path("content");
        return ref.isTextual() ? Optional.of(parse(ref.asText())) : Optional.empty();
    }

    /** Records a document's content in its private state. */
    public static void record(ObjectNode doc, BlobRef content) {
        state(doc).put("content", ref(content));
    }

    // ---- bytes ----

    /** The virtual size of content (its bytes but the footer), or empty when it does not exist. */
    public OptionalLong virtualSize(BlobRef content) {
        OptionalLong size = vhds.size(content);
        return size.isPresent() ? OptionalLong.of(Math.max(0, size.getAsLong() - VhdFooter.SIZE)) : size;
    }

    /**
     * Makes {@code target} a copy of {@code source} (managed content; null for none), grown to {@code growTo} bytes
     * when that is larger (0: as the source is). Without source bytes (none named, a source made before resources had
     * content, or a lenient store's unknown blob) the target is a blank VHD of {@code blankSize} bytes, or nothing
     * when that is 0.
     */
    public void fill(BlobRef target, BlobRef source, long growTo, long blankSize) {
        boolean copied = source != null && vhds.size(source).isPresent();
        if (copied) {
            vhds.copy(source, target, true);
        }
        finish(target, copied, growTo, blankSize);
    }

    /** {@link #fill(BlobRef, BlobRef, long, long)} growing to, or blank of, {@code virtualSize} bytes. */
    public void fill(BlobRef target, BlobRef source, long virtualSize) {
        fill(target, source, virtualSize, virtualSize);
    }

    /** {@link #fill(BlobRef, BlobRef, long, long)} from a user blob, through its staging copy when it has one. */
    public void fill(BlobRef target, StagedBlobs staged, BlobRef userBlob, long growTo, long blankSize) {
        finish(target, staged.copyTo(userBlob, target), growTo, blankSize);
    }

    /** {@link #fill(BlobRef, StagedBlobs, BlobRef, long, long)} growing to, or blank of, {@code virtualSize} bytes. */
    public void fill(BlobRef target, StagedBlobs staged, BlobRef userBlob, long virtualSize) {
        fill(target, staged, userBlob, virtualSize, virtualSize);
    }

    private void finish(BlobRef target, boolean copied, long growTo, long blankSize) {
        if (!copied) {
            if (blankSize > 0) {
                vhds.createBlank(target, blankSize);
            }
            return;
        }
        grow(target, growTo);
    }

    /** Grows content to {@code virtualSize} bytes when it is smaller (and exists). */
    public void grow(BlobRef content, long virtualSize) {
        if (virtualSize <= 0) {
            return;
        }
        OptionalLong current = virtualSize(content);
        if (current.isPresent() && current.getAsLong() < virtualSize) {
            vhds.resize(content, virtualSize);
        }
    }

    /** Frees content; nothing happens when there is none. */
    public void free(BlobRef content) {
        vhds.delete(content);
    }

    // ---- staging ----

    /**
     * Runs {@code work} (part of a store write) with the user blobs it reads into managed content staged outside the
     * write ({@link StagedBlobs}): {@code sources}, those the request is known to name, all at once; others when
     * first used. Staging copies {@code work} did not move into place are freed with the write.
     */
    public <T> T staged(StoreTx tx, List<StagedBlobs.Source> sources, Function<StagedBlobs, T> work) {
        try (StagedBlobs staged = new StagedBlobs(tx, vhds, sources)) {
            return work.apply(staged);
        }
    }
}

package io.azimuth.compute;

import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Local copies of the user blobs one request names, made before its store write: each blob is checked as a fixed
 * VHD and copied to {@code $managed/staging/{uuid}}. Inside the write, {@link #vhd} answers the check as it was made
 * and {@link #copyTo} copies the staged bytes to their final name and deletes the staging copy; a blob that was not
 * staged (the request changed meanwhile) is read where it is. {@link #close} removes staging copies the write did not
 * consume. One request's thread uses an instance at a time.
 */
public final class StagedBlobs implements AutoCloseable {
    /** A blob URI a request names, and the request field naming it (the target of errors about it). */
    public record Source(String uri, String field) {
    }

    private record Entry(String field, BlobRef staging, Vhd vhd, ApiException failure) {
    }

    private final VhdStore vhds;
    private final Map<String, Entry> staged = new HashMap<>();
    /** Where a consumed staging copy went, for a second use of the same blob in the same write. */
    private final Map<String, BlobRef> placed = new HashMap<>();

    StagedBlobs(VhdStore vhds, List<Source> sources) {
        this.vhds = vhds;
        try {
            for (Source s : sources) {
                stage(s);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Stages nothing: every blob is read where it is. */
    public static StagedBlobs none(VhdStore vhds) {
        return new StagedBlobs(vhds, List.of());
    }

    private void stage(Source source) {
        if (source.uri() == null) {
            return;
        }
        BlobRef blob;
        try {
            blob = BlobRef.parse(source.uri());
        } catch (IllegalArgumentException e) {
            return; // the rules refuse it with their own message
        }
        if (blob.isManaged() || staged.containsKey(blob.key())) {
            return;
        }
        Vhd vhd;
        try {
            vhd = vhds.vhd(blob, source.field());
        } catch (ApiException e) {
            staged.put(blob.key(), new Entry(source.field(), null, null, e));
            return;
        }
        BlobRef staging = BlobRef.managed(ManagedContent.STAGING, UUID.randomUUID().toString());
        vhds.copy(blob, staging, true);
        staged.put(blob.key(), new Entry(source.field(), staging, vhd, null));
    }

    /**
     * The user blob as a fixed VHD: as it was checked when staged (its refusal, if it was refused), or checked now
     * when it was not staged under this field.
     */
    public Vhd vhd(BlobRef blob, String field) {
        Entry e = staged.get(blob.key());
        if (e == null || !e.field().equals(field)) {
            return vhds.vhd(blob, field);
        }
        if (e.failure() != null) {
            throw e.failure();
        }
        return e.vhd();
    }

    /**
     * Copies the user blob's bytes to {@code target}, replacing it: from its staging copy (then deleted), from
     * where an earlier call put them, or from the blob itself when it was not staged.
     *
     * @return false when there are no bytes to copy (a lenient store's unknown blob)
     */
    public boolean copyTo(BlobRef blob, BlobRef target) {
        List<BlobRef> candidates = new ArrayList<>(3);
        Entry e = staged.get(blob.key());
        if (e != null && e.staging() != null) {
            candidates.add(e.staging());
        }
        BlobRef earlier = placed.get(blob.key());
        if (earlier != null) {
            candidates.add(earlier);
        }
        candidates.add(blob);
        for (BlobRef from : candidates) {
            if (from.equals(target) || vhds.size(from).isEmpty()) {
                continue;
            }
            vhds.copy(from, target, true);
            if (e != null && from.equals(e.staging())) {
                vhds.delete(from);
                placed.put(blob.key(), target);
            }
            return true;
        }
        return false;
    }

    /** Removes the staging copies left (all of them when the write failed). */
    @Override
    public void close() {
        for (Entry e : staged.values()) {
            if (e.staging() != null) {
                try {
                    vhds.delete(e.staging());
                } catch (RuntimeException ignored) {
                    // the store removes staging leftovers when it opens
                }
            }
        }
    }
}

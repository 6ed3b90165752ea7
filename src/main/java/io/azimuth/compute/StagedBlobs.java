package io.azimuth.compute;

import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The user blobs a store write reads into managed content. Each is checked as a fixed VHD and copied to
 * {@code $managed/staging/{uuid}} outside the write ({@link StoreTx#outside}: its account may be remote), those a
 * request is known to name all at once, any other when first used. Inside the write, {@link #vhd} answers the check
 * and {@link #copyTo} copies the staged bytes into managed content, consuming the staging copy; {@link #close} frees
 * the staging copies left. A write that fails has its staging copies freed as its outside work is undone. One
 * instance serves one run of a unit of work.
 */
public final class StagedBlobs implements AutoCloseable {
    /** A blob URI a request names, and the request field naming it (the target of errors about it). */
    public record Source(String uri, String field) {
    }

    /** What staging a blob found: its check (under {@code field}) or the refusal, and its staging copy. */
    private record Staged(String field, BlobRef staging, Vhd vhd, BlobException failure) {
    }

    private final StoreTx tx;
    private final VhdStore vhds;
    private final Map<String, Staged> staged = new HashMap<>();
    /** Staging copies moved into place by this run. */
    private final Set<BlobRef> consumed = new HashSet<>();
    /** Where a consumed staging copy went, for a second use of the same blob in the same write. */
    private final Map<String, BlobRef> placed = new HashMap<>();

    StagedBlobs(StoreTx tx, VhdStore vhds, List<Source> sources) {
        this.tx = tx;
        this.vhds = vhds;
        Map<String, OutsideWork<Staged>> works = new LinkedHashMap<>();
        for (Source s : sources) {
            BlobRef blob = parse(s.uri());
            if (blob != null) {
                works.putIfAbsent(blob.key(), stage(blob, s.field()));
            }
        }
        tx.outside(List.copyOf(works.values()));
        works.forEach((key, work) -> staged.put(key, tx.outside(work))); // done: each answers at once
    }

    private static BlobRef parse(String uri) {
        if (uri == null) {
            return null;
        }
        try {
            BlobRef blob = BlobRef.parse(uri);
            return blob.isManaged() ? null : blob;
        } catch (IllegalArgumentException e) {
            return null; // the rules refuse it with their own message
        }
    }

    /**
     * The work staging a blob, checked under {@code field}; one per blob in a write. A blob refused as a VHD is not
     * copied (the request is refused with it).
     */
    private OutsideWork<Staged> stage(BlobRef blob, String field) {
        return new OutsideWork<>() {
            @Override
            public String key() {
                return "stage " + blob.uri();
            }

            @Override
            public Staged run() {
                Vhd vhd;
                try {
                    vhd = vhds.vhd(blob, field);
                } catch (BlobException e) {
                    return new Staged(field, null, null, e);
                }
                BlobRef staging = BlobRef.managed(ManagedContent.STAGING, UUID.randomUUID().toString());
                vhds.copy(blob, staging, true);
                return new Staged(field, staging, vhd, null);
            }

            @Override
            public void undo(Staged result) {
                if (result.staging() != null) {
                    vhds.delete(result.staging());
                }
            }

            @Override
            public boolean joinsTransaction() {
                return vhds.joinsTransaction(blob); // an embedded blob is staged inside the write, at no cost
            }
        };
    }

    /**
     * The work copying a blob refused as a VHD to staging as it is, for a write that copies it anyway (an image of a
     * VM whose disk blob is no longer a valid VHD); null when there is no such blob.
     */
    private OutsideWork<Staged> stageUnchecked(BlobRef blob, Staged refused) {
        return new OutsideWork<>() {
            @Override
            public String key() {
                return "stage unchecked " + blob.uri();
            }

            @Override
            public Staged run() {
                if (vhds.size(blob).isEmpty()) {
                    return refused;
                }
                BlobRef staging = BlobRef.managed(ManagedContent.STAGING, UUID.randomUUID().toString());
                vhds.copy(blob, staging, true);
                return new Staged(refused.field(), staging, null, refused.failure());
            }

            @Override
            public void undo(Staged result) {
                if (result.staging() != null) {
                    vhds.delete(result.staging());
                }
            }

            @Override
            public boolean joinsTransaction() {
                return vhds.joinsTransaction(blob); // an embedded blob is staged inside the write, at no cost
            }
        };
    }

    private Staged staged(BlobRef blob, String field) {
        return staged.computeIfAbsent(blob.key(), k -> tx.outside(stage(blob, field)));
    }

    /**
     * The user blob as a fixed VHD: as it was checked when staged (its refusal, if it was refused); under another
     * field than it was staged for, checked again outside the write.
     */
    public Vhd vhd(BlobRef blob, String field) {
        Staged s = staged(blob, field);
        if (!s.field().equals(field)) {
            return tx.outside(BlobWork.vhd(vhds, blob, field));
        }
        if (s.failure() != null) {
            throw s.failure();
        }
        return s.vhd();
    }

    /**
     * Copies the user blob's bytes to {@code target}, replacing it. Into managed content, inside the write: from the
     * blob's staging copy (then freed) or from where an earlier call put them. Into another user blob, outside the
     * write: straight from the blob.
     *
     * @return false when there are no bytes to copy (a missing blob, or a lenient store's unknown one)
     */
    public boolean copyTo(BlobRef blob, BlobRef target) {
        if (!target.isManaged()) {
            if (vhds.size(blob).isEmpty()) {
                return false;
            }
            vhds.copy(blob, target, true);
            return true;
        }
        List<BlobRef> candidates = new ArrayList<>(2);
        Staged s = staged(blob, "blob");
        if (s.staging() == null && s.failure() != null) {
            s = tx.outside(stageUnchecked(blob, s));
            staged.put(blob.key(), s);
        }
        BlobRef staging = s.staging();
        if (staging != null && !consumed.contains(staging)) {
            candidates.add(staging);
        }
        BlobRef earlier = placed.get(blob.key());
        if (earlier != null) {
            candidates.add(earlier);
        }
        for (BlobRef from : candidates) {
            if (from.equals(target) || vhds.size(from).isEmpty()) {
                continue;
            }
            vhds.copy(from, target, true);
            if (from.equals(staging)) {
                vhds.delete(from);
                consumed.add(from);
                placed.put(blob.key(), target);
            }
            return true;
        }
        return false;
    }

    /** Frees, inside the write, the staging copies it did not move into place. */
    @Override
    public void close() {
        for (Staged s : staged.values()) {
            if (s.staging() != null && !consumed.contains(s.staging())) {
                try {
                    vhds.delete(s.staging());
                } catch (RuntimeException e) {
                    // the write is failing, or the store removes staging leftovers when it opens
                }
            }
        }
    }
}

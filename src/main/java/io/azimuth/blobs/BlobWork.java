package io.azimuth.blobs;

import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.util.OptionalLong;

/**
 * Blob I/O that a store write asks for with {@link StoreTx#outside}, so that it runs outside the store's writer:
 * the blobs a request names may be in a remote storage account, and reading or writing them there must not hold up
 * every other write. Keys name the blobs (and, for writes, what is written), so the unit of work asking again in its
 * next run gets the outcome of the work done for it. Writes answer whether they created the blob, and undo only
 * that: a blob that existed before (an overwritten one, a deleted one) is not restored. Copies, blank disks and
 * deletions whose blobs are all in the embedded store ({@link VhdStore#joinsTransaction}) run inside the unit
 * instead, and commit or roll back with it. Reads (size, VHD checks) always run outside: their answers are kept for
 * the next runs of the unit, so that it reaches the same decisions whatever it writes meanwhile.
 */
public final class BlobWork {
    private BlobWork() {
    }

    /** The blob's size, or empty when it does not exist. */
    public static OutsideWork<OptionalLong> size(VhdStore vhds, BlobRef blob) {
        return new OutsideWork<>() {
            @Override
            public String key() {
                return "size " + blob.uri();
            }

            @Override
            public OptionalLong run() {
                return vhds.size(blob);
            }
        };
    }

    /** The blob as a fixed VHD ({@link VhdStore#vhd}); its refusal is thrown where the unit asks. */
    public static OutsideWork<Vhd> vhd(VhdStore vhds, BlobRef blob, String field) {
        return new OutsideWork<>() {
            @Override
            public String key() {
                return "vhd " + blob.uri() + " " + field;
            }

            @Override
            public Vhd run() {
                return vhds.vhd(blob, field);
            }
        };
    }

    /**
     * Writes {@code target} with {@code write} (which creates or replaces it), known as {@code what} (with the
     * target, the key). Answers whether the blob is new: then undoing deletes it, as does a write that fails, unless
     * it failed with a 409 (the blob appeared meanwhile: it is someone else's).
     */
    public static OutsideWork<Boolean> write(VhdStore vhds, String what, BlobRef target, Runnable write) {
        return write(vhds, what, target, write, false);
    }

    /** {@link #write}, done inside the unit when {@code joins} (every blob it touches joins the transaction). */
    private static OutsideWork<Boolean> write(VhdStore vhds, String what, BlobRef target, Runnable write,
                                              boolean joins) {
        return new OutsideWork<>() {
            @Override
            public String key() {
                return "write " + target.uri() + " " + what;
            }

            @Override
            public Boolean run() {
                boolean created = vhds.size(target).isEmpty();
                try {
                    write.run();
                } catch (RuntimeException e) {
                    if (created && !(e instanceof BlobException b && b.isConflict())) {
                        deleteQuietly(vhds, target, e);
                    }
                    throw e;
                }
                return created;
            }

            @Override
            public void undo(Boolean created) {
                if (created) {
                    vhds.delete(target);
                }
            }

            @Override
            public boolean joinsTransaction() {
                return joins;
            }
        };
    }

    /** Copies a blob ({@link VhdStore#copy}): a 409 without {@code overwrite} when the target exists. */
    public static OutsideWork<Boolean> copy(VhdStore vhds, BlobRef source, BlobRef target, boolean overwrite) {
        return write(vhds, "copy of " + source.uri() + (overwrite ? " over it" : ""), target,
                () -> vhds.copy(source, target, overwrite),
                vhds.joinsTransaction(source) && vhds.joinsTransaction(target));
    }

    /** Creates a blank fixed VHD ({@link VhdStore#createBlank}), replacing what is there. */
    public static OutsideWork<Boolean> blank(VhdStore vhds, BlobRef target, long virtualSize) {
        return write(vhds, "blank of " + virtualSize, target, () -> vhds.createBlank(target, virtualSize),
                vhds.joinsTransaction(target));
    }

    /** Deletes a blob; answers whether there was one. A deletion is not undone. */
    public static OutsideWork<Boolean> delete(VhdStore vhds, BlobRef blob) {
        return new OutsideWork<>() {
            @Override
            public String key() {
                return "delete " + blob.uri();
            }

            @Override
            public Boolean run() {
                return vhds.delete(blob);
            }

            @Override
            public boolean joinsTransaction() {
                return vhds.joinsTransaction(blob);
            }
        };
    }

    private static void deleteQuietly(VhdStore vhds, BlobRef blob, RuntimeException cause) {
        try {
            vhds.delete(blob);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}

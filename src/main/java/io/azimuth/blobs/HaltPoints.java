package io.azimuth.blobs;

/**
 * Named points at which the process can be made to stop dead, for tests of what a crash leaves behind: run with
 * {@code -Dazimuth.haltAt=<point>} and the process halts (no shutdown hooks, nothing flushed, as if killed) the
 * first time it reaches that point. The property is read once.
 *
 * <ul>
 *   <li>{@value #UPLOAD_BEFORE_COMMIT}: a new blob's chunks are written and durable, its catalog rows are not</li>
 *   <li>{@value #EDIT_BEFORE_COMMIT}: the same for a change to an existing blob (a page write, a resize)</li>
 *   <li>{@value #COPY_BEFORE_COMMIT}: a copy is done in the transaction, which has not committed</li>
 *   <li>{@value #COPY_AFTER_COMMIT}: a copy has committed, its caller has not been answered</li>
 *   <li>{@value #DELETE_AFTER_COMMIT}: a delete has committed, the chunk files it freed are not removed yet</li>
 * </ul>
 */
public final class HaltPoints {
    public static final String PROPERTY = "azimuth.haltAt";
    /** The exit status of a halt at a point. */
    public static final int STATUS = 99;
    public static final String UPLOAD_BEFORE_COMMIT = "upload.before-commit";
    public static final String EDIT_BEFORE_COMMIT = "edit.before-commit";
    public static final String COPY_BEFORE_COMMIT = "copy.before-commit";
    public static final String COPY_AFTER_COMMIT = "copy.after-commit";
    public static final String DELETE_AFTER_COMMIT = "delete.after-commit";

    private static final String AT = System.getProperty(PROPERTY, "");

    private HaltPoints() {
    }

    /** Halts the process if it was told to halt at {@code point}. */
    static void reach(String point) {
        if (AT.equals(point)) {
            System.err.println("halting at " + point);
            System.err.flush();
            Runtime.getRuntime().halt(STATUS);
        }
    }
}

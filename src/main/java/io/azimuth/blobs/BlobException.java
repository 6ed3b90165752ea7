package io.azimuth.blobs;

/**
 * A refusal of the blob store: a blob missing, malformed, already there, changed underneath, or a remote storage
 * account failing. The store knows nothing of HTTP; the server maps each {@link Reason} to the status and code an
 * API answers with (the reason's {@link Reason#status} and {@link Reason#code} are those Azure answers with), and a
 * caller that words the refusal its own way (the classic API's XML errors, a VM's "not allowed") catches this.
 */
public final class BlobException extends RuntimeException {
    /** Why the store refused, with the HTTP status and error code an API answers it with. */
    public enum Reason {
        NOT_FOUND(404, "NotFound"),
        INVALID(400, "InvalidParameter"),
        ALREADY_EXISTS(409, "BlobAlreadyExists"),
        CONFLICT(409, "Conflict"),
        ACCOUNT_AUTHENTICATION(502, "StorageAccountAuthenticationFailed"),
        ACCOUNT_ERROR(502, "StorageAccountError"),
        ACCOUNT_UNREACHABLE(502, "StorageAccountUnreachable");

        public final int status;
        public final String code;

        Reason(int status, String code) {
            this.status = status;
            this.code = code;
        }
    }

    private final Reason reason;
    private final String target;

    public BlobException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** {@code target}: the request field that named the blob, when the caller gave one. */
    public BlobException(Reason reason, String message, String target) {
        super(message, null, false, false);
        this.reason = reason;
        this.target = target;
    }

    public Reason reason() {
        return reason;
    }

    public String target() {
        return target;
    }

    /** The blob already exists, or changed meanwhile: the two refusals a writer must not clean up after. */
    public boolean isConflict() {
        return reason == Reason.ALREADY_EXISTS || reason == Reason.CONFLICT;
    }
}

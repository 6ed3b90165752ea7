package io.azimuth.auth;

/** A bearer token ARM does not accept; the envelope words it as ARM does. */
public final class TokenRejected extends RuntimeException {
    public enum Reason {
        /** Not a JWT, not signed by this instance, or missing the claims it must carry. */
        INVALID,
        /** Signed here, but its {@code exp} has passed. */
        EXPIRED,
        /** Signed here for another audience. */
        WRONG_AUDIENCE
    }

    private final Reason reason;
    private final String detail;

    public TokenRejected(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
        this.detail = detail;
    }

    public Reason reason() {
        return reason;
    }

    /** What was wrong: the expiry time, the audience found. */
    public String detail() {
        return detail;
    }
}

package io.azimuth.auth;

/** A sign-in the principals refuse; the sign-in front end words it as Entra does. */
public final class SignInRefused extends RuntimeException {
    public enum Reason {
        /** No service principal with this client id is declared. */
        UNKNOWN_CLIENT,
        /** The client secret does not match. */
        BAD_SECRET,
        /** The client assertion is malformed, expired, not for this client or not signed by its certificate. */
        BAD_ASSERTION,
        /** The user is not declared or the password does not match. */
        BAD_USER_CREDENTIALS,
        /** A refresh token or device code not issued here, or no longer valid. */
        BAD_GRANT
    }

    private final Reason reason;

    public SignInRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

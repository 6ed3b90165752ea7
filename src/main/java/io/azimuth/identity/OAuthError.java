package io.azimuth.identity;

import io.azimuth.http.ApiException;

/**
 * An OAuth 2.0 error as Entra ID answers it: the OAuth {@code error} code, an {@code AADSTS} number and its
 * description.
 */
final class OAuthError extends ApiException {
    private final int aadsts;

    OAuthError(int status, String error, int aadsts, String description) {
        super(status, error, description);
        this.aadsts = aadsts;
    }

    int aadsts() {
        return aadsts;
    }

    static OAuthError missing(String parameter) {
        return new OAuthError(400, "invalid_request", 900144,
                "The request body must contain the following parameter: '" + parameter + "'.");
    }

    static OAuthError invalidRequest(int aadsts, String description) {
        return new OAuthError(400, "invalid_request", aadsts, description);
    }

    static OAuthError unsupportedGrant(String grantType) {
        return new OAuthError(400, "unsupported_grant_type", 70003,
                "The app requested an unsupported grant type '" + grantType + "'.");
    }

    static OAuthError invalidClient(int aadsts, String description) {
        return new OAuthError(401, "invalid_client", aadsts, description);
    }

    static OAuthError invalidGrant(int aadsts, String description) {
        return new OAuthError(400, "invalid_grant", aadsts, description);
    }

    static OAuthError invalidScope(String description) {
        return new OAuthError(400, "invalid_scope", 1002012, description);
    }
}

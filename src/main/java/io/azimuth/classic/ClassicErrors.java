package io.azimuth.classic;

import io.azimuth.http.ApiException;

import java.util.Set;

/**
 * The classic API's error codes (Service Management "Status and Error Codes"): each refusal names the element or
 * resource it concerns in its message, as the service's own messages do.
 */
public final class ClassicErrors {
    public static final String MISSING_OR_INCORRECT_VERSION = "MissingOrIncorrectVersionHeader";
    public static final String INVALID_XML = "InvalidXmlRequest";
    public static final String BAD_REQUEST = "BadRequest";
    public static final String INVALID_HTTP_VERB = "InvalidHttpVerb";
    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    public static final String NOT_FOUND = "ResourceNotFound";
    public static final String CONFLICT = "ConflictError";
    public static final String INTERNAL = "InternalError";

    private static final Set<String> CODES = Set.of(MISSING_OR_INCORRECT_VERSION, INVALID_XML,
            BAD_REQUEST, INVALID_HTTP_VERB, AUTHENTICATION_FAILED, NOT_FOUND, CONFLICT, INTERNAL,
            "MissingOrInvalidRequiredQueryParameter", "SubscriptionDisabled", "OperationTimedOut", "ServerBusy");

    private ClassicErrors() {
    }

    /**
     * The classic code for an error raised by a shared mechanism in its own terms (the blob store, the pipeline):
     * classic codes stay, others become the classic code of their status.
     */
    public static String classicCode(String code, int status) {
        if (CODES.contains(code)) {
            return code;
        }
        return switch (status) {
            case 400, 413 -> BAD_REQUEST;
            case 403 -> AUTHENTICATION_FAILED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 500 -> INTERNAL;
            default -> code;
        };
    }

    public static ApiException version(String message) {
        return new ApiException(400, MISSING_OR_INCORRECT_VERSION, message);
    }

    public static ApiException invalidXml(String message) {
        return new ApiException(400, INVALID_XML, message);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, BAD_REQUEST, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, NOT_FOUND, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, CONFLICT, message);
    }
}

package io.azimuth.classic;

import io.azimuth.http.ApiException;

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

    private ClassicErrors() {
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

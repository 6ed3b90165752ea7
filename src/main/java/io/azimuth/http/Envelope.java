package io.azimuth.http;

import io.vertx.core.http.HttpServerRequest;

/**
 * The wire conventions of one API family (ARM, the emulator's own endpoints, later the classic API): how a
 * request is identified, authenticated and version-checked, and how errors look. Every route belongs to one.
 */
public interface Envelope {
    /** A new request id in this family's format. */
    String newRequestId();

    /** Headers every response of this family carries (request ids and the like). */
    void decorate(HttpServerRequest http, ApiRequest request, ApiResponse response);

    /** Authentication; throws to refuse. */
    void authenticate(ApiRequest request);

    /**
     * Admission of an authenticated request to a matched route (a request budget); throws to refuse. Headers it sets
     * with {@link ApiRequest#answerHeader} go on every answer.
     */
    default void admit(ApiRequest request, Route route) {
    }

    /** Version negotiation for a matched route; throws to refuse. */
    void checkVersion(ApiRequest request, Route route);

    ApiException notFound(ApiRequest request);

    ApiException methodNotAllowed(ApiRequest request);

    ApiResponse renderError(ApiRequest request, ApiException error);
}

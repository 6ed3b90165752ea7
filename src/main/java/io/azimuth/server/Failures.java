package io.azimuth.server;

import io.azimuth.blobs.BlobException;
import io.azimuth.http.ApiException;

/**
 * What the failures of the layers below the API stand for on the wire: the one place a blob store's refusal
 * becomes the API error (status, code, message, the field it concerns) every envelope renders. The pipeline and the
 * operation engine ask here; a failure not named here is an internal error.
 */
public final class Failures {
    private Failures() {
    }

    /** The API error {@code failure} stands for, or null when it is not a known refusal. */
    public static ApiException known(RuntimeException failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof BlobException blob) {
            return new ApiException(blob.reason().status, blob.reason().code, blob.getMessage(), blob.target());
        }
        return null;
    }
}

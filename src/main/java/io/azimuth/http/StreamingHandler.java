package io.azimuth.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Handles one matched request whose body it reads itself, for bodies too large to hold (blob uploads).
 *
 * <p>Threading contract: {@link #handle} runs on the request's event loop, after routing, authentication and the
 * version check, with {@code http} paused and its body unread (the pipeline has answered
 * {@code Expect: 100-continue}). It must not block: file or store work goes to {@code Vertx.executeBlocking}. It
 * reads the body with back-pressure ({@code handler}/{@code endHandler}/{@code exceptionHandler}, {@code pause}/
 * {@code resume}, or a pipe) and no size limit applies. The returned future completes, on the event loop, with the
 * response, or fails with an {@link ApiException} (any other failure becomes a 500). Once it has completed the
 * handler no longer touches {@code http}: the pipeline renders the answer through the route's envelope and reads
 * and drops whatever of the body is left unread.
 */
@FunctionalInterface
public interface StreamingHandler {
    Future<ApiResponse> handle(ApiRequest request, HttpServerRequest http);
}

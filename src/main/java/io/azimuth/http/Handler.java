package io.azimuth.http;

/**
 * Handles one matched request. Runs on a worker thread, so it may block on the store. (A {@link FastHandler} may
 * also answer on the event loop first.)
 */
@FunctionalInterface
public interface Handler {
    ApiResponse handle(ApiRequest request) throws Exception;
}

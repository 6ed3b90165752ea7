package io.azimuth.http;

import java.util.function.Function;

/**
 * A {@link Handler} that can sometimes answer at once, on the event loop, without a worker: after routing,
 * authentication and the version check the pipeline calls {@link #tryNow}, answers what it returns, and runs
 * {@link #handle} on a worker as for any handler when it returns null. HEAD falling back to GET gets the same
 * treatment (the pipeline sends no body).
 *
 * <p>{@link #tryNow} must not block: no store, no file, no lock that may be held for long. What it throws is
 * rendered as what {@link #handle} throws is.
 */
public interface FastHandler extends Handler {
    /** The answer when it is at hand (e.g. in memory), else null. Runs on the event loop. */
    ApiResponse tryNow(ApiRequest request);

    /** A handler answering with {@code now} when that answers, else with {@code otherwise} (on a worker). */
    static FastHandler of(Function<ApiRequest, ApiResponse> now, Handler otherwise) {
        return new FastHandler() {
            @Override
            public ApiResponse tryNow(ApiRequest request) {
                return now.apply(request);
            }

            @Override
            public ApiResponse handle(ApiRequest request) throws Exception {
                return otherwise.handle(request);
            }
        };
    }
}

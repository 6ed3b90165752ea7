package io.azimuth.http;

/**
 * Faults injected on purpose (the emulator's fault rules): consulted by the {@link Pipeline} for every matched request
 * once it is authenticated and before its handler runs. What an {@link Injection} asks for happens in this order:
 * the latency, then either a dropped connection, an error answered instead of the handler's, or the handler run with
 * a failure planned for the long-running operation it begins ({@link ApiRequest#plannedFailure()}).
 */
@FunctionalInterface
public interface Faults {
    Faults NONE = (request, route) -> null;

    /** What to do to {@code request}, or null for nothing. Runs on the event loop: must not block. */
    Injection inject(ApiRequest request, Route route);

    /**
     * @param latencyMillis how long to wait first (0: none)
     * @param drop          close the connection without an answer
     * @param error         answer this instead (its headers included), or null
     * @param failure       let the handler run, failing the operation it begins, or null
     */
    record Injection(long latencyMillis, boolean drop, ApiException error, ApiRequest.PlannedFailure failure) {
    }
}

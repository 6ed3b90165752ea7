package io.azimuth.store;

/**
 * A long-running operation as the store keeps it, next to the resource change it carries.
 *
 * @param kind      the handler that completes it (e.g. {@code Microsoft.Resources/resourceGroups/delete})
 * @param target    the case-folded id of the resource it acts on
 * @param status    InProgress, Succeeded, Failed or Canceled
 * @param dueAt     epoch millis at which it completes
 * @param input     JSON the handler needs to complete it (never a secret)
 * @param result    JSON body the result URL answers with once it succeeded, or null
 * @param httpStatus status the result URL answers with once it ended
 * @param error     JSON error object once it failed; while in progress, the error it is planned to end with (a
 *                  fault injected on purpose: it then fails when due, with {@code httpStatus}), else null
 */
public record StoredOperation(String id, String subscription, String namespace, String location, String kind,
                              String target, String status, long startTime, Long endTime, long dueAt,
                              String input, String result, int httpStatus, String error, String apiVersion) {
    public static final String IN_PROGRESS = "InProgress";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    public static final String CANCELED = "Canceled";

    public boolean done() {
        return !IN_PROGRESS.equals(status);
    }

    /** The error an operation in progress is planned to fail with when due, or null. */
    public String plannedError() {
        return done() ? null : error;
    }

    public StoredOperation succeeded(long at, int httpStatus, String result) {
        return new StoredOperation(id, subscription, namespace, location, kind, target, SUCCEEDED, startTime, at,
                dueAt, input, result, httpStatus, null, apiVersion);
    }

    public StoredOperation failed(long at, int httpStatus, String error) {
        return new StoredOperation(id, subscription, namespace, location, kind, target, FAILED, startTime, at,
                dueAt, input, null, httpStatus, error, apiVersion);
    }
}

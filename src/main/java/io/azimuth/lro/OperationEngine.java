package io.azimuth.lro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Times;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Envelope;
import io.azimuth.http.Ids;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The long-running-operation engine every provider uses. A provider begins an operation inside the write that
 * stages its change; the operation record commits with that change. With no delay configured the operation
 * completes in the same transaction and the provider answers synchronously; otherwise it completes when due,
 * through the handler registered for its kind, and clients follow the {@code Azure-AsyncOperation} and
 * {@code Location} URLs this engine serves. Operations found in progress at start-up are resumed.
 */
public final class OperationEngine {
    private static final Logger LOG = LoggerFactory.getLogger(OperationEngine.class);
    private static final long RETENTION_MILLIS = 24L * 60 * 60 * 1000;
    private static final long FORGET_EVERY_MILLIS = 60L * 60 * 1000;
    private static final int MAX_ATTEMPTS = 5;

    private final Vertx vertx;
    private final Function<RuntimeException, ApiException> translation;
    private final Store store;
    private final long delayMillis;
    private final Map<String, OperationHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, OperationHandler.OnFailure> onFailure = new ConcurrentHashMap<>();
    /** Told of every operation that ends: its kind and status (Succeeded, Failed). */
    private volatile java.util.function.BiConsumer<String, String> ended = (kind, status) -> { };

    public void observe(java.util.function.BiConsumer<String, String> observer) {
        this.ended = observer;
    }

    /**
     * @param translation the API error a failure of a lower layer (the blob store's refusals) stands for, or null for
     *                    one it does not know: a known error fails the operation with it, an unknown one is retried
     */
    public OperationEngine(Vertx vertx, Store store, long delayMillis,
                           Function<RuntimeException, ApiException> translation) {
        this.vertx = vertx;
        this.store = store;
        this.delayMillis = delayMillis;
        this.translation = translation;
    }

    public void register(String kind, OperationHandler handler) {
        if (handlers.putIfAbsent(kind, handler) != null) {
            throw new IllegalStateException("two handlers for operation kind " + kind);
        }
    }

    /** {@link #register(String, OperationHandler)}, with what to do to the target when an operation of it fails. */
    public void register(String kind, OperationHandler handler, OperationHandler.OnFailure failed) {
        register(kind, handler);
        onFailure.put(kind, failed);
    }

    /**
     * How long an operation {@code request} begins lasts, given its own {@code delay}: a failure planned for it
     * (an injected fault) sets its own time, at least a millisecond, so that it is always answered as in progress.
     */
    public static long delayFor(ApiRequest request, long delay) {
        ApiRequest.PlannedFailure planned = request.plannedFailure();
        return planned == null ? delay : Math.max(1, planned.afterMillis());
    }

    /**
     * Begins an operation within {@code tx}. When operations take no time it is completed here, in the same
     * transaction, and is returned {@link StoredOperation#done() done}; the caller then answers synchronously.
     * Otherwise the caller must pass the returned operation to {@link #track} once {@code tx} committed.
     */
    public StoredOperation begin(StoreTx tx, ApiRequest request, OperationSpec spec) {
        return begin(tx, request, spec, delayMillis);
    }

    /**
     * Begins and completes an operation at once, whatever the configured delay: for the few operations clients
     * accept only a synchronous answer to (generalize answers 200 only).
     */
    public StoredOperation complete(StoreTx tx, ApiRequest request, OperationSpec spec) {
        return begin(tx, request, spec, 0, Ids.uuid(), false);
    }

    /**
     * {@link #begin(StoreTx, ApiRequest, OperationSpec)} under an id the caller chose (a dashed GUID, unique): for
     * API families whose clients poll operations by the request id they were answered with, as the classic API's
     * do.
     */
    public StoredOperation begin(StoreTx tx, ApiRequest request, OperationSpec spec, String id) {
        return begin(tx, request, spec, delayMillis, id, true);
    }

    /** {@link #complete(StoreTx, ApiRequest, OperationSpec)} under an id the caller chose. */
    public StoredOperation complete(StoreTx tx, ApiRequest request, OperationSpec spec, String id) {
        return begin(tx, request, spec, 0, id, false);
    }

    /** An operation by its id, in progress or ended (until it is forgotten). */
    public Optional<StoredOperation> operation(String id) {
        return store.read(tx -> tx.operation(id.toLowerCase(Locale.ROOT)));
    }

    /**
     * {@link #begin(StoreTx, ApiRequest, OperationSpec)} lasting {@code delay} milliseconds rather than the configured
     * delay: for an operation whose own duration is part of what it emulates (a replication); 0 completes it at once.
     */
    public StoredOperation begin(StoreTx tx, ApiRequest request, OperationSpec spec, long delay) {
        return begin(tx, request, spec, delay, Ids.uuid(), true);
    }

    /**
     * @param mayFail whether a failure planned for the request applies (not to operations answered synchronously
     *                whatever the delay)
     */
    private StoredOperation begin(StoreTx tx, ApiRequest request, OperationSpec spec, long delay, String id,
                                  boolean mayFail) {
        OperationHandler handler = handlers.get(spec.kind());
        if (handler == null) {
            throw new IllegalStateException("no handler for operation kind " + spec.kind());
        }
        long now = System.currentTimeMillis();
        String apiVersion = request.query("api-version");
        ApiRequest.PlannedFailure planned = mayFail ? request.plannedFailure() : null;
        if (planned != null) {
            delay = delayFor(request, delay);
        }
        StoredOperation op = new StoredOperation(id.toLowerCase(Locale.ROOT), spec.subscription(), spec.namespace(),
                spec.location(), spec.kind(), spec.target().toLowerCase(Locale.ROOT), StoredOperation.IN_PROGRESS,
                now, null, now + delay, spec.input() == null ? null : Json.write(spec.input()), null,
                planned == null ? 202 : planned.error().status(),
                planned == null ? null : Json.write(planned.error().errorObject()), apiVersion == null ? "" : apiVersion);
        if (delay == 0) {
            Completion c = handler.complete(tx, op);
            String kind = op.kind();
            tx.afterCommit(() -> ended.accept(kind, StoredOperation.SUCCEEDED));
            return op.succeeded(System.currentTimeMillis(), c.httpStatus(),
                    c.result() == null ? null : Json.write(c.result()));
        }
        tx.putOperation(op);
        return op;
    }

    /** Schedules completion of a committed operation still in progress. */
    public void track(StoredOperation op) {
        if (!op.done()) {
            schedule(op.id(), op.dueAt(), 1);
        }
    }

    /**
     * Resumes every operation that was in progress when the process last stopped, forgets operations that ended more
     * than a day ago, and from then on forgets them every hour. Those already due complete one after the other in the
     * order they were due, as they would have had the process not stopped: each on a timer of its own, they would
     * race, and an earlier operation on a resource could end after a later one (a grant revoked after it was
     * replaced, say, would leave the replacement revoked and the first grant in force).
     */
    public void resume() {
        var pending = store.write(tx -> {
            forget(tx);
            return tx.operationsInProgress();
        });
        if (!pending.isEmpty()) {
            LOG.info("resuming {} long-running operation(s)", pending.size());
        }
        List<StoredOperation> byDueTime = new ArrayList<>(pending);
        byDueTime.sort(Comparator.comparingLong(StoredOperation::dueAt).thenComparingLong(StoredOperation::startTime));
        vertx.executeBlocking(() -> {
            int next = 0;
            while (next < byDueTime.size() && byDueTime.get(next).dueAt() <= System.currentTimeMillis()) {
                String id = byDueTime.get(next++).id();
                try {
                    complete(id, 1);
                } catch (RuntimeException e) { // one that cannot end now must not hold back the others
                    LOG.warn("operation {} could not be resumed: {}", id, e.toString());
                    schedule(id, System.currentTimeMillis() + 1000, 2);
                }
            }
            byDueTime.subList(next, byDueTime.size()).forEach(op -> schedule(op.id(), op.dueAt(), 1));
            return null;
        }, false);
        vertx.setPeriodic(FORGET_EVERY_MILLIS, t -> vertx.executeBlocking(() -> {
            try {
                store.write(tx -> {
                    forget(tx);
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.warn("ended operations could not be forgotten: {}", e.toString());
            }
            return null;
        }, false));
    }

    private static void forget(StoreTx tx) {
        int forgotten = tx.deleteOperationsEndedBefore(System.currentTimeMillis() - RETENTION_MILLIS);
        if (forgotten > 0) {
            LOG.debug("forgot {} ended operations", forgotten);
        }
    }

    /**
     * The API error a failure of a lower layer stands for (a blob store's refusal), or null for one this engine's
     * translation does not know: for work done in process on behalf of a request, as operations are.
     */
    public ApiException translate(RuntimeException e) {
        return e instanceof ApiException api ? api : translation.apply(e);
    }

    public long delayMillis() {
        return delayMillis;
    }

    private void schedule(String id, long dueAt, int attempt) {
        long wait = Math.max(1, dueAt - System.currentTimeMillis());
        vertx.setTimer(wait, t -> vertx.executeBlocking(() -> {
            complete(id, attempt);
            return null;
        }, false));
    }

    private void complete(String id, int attempt) {
        try {
            store.write(tx -> {
                StoredOperation op = tx.operation(id).orElse(null);
                if (op == null || op.done()) {
                    return null;
                }
                if (op.plannedError() != null) { // it was made to fail (an injected fault): its change is not applied
                    throw new Planned(op.httpStatus(), op.plannedError());
                }
                OperationHandler handler = handlers.get(op.kind());
                if (handler == null) {
                    throw new IllegalStateException("no handler for operation kind " + op.kind());
                }
                Completion c = handler.complete(tx, op);
                tx.putOperation(op.succeeded(System.currentTimeMillis(), c.httpStatus(),
                        c.result() == null ? null : Json.write(c.result())));
                tx.afterCommit(() -> ended.accept(op.kind(), StoredOperation.SUCCEEDED));
                return null;
            });
        } catch (Planned planned) {
            failSafely(id, planned.status, planned.error);
            return;
        } catch (RuntimeException e) {
            ApiException known = e instanceof ApiException api ? api : translation.apply(e);
            if (known != null) {
                failSafely(id, known.status(), Json.write(known.errorObject()));
                return;
            }
            if (attempt < MAX_ATTEMPTS) {
                LOG.warn("operation {} could not complete (attempt {}): {}", id, attempt, e.toString());
                schedule(id, System.currentTimeMillis() + 1000L * attempt, attempt + 1);
                return;
            }
            LOG.error("operation {} failed", id, e);
            ApiException internal = new ApiException(500, "InternalServerError",
                    "The operation failed with an internal error.");
            failSafely(id, 500, Json.write(internal.errorObject()));
        }
    }

    /** The failure planned for an operation, thrown out of its completion's write so that nothing of it stays. */
    private static final class Planned extends RuntimeException {
        final int status;
        final String error;

        Planned(int status, String error) {
            super(null, null, false, false);
            this.status = status;
            this.error = error;
        }
    }

    /**
     * Ends the operation {@code id} Failed, with what its kind does to its target on failure; should that throw, the
     * operation is still ended Failed, without it (an operation must never stay in progress for good).
     */
    private void failSafely(String id, int status, String error) {
        try {
            store.write(tx -> {
                tx.operation(id).filter(op -> !op.done()).ifPresent(op -> fail(tx, op, status, error));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("operation {}: what its failure does to its target failed too ({}); it ends Failed without it",
                    id, e.toString());
            store.write(tx -> {
                tx.operation(id).filter(op -> !op.done()).ifPresent(op -> {
                    tx.putOperation(op.failed(System.currentTimeMillis(), status, error));
                    String kind = op.kind();
                    tx.afterCommit(() -> ended.accept(kind, StoredOperation.FAILED));
                });
                return null;
            });
        }
    }

    /** Ends {@code op} Failed with {@code error} and tells its kind, which may mark its target failed. */
    private void fail(StoreTx tx, StoredOperation op, int status, String error) {
        tx.putOperation(op.failed(System.currentTimeMillis(), status, error));
        tx.afterCommit(() -> ended.accept(op.kind(), StoredOperation.FAILED));
        OperationHandler.OnFailure failed = onFailure.get(op.kind());
        if (failed != null) {
            failed.failed(tx, op);
        }
    }

    // ---- the wire: headers on accepted responses, and the two URLs clients poll ----

    public String statusUrl(ApiRequest request, StoredOperation op) {
        return url(request, op, "operations");
    }

    public String resultUrl(ApiRequest request, StoredOperation op) {
        return url(request, op, "operationResults");
    }

    private static String url(ApiRequest request, StoredOperation op, String collection) {
        return request.baseUrl() + "/subscriptions/" + op.subscription() + "/providers/" + op.namespace()
                + "/locations/" + op.location() + "/" + collection + "/" + op.id()
                + "?api-version=" + URLEncoder.encode(op.apiVersion(), StandardCharsets.UTF_8);
    }

    /** Seconds until the operation is due, at least 1: clients wait 30 s when told 0 or nothing. */
    public static String retryAfter(StoredOperation op) {
        long remaining = op.dueAt() - System.currentTimeMillis();
        return String.valueOf(Math.max(1, (remaining + 999) / 1000));
    }

    /** An accepted (202, or 200/201 for PUT) answer for an operation still in progress. */
    public ApiResponse accepted(ApiRequest request, StoredOperation op, ApiResponse response) {
        return response.header("Azure-AsyncOperation", statusUrl(request, op))
                .header("Location", resultUrl(request, op))
                .header("Retry-After", retryAfter(op));
    }

    /** Registers the status and result routes under ARM's envelope. */
    public void routes(Router router, Envelope envelope) {
        String base = "/subscriptions/{subscriptionId}/providers/{namespace}/locations/{location}/";
        router.add(Route.at(base + "operations/{operationId}", envelope).get(this::status));
        router.add(Route.at(base + "operationResults/{operationId}", envelope).get(this::result));
    }

    private StoredOperation find(ApiRequest request) {
        String id = request.param("operationId").toLowerCase(Locale.ROOT);
        StoredOperation op = store.read(tx -> tx.operation(id)).orElse(null);
        if (op == null || !op.subscription().equalsIgnoreCase(request.param("subscriptionId"))
                || !op.namespace().equalsIgnoreCase(request.param("namespace"))) {
            throw new ApiException(404, "OperationNotFound",
                    "The operation '" + request.param("operationId") + "' could not be found.");
        }
        return op;
    }

    private ApiResponse status(ApiRequest request) {
        StoredOperation op = find(request);
        ObjectNode body = Json.object();
        body.put("id", "/subscriptions/" + op.subscription() + "/providers/" + op.namespace() + "/locations/"
                + op.location() + "/operations/" + op.id());
        body.put("name", op.id());
        body.put("status", op.status());
        body.put("startTime", Times.format(op.startTime()));
        if (op.endTime() != null) {
            body.put("endTime", Times.format(op.endTime()));
        }
        if (op.done() && op.error() != null) {
            body.set("error", parse(op.error()));
        }
        ApiResponse response = ApiResponse.ok(body);
        if (!op.done()) {
            response.header("Retry-After", retryAfter(op));
        }
        return response;
    }

    private ApiResponse result(ApiRequest request) {
        StoredOperation op = find(request);
        if (!op.done()) {
            return ApiResponse.empty(202).header("Location", resultUrl(request, op)).header("Retry-After",
                    retryAfter(op));
        }
        if (op.error() != null) {
            ObjectNode body = Json.object();
            body.set("error", parse(op.error()));
            return ApiResponse.json(op.httpStatus(), body);
        }
        return op.result() == null ? ApiResponse.empty(op.httpStatus())
                : ApiResponse.json(op.httpStatus(), parse(op.result()));
    }

    private static JsonNode parse(String json) {
        try {
            return Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored operation document is not JSON", e);
        }
    }
}

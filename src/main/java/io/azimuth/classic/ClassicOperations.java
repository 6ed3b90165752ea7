package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.lro.OperationEngine;
import io.azimuth.lro.OperationHandler;
import io.azimuth.lro.OperationSpec;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.util.Locale;
import java.util.Optional;

/**
 * Classic asynchronous operations on the shared engine. Every mutating call is one operation whose id is the
 * call's request id (the {@code x-ms-request-id} answered, as a dashed GUID), so that clients poll
 * {@code GET /{subscription}/operations/{request-id}} with the value of the header. Operations that took no time
 * are stored ended, so they can be polled too; the others complete when due (with {@code --operation-delay}),
 * also after a restart.
 */
final class ClassicOperations {
    static final String NAMESPACE = "Classic";
    static final String KIND = "Classic/";

    private final OperationEngine engine;

    ClassicOperations(OperationEngine engine) {
        this.engine = engine;
    }

    void register(String kind, OperationHandler handler) {
        engine.register(KIND + kind, handler);
    }

    void register(String kind, OperationHandler handler, OperationHandler.OnFailure failed) {
        engine.register(KIND + kind, handler, failed);
    }

    /** A request id (32 hex digits) as the dashed GUID operation ids are. */
    static String operationId(String requestId) {
        String h = requestId.replace("-", "").toLowerCase(Locale.ROOT);
        if (!h.matches("[0-9a-f]{32}")) {
            return null;
        }
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }

    /**
     * Begins the request's operation in {@code tx}: completed at once when operations take no time (or when
     * {@code atOnce}, for calls the clients want answered synchronously), else left in progress for {@link #track}.
     */
    StoredOperation begin(StoreTx tx, ApiRequest r, String kind, String target, JsonNode input, boolean atOnce) {
        OperationSpec spec = new OperationSpec(r.param("subscriptionId").toLowerCase(Locale.ROOT), NAMESPACE,
                "classic", KIND + kind, target, input);
        String id = operationId(r.requestId());
        StoredOperation op = atOnce ? engine.complete(tx, r, spec, id) : engine.begin(tx, r, spec, id);
        if (op.done()) {
            tx.putOperation(op);
        }
        return op;
    }

    /** After the transaction that began it committed. */
    void track(StoredOperation op) {
        engine.track(op);
    }

    /** Whether an operation is still running (an unknown or forgotten one is not). */
    static boolean running(StoreTx tx, String id) {
        return id != null && tx.operation(id).map(op -> !op.done()).orElse(false);
    }

    /** Get Operation Status: {@code <Operation><ID/><Status/><HttpStatusCode/>[<Error/>]</Operation>}. */
    ApiResponse status(ApiRequest r) {
        String raw = r.param("requestId");
        String id = operationId(raw);
        Optional<StoredOperation> found = id == null ? Optional.empty() : engine.operation(id);
        StoredOperation op = found.filter(o -> o.namespace().equals(NAMESPACE)
                && o.subscription().equalsIgnoreCase(r.param("subscriptionId"))).orElseThrow(() ->
                ClassicErrors.notFound("The operation request ID '" + raw + "' was not found."));
        XmlOut out = XmlOut.root("Operation").el("ID", op.id()).el("Status", op.status());
        if (op.done()) {
            out.el("HttpStatusCode", op.httpStatus());
        }
        if (op.done() && op.error() != null) {
            ObjectNode error = Json.readObject(op.error());
            out.open("Error").el("Code", ClassicErrors.classicCode(error.path("code").asText(), op.httpStatus()))
                    .el("Message", error.path("message").asText()).close();
        }
        return ApiResponse.text(200, out.finish(), ClassicEnvelope.CONTENT_TYPE);
    }
}

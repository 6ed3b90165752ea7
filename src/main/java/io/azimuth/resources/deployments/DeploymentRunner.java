package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Times;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Ids;
import io.azimuth.http.Json;
import io.azimuth.kinds.ResourceKinds;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.lro.OperationEngine;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.Store;
import io.azimuth.store.StoreException;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;
import io.azimuth.templates.Plan;
import io.azimuth.templates.PlannedResource;
import io.azimuth.templates.TemplateException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs deployments: each planned resource is created through {@link ResourceKinds#put}, the entry point a direct
 * PUT reaches, once everything it depends on has succeeded, independent ones side by side. A resource whose PUT is
 * still in progress (operations with a delay) is awaited through the operation engine. A failure stops what depends
 * on it and leaves what succeeded, as ARM does; the deployment then fails with {@code DeploymentFailed} and each
 * provider's own error in its details. Each ended resource is recorded as a deployment operation in the
 * deployment's document, so that a run interrupted by a restart resumes with what had not succeeded yet.
 */
final class DeploymentRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentRunner.class);
    /** The kind of the operation row that marks a run in progress (found again at start-up). */
    static final String RUN_KIND = "Microsoft.Resources/deployments/run";
    private static final long MARKER_HORIZON_MILLIS = 10L * 365 * 24 * 60 * 60 * 1000;

    /**
     * One run of a deployment: what it deploys and what it was asked with; {@code resumed} when a previous process
     * began it.
     */
    record Run(String key, ResourceId id, String runId, String baseUrl, String correlationId, String mode,
               Plan plan, DeploymentScope scope, Set<String> alreadySucceeded, Map<String, String> inFlight,
               boolean resumed) {
    }

    /** How one resource's deployment (or Complete mode's deletion) ended. */
    private record Outcome(String id, String type, String name, boolean ok, int status, ApiException error,
                           long started, JsonNode result) {
        static Outcome of(PlannedResource r, boolean ok, int status, ApiException error, long started,
                          JsonNode result) {
            return new Outcome(r.id(), r.type(), r.name(), ok, status, error, started, result);
        }
    }

    private final Store store;
    private final ResourceKinds kinds;
    private final OperationEngine operations;
    private final ExecutorService pool;
    private final Map<String, Run> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** Thrown where a run notices the process is stopping: it ends there, writing nothing more. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("the server is stopping", null, false, false);
        }
    }

    DeploymentRunner(Store store, ResourceKinds kinds, OperationEngine operations) {
        this.store = store;
        this.kinds = kinds;
        this.operations = operations;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "azimuth-deploy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // a run's marker is ended by the run itself; one left over past the horizon ended nowhere
        operations.register(RUN_KIND, (tx, op) -> {
            throw new ApiException(500, "DeploymentInterrupted", "The deployment run was interrupted.");
        });
    }

    /** The operation row that marks a run in progress, to be stored in the write that accepts the deployment. */
    static StoredOperation marker(ResourceId deployment, String runId, String apiVersion) {
        long now = System.currentTimeMillis();
        return new StoredOperation(runId, deployment.subscriptionId().toLowerCase(Locale.ROOT), "Microsoft.Resources",
                "global", RUN_KIND, deployment.key(), StoredOperation.IN_PROGRESS, now, null,
                now + MARKER_HORIZON_MILLIS, null, null, 202, null, apiVersion == null ? "" : apiVersion);
    }

    /** Ends every run of this process without writing anything more: each resumes at the next start. */
    void stop() {
        stopping = true;
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("deployment runs did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void start(Run run) {
        running.put(run.key() + "#" + run.runId(), run);
        pool.execute(() -> {
            try {
                execute(run);
            } catch (Stopped e) {
                LOG.debug("deployment {} stopped with the server; it resumes at the next start", run.id());
            } catch (StoreException e) {
                // the process is stopping (or its store failed): the run's marker stays, and it resumes at start-up
                LOG.debug("deployment {} stopped: {}", run.id(), e.toString());
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.error("deployment {} failed", run.id(), e);
                finish(run, DeploymentDocument.FAILED, doc -> DeploymentDocument.properties(doc).set("error",
                        new ApiException(500, "InternalServerError", "The deployment failed with an internal error.")
                                .errorObject()));
            } finally {
                running.remove(run.key() + "#" + run.runId());
            }
        });
    }

    /** Whether a run of this deployment is being executed by this process. */
    boolean executing(String key, String runId) {
        return running.containsKey(key + "#" + runId);
    }

    private void execute(Run run) {
        if (!update(run, false, doc -> DeploymentDocument.properties(doc).put("provisioningState",
                DeploymentDocument.RUNNING))) {
            endMarker(run, false);
            return;
        }
        List<PlannedResource> planned = run.plan().resources();
        Set<String> succeeded = new HashSet<>(run.alreadySucceeded());
        Set<String> failed = new HashSet<>();
        Set<String> started = new HashSet<>(succeeded);
        List<ApiException> errors = new ArrayList<>();
        ExecutorCompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
        int inFlight = 0;
        boolean canceled = false;
        while (true) {
            canceled = canceled || canceled(run);
            if (!canceled) {
                for (PlannedResource r : planned) {
                    String id = fold(r.id());
                    if (started.contains(id)) {
                        continue;
                    }
                    Set<String> deps = folded(r.dependsOn());
                    if (deps.stream().anyMatch(failed::contains)) {
                        started.add(id); // never attempted: what it needs failed
                        failed.add(id);
                    } else if (succeeded.containsAll(deps)) {
                        started.add(id);
                        done.submit(() -> deploy(run, r));
                        inFlight++;
                    }
                }
            }
            if (inFlight == 0) {
                break;
            }
            Outcome o = take(done);
            inFlight--;
            String id = fold(o.id());
            record(run, o);
            if (o.ok()) {
                succeeded.add(id);
            } else {
                failed.add(id);
                errors.add(o.error());
            }
        }
        if (canceled) {
            endMarker(run, false);
            return;
        }
        if (!errors.isEmpty()) {
            ApiException failure = new ApiException(400, "DeploymentFailed", "At least one resource deployment "
                    + "operation failed. Please list deployment operations for details. Please see "
                    + "https://aka.ms/arm-deployment-operations for usage details.", null, errors);
            finish(run, DeploymentDocument.FAILED, doc -> DeploymentDocument.properties(doc)
                    .set("error", failure.errorObject()));
            return;
        }
        if (run.mode().equals("Complete")) {
            List<ApiException> deletions = deleteUnlisted(run, planned);
            if (!deletions.isEmpty()) {
                ApiException failure = new ApiException(400, "DeploymentFailed", "At least one resource deployment "
                        + "operation failed. Please list deployment operations for details. Please see "
                        + "https://aka.ms/arm-deployment-operations for usage details.", null, deletions);
                finish(run, DeploymentDocument.FAILED, doc -> DeploymentDocument.properties(doc)
                        .set("error", failure.errorObject()));
                return;
            }
        }
        ObjectNode outputs;
        try {
            outputs = run.plan().outputs(run.scope());
        } catch (TemplateException e) {
            ApiException failure = new ApiException(400, "DeploymentOutputEvaluationFailed", "Unable to evaluate "
                    + "template outputs. Please see error details and deployment operations. Please see "
                    + "https://aka.ms/arm-common-errors for usage details.", null,
                    List.of(new ApiException(400, e.code(), e.getMessage())));
            finish(run, DeploymentDocument.FAILED, doc -> DeploymentDocument.properties(doc)
                    .set("error", failure.errorObject()));
            return;
        }
        finish(run, DeploymentDocument.SUCCEEDED, doc -> {
            ObjectNode props = DeploymentDocument.properties(doc);
            props.set("outputs", outputs);
            ArrayNode resources = props.putArray("outputResources");
            planned.forEach(r -> resources.addObject().put("id", r.id()));
        });
    }

    private Outcome take(ExecutorCompletionService<Outcome> done) {
        try {
            return done.take().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopping ? new Stopped() : new IllegalStateException("interrupted while deploying", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException || e.getCause() instanceof Stopped) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException("a resource's deployment failed unexpectedly", e.getCause());
        }
    }

    /** Deploys one resource through its kind's entry point and waits for its operation, if any. */
    private Outcome deploy(Run run, PlannedResource r) {
        long started = System.currentTimeMillis();
        try {
            ObjectNode body = r.body(run.scope());
            ResourceId id = ResourceId.parse(r.id());
            TrackedResources type = kinds.kind(r.type()).orElseThrow(() -> noProvider(r, body));
            if (type.kind().apiVersions().stream().noneMatch(v -> v.equalsIgnoreCase(r.apiVersion()))) {
                throw noVersion(r, body, type.kind().apiVersions());
            }
            String pending = run.inFlight().get(fold(r.id()));
            Optional<StoredOperation> accepted = pending == null ? Optional.empty()
                    : operations.operation(opId(pending));
            int status;
            if (accepted.isPresent()) {
                // accepted before a restart: its operation goes on in the engine, so wait for it, do not PUT again
                status = accepted.get().httpStatus() == 200 ? 200 : 201;
                awaitUrl(run, pending);
            } else {
                ApiResponse answer = put(run, type, id, r.apiVersion(), body);
                status = answer.status();
                String url = statusUrl(answer);
                if (url != null) {
                    String resource = fold(r.id());
                    update(run, true, doc -> DeploymentDocument.privateState(doc).withObjectProperty("inFlight")
                            .put(resource, url));
                    awaitUrl(run, url);
                }
            }
            JsonNode result = Json.readObject(type.get(id).body().toString());
            return Outcome.of(r, true, status, null, started, result);
        } catch (TemplateException e) {
            return Outcome.of(r, false, 400, new ApiException(400, e.code(), e.getMessage()), started, null);
        } catch (ApiException e) {
            return Outcome.of(r, false, e.status(), e, started, null);
        } catch (StoreException | Stopped e) {
            throw e;
        } catch (RuntimeException e) {
            if (stopping) {
                throw new Stopped();
            }
            ApiException known = operations.translate(e);
            if (known != null) {
                return Outcome.of(r, false, known.status(), known, started, null);
            }
            LOG.error("resource {} of deployment {} failed", r.id(), run.id(), e);
            return Outcome.of(r, false, 500, new ApiException(500, "InternalServerError",
                    "The resource operation failed with an internal error."), started, null);
        }
    }

    /**
     * The PUT of one resource. In a resumed run, a resource can be busy with the operation its own PUT began just
     * before the restart, if the process stopped before the run recorded it: the PUT is then refused as a
     * conflicting operation, so the run waits for the resource to settle (its operation resumed too) and PUTs again.
     */
    private ApiResponse put(Run run, TrackedResources type, ResourceId id, String apiVersion, ObjectNode body) {
        try {
            return kinds.put(origin(run, HttpMethod.PUT, id, apiVersion), id, body);
        } catch (ApiException e) {
            if (!run.resumed() || e.status() != 409 || !"OperationNotAllowed".equals(e.code())) {
                throw e;
            }
            while (store.read(tx -> type.find(tx, id)).filter(TrackedResources::busy).isPresent()) {
                if (canceled(run)) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw stopping ? new Stopped() : new IllegalStateException("interrupted while waiting for "
                            + id, stop);
                }
            }
            return kinds.put(origin(run, HttpMethod.PUT, id, apiVersion), id, body);
        }
    }

    private static ApiException noProvider(PlannedResource r, ObjectNode body) {
        return ApiException.badRequest("NoRegisteredProviderFound", "No registered resource provider found for "
                + "location '" + body.path("location").asText("") + "' and API version '" + r.apiVersion()
                + "' for type '" + r.type() + "'. Azimuth does not serve this resource type.", null);
    }

    private static ApiException noVersion(PlannedResource r, ObjectNode body, List<String> versions) {
        String type = r.type().substring(r.type().indexOf('/') + 1);
        return ApiException.badRequest("NoRegisteredProviderFound", "No registered resource provider found for "
                + "location '" + body.path("location").asText("") + "' and API version '" + r.apiVersion()
                + "' for type '" + type + "'. The supported api-versions are '" + String.join(", ", versions)
                + "'.", null);
    }

    /** The request on whose behalf a resource is written: the template's api-version, the deployment's host. */
    private static ApiRequest origin(Run run, HttpMethod method, ResourceId id, String apiVersion) {
        MultiMap query = MultiMap.caseInsensitiveMultiMap().add("api-version", apiVersion);
        return new ApiRequest(method, id.toString(), id.toString(), query, MultiMap.caseInsensitiveMultiMap(),
                run.baseUrl(), Ids.uuid(), run.correlationId());
    }

    /** Waits for the operation an accepted answer names; its failure is thrown as the provider's own error. */
    private void await(Run run, ApiResponse answer) {
        String url = statusUrl(answer);
        if (url != null) {
            awaitUrl(run, url);
        }
    }

    /** The status URL of an answer still in progress, or null when it is done. */
    private static String statusUrl(ApiResponse answer) {
        String url = header(answer, "Azure-AsyncOperation");
        return url != null ? url : answer.status() == 202 ? header(answer, "Location") : null;
    }

    private static String opId(String url) {
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private void awaitUrl(Run run, String url) {
        String opId = opId(url);
        while (true) {
            StoredOperation op = operations.operation(opId).orElseThrow(() -> new IllegalStateException(
                    "operation " + opId + " vanished"));
            if (op.done()) {
                if (op.error() != null) {
                    throw error(op.httpStatus(), Json.readObject(op.error()));
                }
                return;
            }
            if (canceled(run)) {
                throw new ApiException(409, "Canceled", "The deployment was canceled while this resource's "
                        + "operation was in progress.");
            }
            long wait = Math.max(5, Math.min(200, op.dueAt() - System.currentTimeMillis()));
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stopping ? new Stopped() : new IllegalStateException("interrupted while waiting for " + opId, e);
            }
        }
    }

    private static String header(ApiResponse answer, String name) {
        for (Map.Entry<String, String> e : answer.headers().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** An error object as stored ({@code code, message, target?, details?}) as the exception it was. */
    static ApiException error(int status, JsonNode error) {
        List<ApiException> details = new ArrayList<>();
        error.path("details").forEach(d -> details.add(error(status, d)));
        return new ApiException(status, error.path("code").asText("Failed"), error.path("message").asText(""),
                error.hasNonNull("target") ? error.get("target").asText() : null, details);
    }

    /** Complete mode: the group's resources the template does not name are deleted, referrers first. */
    private List<ApiException> deleteUnlisted(Run run, List<PlannedResource> planned) {
        Set<String> keep = new HashSet<>();
        planned.forEach(r -> keep.add(ResourceId.parse(r.id()).key()));
        List<ApiException> errors = new ArrayList<>();
        String sub = run.id().subscriptionId().toLowerCase(Locale.ROOT);
        String group = run.id().resourceGroup().toLowerCase(Locale.ROOT);
        for (String type : kinds.deletionOrder()) {
            TrackedResources t = kinds.kind(type).orElseThrow();
            if (t.kind().nested()) {
                continue; // children go with their parents, or stay with the parent the template keeps
            }
            List<StoredResource> rows = store.read(tx -> tx.listResources(new ResourceQuery(sub, group,
                    type.toLowerCase(Locale.ROOT), null, 10_000)));
            for (StoredResource row : rows) {
                if (keep.contains(row.key())) {
                    continue;
                }
                ResourceId id = ResourceId.parse(row.id());
                long started = System.currentTimeMillis();
                Outcome o;
                try {
                    ApiResponse answer = kinds.delete(origin(run, HttpMethod.DELETE, id,
                            t.kind().apiVersions().get(0)), id);
                    await(run, answer);
                    o = new Outcome(id.toString(), t.fullType(), id.name(), true, answer.status(), null, started,
                            null);
                } catch (ApiException e) {
                    o = new Outcome(id.toString(), t.fullType(), id.name(), false, e.status(), e, started, null);
                    errors.add(e);
                }
                record(run, o, "Delete");
            }
        }
        return errors;
    }

    private void record(Run run, Outcome o) {
        record(run, o, "Create");
    }

    private void record(Run run, Outcome o, String provisioningOperation) {
        long now = System.currentTimeMillis();
        ObjectNode op = Json.object();
        op.put("operationId", Ids.uuid().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT));
        op.put("provisioningOperation", provisioningOperation);
        op.put("provisioningState", o.ok() ? DeploymentDocument.SUCCEEDED : DeploymentDocument.FAILED);
        op.put("timestamp", Times.format(now));
        op.put("duration", DeploymentDocument.duration(now - o.started()));
        op.put("trackingId", Ids.uuid());
        op.put("serviceRequestId", Ids.uuid());
        op.put("statusCode", DeploymentDocument.statusCode(o.status()));
        if (o.ok()) {
            if (o.result() != null) {
                op.set("statusMessage", o.result());
            }
        } else {
            ObjectNode message = op.putObject("statusMessage");
            message.put("status", DeploymentDocument.FAILED);
            message.set("error", o.error().errorObject());
        }
        ObjectNode target = op.putObject("targetResource");
        target.put("id", o.id());
        target.put("resourceType", o.type());
        target.put("resourceName", o.name());
        update(run, true, doc -> {
            DeploymentDocument.operations(doc).add(op);
            DeploymentDocument.privateState(doc).withObjectProperty("inFlight").remove(fold(o.id()));
        });
    }

    private boolean canceled(Run run) {
        return store.read(tx -> tx.resource(run.key())).map(row -> Json.readObject(row.body()))
                .map(doc -> !DeploymentDocument.runId(doc).equals(run.runId())
                        || DeploymentDocument.state(doc).equals(DeploymentDocument.CANCELED))
                .orElse(true);
    }

    private void finish(Run run, String state, Consumer<ObjectNode> change) {
        update(run, false, doc -> {
            change.accept(doc);
            DeploymentDocument.end(doc, state, System.currentTimeMillis());
        });
        endMarker(run, state.equals(DeploymentDocument.SUCCEEDED));
    }

    private void endMarker(Run run, boolean succeeded) {
        store.write(tx -> {
            tx.operation(run.runId()).filter(op -> !op.done()).ifPresent(op -> tx.putOperation(succeeded
                    ? op.succeeded(System.currentTimeMillis(), 200, null)
                    : op.failed(System.currentTimeMillis(), 400, null)));
            return null;
        });
    }

    /**
     * Changes this run's deployment document in one write; false when it is gone, replaced by another run, or (unless
     * {@code evenIfEnded}) ended already (canceled).
     */
    private boolean update(Run run, boolean evenIfEnded, Consumer<ObjectNode> change) {
        if (stopping) {
            throw new Stopped();
        }
        return store.write(tx -> {
            Optional<StoredResource> row = tx.resource(run.key());
            if (row.isEmpty()) {
                return false;
            }
            ObjectNode doc = Json.readObject(row.get().body());
            if (!DeploymentDocument.runId(doc).equals(run.runId())
                    || (!evenIfEnded && !DeploymentDocument.active(doc))) {
                return false;
            }
            change.accept(doc);
            tx.putResource(ResourceRecords.record(ResourceId.parse(row.get().id()), doc, row.get().createdAt(),
                    System.currentTimeMillis()));
            return true;
        });
    }

    private static String fold(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    private static Set<String> folded(Set<String> ids) {
        Set<String> out = new HashSet<>();
        ids.forEach(i -> out.add(fold(i)));
        return out;
    }
}

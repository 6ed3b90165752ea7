package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Tags;
import io.azimuth.arm.Times;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Ids;
import io.azimuth.http.Json;
import io.azimuth.kinds.ResourceKinds;
import io.azimuth.lro.OperationEngine;
import io.azimuth.resources.ResourceGroup;
import io.azimuth.resources.ResourceGroups;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;
import io.azimuth.templates.Plan;
import io.azimuth.templates.PlannedResource;
import io.azimuth.templates.Template;
import io.azimuth.templates.TemplateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of {@code Microsoft.Resources/deployments} at resource-group scope: a template is checked and planned
 * when the deployment is accepted (a bad template is refused then, with ARM's {@code InvalidTemplate}), then run by
 * the {@link DeploymentRunner}; one deployment of a name runs at a time; validate plans without deploying; cancel
 * stops a run between resources; delete forgets the deployment, never its resources.
 */
final class Deployments {
    private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);

    private final Store store;
    private final ResourceKinds kinds;
    private final String tenantId;
    private final DeploymentRunner runner;

    Deployments(Store store, ResourceKinds kinds, OperationEngine operations, String tenantId) {
        this.store = store;
        this.kinds = kinds;
        this.tenantId = tenantId;
        this.runner = new DeploymentRunner(store, kinds, operations);
    }

    record Accepted(ObjectNode view, boolean created, String runId) {
    }

    static ApiException notFound(String name) {
        return ApiException.notFound("DeploymentNotFound", "Deployment '" + name + "' could not be found.");
    }

    static ApiException refusal(TemplateException e) {
        return new ApiException(400, e.code(), e.getMessage());
    }

    private DeploymentScope scope(String subscription, String group, String name) {
        ResourceGroup rg = store.read(tx -> ResourceGroups.find(tx, subscription, group))
                .orElseThrow(() -> ResourceGroups.notFound(group));
        return new DeploymentScope(kinds, subscription, tenantId, rg.render(), name);
    }

    private static Plan plan(DeploymentRequest req, DeploymentScope scope) {
        try {
            return Template.of(req.template()).prepare(req.parameters(), scope);
        } catch (TemplateException e) {
            throw refusal(e);
        }
    }

    /** Accepts a deployment: checks and plans its template, stores it {@code Accepted}, and starts its run. */
    Accepted begin(ApiRequest r, String subscription, String group, String name, DeploymentRequest req) {
        DeploymentRequest.validateName(name);
        DeploymentScope scope = scope(subscription, group, name);
        Plan plan = plan(req, scope);
        String runId = Ids.uuid();
        long now = System.currentTimeMillis();
        Accepted accepted = store.write(tx -> {
            ResourceGroup rg = ResourceGroups.require(tx, subscription, group);
            ResourceId id = DeploymentDocument.id(subscription, rg.id().resourceGroup(), name);
            Optional<StoredResource> row = tx.resource(id.key());
            if (row.isPresent()) {
                ObjectNode current = Json.readObject(row.get().body());
                if (DeploymentDocument.active(current)) {
                    throw ApiException.conflict("DeploymentActive", "Unable to edit or replace deployment '" + name
                            + "': previous deployment from '" + current.path("properties").path("timestamp").asText()
                            + "' is still active. Please see https://aka.ms/arm-deploy for usage details.");
                }
                id = ResourceId.parse(row.get().id());
            }
            ObjectNode doc = describe(id, req, plan, r.correlationId(), DeploymentDocument.ACCEPTED, now);
            ObjectNode priv = DeploymentDocument.privateState(doc);
            priv.put("runId", runId);
            priv.put("startedAt", now);
            priv.put("baseUrl", r.baseUrl());
            priv.set("template", req.template());
            priv.set("parameters", req.parameters());
            priv.putArray("operations");
            tx.putResource(ResourceRecords.record(id, doc, row.map(StoredResource::createdAt).orElse(now), now));
            tx.putOperation(DeploymentRunner.marker(id, runId, r.query("api-version")));
            return new Accepted(DeploymentDocument.view(doc), row.isEmpty(), runId);
        });
        ResourceId id = ResourceId.parse(accepted.view().path("id").asText());
        runner.start(new DeploymentRunner.Run(id.key(), id, runId, r.baseUrl(), r.correlationId(), req.mode(), plan,
                scope, Set.of(), Map.of(), false));
        return accepted;
    }

    /** The deployment's document as a GET, a validation or a list shows it. */
    private static ObjectNode describe(ResourceId id, DeploymentRequest req, Plan plan, String correlationId,
                                       String state, long now) {
        ObjectNode doc = Json.object();
        doc.put("id", id.toString());
        doc.put("name", id.name());
        doc.put("type", DeploymentDocument.TYPE);
        if (req.tags() != null) {
            doc.set("tags", Tags.render(req.tags()));
        }
        ObjectNode props = doc.putObject("properties");
        props.put("templateHash", templateHash(req.template()));
        props.set("parameters", plan.parameters());
        props.put("mode", req.mode());
        props.put("provisioningState", state);
        props.put("timestamp", Times.format(now));
        props.put("duration", "PT0S");
        props.put("correlationId", correlationId == null ? Ids.uuid() : correlationId);
        props.set("providers", providers(plan.resources()));
        props.set("dependencies", dependencies(plan.resources()));
        return doc;
    }

    /** ARM's template hash: a decimal number derived from the template's content. */
    private static String templateHash(JsonNode template) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.write(template)
                    .getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xff);
            }
            return Long.toUnsignedString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode providers(List<PlannedResource> resources) {
        Map<String, Set<String>> types = new LinkedHashMap<>();
        for (PlannedResource r : resources) {
            int slash = r.type().indexOf('/');
            types.computeIfAbsent(r.type().substring(0, slash), k -> new java.util.LinkedHashSet<>())
                    .add(r.type().substring(slash + 1));
        }
        ArrayNode out = Json.array();
        types.forEach((ns, ts) -> {
            ObjectNode p = out.addObject();
            p.put("namespace", ns);
            ArrayNode rts = p.putArray("resourceTypes");
            ts.forEach(t -> rts.addObject().put("resourceType", t));
        });
        return out;
    }

    private static ArrayNode dependencies(List<PlannedResource> resources) {
        Map<String, PlannedResource> byId = new LinkedHashMap<>();
        resources.forEach(r -> byId.put(r.id().toLowerCase(Locale.ROOT), r));
        ArrayNode out = Json.array();
        for (PlannedResource r : resources) {
            if (r.dependsOn().isEmpty()) {
                continue;
            }
            ObjectNode d = out.addObject();
            ArrayNode on = d.putArray("dependsOn");
            for (String dep : r.dependsOn()) {
                PlannedResource target = byId.get(dep.toLowerCase(Locale.ROOT));
                if (target != null) {
                    on.add(target(target));
                }
            }
            d.setAll(target(r));
        }
        return out;
    }

    private static ObjectNode target(PlannedResource r) {
        ObjectNode t = Json.object();
        t.put("id", r.id());
        t.put("resourceType", r.type());
        t.put("resourceName", r.name());
        return t;
    }

    /** Validates a deployment without running it: the answer a successful validation gives, or the refusal. */
    ObjectNode validate(ApiRequest r, String subscription, String group, String name, DeploymentRequest req) {
        DeploymentRequest.validateName(name);
        DeploymentScope scope = scope(subscription, group, name);
        Plan plan = plan(req, scope);
        ResourceId id = DeploymentDocument.id(subscription, scope.resourceGroup().path("name").asText(group), name);
        ObjectNode doc = describe(id, req, plan, r.correlationId(), DeploymentDocument.SUCCEEDED,
                System.currentTimeMillis());
        ArrayNode validated = DeploymentDocument.properties(doc).putArray("validatedResources");
        plan.resources().forEach(p -> validated.addObject().put("id", p.id()));
        return doc;
    }

    private ObjectNode document(String subscription, String group, String name) {
        ResourceId id = DeploymentDocument.id(subscription, group, name);
        return store.read(tx -> {
            ResourceGroups.find(tx, subscription, group).orElseThrow(() -> ResourceGroups.notFound(group));
            return tx.resource(id.key()).map(row -> Json.readObject(row.body()));
        }).orElseThrow(() -> notFound(name));
    }

    ObjectNode get(String subscription, String group, String name) {
        return DeploymentDocument.view(document(subscription, group, name));
    }

    boolean exists(String subscription, String group, String name) {
        return store.read(tx -> tx.resource(DeploymentDocument.id(subscription, group, name).key())).isPresent();
    }

    JsonNode template(String subscription, String group, String name) {
        return document(subscription, group, name).path(ResourceRecords.PRIVATE_STATE).path("template");
    }

    /** The deployment operations, the latest first. */
    List<ObjectNode> operations(String subscription, String group, String name) {
        ObjectNode doc = document(subscription, group, name);
        String id = doc.path("id").asText();
        List<ObjectNode> out = new ArrayList<>();
        doc.path(ResourceRecords.PRIVATE_STATE).path("operations")
                .forEach(op -> out.add(0, DeploymentDocument.renderOperation(id, op)));
        return out;
    }

    /** The status document of a run, as its {@code Azure-AsyncOperation} URL answers. */
    ObjectNode status(String subscription, String group, String name, String runId) {
        ObjectNode doc = document(subscription, group, name);
        if (!DeploymentDocument.runId(doc).equalsIgnoreCase(runId)) {
            throw ApiException.notFound("OperationNotFound", "The operation '" + runId + "' could not be found.");
        }
        String state = DeploymentDocument.state(doc);
        ObjectNode status = Json.object();
        status.put("status", state.equals(DeploymentDocument.ACCEPTED) ? DeploymentDocument.RUNNING : state);
        JsonNode error = doc.path("properties").get("error");
        if (error != null) {
            status.set("error", error);
        }
        return status;
    }

    /** Deletes a deployment record (its resources stay): false when there was none. */
    boolean delete(String subscription, String group, String name) {
        ResourceId id = DeploymentDocument.id(subscription, group, name);
        return store.write(tx -> {
            Optional<StoredResource> row = tx.resource(id.key());
            if (row.isEmpty()) {
                return false;
            }
            if (DeploymentDocument.active(Json.readObject(row.get().body()))) {
                throw ApiException.conflict("DeploymentActive", "The deployment '" + name + "' is active and "
                        + "cannot be deleted: cancel it or wait for it to end.");
            }
            tx.deleteResource(id.key());
            return true;
        });
    }

    /** Cancels a running deployment: no resource is started after this; those done stay. */
    void cancel(String subscription, String group, String name) {
        ResourceId id = DeploymentDocument.id(subscription, group, name);
        store.write(tx -> {
            StoredResource row = tx.resource(id.key()).orElseThrow(() -> notFound(name));
            ObjectNode doc = Json.readObject(row.body());
            if (!DeploymentDocument.active(doc)) {
                throw ApiException.conflict("DeploymentCannotBeCancelled", "The deployment '" + name + "' cannot "
                        + "be cancelled: its provisioning state is '" + DeploymentDocument.state(doc) + "'; only "
                        + "an Accepted or Running deployment can be.");
            }
            DeploymentDocument.end(doc, DeploymentDocument.CANCELED, System.currentTimeMillis());
            tx.putResource(ResourceRecords.record(ResourceId.parse(row.id()), doc, row.createdAt(),
                    System.currentTimeMillis()));
            endMarker(tx, DeploymentDocument.runId(doc));
            return null;
        });
    }

    private static void endMarker(StoreTx tx, String runId) {
        tx.operation(runId).filter(op -> !op.done())
                .ifPresent(op -> tx.putOperation(op.failed(System.currentTimeMillis(), 400, null)));
    }

    /** Resumes the runs a previous process accepted and did not end, with the resources that had not succeeded. */
    /** Ends the runs of this process where they are; their markers stay, and they resume at the next start. */
    void stop() {
        runner.stop();
    }

    void resume() {
        List<StoredOperation> markers = store.read(StoreTx::operationsInProgress).stream()
                .filter(op -> op.kind().equals(DeploymentRunner.RUN_KIND)).toList();
        for (StoredOperation marker : markers) {
            try {
                resume(marker);
            } catch (RuntimeException e) {
                LOG.warn("deployment run {} could not resume: {}", marker.id(), e.toString());
                failRun(marker, new ApiException(500, "DeploymentInterrupted", "The deployment was interrupted "
                        + "and could not resume: " + e.getMessage()));
            }
        }
    }

    private void resume(StoredOperation marker) {
        Optional<StoredResource> row = store.read(tx -> tx.resource(marker.target()));
        ObjectNode doc = row.map(x -> Json.readObject(x.body())).orElse(null);
        if (doc == null || !DeploymentDocument.runId(doc).equals(marker.id()) || !DeploymentDocument.active(doc)) {
            store.write(tx -> {
                endMarker(tx, marker.id());
                return null;
            });
            return;
        }
        ResourceId id = ResourceId.parse(row.get().id());
        JsonNode priv = doc.path(ResourceRecords.PRIVATE_STATE);
        DeploymentScope scope = scope(id.subscriptionId(), id.resourceGroup(), id.name());
        Plan plan;
        try {
            plan = Template.of(priv.path("template")).prepare(priv.path("parameters"), scope);
        } catch (TemplateException e) {
            throw refusal(e);
        }
        Set<String> succeeded = new HashSet<>();
        priv.path("operations").forEach(op -> {
            if (op.path("provisioningState").asText().equals(DeploymentDocument.SUCCEEDED)) {
                succeeded.add(op.path("targetResource").path("id").asText().toLowerCase(Locale.ROOT));
            }
        });
        Map<String, String> inFlight = new HashMap<>();
        priv.path("inFlight").fields().forEachRemaining(e -> inFlight.put(e.getKey(), e.getValue().asText()));
        LOG.info("resuming deployment {} ({} of {} resources done, {} in progress)", id.name(), succeeded.size(),
                plan.resources().size(), inFlight.size());
        runner.start(new DeploymentRunner.Run(id.key(), id, marker.id(), priv.path("baseUrl").asText(""),
                doc.path("properties").path("correlationId").asText(null), doc.path("properties").path("mode")
                .asText("Incremental"), plan, scope, succeeded, inFlight, true));
    }

    private void failRun(StoredOperation marker, ApiException error) {
        store.write(tx -> {
            tx.resource(marker.target()).ifPresent(row -> {
                ObjectNode doc = Json.readObject(row.body());
                if (DeploymentDocument.runId(doc).equals(marker.id()) && DeploymentDocument.active(doc)) {
                    DeploymentDocument.properties(doc).set("error", error.errorObject());
                    DeploymentDocument.end(doc, DeploymentDocument.FAILED, System.currentTimeMillis());
                    tx.putResource(ResourceRecords.record(ResourceId.parse(row.id()), doc, row.createdAt(),
                            System.currentTimeMillis()));
                }
            });
            endMarker(tx, marker.id());
            return null;
        });
    }
}

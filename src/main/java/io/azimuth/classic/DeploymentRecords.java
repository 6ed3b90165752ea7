package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The stored deployment document and its roles: reading it, finding and removing roles, the states a role is left
 * in, and writing it back. A deployment takes one operation at a time, as the service grants operations exclusive
 * access to it: the operation that holds it is recorded in the document until the operation completes.
 */
final class DeploymentRecords {
    static final String READY = "ReadyRole";
    static final String STOPPED = "StoppedVM";
    static final String STOPPED_DEALLOCATED = "StoppedDeallocated";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private DeploymentRecords() {
    }

    static String now() {
        return TIME.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    static List<ObjectNode> inService(StoreTx tx, String subscription, String service) {
        return ClassicRecords.list(tx, subscription, ClassicRecords.DEPLOYMENT,
                ClassicRecords.serviceId(subscription, service) + "/deployments/");
    }

    static ObjectNode require(StoreTx tx, String subscription, String service, String deployment) {
        return ClassicRecords.get(tx, ClassicRecords.deploymentId(subscription, service, deployment))
                .orElseThrow(() -> ClassicErrors.notFound("The deployment '" + deployment + "' does not exist in "
                        + "the cloud service '" + service + "'."));
    }

    static Optional<ObjectNode> findRole(ObjectNode d, String name) {
        for (JsonNode role : d.path("Roles")) {
            if (role.path("RoleName").asText().equalsIgnoreCase(name)) {
                return Optional.of((ObjectNode) role);
            }
        }
        return Optional.empty();
    }

    /** The role an operation completes on, which is gone only if the deployment changed under it. */
    static ObjectNode role(ObjectNode d, String name) {
        return findRole(d, name).orElseThrow(() -> ClassicErrors.notFound("The role '" + name + "' no longer exists."));
    }

    static void removeRole(ObjectNode d, String name) {
        ArrayNode roles = (ArrayNode) d.path("Roles");
        for (int i = 0; i < roles.size(); i++) {
            if (roles.get(i).path("RoleName").asText().equalsIgnoreCase(name)) {
                roles.remove(i);
                return;
            }
        }
    }

    static ApiException roleNotFound(String role, String deployment) {
        return ClassicErrors.notFound("The role '" + role + "' does not exist in the deployment '" + deployment + "'.");
    }

    static void started(ObjectNode role) {
        role.put("InstanceStatus", READY);
        role.put("PowerState", "Started");
    }

    /** Refuses while another operation has the deployment. */
    static void exclusive(StoreTx tx, ObjectNode d) {
        String running = d.path("Operation").asText(null);
        if (ClassicOperations.running(tx, running)) {
            throw ClassicErrors.conflict("Windows Azure is currently performing an operation with x-ms-requestid "
                    + running.replace("-", "") + " on this deployment that requires exclusive access.");
        }
    }

    /** Stores the staged deployment and begins the request's operation on it, which the deployment then holds. */
    static StoredOperation begin(ClassicOperations operations, StoreTx tx, ApiRequest r, ObjectNode d, String kind,
                                 ObjectNode input) {
        String sub = r.param("subscriptionId");
        String id = ClassicRecords.deploymentId(sub, d.path("Service").asText(), d.path("Name").asText());
        d.put("Operation", ClassicOperations.operationId(r.requestId()));
        d.put("LastModifiedTime", now());
        save(tx, sub, d);
        return operations.begin(tx, r, kind, ClassicRecords.key(id), input, false);
    }

    static void save(StoreTx tx, String subscription, ObjectNode d) {
        String id = ClassicRecords.deploymentId(subscription, d.path("Service").asText(), d.path("Name").asText());
        ClassicRecords.put(tx, id, subscription, ClassicRecords.DEPLOYMENT, d.path("Name").asText(), d);
    }

    /** What an operation's completion does to the deployment it holds, given the operation's input. */
    @FunctionalInterface
    interface Finish {
        void apply(ObjectNode deployment, JsonNode input);
    }

    /** Completes an operation on a deployment: applies the change and releases the deployment. */
    static Completion finish(StoreTx tx, StoredOperation op, Finish finish) {
        ObjectNode d = ClassicRecords.get(tx, op.target()).orElse(null);
        if (d == null) {
            return Completion.empty();
        }
        finish.apply(d, op.input() == null ? Json.object() : Json.readObject(op.input()));
        d.remove("Operation");
        d.put("LastModifiedTime", now());
        save(tx, op.subscription(), d);
        return Completion.empty();
    }
}

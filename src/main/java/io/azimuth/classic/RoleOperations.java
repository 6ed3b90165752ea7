package io.azimuth.classic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import static io.azimuth.classic.DeploymentRecords.STOPPED;
import static io.azimuth.classic.DeploymentRecords.STOPPED_DEALLOCATED;

/**
 * The role state machine: Start, Shutdown (with PostShutdownAction Stopped or StoppedDeallocated) and Restart, each
 * an operation that holds the role's deployment; and Delete Role, optionally with its disks' blobs. The request
 * puts the role in its passing state, the operation's completion in the state it ends in.
 */
final class RoleOperations {
    private final Store store;
    private final ClassicOperations operations;
    private final RoleDisks disks;

    RoleOperations(Store store, ClassicOperations operations, RoleDisks disks) {
        this.store = store;
        this.operations = operations;
        this.disks = disks;
        operations.register("roles/start", (tx, op) -> DeploymentRecords.finish(tx, op, (d, in) ->
                DeploymentRecords.started(DeploymentRecords.role(d, in.path("role").asText()))));
        operations.register("roles/restart", (tx, op) -> DeploymentRecords.finish(tx, op, (d, in) ->
                DeploymentRecords.started(DeploymentRecords.role(d, in.path("role").asText()))));
        operations.register("roles/shutdown", (tx, op) -> DeploymentRecords.finish(tx, op, (d, in) -> {
            ObjectNode role = DeploymentRecords.role(d, in.path("role").asText());
            role.put("InstanceStatus", in.path("deallocate").asBoolean() ? STOPPED_DEALLOCATED : STOPPED);
            role.put("PowerState", "Stopped");
        }));
        operations.register("roles/delete", this::completeRoleDelete);
    }

    StoredOperation start(ApiRequest r) {
        return roleAction(r, "roles/start", Json.object(), role -> {
            role.put("InstanceStatus", "StartingVM");
            role.put("PowerState", "Starting");
        });
    }

    StoredOperation restart(ApiRequest r) {
        return roleAction(r, "roles/restart", Json.object(), role -> {
            if (!role.path("PowerState").asText().equals("Started")) {
                throw ClassicErrors.conflict("The role '" + role.path("RoleName").asText() + "' is not running (it is "
                        + role.path("InstanceStatus").asText() + "); only a running role can be restarted.");
            }
            role.put("InstanceStatus", "RestartingRole");
        });
    }

    StoredOperation shutdown(ApiRequest r, String postShutdownAction) {
        String version = ClassicEnvelope.version(r);
        boolean deallocate = false;
        if (postShutdownAction != null) {
            if (!Versions.atLeast(version, Versions.V2013_06_01)) {
                throw ClassicErrors.badRequest("The element 'ShutdownRoleOperation/PostShutdownAction' is only "
                        + "available with x-ms-version " + Versions.V2013_06_01 + " or later (this request has "
                        + version + ").");
            }
            String action = postShutdownAction.strip();
            if (action.equals("StoppedDeallocated")) {
                deallocate = true;
            } else if (!action.equals("Stopped")) {
                throw ClassicErrors.badRequest("The value '" + action + "' of 'ShutdownRoleOperation/PostShutdownAction'"
                        + " is not a post-shutdown action: it is Stopped or StoppedDeallocated.");
            }
        }
        ObjectNode input = Json.object();
        input.put("deallocate", deallocate);
        return roleAction(r, "roles/shutdown", input, role -> {
            role.put("InstanceStatus", "StoppingVM");
            role.put("PowerState", "Stopping");
        });
    }

    @FunctionalInterface
    private interface RoleChange {
        void apply(ObjectNode role);
    }

    private StoredOperation roleAction(ApiRequest r, String kind, ObjectNode input, RoleChange change) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String roleName = r.param("roleName");
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = DeploymentRecords.require(tx, sub, svc, dep);
            ObjectNode role = DeploymentRecords.findRole(d, roleName)
                    .orElseThrow(() -> DeploymentRecords.roleNotFound(roleName, dep));
            DeploymentRecords.exclusive(tx, d);
            change.apply(role);
            input.put("role", role.path("RoleName").asText());
            return DeploymentRecords.begin(operations, tx, r, d, kind, input);
        });
        operations.track(op);
        return op;
    }

    StoredOperation deleteRole(ApiRequest r, boolean media) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String roleName = r.param("roleName");
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = DeploymentRecords.require(tx, sub, svc, dep);
            ObjectNode role = DeploymentRecords.findRole(d, roleName)
                    .orElseThrow(() -> DeploymentRecords.roleNotFound(roleName, dep));
            DeploymentRecords.exclusive(tx, d);
            if (d.path("Roles").size() == 1) {
                throw ClassicErrors.conflict("The role '" + role.path("RoleName").asText() + "' is the only role of "
                        + "the deployment '" + dep + "': delete the deployment instead.");
            }
            role.put("InstanceStatus", "DeletingVM");
            ObjectNode input = Json.object();
            input.put("role", role.path("RoleName").asText());
            input.put("media", media);
            return DeploymentRecords.begin(operations, tx, r, d, "roles/delete", input);
        });
        operations.track(op);
        return op;
    }

    private Completion completeRoleDelete(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        ObjectNode d = ClassicRecords.get(tx, op.target()).orElse(null);
        if (d == null) {
            return Completion.empty();
        }
        DeploymentRecords.findRole(d, in.path("role").asText()).ifPresent(role -> {
            if (in.path("media").asBoolean()) {
                tx.outside(disks.deleteBlobs(role));
            }
            DeploymentRecords.removeRole(d, role.path("RoleName").asText());
        });
        d.remove("Operation");
        DeploymentRecords.save(tx, op.subscription(), d);
        return Completion.empty();
    }
}

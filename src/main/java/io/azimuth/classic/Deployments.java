package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Virtual-machine deployments: reading one (by name or slot) and its roles, creating a deployment (one role),
 * adding roles to it, and deleting it, optionally with its disks' blobs. The roles are planned by {@link RolePlans};
 * the role state machine is {@link RoleOperations}, Capture Role {@link CaptureRole}. Every change is checked whole
 * before anything is written: a refused request leaves no blob, image or role behind.
 */
final class Deployments {
    private final Store store;
    private final ClassicOperations operations;
    private final RolePlans plans;
    private final RoleDisks disks;

    Deployments(Store store, ClassicOperations operations, RolePlans plans, RoleDisks disks) {
        this.store = store;
        this.operations = operations;
        this.plans = plans;
        this.disks = disks;
        operations.register("deployments/create", (tx, op) -> DeploymentRecords.finish(tx, op, (d, in) -> {
            d.put("Status", "Running");
            for (JsonNode role : d.path("Roles")) {
                DeploymentRecords.started((ObjectNode) role);
            }
        }));
        operations.register("roles/add", (tx, op) -> DeploymentRecords.finish(tx, op, (d, in) ->
                DeploymentRecords.started(DeploymentRecords.role(d, in.path("role").asText()))));
        operations.register("deployments/delete", this::completeDeploymentDelete);
    }

    // ---- reads ----

    ObjectNode get(String subscription, String service, String deployment) {
        return store.read(tx -> {
            CloudServices.require(tx, subscription, service);
            return DeploymentRecords.require(tx, subscription, service, deployment);
        });
    }

    ObjectNode getBySlot(String subscription, String service, String slot) {
        return store.read(tx -> {
            CloudServices.require(tx, subscription, service);
            if (!slot.equalsIgnoreCase("Production") && !slot.equalsIgnoreCase("Staging")) {
                throw ClassicErrors.badRequest("The deployment slot '" + slot + "' is not a slot: it is Production "
                        + "or Staging.");
            }
            return DeploymentRecords.inService(tx, subscription, service).stream()
                    .filter(d -> d.path("DeploymentSlot").asText().equalsIgnoreCase(slot)).findFirst()
                    .orElseThrow(() -> ClassicErrors.notFound("No deployments were found in the " + slot
                            + " slot of the cloud service '" + service + "'."));
        });
    }

    JsonNode getRole(String subscription, String service, String deployment, String roleName) {
        ObjectNode d = get(subscription, service, deployment);
        return DeploymentRecords.findRole(d, roleName)
                .orElseThrow(() -> DeploymentRecords.roleNotFound(roleName, deployment));
    }

    // ---- create deployment, add role ----

    StoredOperation create(ApiRequest r, ObjectNode body) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String version = ClassicEnvelope.version(r);
        String name = body.path("Name").asText(null);
        if (name == null || name.isBlank()) {
            throw Elements.missing("Deployment/Name");
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw ClassicErrors.badRequest("The value '" + name + "' of 'Deployment/Name' is not a deployment name: "
                    + "1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit.");
        }
        String slot = body.path("DeploymentSlot").asText(null);
        if (slot == null || slot.isBlank()) {
            throw Elements.missing("Deployment/DeploymentSlot");
        }
        if (!slot.strip().equals("Production")) {
            throw ClassicErrors.badRequest("The value '" + slot + "' of 'Deployment/DeploymentSlot' is not allowed: "
                    + "virtual machine deployments go to the Production slot only.");
        }
        String label = body.path("Label").asText(null);
        if (label == null || label.isBlank()) {
            throw Elements.missing("Deployment/Label");
        }
        if (label.length() > 100) {
            throw ClassicErrors.badRequest("The value of 'Deployment/Label' is " + label.length()
                    + " characters long; a label is at most 100 characters long.");
        }
        JsonNode roles = body.path("RoleList");
        if (!roles.isArray() || roles.isEmpty()) {
            throw Elements.missing("Deployment/RoleList/Role");
        }
        if (roles.size() > 1) {
            throw ClassicErrors.badRequest("The element 'Deployment/RoleList' has " + roles.size() + " roles; a "
                    + "virtual machine deployment is created with exactly one role (add the others with Add Role).");
        }
        StoredOperation op = store.write(tx -> {
            ObjectNode service = CloudServices.require(tx, sub, svc);
            for (ObjectNode other : DeploymentRecords.inService(tx, sub, svc)) {
                throw ClassicErrors.conflict("The Production slot of the cloud service '" + svc + "' is already "
                        + "occupied by the deployment '" + other.path("Name").asText() + "'.");
            }
            if (ClassicRecords.get(tx, ClassicRecords.deploymentId(sub, svc, name)).isPresent()) {
                throw ClassicErrors.conflict("A deployment named '" + name + "' already exists.");
            }
            RolePlans.Planned planned = plans.plan(tx, (ObjectNode) roles.get(0), sub, svc, name, version, Set.of(),
                    0);
            tx.outside(planned.writes());
            ObjectNode d = Json.object();
            d.put("Name", name);
            d.put("DeploymentSlot", "Production");
            d.put("PrivateID", UUID.randomUUID().toString().replace("-", ""));
            d.put("Status", "Deploying");
            d.put("Label", label);
            d.put("CreatedTime", DeploymentRecords.now());
            d.put("LastModifiedTime", DeploymentRecords.now());
            if (body.hasNonNull("VirtualNetworkName")) {
                d.put("VirtualNetworkName", body.path("VirtualNetworkName").asText());
            }
            d.put("Service", service.path("ServiceName").asText());
            d.put("Location", service.path("Location").asText(""));
            d.putArray("Roles").add(planned.role());
            return DeploymentRecords.begin(operations, tx, r, d, "deployments/create", Json.object());
        });
        operations.track(op);
        return op;
    }

    StoredOperation addRole(ApiRequest r, ObjectNode role) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String version = ClassicEnvelope.version(r);
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = DeploymentRecords.require(tx, sub, svc, dep);
            DeploymentRecords.exclusive(tx, d);
            Set<String> names = new HashSet<>();
            for (JsonNode existing : d.path("Roles")) {
                names.add(existing.path("RoleName").asText().toLowerCase(Locale.ROOT));
            }
            RolePlans.Planned planned = plans.plan(tx, role, sub, svc, d.path("Name").asText(), version, names,
                    d.path("Roles").size());
            tx.outside(planned.writes());
            ((ArrayNode) d.path("Roles")).add(planned.role());
            ObjectNode input = Json.object();
            input.put("role", planned.role().path("RoleName").asText());
            return DeploymentRecords.begin(operations, tx, r, d, "roles/add", input);
        });
        operations.track(op);
        return op;
    }

    // ---- deletion ----

    StoredOperation deleteDeployment(ApiRequest r, boolean media) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = DeploymentRecords.require(tx, sub, svc, dep);
            DeploymentRecords.exclusive(tx, d);
            d.put("Status", "Deleting");
            ObjectNode input = Json.object();
            input.put("media", media);
            return DeploymentRecords.begin(operations, tx, r, d, "deployments/delete", input);
        });
        operations.track(op);
        return op;
    }

    private Completion completeDeploymentDelete(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        ClassicRecords.get(tx, op.target()).ifPresent(d -> {
            if (in.path("media").asBoolean()) {
                List<OutsideWork<?>> deletes = new ArrayList<>();
                for (JsonNode role : d.path("Roles")) {
                    deletes.addAll(disks.deleteBlobs(role));
                }
                tx.outside(deletes);
            }
            ClassicRecords.delete(tx, op.target());
        });
        return Completion.empty();
    }
}

package io.azimuth.classic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Capture Role: a shut-down role's OS disk copied to a new blob beside it and registered as an OS image (pending
 * until the operation completes), then the role deleted (PostCaptureAction Delete) or redeployed from the image with
 * a new provisioning configuration (Reprovision). Every rule is checked before anything is copied or registered.
 */
final class CaptureRole {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final Store store;
    private final ClassicOperations operations;
    private final RoleDisks disks;

    CaptureRole(Store store, ClassicOperations operations, RoleDisks disks) {
        this.store = store;
        this.operations = operations;
        this.disks = disks;
        operations.register("roles/capture", this::completeCapture, this::captureFailed);
    }

    /** Capture Role: every rule is checked before the OS disk is copied and the image registered. */
    StoredOperation capture(ApiRequest r, ObjectNode body) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String roleName = r.param("roleName");
        String version = ClassicEnvelope.version(r);
        String action = body.path("PostCaptureAction").asText(null);
        if (action == null || action.isBlank()) {
            throw Elements.missing("CaptureRoleOperation/PostCaptureAction");
        }
        action = action.strip();
        if (!action.equals("Delete") && !action.equals("Reprovision")) {
            throw ClassicErrors.badRequest("The value '" + action + "' of 'CaptureRoleOperation/PostCaptureAction' is "
                    + "not a post-capture action: it is Delete or Reprovision.");
        }
        ObjectNode provisioning = body.path("ProvisioningConfiguration").isObject()
                ? (ObjectNode) body.path("ProvisioningConfiguration") : null;
        if (provisioning != null && action.equals("Delete")) {
            throw ClassicErrors.badRequest("The element 'CaptureRoleOperation/ProvisioningConfiguration' is only used "
                    + "when PostCaptureAction is Reprovision; with Delete the virtual machine is not redeployed.");
        }
        if (provisioning == null && action.equals("Reprovision")) {
            throw ClassicErrors.badRequest("The element 'CaptureRoleOperation/ProvisioningConfiguration' is required "
                    + "when PostCaptureAction is Reprovision: it provisions the redeployed virtual machine.");
        }
        String label = body.path("TargetImageLabel").asText(null);
        if (label == null || label.isBlank()) {
            throw Elements.missing("CaptureRoleOperation/TargetImageLabel");
        }
        String imageName = body.path("TargetImageName").asText(null);
        if (imageName == null || imageName.isBlank()) {
            throw Elements.missing("CaptureRoleOperation/TargetImageName");
        }
        OsImages.checkName(imageName.strip(), "CaptureRoleOperation/TargetImageName");
        String postAction = action;
        StoredOperation op = store.write(tx -> {
            ObjectNode service = CloudServices.require(tx, sub, svc);
            ObjectNode d = DeploymentRecords.require(tx, sub, svc, dep);
            ObjectNode role = DeploymentRecords.findRole(d, roleName)
                    .orElseThrow(() -> DeploymentRecords.roleNotFound(roleName, dep));
            DeploymentRecords.exclusive(tx, d);
            String status = role.path("InstanceStatus").asText();
            if (!status.equals(DeploymentRecords.STOPPED) && !status.equals(DeploymentRecords.STOPPED_DEALLOCATED)) {
                throw ClassicErrors.conflict("The role '" + role.path("RoleName").asText() + "' must be shut down "
                        + "before it is captured, and it is " + status + " (" + role.path("PowerState").asText()
                        + "): shut it down with a ShutdownRoleOperation first.");
            }
            if (OsImages.find(tx, sub, imageName.strip()).isPresent()) {
                throw ClassicErrors.conflict("The image name '" + imageName.strip() + "' given in "
                        + "'CaptureRoleOperation/TargetImageName' is already taken in the image repository.");
            }
            String os = role.path("OSVirtualHardDisk").path("OS").asText();
            ObjectNode kept = null;
            if (provisioning != null) {
                String expected = os.equals("Windows") ? ConfigurationSets.WINDOWS : ConfigurationSets.LINUX;
                if (!provisioning.path("ConfigurationSetType").asText().equals(expected)) {
                    throw ClassicErrors.badRequest("The element 'CaptureRoleOperation/ProvisioningConfiguration' is a "
                            + provisioning.path("ConfigurationSetType").asText() + " set, but the role runs " + os
                            + ": it is reprovisioned with a " + expected + " set.");
                }
                ProvisioningRules.check(provisioning, new ProvisioningRules.Context(version,
                        ServiceCertificates.thumbprints(tx, sub, svc), "CaptureRoleOperation/ProvisioningConfiguration"));
                kept = ProvisioningRules.kept(provisioning);
            }
            BlobRef source = RoleDisks.blob(role.path("OSVirtualHardDisk").path("MediaLink").asText(),
                    "OSVirtualHardDisk/MediaLink");
            Vhd vhd = disks.vhd(tx, source, "OSVirtualHardDisk/MediaLink");
            BlobRef target = captureTarget(tx, source, imageName.strip(), r.requestId());
            tx.outside(disks.copy(source, target, "CaptureRoleOperation/TargetImageName"));

            ObjectNode image = OsImages.document(imageName.strip(), label, target.uri(), os,
                    service.path("Location").asText(OsImages.DEFAULT_LOCATION), vhd);
            image.put("Pending", true);
            OsImages.put(tx, sub, image);
            ObjectNode input = Json.object();
            input.put("role", role.path("RoleName").asText());
            input.put("image", imageName.strip());
            input.put("action", postAction);
            if (kept != null) {
                input.set("provisioning", kept);
            }
            return DeploymentRecords.begin(operations, tx, r, d, "roles/capture", input);
        });
        operations.track(op);
        return op;
    }

    /**
     * A new blob beside the OS disk: same account and container, named after the image and the day, with a suffix
     * when that is taken (drawn from the request id, so that every run of the write draws the same).
     */
    private BlobRef captureTarget(StoreTx tx, BlobRef os, String imageName, String requestId) {
        String safe = imageName.replaceAll("[^A-Za-z0-9._-]", "-");
        String dir = os.path().contains("/") ? os.path().substring(0, os.path().lastIndexOf('/') + 1) : "";
        String base = dir + safe + "-os-" + DAY.format(Instant.now());
        BlobRef target = new BlobRef(os.account(), os.container(), base + ".vhd", os.suffix());
        for (int n = 1; disks.exists(tx, target); n++) {
            String suffix = UUID.nameUUIDFromBytes((requestId + "/" + n).getBytes(StandardCharsets.UTF_8)).toString()
                    .substring(0, 8);
            target = new BlobRef(os.account(), os.container(), base + "-" + suffix + ".vhd", os.suffix());
        }
        return target;
    }

    /**
     * A capture that failed registers no image: the image held pending under its name goes, and with it the copy of
     * the OS disk made for it (outside the write, before it commits; deleting it again is harmless).
     */
    private void captureFailed(StoreTx tx, StoredOperation op) {
        String sub = op.subscription();
        OsImages.find(tx, sub, Json.readObject(op.input()).path("image").asText())
                .filter(image -> image.path("Pending").asBoolean(false)).ifPresent(image -> {
                    tx.outside(disks.deleteBlob(RoleDisks.blob(image.path("MediaLink").asText(),
                            "OSImage/MediaLink")));
                    ClassicRecords.delete(tx, ClassicRecords.imageId(sub, image.path("Name").asText()));
                });
    }

    private Completion completeCapture(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        String sub = op.subscription();
        OsImages.find(tx, sub, in.path("image").asText()).ifPresent(image -> {
            image.remove("Pending");
            OsImages.put(tx, sub, image);
        });
        ObjectNode d = ClassicRecords.get(tx, op.target()).orElse(null);
        if (d == null) {
            return Completion.empty();
        }
        ObjectNode role = DeploymentRecords.findRole(d, in.path("role").asText()).orElse(null);
        if (role != null && in.path("action").asText().equals("Delete")) {
            DeploymentRecords.removeRole(d, role.path("RoleName").asText());
        } else if (role != null) {
            ObjectNode image = OsImages.find(tx, sub, in.path("image").asText()).orElseThrow();
            ObjectNode osDisk = (ObjectNode) role.path("OSVirtualHardDisk");
            BlobRef media = RoleDisks.blob(osDisk.path("MediaLink").asText(), "OSVirtualHardDisk/MediaLink");
            // outside the write (the account may be remote), before it commits; doing it again is harmless
            tx.outside(disks.overwrite(RoleDisks.blob(image.path("MediaLink").asText(), "OSImage/MediaLink"), media));
            osDisk.put("SourceImageName", image.path("Name").asText());
            osDisk.remove("RemoteSourceImageLink");
            ObjectNode kept = (ObjectNode) in.path("provisioning");
            role.set("Provisioning", kept);
            role.put("HostName", RolePlans.hostName(kept, role.path("RoleName").asText()));
            DeploymentRecords.started(role);
        }
        d.remove("Operation");
        if (d.path("Roles").isEmpty()) {
            ClassicRecords.delete(tx, op.target());
        } else {
            DeploymentRecords.save(tx, op.subscription(), d);
        }
        return Completion.empty();
    }
}

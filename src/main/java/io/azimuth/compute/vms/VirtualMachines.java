package io.azimuth.compute.vms;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.VhdStore;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.galleries.GalleryDocuments;
import io.azimuth.compute.disks.DiskAccess;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.lro.OperationEngine;
import io.azimuth.lro.OperationSpec;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The VM state machine and its actions, each a long-running operation through the shared engine: start,
 * powerOff, restart, deallocate, generalize (always answered at once: clients accept only 200), capture and
 * reimage; and what becomes of a VM's disks (and their bytes) when it is deleted or reimaged. Its managed disks show
 * {@code Reserved} while it is deallocated, {@code Attached} otherwise.
 */
final class VirtualMachines {
    static final String KIND = "Microsoft.Compute/virtualMachines/";

    private final Store store;
    private final OperationEngine operations;
    /** The VMs' resources, once their kind is registered. */
    private volatile TrackedResources vms;
    private final VmDisks disks;
    private final ManagedContent content;
    private final VhdStore vhds;
    private final VmCapture capture;

    VirtualMachines(Store store, OperationEngine operations, VmDisks disks, ManagedContent content) {
        this.store = store;
        this.operations = operations;
        this.disks = disks;
        this.content = content;
        this.vhds = content.vhds();
        this.capture = new VmCapture(vhds);
        operations.register(KIND + "start", (tx, op) -> apply(tx, op, doc -> VmDocuments.state(doc).put("power", "running")),
                this::actionFailed);
        operations.register(KIND + "restart", (tx, op) -> apply(tx, op, doc -> VmDocuments.state(doc).put("power", "running")),
                this::actionFailed);
        operations.register(KIND + "powerOff", (tx, op) -> apply(tx, op, doc -> VmDocuments.state(doc).put("power", "stopped")),
                this::actionFailed);
        operations.register(KIND + "deallocate", (tx, op) -> apply(tx, op,
                doc -> VmDocuments.state(doc).put("power", "deallocated")), this::actionFailed);
        operations.register(KIND + "generalize", (tx, op) -> apply(tx, op,
                doc -> VmDocuments.state(doc).put("generalized", true)), this::actionFailed);
        operations.register(KIND + "reimage", this::completeReimage, this::actionFailed);
        operations.register(KIND + "capture", capture::complete, this::actionFailed);
    }

    @FunctionalInterface
    interface Prepare {
        /** Refuses (throws) when the VM's state forbids the action; returns the operation's input, or null. */
        JsonNode prepare(StoreTx tx, ObjectNode vm);
    }

    @FunctionalInterface
    interface Change {
        void apply(ObjectNode vm);
    }

    /**
     * Runs an action: refuses while another operation runs on the VM or when {@code prepare} says its state
     * forbids it; otherwise the VM shows {@code Updating} until the action's operation completes.
     */
    ApiResponse action(ApiRequest r, ResourceId id, String action, Prepare prepare, boolean atOnce) {
        StoredOperation op = store.write(tx -> {
            ObjectNode doc = vms.require(tx, id);
            if (TrackedResources.busy(doc)) {
                throw ArmErrors.operationNotAllowed("Operation '" + action + "' is not allowed on VM '"
                        + id.name() + "' since another operation (" + TrackedResources.provisioningState(doc)
                        + ") is in progress on it.");
            }
            JsonNode input = prepare.prepare(tx, doc);
            doc.withObjectProperty("properties").put("provisioningState", "Updating");
            save(tx, doc);
            OperationSpec spec = new OperationSpec(id.subscriptionId().toLowerCase(Locale.ROOT), "Microsoft.Compute",
                    doc.path("location").asText(), KIND + action, doc.path("id").asText(), input);
            return atOnce ? operations.complete(tx, r, spec) : operations.begin(tx, r, spec);
        });
        operations.track(op);
        if (op.done()) {
            return op.result() == null ? ApiResponse.empty(200) : ApiResponse.json(200, parse(op.result()));
        }
        return operations.accepted(r, op, ApiResponse.empty(202));
    }

    /** Capture's checks and copies. */
    VmCapture capture() {
        return capture;
    }

    static ApiException notAllowed(ObjectNode vm, String action, String why) {
        return ArmErrors.operationNotAllowed("Operation '" + action + "' is not allowed on VM '"
                + vm.path("name").asText() + "' since " + why + ".");
    }

    private Completion apply(StoreTx tx, StoredOperation op, Change change) {
        ObjectNode doc = tx.resource(op.target()).map(row -> Json.readObject(row.body())).orElse(null);
        if (doc == null) {
            return Completion.empty();
        }
        change.apply(doc);
        doc.withObjectProperty("properties").put("provisioningState", TrackedResources.SUCCEEDED);
        save(tx, doc);
        diskStates(tx, doc);
        return Completion.empty();
    }

    /**
     * An action's operation failed: the VM, {@code Updating} while it ran, is left {@code Failed}, as Azure leaves it
     * (its power state as it was); another action or a PUT may follow.
     */
    private void actionFailed(StoreTx tx, StoredOperation op) {
        tx.resource(op.target()).map(row -> Json.readObject(row.body())).ifPresent(doc -> {
            doc.withObjectProperty("properties").put("provisioningState", "Failed");
            save(tx, doc);
        });
    }

    /** The ids of a VM's managed disks, OS disk first. */
    static List<ResourceId> managedDisks(JsonNode vm) {
        List<ResourceId> ids = new ArrayList<>();
        JsonNode storage = vm.path("properties").path("storageProfile");
        List<JsonNode> disks = new ArrayList<>();
        disks.add(storage.path("osDisk"));
        storage.path("dataDisks").forEach(disks::add);
        for (JsonNode d : disks) {
            String id = d.path("managedDisk").path("id").asText("");
            if (!id.isEmpty()) {
                ids.add(ResourceId.parse(id));
            }
        }
        return ids;
    }

    /** The VM's disks show Reserved while it is deallocated, Attached otherwise. */
    private static void diskStates(StoreTx tx, ObjectNode vm) {
        boolean deallocated = VmDocuments.power(vm).equals("deallocated");
        for (ResourceId disk : managedDisks(vm)) {
            DiskDocuments.setAttachedState(tx, disk, deallocated);
        }
    }

    /** 409 when one of the VM's managed disks has an active SAS: a VM does not start on a disk being exported. */
    static void refuseWhileExported(StoreTx tx, ObjectNode vm, String action) {
        for (ResourceId disk : managedDisks(vm)) {
            TrackedResources.lookup(tx, disk).filter(DiskAccess::active).ifPresent(d -> {
                throw notAllowed(vm, action, "its disk '" + disk.name() + "' has an active SAS URI (state ActiveSAS); "
                        + "revoke access with endGetAccess first");
            });
        }
    }

    static void save(StoreTx tx, ObjectNode doc) {
        ResourceId id = ResourceId.parse(doc.path("id").asText());
        long now = System.currentTimeMillis();
        long created = tx.resource(id.key()).map(row -> row.createdAt()).orElse(now);
        tx.putResource(ResourceRecords.record(id, doc, created, now));
    }

    // ---- reimage ----

    /** Checks the Reimage document's rules at request time; returns what the operation needs (never secrets). */
    ObjectNode reimageInput(StoreTx tx, ObjectNode vm, JsonNode body) {
        ObjectNode input = Json.object();
        JsonNode os = vm.path("properties").path("storageProfile").path("osDisk");
        if ("Attach".equals(os.path("createOption").asText())) {
            throw notAllowed(vm, "reimage", "it was not made from an image: its OS disk was attached, so there is no "
                    + "image to restore it from");
        }
        String custom = vm.path(VmDocuments.STATE).path("customImage").asText(null);
        if (custom != null && TrackedResources.lookup(tx, ResourceId.parse(custom)).isEmpty()) {
            throw notAllowed(vm, "reimage", "the image '" + custom + "' it was made from no longer exists");
        }
        JsonNode userImage = os.path("image").path("uri");
        if (custom == null && userImage.isTextual()) {
            // the user image VHD is copied again: it must still be there (read outside the write: it may be remote)
            BlobRef source = BlobRef.parse(userImage.asText());
            try {
                tx.outside(BlobWork.vhd(vhds, source, "storageProfile.osDisk.image.uri"));
            } catch (BlobException e) {
                if (e.reason() != BlobException.Reason.NOT_FOUND) {
                    throw e;
                }
                throw notAllowed(vm, "reimage", "the user image VHD '" + source.uri() + "' it was made from no "
                        + "longer exists");
            }
        }
        refuseWhileExported(tx, vm, "reimage");
        if (body == null || body.isNull() || body.isMissingNode()) {
            return input;
        }
        if (!body.isObject()) {
            throw Fields.invalid("parameters", "The reimage parameters must be an object.");
        }
        Boolean tempDisk = Fields.bool(body, "tempDisk", "tempDisk");
        if (Boolean.TRUE.equals(tempDisk) && !VmDocuments.ephemeral(vm)) {
            throw Fields.invalid("tempDisk", "'tempDisk' is supported only for VMs with an ephemeral OS disk.");
        }
        String exactVersion = Fields.text(body, "exactVersion", "exactVersion");
        if (exactVersion != null) {
            JsonNode platform = vm.path(VmDocuments.STATE).path("platform");
            if (platform.isMissingNode()) {
                throw Fields.invalid("exactVersion", "'exactVersion' applies only to VMs made from a versioned "
                        + "platform image; VM '" + vm.path("name").asText() + "' is not.");
            }
            if (!PlatformImages.isDecimalVersion(exactVersion)) {
                throw Fields.invalid("exactVersion", "The value '" + exactVersion + "' of 'exactVersion' is not a "
                        + "decimal version such as 1.2.3.");
            }
            PlatformImages.find(platform.path("publisher").asText(), platform.path("offer").asText(),
                    platform.path("sku").asText(), exactVersion).orElseThrow(() -> new ApiException(404, "NotFound",
                    "The version '" + exactVersion + "' given in 'exactVersion' does not exist for image '"
                            + platform.path("publisher").asText() + ":" + platform.path("offer").asText() + ":"
                            + platform.path("sku").asText() + "'.", "exactVersion"));
            input.put("exactVersion", exactVersion);
        }
        ObjectNode osProfile = Fields.object(body, "osProfile", "osProfile");
        String osType = vm.path("properties").path("storageProfile").path("osDisk").path("osType").asText("Linux");
        String password = Fields.text(osProfile, "adminPassword", "osProfile.adminPassword");
        if (password != null) {
            OsProfileRules.password(password, osType, "osProfile.adminPassword");
        }
        String customData = Fields.text(osProfile, "customData", "osProfile.customData");
        if (customData != null) {
            OsProfileRules.customData(customData, "osProfile.customData");
        }
        return input;
    }

    private Completion completeReimage(StoreTx tx, StoredOperation op) {
        ObjectNode doc = tx.resource(op.target()).map(row -> Json.readObject(row.body())).orElse(null);
        if (doc == null) {
            return Completion.empty();
        }
        ObjectNode state = VmDocuments.state(doc);
        ObjectNode osDisk = doc.withObjectProperty("properties").withObjectProperty("storageProfile")
                .withObjectProperty("osDisk");
        String exact = op.input() == null ? null : Json.readObject(op.input()).path("exactVersion").asText(null);
        if (exact != null) {
            state.put("imageVersion", exact);
            JsonNode ref = doc.path("properties").path("storageProfile").path("imageReference");
            if (ref.isObject()) {
                ((ObjectNode) ref).put("exactVersion", exact);
            }
        }
        VmDisks.Origin origin = reimageOrigin(tx, doc);
        long growTo = state.path("osDiskBytes").asLong(0);
        if (osDisk.has("vhd") && !VmDocuments.ephemeral(doc)) {
            // the OS disk's blob is rewritten outside the write (its account may be remote); doing it again is harmless
            BlobRef blob = BlobRef.parse(osDisk.path("vhd").path("uri").asText());
            content.staged(tx, List.of(), staged -> tx.outside(BlobWork.write(vhds, "reimage", blob,
                    () -> disks.write(blob, origin, growTo, staged))));
        } else {
            // managed content; a user image VHD's bytes are staged outside the write
            content.staged(tx, List.of(), staged -> {
                writeManaged(tx, doc, osDisk, origin, growTo, staged);
                return null;
            });
        }
        state.put("power", "running");
        state.put("generalized", false);
        doc.withObjectProperty("properties").put("provisioningState", TrackedResources.SUCCEEDED);
        save(tx, doc);
        diskStates(tx, doc);
        return Completion.empty();
    }

    /** A reimaged OS disk held as managed content: the ephemeral disk's bytes, or a new managed disk. */
    private void writeManaged(StoreTx tx, ObjectNode doc, ObjectNode osDisk, VmDisks.Origin origin, long growTo,
                              StagedBlobs staged) {
        ObjectNode state = VmDocuments.state(doc);
        JsonNode platform = state.path("platform");
        String version = state.path("imageVersion").asText(null);
        if (VmDocuments.ephemeral(doc)) {
            ManagedContent.content(doc).ifPresent(local -> disks.write(local, origin, growTo, staged));
        } else if (osDisk.has("managedDisk") && osDisk.path("managedDisk").has("id")) {
            ResourceId vm = ResourceId.parse(doc.path("id").asText());
            ResourceId old = ResourceId.parse(osDisk.path("managedDisk").path("id").asText());
            ObjectNode oldDisk = TrackedResources.lookup(tx, old).orElse(null);
            String hex = UUID.randomUUID().toString().replace("-", "");
            ResourceId fresh = ResourceId.resource(vm.subscriptionId(), vm.resourceGroup(), "Microsoft.Compute",
                    "disks", vm.name() + "_OsDisk_1_" + hex);
            ObjectNode creation = Json.object();
            creation.put("createOption", "FromImage");
            if (!platform.isMissingNode()) {
                creation.putObject("imageReference").put("id", "/Subscriptions/" + vm.subscriptionId()
                        + "/Providers/Microsoft.Compute/Locations/" + doc.path("location").asText() + "/Publishers/"
                        + platform.path("publisher").asText() + "/ArtifactTypes/VMImage/Offers/"
                        + platform.path("offer").asText() + "/Skus/" + platform.path("sku").asText() + "/Versions/"
                        + version);
            } else if (state.has("customImage")) {
                creation.putObject("imageReference").put("id", state.path("customImage").asText());
            }
            String sku = osDisk.path("managedDisk").path("storageAccountType").asText("Standard_LRS");
            ObjectNode freshDisk = DiskDocuments.createAttached(tx, fresh, doc.path("location").asText(), sku,
                    osDisk.path("diskSizeGB").asInt(30), osDisk.path("osType").asText(null),
                    state.path("hyperVGeneration").asText("V1"), creation, vm.toString());
            disks.write(DiskDocuments.content(freshDisk).orElseThrow(), origin, growTo, staged);
            if (oldDisk != null) {
                if ("Delete".equals(osDisk.path("deleteOption").asText())) {
                    DiskDocuments.delete(tx, content, old);
                } else {
                    DiskDocuments.setManagedBy(tx, old, null);
                }
            }
            osDisk.put("name", fresh.name());
            osDisk.withObjectProperty("managedDisk").put("id", fresh.toString());
        }
    }

    /**
     * Where a reimaged OS disk's bytes come from: the custom image the VM was made from, its user image VHD, or a
     * blank disk of its size (a platform image).
     */
    private static VmDisks.Origin reimageOrigin(StoreTx tx, ObjectNode doc) {
        JsonNode osDisk = doc.path("properties").path("storageProfile").path("osDisk");
        long bytes = (long) osDisk.path("diskSizeGB").asInt(30) << 30;
        String custom = doc.path(VmDocuments.STATE).path("customImage").asText(null);
        if (custom != null) {
            ResourceId id = ResourceId.parse(custom);
            if (GalleryDocuments.names(id)) {
                GalleryDocuments.Version version = GalleryDocuments.find(tx, id).orElseThrow(() -> notAllowed(doc,
                        "reimage", "the gallery image version '" + custom + "' it was made from no longer exists"));
                return VmDisks.osOrigin(VmImages.Disks.ofVersion(version), null, (long) version.osDisk().sizeGB() << 30);
            }
            ObjectNode image = TrackedResources.lookup(tx, id).orElseThrow(() -> notAllowed(doc,
                    "reimage", "the image '" + custom + "' it was made from no longer exists"));
            return VmDisks.osOrigin(VmImages.Disks.ofImage(image), null, (long) image.path("properties")
                    .path("storageProfile").path("osDisk").path("diskSizeGB").asInt(30) << 30);
        }
        JsonNode userImage = osDisk.path("image").path("uri");
        return userImage.isTextual() ? new VmDisks.Origin(null, BlobRef.parse(userImage.asText()), bytes)
                : VmDisks.Origin.blank(bytes);
    }

    // ---- deletion ----

    /**
     * A deleted VM's disks follow their deleteOption: deleted with their bytes, or detached and kept; an ephemeral OS
     * disk's bytes go with the VM.
     */
    /** The VMs' resources, once their kind is registered. */
    void resources(TrackedResources vms) {
        this.vms = vms;
    }

    /** What a deleted VM's disks become, following their deleteOption (also in a group's deletion). */
    void releaseDisks(StoreTx tx, ObjectNode vm) {
        JsonNode storage = vm.path("properties").path("storageProfile");
        List<JsonNode> disks = new ArrayList<>();
        disks.add(storage.path("osDisk"));
        storage.path("dataDisks").forEach(disks::add);
        // unmanaged disks' blobs are deleted outside the write (their account may be remote), before it commits
        List<OutsideWork<?>> deletes = new ArrayList<>();
        for (JsonNode d : disks) {
            boolean unmanaged = d.path("managedDisk").path("id").asText(null) == null && d.has("vhd");
            if (unmanaged && "Delete".equals(d.path("deleteOption").asText())) {
                deletes.add(BlobWork.delete(vhds, BlobRef.parse(d.path("vhd").path("uri").asText())));
            }
        }
        tx.outside(deletes);
        for (JsonNode d : disks) {
            release(tx, d);
        }
        ManagedContent.content(vm).ifPresent(content::free);
    }

    /** A VM is not deleted while a disk that would go with it has an active SAS. */
    static void checkDelete(StoreTx tx, ObjectNode vm) {
        JsonNode storage = vm.path("properties").path("storageProfile");
        List<JsonNode> disks = new ArrayList<>();
        disks.add(storage.path("osDisk"));
        storage.path("dataDisks").forEach(disks::add);
        for (JsonNode d : disks) {
            String id = d.path("managedDisk").path("id").asText("");
            if (!id.isEmpty() && "Delete".equals(d.path("deleteOption").asText())) {
                TrackedResources.lookup(tx, ResourceId.parse(id))
                        .ifPresent(disk -> DiskAccess.refuseWhileActive(disk, "delete"));
            }
        }
    }

    private void release(StoreTx tx, JsonNode disk) {
        String id = disk.path("managedDisk").path("id").asText(null);
        if (id == null) {
            return;
        }
        ResourceId diskId = ResourceId.parse(id);
        if ("Delete".equals(disk.path("deleteOption").asText())) {
            DiskDocuments.delete(tx, content, diskId);
        } else {
            DiskDocuments.setManagedBy(tx, diskId, null);
        }
    }

    private static JsonNode parse(String json) {
        return Json.readObject(json);
    }
}

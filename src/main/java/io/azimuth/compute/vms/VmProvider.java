package io.azimuth.compute.vms;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.galleries.GalleriesProvider;
import io.azimuth.compute.images.ImagesProvider;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.kinds.ResourceKind;
import io.azimuth.kinds.TrackedResources;
import io.vertx.core.http.HttpMethod;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.azimuth.store.StoreTx;


/**
 * {@code Microsoft.Compute/virtualMachines}: lifecycle, instance view, power actions, generalize, capture and
 * reimage; and, for the images provider, the storage profile of an image made from a VM. A VM's network interfaces
 * must exist, in its region, attached to no other VM; while it references them they cannot be deleted.
 */
public final class VmProvider implements Provider {
    public static final String TYPE = "Microsoft.Compute/virtualMachines";

    private final ImagesProvider images;
    private final GalleriesProvider galleries;
    private volatile TrackedResources vms;

    public VmProvider(ImagesProvider images, GalleriesProvider galleries) {
        this.images = images;
        this.galleries = galleries;
    }

    @Override
    public void register(Platform p) {
        ManagedContent content = new ManagedContent(p.vhds());
        VmDisks disks = new VmDisks(content);
        VmRules rules = new VmRules(disks);
        VirtualMachines machines = new VirtualMachines(p.store(), p.operations(), disks, content);
        images.virtualMachineSource(this::imageProfile);
        galleries.virtualMachineSource(this::galleryProfile);

        ResourceKind.Builder vm = ResourceKind.of(ComputeProvider.NAMESPACE, "virtualMachines")
                .apiVersions(ComputeProvider.API_VERSIONS)
                .view(VmDocuments::view, null)
                .inProgressStates("Creating", "Creating", "Updating")
                .putStatuses(201, 200, -1)
                .patchStatuses(200, -1)
                .put((tx, id, body, current) -> withNics(tx, id, current.map(doc -> rules.update(doc, body))
                        .orElseGet(() -> content.staged(tx, VmRules.blobSources(body),
                                staged -> rules.create(tx, id, body, staged)))))
                .patch((tx, id, body, current) -> withNics(tx, id, rules.patch(current, body)))
                .get(this::get)
                .deleteRequestCheck(r -> bool(r, "forceDeletion"))
                .deleteCheck(VirtualMachines::checkDelete)
                .onDeleted(machines::releaseDisks)
                // a managed disk attached to a VM is not deleted
                .references(DiskDocuments.TYPE, doc -> VirtualMachines.managedDisks(doc).stream()
                        .map(ResourceId::toString).toList(), (disk, referrer) -> ApiException.conflict(
                        "OperationNotAllowed", "Disk " + disk.path("name").asText() + " is attached to VM "
                                + referrer + "."))
                // a NIC attached to a VM is not deleted
                .references(VmNetwork.NIC_TYPE, VmNetwork::nicIds, (nic, user) -> VmNetwork.inUse(
                        nic.path("id").asText(), user.toString(), null))
                .on(HttpMethod.GET, "instanceView", (r, id) -> ApiResponse.ok(VmDocuments.instanceView(
                        p.store().read(tx -> resources(p).require(tx, id)))));

        vm.action("start", (r, id) -> machines.action(r, id, "start", (tx, doc) -> {
            if (VmDocuments.generalized(doc)) {
                throw VirtualMachines.notAllowed(doc, "start", "the VM is generalized");
            }
            VirtualMachines.refuseWhileExported(tx, doc, "start");
            return null;
        }, false));
        vm.action("powerOff", (r, id) -> {
            bool(r, "skipShutdown");
            return machines.action(r, id, "powerOff", (tx, doc) -> {
                if (VmDocuments.power(doc).equals("deallocated")) {
                    throw VirtualMachines.notAllowed(doc, "powerOff", "the VM is deallocated");
                }
                return null;
            }, false);
        });
        vm.action("restart", (r, id) -> machines.action(r, id, "restart", (tx, doc) -> {
            if (!VmDocuments.power(doc).equals("running")) {
                throw VirtualMachines.notAllowed(doc, "restart", "the VM is not running (it is "
                        + VmDocuments.power(doc) + ")");
            }
            return null;
        }, false));
        vm.action("deallocate", (r, id) -> {
            bool(r, "hibernate");
            return machines.action(r, id, "deallocate", (tx, doc) -> null, false);
        });
        vm.action("generalize", (r, id) -> machines.action(r, id, "generalize", (tx, doc) -> {
            if (VmDocuments.power(doc).equals("running")) {
                throw VirtualMachines.notAllowed(doc, "generalize", "the VM is running; stop or deallocate it first");
            }
            if (VmDocuments.ephemeral(doc)) {
                throw VirtualMachines.notAllowed(doc, "generalize", "its OS disk is ephemeral");
            }
            return null;
        }, true));
        vm.action("capture", (r, id) -> {
            ObjectNode input = VmCapture.input(r.json());
            return machines.action(r, id, "capture", (tx, doc) -> {
                machines.capture().check(tx, doc, input);
                return input;
            }, false);
        });
        vm.action("reimage", (r, id) -> {
            JsonNode body = r.json();
            return machines.action(r, id, "reimage", (tx, doc) -> machines.reimageInput(tx, doc, body), false);
        });
        vms = p.kinds().register(vm.build());
        machines.resources(vms);
    }

    /** A VM document once its network interfaces have been checked. */
    private static ObjectNode withNics(StoreTx tx, ResourceId id, ObjectNode doc) {
        VmNetwork.check(tx, id, doc);
        return doc;
    }

    private static TrackedResources resources(Platform p) {
        return p.kinds().kind(TYPE).orElseThrow();
    }

    private static void bool(ApiRequest r, String name) {
        String v = r.query(name);
        if (v != null && !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw Fields.invalid(name, "'" + name + "' is true or false.");
        }
    }

    private ApiResponse get(ApiRequest r, ResourceId id) {
        String expand = r.query("$expand");
        if (expand != null && !expand.equalsIgnoreCase("instanceView") && !expand.equalsIgnoreCase("userData")) {
            throw Fields.invalid("$expand", "'$expand' is 'instanceView' or 'userData'.");
        }
        return vms.getWith(id, "instanceView".equalsIgnoreCase(expand) ? VmDocuments::viewWithInstanceView
                : VmDocuments::view);
    }

    /** An image's storage profile from a VM: only a deallocated, generalized VM, its disks as they are now. */
    private ObjectNode imageProfile(StoreTx tx, ResourceId vmId, String field) {
        ObjectNode vm = ready(tx, vmId, field, "an image");
        if (!VmDocuments.generalized(vm)) {
            throw ArmErrors.operationNotAllowed("The virtual machine '" + vmId.name()
                    + "' is not generalized: generalize it before making an image of it.");
        }
        if (!VmDocuments.power(vm).equals("deallocated")) {
            throw ArmErrors.operationNotAllowed("The virtual machine '" + vmId.name() + "' is "
                    + VmDocuments.power(vm) + ": deallocate it before making an image of it.");
        }
        ObjectNode all = disks(vm);
        ObjectNode profile = Json.object();
        ObjectNode os = profile.putObject("osDisk");
        os.put("osType", all.path("osType").asText());
        os.put("osState", "Generalized");
        os.setAll((ObjectNode) all.path("osDisk"));
        profile.set("dataDisks", all.path("dataDisks"));
        profile.put("zoneResilient", false);
        profile.put("hyperVGeneration", all.path("hyperVGeneration").asText());
        return profile;
    }

    /**
     * A gallery image version's disks from a VM: generalized or specialized (as it is), its disks as they are now;
     * a generalized VM must be deallocated.
     */
    private ObjectNode galleryProfile(StoreTx tx, ResourceId vmId, String field) {
        ObjectNode vm = ready(tx, vmId, field, "a gallery image version");
        if (VmDocuments.generalized(vm) && !VmDocuments.power(vm).equals("deallocated")) {
            throw ArmErrors.operationNotAllowed("The virtual machine '" + vmId.name() + "' is "
                    + VmDocuments.power(vm) + ": deallocate it before making a gallery image version of it.");
        }
        return disks(vm);
    }

    private static ObjectNode ready(StoreTx tx, ResourceId vmId, String field, String what) {
        ObjectNode vm = TrackedResources.lookup(tx, vmId).orElseThrow(() -> ArmErrors.referenceNotFound(
                "virtual machine", vmId.toString(), field));
        if (TrackedResources.busy(vm)) {
            throw ArmErrors.operationNotAllowed("The virtual machine '" + vmId.name() + "' is "
                    + TrackedResources.provisioningState(vm) + "; " + what + " can be made from it once that has "
                    + "finished.");
        }
        return vm;
    }

    /** A VM's OS, generation and disks (each with its source, caching, storage type and size), as they are now. */
    private static ObjectNode disks(ObjectNode vm) {
        JsonNode storage = vm.path("properties").path("storageProfile");
        ObjectNode profile = Json.object();
        JsonNode osIn = storage.path("osDisk");
        profile.put("osType", osIn.path("osType").asText());
        profile.put("osState", VmDocuments.generalized(vm) ? "Generalized" : "Specialized");
        profile.put("hyperVGeneration", vm.path(VmDocuments.STATE).path("hyperVGeneration").asText("V1"));
        ObjectNode os = profile.putObject("osDisk");
        source(osIn, os);
        os.put("caching", osIn.path("caching").asText("ReadWrite"));
        os.put("storageAccountType", osIn.path("managedDisk").path("storageAccountType").asText("Standard_LRS"));
        os.put("diskSizeGB", osIn.path("diskSizeGB").asInt());
        ArrayNode data = profile.putArray("dataDisks");
        for (JsonNode d : storage.path("dataDisks")) {
            ObjectNode out = data.addObject();
            out.put("lun", d.path("lun").asInt());
            source(d, out);
            out.put("caching", d.path("caching").asText("None"));
            out.put("storageAccountType", d.path("managedDisk").path("storageAccountType").asText("Standard_LRS"));
            out.put("diskSizeGB", d.path("diskSizeGB").asInt());
        }
        return profile;
    }

    private static void source(JsonNode disk, ObjectNode out) {
        if (disk.has("vhd")) {
            out.put("blobUri", disk.path("vhd").path("uri").asText());
        } else {
            out.putObject("managedDisk").put("id", disk.path("managedDisk").path("id").asText());
        }
    }
}

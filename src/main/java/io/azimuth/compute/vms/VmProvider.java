package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceType;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.images.ImagesProvider;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.resources.TrackedResources;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.azimuth.store.StoreTx;


/**
 * {@code Microsoft.Compute/virtualMachines}: lifecycle, instance view, power actions, generalize, capture and
 * reimage; and, for the images provider, the storage profile of an image made from a VM. Network references are
 * accepted and echoed; no network is emulated.
 */
public final class VmProvider implements Provider {
    public static final String TYPE = "Microsoft.Compute/virtualMachines";

    private final ImagesProvider images;

    public VmProvider(ImagesProvider images) {
        this.images = images;
    }

    @Override
    public void register(Platform p) {
        ResourceType type = p.catalog().register(ComputeProvider.NAMESPACE, "virtualMachines",
                ComputeProvider.API_VERSIONS);
        TrackedResources vms = new TrackedResources(p.store(), p.operations(), p.config().pageSize(),
                ComputeProvider.NAMESPACE, "virtualMachines", VmDocuments::view);
        ManagedContent content = new ManagedContent(p.vhds());
        VmRules rules = new VmRules(content);
        VirtualMachines machines = new VirtualMachines(p.store(), p.operations(), vms, rules, content);
        images.virtualMachineSource(this::imageProfile);

        String group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
                + "Microsoft.Compute/virtualMachines";
        String one = group + "/{vmName}";
        p.router().add(Route.at(group, p.arm(), type).get(vms::listInGroup));
        p.router().add(Route.at("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines", p.arm(),
                type).get(vms::listInSubscription));
        p.router().add(Route.at(one, p.arm(), type)
                .get(r -> get(r, vms))
                .put(r -> {
                    ObjectNode body = r.jsonObject();
                    ResourceId id = vms.id(r, "vmName");
                    TrackedResources.Written w = vms.write(r, id, false, "Creating",
                            (tx, current) -> current.map(doc -> rules.update(doc, body)).orElseGet(() -> content
                                    .staged(tx, VmRules.blobSources(body), staged -> rules.create(tx, id, body, staged))));
                    int status = w.created() ? 201 : 200;
                    return vms.answer(r, w, status, status);
                })
                .patch(r -> {
                    ObjectNode body = r.jsonObject();
                    TrackedResources.Written w = vms.write(r, vms.id(r, "vmName"), true, "Updating",
                            (tx, current) -> rules.patch(current.orElseThrow(), body));
                    return vms.answer(r, w, 200, 200);
                })
                .delete(r -> {
                    String force = r.query("forceDeletion");
                    if (force != null && !force.equalsIgnoreCase("true") && !force.equalsIgnoreCase("false")) {
                        throw Fields.invalid("forceDeletion", "'forceDeletion' is true or false.");
                    }
                    return vms.delete(r, vms.id(r, "vmName"), VirtualMachines::checkDelete);
                }));
        p.router().add(Route.at(one + "/instanceView", p.arm(), type)
                .get(r -> ApiResponse.ok(VmDocuments.instanceView(p.store().read(tx -> vms.require(tx,
                        vms.id(r, "vmName")))))));

        action(p, type, one, "start", (r, vm) -> machines.action(r, vm, "start", (tx, doc) -> {
            if (VmDocuments.generalized(doc)) {
                throw VirtualMachines.notAllowed(doc, "start", "the VM is generalized");
            }
            VirtualMachines.refuseWhileExported(tx, doc, "start");
            return null;
        }, false));
        action(p, type, one, "powerOff", (r, vm) -> {
            bool(r, "skipShutdown");
            return machines.action(r, vm, "powerOff", (tx, doc) -> {
                if (VmDocuments.power(doc).equals("deallocated")) {
                    throw VirtualMachines.notAllowed(doc, "powerOff", "the VM is deallocated");
                }
                return null;
            }, false);
        });
        action(p, type, one, "restart", (r, vm) -> machines.action(r, vm, "restart", (tx, doc) -> {
            if (!VmDocuments.power(doc).equals("running")) {
                throw VirtualMachines.notAllowed(doc, "restart", "the VM is not running (it is "
                        + VmDocuments.power(doc) + ")");
            }
            return null;
        }, false));
        action(p, type, one, "deallocate", (r, vm) -> {
            bool(r, "hibernate");
            return machines.action(r, vm, "deallocate", (tx, doc) -> null, false);
        });
        action(p, type, one, "generalize", (r, vm) -> machines.action(r, vm, "generalize", (tx, doc) -> {
            if (VmDocuments.power(doc).equals("running")) {
                throw VirtualMachines.notAllowed(doc, "generalize", "the VM is running; stop or deallocate it first");
            }
            if (VmDocuments.ephemeral(doc)) {
                throw VirtualMachines.notAllowed(doc, "generalize", "its OS disk is ephemeral");
            }
            return null;
        }, true));
        action(p, type, one, "capture", (r, vm) -> {
            ObjectNode input = VirtualMachines.captureInput(r.json());
            return machines.action(r, vm, "capture", (tx, doc) -> {
                machines.checkCapture(tx, doc, input);
                return input;
            }, false);
        });
        action(p, type, one, "reimage", (r, vm) -> {
            JsonNode body = r.json();
            return machines.action(r, vm, "reimage", (tx, doc) -> machines.reimageInput(tx, doc, body), false);
        });
    }

    @FunctionalInterface
    private interface Action {
        ApiResponse run(ApiRequest r, ResourceId vm);
    }

    private static void action(Platform p, ResourceType type, String one, String name, Action action) {
        p.router().add(Route.at(one + "/" + name, p.arm(), type)
                .post(r -> action.run(r, ResourceId.resource(r.param("subscriptionId"), r.param("resourceGroupName"),
                        ComputeProvider.NAMESPACE, "virtualMachines", r.param("vmName")))));
    }

    private static void bool(ApiRequest r, String name) {
        String v = r.query(name);
        if (v != null && !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw Fields.invalid(name, "'" + name + "' is true or false.");
        }
    }

    private static ApiResponse get(ApiRequest r, TrackedResources vms) {
        String expand = r.query("$expand");
        if (expand != null && !expand.equalsIgnoreCase("instanceView") && !expand.equalsIgnoreCase("userData")) {
            throw Fields.invalid("$expand", "'$expand' is 'instanceView' or 'userData'.");
        }
        ResourceId id = vms.id(r, "vmName");
        return vms.getWith(r, id, "instanceView".equalsIgnoreCase(expand) ? VmDocuments::viewWithInstanceView
                : VmDocuments::view);
    }

    /** An image's storage profile from a VM: only a deallocated, generalized VM, its disks as they are now. */
    private ObjectNode imageProfile(StoreTx tx, ResourceId vmId, String field) {
        ObjectNode vm = TrackedResources.lookup(tx, vmId).orElseThrow(() -> new ApiException(404, "NotFound",
                "The virtual machine '" + vmId + "' given in '" + field + "' was not found.", field));
        if (TrackedResources.busy(vm)) {
            throw ApiException.conflict("OperationNotAllowed", "The virtual machine '" + vmId.name() + "' is "
                    + TrackedResources.provisioningState(vm) + "; an image can be made from it once that has finished.");
        }
        if (!VmDocuments.generalized(vm)) {
            throw ApiException.conflict("OperationNotAllowed", "The virtual machine '" + vmId.name()
                    + "' is not generalized: generalize it before making an image of it.");
        }
        if (!VmDocuments.power(vm).equals("deallocated")) {
            throw ApiException.conflict("OperationNotAllowed", "The virtual machine '" + vmId.name() + "' is "
                    + VmDocuments.power(vm) + ": deallocate it before making an image of it.");
        }
        JsonNode storage = vm.path("properties").path("storageProfile");
        ObjectNode profile = Json.object();
        ObjectNode os = profile.putObject("osDisk");
        JsonNode osIn = storage.path("osDisk");
        os.put("osType", osIn.path("osType").asText());
        os.put("osState", "Generalized");
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
        profile.put("zoneResilient", false);
        profile.put("hyperVGeneration", vm.path(VmDocuments.STATE).path("hyperVGeneration").asText("V1"));
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

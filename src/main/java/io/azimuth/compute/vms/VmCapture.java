package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.lro.Completion;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Capture of a VM with unmanaged disks ({@code POST .../capture}): the parameters' rules, the copies of its VHDs to
 * {@code system/Microsoft.Compute/Images/{container}} beside its OS disk, outside the write, and the VM template the
 * operation answers with.
 */
final class VmCapture {
    private final VhdStore vhds;

    VmCapture(VhdStore vhds) {
        this.vhds = vhds;
    }

    /** Checks capture's parameters at request time. */
    static ObjectNode input(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw Fields.invalid("parameters", "Required parameters 'vhdPrefix', 'destinationContainerName' and "
                    + "'overwriteVhds' are missing.");
        }
        String prefix = Fields.text(body, "vhdPrefix", "vhdPrefix");
        String container = Fields.text(body, "destinationContainerName", "destinationContainerName");
        Boolean overwrite = Fields.bool(body, "overwriteVhds", "overwriteVhds");
        if (prefix == null || prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]{1,200}")) {
            throw Fields.invalid("vhdPrefix", "'vhdPrefix' is required: letters, digits, '.', '_' and '-'.");
        }
        if (container == null || !container.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")) {
            throw Fields.invalid("destinationContainerName", "'destinationContainerName' is required and must be a "
                    + "container name (3-63 lower-case letters, digits and single hyphens).");
        }
        if (overwrite == null) {
            throw Fields.invalid("overwriteVhds", "Required parameter 'overwriteVhds' is missing (null).");
        }
        ObjectNode input = Json.object();
        input.put("vhdPrefix", prefix);
        input.put("destinationContainerName", container);
        input.put("overwriteVhds", overwrite);
        return input;
    }

    /** Where capture writes a disk: beside the OS disk, under system/Microsoft.Compute/Images/{container}. */
    static BlobRef target(ObjectNode vm, JsonNode input, String disk) {
        BlobRef os = BlobRef.parse(vm.path("properties").path("storageProfile").path("osDisk").path("vhd").path("uri").asText());
        return new BlobRef(os.account(), "system", "Microsoft.Compute/Images/" + input.path("destinationContainerName")
                .asText() + "/" + input.path("vhdPrefix").asText() + "-" + disk + "."
                + vm.path("properties").path("vmId").asText() + ".vhd", os.suffix());
    }

    /** Checks at request time that the VM can be captured to where {@code input} says. */
    void check(StoreTx tx, ObjectNode vm, JsonNode input) {
        JsonNode os = vm.path("properties").path("storageProfile").path("osDisk");
        if (!os.has("vhd")) {
            throw VirtualMachines.notAllowed(vm, "capture", "its OS disk is a managed disk: capture takes VMs with unmanaged disks; "
                    + "make an image of it instead");
        }
        if (!VmDocuments.generalized(vm)) {
            throw VirtualMachines.notAllowed(vm, "capture", "it is not generalized");
        }
        if (!VmDocuments.power(vm).equals("deallocated") && !VmDocuments.power(vm).equals("stopped")) {
            throw VirtualMachines.notAllowed(vm, "capture", "it is running");
        }
        if (!input.path("overwriteVhds").asBoolean()
                && tx.outside(BlobWork.size(vhds, target(vm, input, "osDisk"))).isPresent()) {
            throw ApiException.conflict("BlobAlreadyExists", "The blob '" + target(vm, input, "osDisk").uri()
                    + "' exists and 'overwriteVhds' is false.");
        }
    }

    /** Completes a capture: copies the VM's VHDs beside its OS disk and answers the template of a VM made from them. */
    Completion complete(StoreTx tx, StoredOperation op) {
        ObjectNode vm = tx.resource(op.target()).map(row -> Json.readObject(row.body())).orElse(null);
        if (vm == null) {
            throw ArmErrors.notFound("The VM was deleted before its capture finished.");
        }
        ObjectNode input = Json.readObject(op.input());
        JsonNode storage = vm.path("properties").path("storageProfile");
        JsonNode os = storage.path("osDisk");
        BlobRef osTarget = target(vm, input, "osDisk");
        // the copies run outside the write (their account may be remote), all before it commits; the request checked
        // 'overwriteVhds', and from then on the names (which hold the VM's id) are the operation's: a resumed
        // operation copies again over what it copied before
        List<OutsideWork<?>> copies = new ArrayList<>();
        copies.add(BlobWork.copy(vhds, BlobRef.parse(os.path("vhd").path("uri").asText()), osTarget, true));
        for (JsonNode d : storage.path("dataDisks")) {
            if (d.has("vhd")) {
                copies.add(BlobWork.copy(vhds, BlobRef.parse(d.path("vhd").path("uri").asText()),
                        target(vm, input, "dataDisk-" + d.path("lun").asInt()), true));
            }
        }
        tx.outside(copies);

        ObjectNode template = Json.object();
        template.put("$schema", "http://schema.management.azure.com/schemas/2014-04-01-preview/VM_IP.json");
        template.put("contentVersion", "1.0.0.0");
        ObjectNode params = template.putObject("parameters");
        params.putObject("vmName").put("type", "string");
        ObjectNode size = params.putObject("vmSize");
        size.put("type", "string");
        size.put("defaultValue", vm.path("properties").path("hardwareProfile").path("vmSize").asText());
        params.putObject("adminUserName").put("type", "string");
        params.putObject("adminPassword").put("type", "securestring");
        params.putObject("networkInterfaceId").put("type", "string");
        ObjectNode resource = template.putArray("resources").addObject();
        resource.put("apiVersion", op.apiVersion());
        ObjectNode props = resource.putObject("properties");
        props.putObject("hardwareProfile").put("vmSize", "[parameters('vmSize')]");
        ObjectNode sp = props.putObject("storageProfile");
        ObjectNode osOut = sp.putObject("osDisk");
        osOut.put("osType", os.path("osType").asText());
        osOut.put("name", osTarget.path().substring(osTarget.path().lastIndexOf('/') + 1));
        osOut.put("createOption", "FromImage");
        osOut.putObject("image").put("uri", osTarget.uri());
        osOut.putObject("vhd").put("uri", "https://" + osTarget.account() + ".blob." + osTarget.suffix()
                + "/vmcontainer" + UUID.randomUUID() + "/osDisk." + UUID.randomUUID() + ".vhd");
        osOut.put("caching", os.path("caching").asText("ReadWrite"));
        ArrayNode data = sp.putArray("dataDisks");
        for (JsonNode d : storage.path("dataDisks")) {
            if (!d.has("vhd")) {
                continue;
            }
            BlobRef target = target(vm, input, "dataDisk-" + d.path("lun").asInt());
            ObjectNode dd = data.addObject();
            dd.put("lun", d.path("lun").asInt());
            dd.put("name", target.path().substring(target.path().lastIndexOf('/') + 1));
            dd.put("createOption", "FromImage");
            dd.putObject("image").put("uri", target.uri());
            dd.putObject("vhd").put("uri", "https://" + target.account() + ".blob." + target.suffix()
                    + "/vmcontainer" + UUID.randomUUID() + "/dataDisk" + d.path("lun").asInt() + "." + UUID.randomUUID()
                    + ".vhd");
            dd.put("caching", d.path("caching").asText("None"));
        }
        ObjectNode osProfile = props.putObject("osProfile");
        osProfile.put("computerName", "[parameters('vmName')]");
        osProfile.put("adminUsername", "[parameters('adminUserName')]");
        osProfile.put("adminPassword", "[parameters('adminPassword')]");
        props.putObject("networkProfile").putArray("networkInterfaces").addObject()
                .put("id", "[parameters('networkInterfaceId')]");
        resource.put("type", "Microsoft.Compute/virtualMachines");
        resource.put("location", vm.path("location").asText());
        resource.put("name", "[parameters('vmName')]");
        template.put("id", "/subscriptions/" + op.subscription() + "/providers/Microsoft.Compute/locations/"
                + op.location() + "/operations/" + op.id());

        vm.withObjectProperty("properties").put("provisioningState", TrackedResources.SUCCEEDED);
        VirtualMachines.save(tx, vm);
        return Completion.ok(template);
    }
}

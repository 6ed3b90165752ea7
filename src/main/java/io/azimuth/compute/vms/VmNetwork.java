package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A VM's network interfaces: each must exist, be in the VM's region and be attached to no other VM. The NICs are read
 * as stored rows (Microsoft.Network's documents, by their ids); the attachment is the VM's declared reference to them.
 */
final class VmNetwork {
    static final String NIC_TYPE = "Microsoft.Network/networkInterfaces";
    private static final String FIELD = "properties.networkProfile.networkInterfaces";

    private VmNetwork() {
    }

    /** The NIC ids a VM document names. */
    static List<String> nicIds(ObjectNode vm) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : vm.path("properties").path("networkProfile").path("networkInterfaces")) {
            String id = n.path("id").asText("");
            if (!id.isEmpty()) {
                out.add(id);
            }
        }
        return out;
    }

    /** Refuses a VM document whose NICs are missing, elsewhere, or attached to another VM. */
    static void check(StoreTx tx, ResourceId vm, ObjectNode doc) {
        JsonNode nics = doc.path("properties").path("networkProfile").path("networkInterfaces");
        String location = doc.path("location").asText();
        for (int i = 0; i < nics.size(); i++) {
            String field = FIELD + "[" + i + "].id";
            String raw = nics.get(i).path("id").asText(null);
            ResourceId nic = Fields.reference(raw, field, NIC_TYPE);
            ObjectNode nicDoc = tx.resourceBody(nic.key()).map(Json::readObject)
                    .orElseThrow(() -> ArmErrors.referenceNotFound("network interface", raw, field));
            String nicLocation = nicDoc.path("location").asText();
            if (!nicLocation.equals(location)) {
                throw ArmErrors.invalidParameter(field, "The network interface " + nicDoc.path("id").asText()
                        + " is in location '" + nicLocation + "': a virtual machine in location '" + location
                        + "' can only use network interfaces of its own location.");
            }
            for (String referrer : tx.referrers(nic.key(), 100)) {
                if (referrer.equals(vm.key())) {
                    continue;
                }
                StoredResource row = tx.resource(referrer).orElse(null);
                if (row != null && row.type().equals(VmProvider.TYPE.toLowerCase(Locale.ROOT))) {
                    throw inUse(nicDoc.path("id").asText(), row.id(), field);
                }
            }
        }
    }

    /** Network RP's refusal to delete, or attach again, a NIC a VM uses. */
    static ApiException inUse(String nic, String vm, String field) {
        return ArmErrors.badRequest("NicInUse", "Network Interface " + nic + " is used by existing resource " + vm
                + ". In order to delete the network interface, it must be dissociated from the resource. To learn "
                + "more, see aka.ms/deletenic.", field);
    }
}

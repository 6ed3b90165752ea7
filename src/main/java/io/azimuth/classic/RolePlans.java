package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.Json;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A persistent VM role as given in Create Deployment or Add Role, checked whole and shaped into the role stored in
 * the deployment: its name and type, its configuration sets (at most one network set, whose endpoints are checked,
 * and at most one provisioning set, which must match the OS disk's operating system), its disks, and its host name.
 * Nothing is written while planning: the blob writes the role needs come back with it.
 */
final class RolePlans {
    private final RoleDisks disks;

    RolePlans(RoleDisks disks) {
        this.disks = disks;
    }

    /**
     * A role checked whole, with the blob writes it needs: done once everything else passed, outside the store write
     * ({@link StoreTx#outside}: the blobs' account may be remote), before it commits.
     */
    record Planned(ObjectNode role, List<OutsideWork<?>> writes) {
    }

    /**
     * Plans the role {@code in} of the deployment, refusing a name in {@code taken} (case-folded); {@code index}
     * is its place in the deployment, which gives its address.
     */
    Planned plan(StoreTx tx, ObjectNode in, String sub, String svc, String deployment, String version,
                 Set<String> taken, int index) {
        String path = in.path("path").asText("Role");
        String roleName = in.path("RoleName").asText(null);
        if (roleName == null || roleName.isBlank()) {
            throw Elements.missing(path + "/RoleName");
        }
        if (!roleName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw ClassicErrors.badRequest("The value '" + roleName + "' of '" + path + "/RoleName' is not a role "
                    + "name: 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit.");
        }
        if (taken.contains(roleName.toLowerCase(Locale.ROOT))) {
            throw ClassicErrors.conflict("A role named '" + roleName + "' already exists in the deployment '"
                    + deployment + "'.");
        }
        String roleType = in.path("RoleType").asText(null);
        if (roleType == null || roleType.isBlank()) {
            throw Elements.missing(path + "/RoleType");
        }
        if (!roleType.strip().equals("PersistentVMRole")) {
            throw ClassicErrors.badRequest("The value '" + roleType + "' of '" + path + "/RoleType' is not allowed: "
                    + "virtual machines are PersistentVMRole roles.");
        }
        if (in.hasNonNull("VMImageName")) {
            throw ClassicErrors.badRequest("The element '" + path + "/VMImageName' names a VM image; VM images are "
                    + "not emulated: create roles from OS images (OSVirtualHardDisk/SourceImageName) instead.");
        }
        ObjectNode provisioning = null;
        ObjectNode network = null;
        for (JsonNode set : in.path("ConfigurationSets")) {
            String type = set.path("ConfigurationSetType").asText();
            if (type.equals(ConfigurationSets.NETWORK)) {
                if (network != null) {
                    throw ClassicErrors.badRequest("The element '" + set.path("path").asText() + "' is a second "
                            + "network configuration set; a role has at most one.");
                }
                network = (ObjectNode) set;
            } else {
                if (provisioning != null) {
                    throw ClassicErrors.badRequest("The element '" + set.path("path").asText() + "' is a second "
                            + "provisioning configuration set; a role has at most one.");
                }
                provisioning = (ObjectNode) set;
            }
        }
        if (network != null) {
            endpoints(network);
        }
        List<OutsideWork<?>> writes = new ArrayList<>();
        String stamp = RoleDisks.stamp();
        RoleDisks.OsDisk osDisk = disks.osDisk(tx, in.path("OSVirtualHardDisk"), path, sub, svc, roleName, stamp,
                writes);
        String os = osDisk.os();
        ObjectNode kept = null;
        if (provisioning != null) {
            String expected = os.equals("Windows") ? ConfigurationSets.WINDOWS : ConfigurationSets.LINUX;
            if (!provisioning.path("ConfigurationSetType").asText().equals(expected)) {
                throw ClassicErrors.badRequest("The element '" + provisioning.path("path").asText() + "' is a "
                        + provisioning.path("ConfigurationSetType").asText() + " set, but the OS disk is " + os
                        + ": it takes a " + expected + " set.");
            }
            ProvisioningRules.check(provisioning, new ProvisioningRules.Context(version,
                    ServiceCertificates.thumbprints(tx, sub, svc), provisioning.path("path").asText()));
            kept = ProvisioningRules.kept(provisioning);
        } else if (osDisk.fromImage()) {
            throw ClassicErrors.badRequest("The role '" + roleName + "' is created from an image, so it needs a "
                    + (os.equals("Windows") ? ConfigurationSets.WINDOWS : ConfigurationSets.LINUX)
                    + " configuration set in '" + path + "/ConfigurationSets'.");
        }
        ObjectNode role = Json.object();
        role.put("RoleName", roleName);
        role.put("RoleType", "PersistentVMRole");
        role.put("RoleSize", in.path("RoleSize").asText("Small"));
        if (in.hasNonNull("AvailabilitySetName")) {
            role.put("AvailabilitySetName", in.path("AvailabilitySetName").asText());
        }
        if (in.has("ProvisionGuestAgent")) {
            role.put("ProvisionGuestAgent", in.path("ProvisionGuestAgent").asBoolean());
        }
        if (kept != null) {
            role.set("Provisioning", kept);
        }
        if (network != null) {
            ObjectNode n = network.deepCopy();
            n.remove("path");
            role.set("Network", n);
        }
        role.set("OSVirtualHardDisk", osDisk.disk());
        role.set("DataVirtualHardDisks", disks.dataDisks(tx, in.path("DataVirtualHardDisks"), path, svc, roleName,
                stamp, osDisk.media(), writes));
        role.put("HostName", hostName(kept, roleName));
        role.put("IpAddress", "10.0.0." + (4 + index));
        role.put("InstanceStatus", "Provisioning");
        role.put("PowerState", "Starting");
        return new Planned(role, writes);
    }

    private static void endpoints(ObjectNode network) {
        int i = 0;
        for (JsonNode ep : network.path("InputEndpoints")) {
            String at = network.path("path").asText() + "/InputEndpoints/InputEndpoint[" + (++i) + "]";
            if (!ep.hasNonNull("Name")) {
                throw Elements.missing(at + "/Name");
            }
            String protocol = ep.path("Protocol").asText(null);
            if (protocol == null) {
                throw Elements.missing(at + "/Protocol");
            }
            if (!protocol.equalsIgnoreCase("tcp") && !protocol.equalsIgnoreCase("udp")) {
                throw ClassicErrors.badRequest("The value '" + protocol + "' of '" + at + "/Protocol' is tcp or udp.");
            }
            for (String port : new String[]{"Port", "LocalPort"}) {
                if (!ep.has(port)) {
                    throw Elements.missing(at + "/" + port);
                }
                int p = ep.path(port).asInt();
                if (p < 1 || p > 65535) {
                    throw ClassicErrors.badRequest("The value " + p + " of '" + at + "/" + port + "' is not a port.");
                }
            }
        }
    }

    /** The role's host name: the provisioning set's computer or host name, else the role name (cut for Windows). */
    static String hostName(ObjectNode provisioning, String roleName) {
        if (provisioning != null) {
            String name = provisioning.path(provisioning.path("ConfigurationSetType").asText()
                    .equals(ConfigurationSets.WINDOWS) ? "ComputerName" : "HostName").asText(null);
            if (name != null) {
                return name;
            }
            if (ConfigurationSets.WINDOWS.equals(provisioning.path("ConfigurationSetType").asText())) {
                return roleName.length() > 15 ? roleName.substring(0, 15) : roleName;
            }
        }
        return roleName;
    }
}

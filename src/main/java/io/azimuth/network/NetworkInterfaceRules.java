package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.http.Json;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HashMap;
import java.util.Optional;
import java.util.Set;

/**
 * Network interfaces: their IP configurations (a subnet each, of one vnet in the NIC's region; a private address from
 * the subnet, the first four and the last being Azure's; an optional public IP), their NSG; shown with the VM they are
 * attached to and, while attached, their MAC address.
 */
final class NetworkInterfaceRules {
    static final List<String> METHODS = List.of("Dynamic", "Static");
    static final String CONFIG_TYPE = NetworkDocs.NIC + "/ipConfigurations";

    private final Store store;

    NetworkInterfaceRules(Store store) {
        this.store = store;
    }

    ObjectNode put(StoreTx tx, ResourceId requested, ObjectNode body, Optional<ObjectNode> current) {
        ResourceId id = current.map(c -> ResourceId.parse(c.path("id").asText())).orElse(requested);
        ObjectNode doc = NetworkDocs.tracked(NetworkDocs.NIC, id, body, current);
        String location = doc.path("location").asText();
        ObjectNode props = Fields.object(body, "properties", "properties");
        ArrayNode configsIn = NetworkDocs.array(props, "ipConfigurations", "properties.ipConfigurations");
        if (configsIn == null || configsIn.isEmpty()) {
            throw ArmErrors.missing("properties.ipConfigurations");
        }
        Map<String, JsonNode> before = new HashMap<>();
        current.ifPresent(c -> c.path("properties").path("ipConfigurations")
                .forEach(x -> before.put(x.path("name").asText().toLowerCase(Locale.ROOT), x)));
        ObjectNode out = doc.putObject("properties");
        out.put("provisioningState", "Succeeded");
        out.put("resourceGuid", NetworkDocs.resourceGuid(current));
        ArrayNode configs = out.putArray("ipConfigurations");
        Map<String, Set<Long>> taken = new HashMap<>(); // subnet key → addresses given to this NIC's configurations
        String vnetKey = null;
        boolean anyPrimary = false;
        for (int i = 0; i < configsIn.size(); i++) {
            String field = "properties.ipConfigurations[" + i + "]";
            JsonNode c = configsIn.get(i);
            String name = Fields.text(c, "name", field + ".name");
            if (name == null || name.isBlank()) {
                throw ArmErrors.missing(field + ".name");
            }
            ResourceId configId = id.child("ipConfigurations", name);
            ObjectNode cp = Fields.object(c, "properties", field + ".properties");
            String pf = field + ".properties";
            ResourceId subnetRef = NetworkDocs.reference(cp, "subnet", pf + ".subnet", NetworkDocs.SUBNET);
            if (subnetRef == null) {
                throw ArmErrors.missing(pf + ".subnet.id");
            }
            Optional<StoredResource> subnetRow = tx.resource(subnetRef.key());
            Optional<String> vnetLocation = tx.resourceBody(subnetRef.parent().key()).map(Json::readObject)
                    .map(v -> v.path("location").asText());
            if (subnetRow.isEmpty() || !vnetLocation.orElse("").equals(location)) {
                throw NetworkErrors.invalidReference(subnetRef.toString(), id.toString(), pf + ".subnet.id");
            }
            String thisVnet = subnetRef.parent().key();
            if (vnetKey != null && !vnetKey.equals(thisVnet)) {
                throw ArmErrors.badRequest("SubnetsNotInSameVnet", "The IP configurations of network interface " + id
                        + " reference subnets of more than one virtual network: all must be in one.", pf + ".subnet.id");
            }
            vnetKey = thisVnet;
            ObjectNode subnet = Json.readObject(subnetRow.get().body());
            String method = Fields.enumValue(cp, "privateIPAllocationMethod", pf + ".privateIPAllocationMethod",
                    METHODS);
            method = method != null ? method : "Dynamic";
            String requestedIp = Fields.text(cp, "privateIPAddress", pf + ".privateIPAddress");
            JsonNode was = before.get(name.toLowerCase(Locale.ROOT));
            Set<Long> used = used(tx, subnetRow.get().key(), id.key());
            Set<Long> mine = taken.computeIfAbsent(subnetRow.get().key(), k -> new HashSet<>());
            List<Cidr> ranges = VirtualNetworkRules.prefixes(subnet, subnetRef, "properties");
            long address;
            if (method.equals("Static")) {
                if (requestedIp == null) {
                    throw ArmErrors.missing(pf + ".privateIPAddress");
                }
                address = Cidr.address(requestedIp).orElseThrow(() -> Fields.invalid(pf + ".privateIPAddress",
                        "The value '" + requestedIp + "' of '" + pf + ".privateIPAddress' is not an IPv4 address."));
                checkStatic(configId, subnetRef, ranges, address, used, mine, tx, subnetRow.get().key(), pf);
            } else {
                String kept = was == null ? null : was.path("properties").path("privateIPAddress").asText(null);
                String keptSubnet = was == null ? null : NetworkDocs.key(was.path("properties").path("subnet")
                        .path("id").asText(null));
                Optional<Long> keep = subnetRow.get().key().equals(keptSubnet) ? Cidr.address(kept) : Optional.empty();
                address = keep.filter(a -> !used.contains(a) && !mine.contains(a))
                        .orElseGet(() -> allocate(ranges, used, mine, subnetRef));
            }
            mine.add(address);

            ObjectNode config = NetworkDocs.nested(CONFIG_TYPE, configId);
            ObjectNode co = config.putObject("properties");
            co.put("provisioningState", "Succeeded");
            co.put("privateIPAddress", Cidr.format(address));
            co.put("privateIPAllocationMethod", method);
            co.set("subnet", NetworkDocs.idRef(subnetRow.get().id()));
            ResourceId pipRef = NetworkDocs.reference(cp, "publicIPAddress", pf + ".publicIPAddress", NetworkDocs.PIP);
            if (pipRef != null) {
                co.set("publicIPAddress", NetworkDocs.idRef(publicIp(tx, id, configId, pipRef, location, pf)));
            }
            Boolean primary = Fields.bool(cp, "primary", pf + ".primary");
            if (primary != null && primary) {
                if (anyPrimary) {
                    throw Fields.invalid(pf + ".primary", "Network interface " + id + " has more than one primary "
                            + "IP configuration.");
                }
                anyPrimary = true;
            }
            co.put("primary", primary != null && primary);
            co.put("privateIPAddressVersion", "IPv4");
            configs.add(config);
        }
        if (!anyPrimary) {
            ((ObjectNode) configs.get(0).path("properties")).put("primary", true);
        }
        ObjectNode dnsIn = Fields.object(props, "dnsSettings", "properties.dnsSettings");
        ObjectNode dns = out.putObject("dnsSettings");
        dns.set("dnsServers", NetworkDocs.strings(dnsIn == null ? null : dnsIn.get("dnsServers"),
                "properties.dnsSettings.dnsServers"));
        dns.putArray("appliedDnsServers");
        String label = Fields.text(dnsIn, "internalDnsNameLabel", "properties.dnsSettings.internalDnsNameLabel");
        if (label != null) {
            dns.put("internalDnsNameLabel", label);
        }
        String guid = out.path("resourceGuid").asText();
        dns.put("internalDomainNameSuffix", guid.replace("-", "").substring(0, 26) + ".bx.internal.cloudapp.net");
        ResourceId nsg = NetworkDocs.reference(props, "networkSecurityGroup", "properties.networkSecurityGroup",
                NetworkDocs.NSG);
        if (nsg != null) {
            ObjectNode group = tx.resourceBody(nsg.key()).map(Json::readObject)
                    .filter(g -> g.path("location").asText().equals(location))
                    .orElseThrow(() -> NetworkErrors.invalidReference(nsg.toString(), id.toString(),
                            "properties.networkSecurityGroup.id"));
            out.set("networkSecurityGroup", NetworkDocs.idRef(group.path("id").asText()));
        }
        for (String flag : new String[]{"enableAcceleratedNetworking", "enableIPForwarding", "disableTcpStateTracking"}) {
            Boolean v = Fields.bool(props, flag, "properties." + flag);
            out.put(flag, v != null && v);
        }
        out.putArray("hostedWorkloads");
        out.putArray("tapConfigurations");
        out.put("nicType", "Standard");
        out.put("vnetEncryptionSupported", false);
        out.put("auxiliaryMode", "None");
        out.put("auxiliarySku", "None");
        String mac = current.map(c -> c.path(ResourceRecords.PRIVATE_STATE).path("macAddress").asText(""))
                .filter(s -> !s.isEmpty()).orElseGet(() -> mac(guid));
        doc.putObject(ResourceRecords.PRIVATE_STATE).put("macAddress", mac);
        return doc;
    }

    /** The public IP an IP configuration names: existing, in the NIC's region, not used by another configuration. */
    private static String publicIp(StoreTx tx, ResourceId nic, ResourceId configId, ResourceId pip, String location,
                                   String field) {
        ObjectNode doc = tx.resourceBody(pip.key()).map(Json::readObject)
                .filter(p -> p.path("location").asText().equals(location))
                .orElseThrow(() -> NetworkErrors.invalidReference(pip.toString(), nic.toString(),
                        field + ".publicIPAddress.id"));
        for (StoredResource other : NetworkDocs.referrers(tx, pip.key(), NetworkDocs.NIC)) {
            if (other.key().equals(nic.key())) {
                continue;
            }
            List<String> users = configurationsUsing(Json.readObject(other.body()), pip.key(), "publicIPAddress");
            if (!users.isEmpty()) {
                throw NetworkErrors.publicIpAlreadyAllocated(configId.toString(), doc.path("id").asText(),
                        users.get(0), field + ".publicIPAddress.id");
            }
        }
        return doc.path("id").asText();
    }

    /** The private addresses other NICs hold in a subnet. */
    private static Set<Long> used(StoreTx tx, String subnetKey, String self) {
        Set<Long> used = new HashSet<>();
        for (StoredResource nic : NetworkDocs.referrers(tx, subnetKey, NetworkDocs.NIC)) {
            if (nic.key().equals(self)) {
                continue;
            }
            for (JsonNode c : Json.readObject(nic.body()).path("properties").path("ipConfigurations")) {
                if (subnetKey.equals(NetworkDocs.key(c.path("properties").path("subnet").path("id").asText(null)))) {
                    Cidr.address(c.path("properties").path("privateIPAddress").asText(null)).ifPresent(used::add);
                }
            }
        }
        return used;
    }

    private static void checkStatic(ResourceId config, ResourceId subnet, List<Cidr> ranges, long address,
                                    Set<Long> used, Set<Long> mine, StoreTx tx, String subnetKey, String field) {
        String ip = Cidr.format(address);
        Cidr range = ranges.stream().filter(r -> r.contains(address)).findFirst().orElseThrow(() ->
                ArmErrors.badRequest("PrivateIPAddressNotInSubnet", "IP configuration " + config + " is using the "
                        + "private IP address " + ip + " which does not belong to the range of subnet " + subnet + " ("
                        + ranges.get(0) + ").", field + ".privateIPAddress"));
        if (address < range.base() + 4 || address == range.last()) {
            throw ArmErrors.badRequest("PrivateIPAddressInReservedRange", "IP configuration " + config + " is using "
                    + "the private IP address " + ip + " which is in the reserved range of subnet " + subnet + ": Azure "
                    + "reserves the first four and the last address of " + range + ".", field + ".privateIPAddress");
        }
        if (used.contains(address) || mine.contains(address)) {
            String holder = mine.contains(address) ? config.parent().toString() : holder(tx, subnetKey, ip);
            throw ArmErrors.badRequest("PrivateIPAddressIsAllocated", "IP configuration " + config + " is using the "
                    + "private IP address " + ip + " which is already allocated to resource " + holder + ".",
                    field + ".privateIPAddress");
        }
    }

    private static String holder(StoreTx tx, String subnetKey, String ip) {
        for (StoredResource nic : NetworkDocs.referrers(tx, subnetKey, NetworkDocs.NIC)) {
            for (JsonNode c : Json.readObject(nic.body()).path("properties").path("ipConfigurations")) {
                if (ip.equals(c.path("properties").path("privateIPAddress").asText())) {
                    return c.path("id").asText();
                }
            }
        }
        return subnetKey;
    }

    /** The first free address of the subnet from its fifth (x.x.x.4) up, its last excluded. */
    private static long allocate(List<Cidr> ranges, Set<Long> used, Set<Long> mine, ResourceId subnet) {
        for (Cidr range : ranges) {
            for (long a = range.base() + 4; a < range.last(); a++) {
                if (!used.contains(a) && !mine.contains(a)) {
                    return a;
                }
            }
        }
        throw ArmErrors.badRequest("SubnetIsFull", "Subnet " + subnet.name() + " with address prefix "
                + ranges.get(0) + " does not have enough capacity for 1 IP addresses.", null);
    }

    /** The ids of the IP configurations of {@code nic} whose {@code member} (subnet, publicIPAddress) is {@code key}. */
    static List<String> configurationsUsing(ObjectNode nic, String key, String member) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : nic.path("properties").path("ipConfigurations")) {
            if (key.equals(NetworkDocs.key(c.path("properties").path(member).path("id").asText(null)))) {
                out.add(c.path("id").asText());
            }
        }
        return out;
    }

    /** A NIC as clients see it: the VM it is attached to, and then its MAC address and whether it is the primary. */
    ObjectNode view(ObjectNode doc) {
        return store.read(tx -> {
            ObjectNode view = NetworkDocs.publicCopy(doc);
            ObjectNode props = view.withObjectProperty("properties");
            List<StoredResource> vms = NetworkDocs.referrers(tx, NetworkDocs.key(doc.path("id").asText()),
                    NetworkDocs.VM);
            if (!vms.isEmpty()) {
                StoredResource vm = vms.get(0);
                props.put("macAddress", doc.path(ResourceRecords.PRIVATE_STATE).path("macAddress").asText());
                props.put("primary", primary(Json.readObject(vm.body()), doc.path("id").asText()));
                props.set("virtualMachine", NetworkDocs.idRef(vm.id()));
            }
            return view;
        });
    }

    /** Whether a VM holds a NIC as its primary one: marked primary, or else its first. */
    private static boolean primary(ObjectNode vm, String nicId) {
        JsonNode nics = vm.path("properties").path("networkProfile").path("networkInterfaces");
        String key = NetworkDocs.key(nicId);
        boolean anyMarked = false;
        for (JsonNode n : nics) {
            if (n.path("properties").path("primary").asBoolean(false)) {
                anyMarked = true;
                if (key.equals(NetworkDocs.key(n.path("id").asText(null)))) {
                    return true;
                }
            }
        }
        return !anyMarked && nics.size() > 0 && key.equals(NetworkDocs.key(nics.get(0).path("id").asText(null)));
    }

    /** A MAC address in Azure's form ({@code 00-0D-3A-xx-xx-xx}: Microsoft's prefix), from the NIC's GUID. */
    static String mac(String guid) {
        String hex = guid.replace("-", "").toUpperCase(Locale.ROOT);
        return "00-0D-3A-" + hex.substring(0, 2) + "-" + hex.substring(2, 4) + "-" + hex.substring(4, 6);
    }
}

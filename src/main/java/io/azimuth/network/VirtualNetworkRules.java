package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.http.Json;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Virtual networks and their subnets. A vnet's inline subnets and its {@code virtualNetworks/subnets} resources are the
 * same things: subnets are stored as rows of the nested kind only; a vnet PUT writes the rows of the subnets it lists
 * and removes those it leaves out, and a vnet is shown with its subnets as their rows are now.
 */
final class VirtualNetworkRules {
    static final List<String> ENDPOINT_POLICIES = List.of("Enabled", "Disabled", "NetworkSecurityGroupEnabled",
            "RouteTableEnabled");
    static final List<String> LINK_POLICIES = List.of("Enabled", "Disabled");
    private static final int PAGE = 1000;

    private final Store store;

    VirtualNetworkRules(Store store) {
        this.store = store;
    }

    // ---- virtual networks ----

    ObjectNode putVnet(StoreTx tx, ResourceId requested, ObjectNode body, Optional<ObjectNode> current) {
        ResourceId id = current.map(c -> ResourceId.parse(c.path("id").asText())).orElse(requested);
        ObjectNode doc = NetworkDocs.tracked(NetworkDocs.VNET, id, body, current);
        ObjectNode props = Fields.object(body, "properties", "properties");
        ObjectNode space = Fields.object(props, "addressSpace", "properties.addressSpace");
        ArrayNode given = NetworkDocs.array(space, "addressPrefixes", "properties.addressSpace.addressPrefixes");
        if (given == null || given.isEmpty()) {
            throw ArmErrors.missing("properties.addressSpace.addressPrefixes");
        }
        List<Cidr> ranges = new ArrayList<>();
        ArrayNode prefixes = NetworkDocs.strings(given, "properties.addressSpace.addressPrefixes");
        for (int i = 0; i < prefixes.size(); i++) {
            ranges.add(prefix(prefixes.get(i).asText(), id.toString(), "properties.addressSpace.addressPrefixes[" + i
                    + "]"));
        }
        ObjectNode out = doc.putObject("properties");
        out.put("provisioningState", "Succeeded");
        out.put("resourceGuid", NetworkDocs.resourceGuid(current));
        out.putObject("addressSpace").set("addressPrefixes", prefixes);
        ObjectNode dhcp = Fields.object(props, "dhcpOptions", "properties.dhcpOptions");
        if (dhcp != null) {
            out.putObject("dhcpOptions").set("dnsServers", NetworkDocs.strings(dhcp.get("dnsServers"),
                    "properties.dhcpOptions.dnsServers"));
        }
        out.putArray("virtualNetworkPeerings");
        Boolean ddos = Fields.bool(props, "enableDdosProtection", "properties.enableDdosProtection");
        out.put("enableDdosProtection", ddos != null && ddos);

        // the subnets it lists: checked all before any row is written
        Map<String, StoredResource> existing = new LinkedHashMap<>();
        for (StoredResource row : children(tx, id)) {
            existing.put(row.key(), row);
        }
        ArrayNode subnetsIn = NetworkDocs.array(props, "subnets", "properties.subnets");
        List<Layout> layout = new ArrayList<>();
        Map<String, ObjectNode> written = new LinkedHashMap<>();
        for (int i = 0; subnetsIn != null && i < subnetsIn.size(); i++) {
            String field = "properties.subnets[" + i + "]";
            JsonNode s = subnetsIn.get(i);
            if (!s.isObject()) {
                throw Fields.invalid(field, "The value of '" + field + "' must be an object.");
            }
            String name = Fields.text(s, "name", field + ".name");
            if (name == null || name.isBlank()) {
                throw ArmErrors.missing(field + ".name");
            }
            ResourceId subnetId = id.child("subnets", name);
            StoredResource row = existing.get(subnetId.key());
            if (row != null) {
                subnetId = ResourceId.parse(row.id());
            }
            if (written.containsKey(subnetId.key())) {
                throw Fields.invalid(field + ".name", "The subnet name '" + name + "' is given more than once.");
            }
            Optional<ObjectNode> was = Optional.ofNullable(row).map(r -> Json.readObject(r.body()));
            ObjectNode subnet = subnet(tx, subnetId, (ObjectNode) s, was, doc.path("location").asText(), field);
            layout.add(new Layout(name, prefixes(subnet, subnetId, field), field));
            written.put(subnetId.key(), subnet);
        }
        checkLayout(id.name(), ranges, layout);
        for (StoredResource row : existing.values()) {
            if (!written.containsKey(row.key())) {
                refuseInUse(tx, row);
            }
        }
        long now = System.currentTimeMillis();
        for (StoredResource row : existing.values()) {
            if (!written.containsKey(row.key())) {
                tx.deleteResource(row.key());
            }
        }
        for (ObjectNode subnet : written.values()) {
            ResourceId subnetId = ResourceId.parse(subnet.path("id").asText());
            StoredResource row = existing.get(subnetId.key());
            tx.putResource(ResourceRecords.record(subnetId, subnet, row == null ? now : row.createdAt(), now));
        }
        return doc;
    }

    /** A vnet as clients see it: with its subnets as they are now. */
    ObjectNode viewVnet(ObjectNode doc) {
        return store.read(tx -> {
            ObjectNode view = NetworkDocs.publicCopy(doc);
            ArrayNode subnets = Json.array();
            for (StoredResource row : children(tx, ResourceId.parse(doc.path("id").asText()))) {
                subnets.add(viewSubnet(tx, Json.readObject(row.body())));
            }
            ObjectNode props = view.withObjectProperty("properties");
            ObjectNode reordered = Json.object();
            props.fields().forEachRemaining(e -> {
                reordered.set(e.getKey(), e.getValue());
                if (e.getKey().equals("addressSpace")) {
                    reordered.set("subnets", subnets);
                }
            });
            if (!reordered.has("subnets")) {
                reordered.set("subnets", subnets);
            }
            view.set("properties", reordered);
            return view;
        });
    }

    // ---- subnets ----

    ObjectNode putSubnet(StoreTx tx, ResourceId requested, ObjectNode body, Optional<ObjectNode> current) {
        ResourceId vnetId = requested.parent();
        ObjectNode vnet = Json.readObject(tx.resourceBody(vnetId.key()).orElseThrow());
        vnetId = ResourceId.parse(vnet.path("id").asText());
        ResourceId id = current.map(c -> ResourceId.parse(c.path("id").asText()))
                .orElse(vnetId.child("subnets", requested.name()));
        ObjectNode subnet = subnet(tx, id, body, current, vnet.path("location").asText(), "properties");
        List<Layout> layout = new ArrayList<>();
        for (StoredResource row : children(tx, vnetId)) {
            if (!row.key().equals(id.key())) {
                ObjectNode sibling = Json.readObject(row.body());
                layout.add(new Layout(sibling.path("name").asText(), prefixes(sibling, id, "properties"), null));
            }
        }
        layout.add(new Layout(id.name(), prefixes(subnet, id, "properties"), "properties"));
        List<Cidr> space = new ArrayList<>();
        vnet.path("properties").path("addressSpace").path("addressPrefixes")
                .forEach(p -> Cidr.parse(p.asText()).ifPresent(space::add));
        checkLayout(vnetId.name(), space, layout);
        return subnet;
    }

    /** A subnet as clients see it: with the NIC IP configurations in it. */
    ObjectNode viewSubnet(ObjectNode doc) {
        return store.read(tx -> viewSubnet(tx, doc));
    }

    static ObjectNode viewSubnet(StoreTx tx, ObjectNode doc) {
        ObjectNode view = NetworkDocs.publicCopy(doc);
        String key = NetworkDocs.key(doc.path("id").asText());
        ArrayNode configs = Json.array();
        for (StoredResource nic : NetworkDocs.referrers(tx, key, NetworkDocs.NIC)) {
            for (String config : NetworkInterfaceRules.configurationsUsing(Json.readObject(nic.body()), key, "subnet")) {
                configs.add(NetworkDocs.idRef(config));
            }
        }
        if (!configs.isEmpty()) {
            view.withObjectProperty("properties").set("ipConfigurations", configs);
        }
        return view;
    }

    /** The refusal to delete a subnet some NIC IP configuration is in. */
    static void refuseInUse(StoreTx tx, StoredResource subnet) {
        for (StoredResource nic : NetworkDocs.referrers(tx, subnet.key(), NetworkDocs.NIC)) {
            List<String> configs = NetworkInterfaceRules.configurationsUsing(Json.readObject(nic.body()), subnet.key(),
                    "subnet");
            throw NetworkErrors.subnetInUse(subnet.name(), configs.isEmpty() ? nic.id() : configs.get(0));
        }
    }

    private ObjectNode subnet(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current,
                              String location, String fieldBase) {
        String field = fieldBase.equals("properties") ? "properties" : fieldBase + ".properties";
        ObjectNode props = Fields.object(body, "properties", field);
        ObjectNode doc = NetworkDocs.nested(NetworkDocs.SUBNET, id);
        ObjectNode out = doc.putObject("properties");
        out.put("provisioningState", "Succeeded");
        String one = Fields.text(props, "addressPrefix", field + ".addressPrefix");
        ArrayNode many = NetworkDocs.strings(props == null ? null : props.get("addressPrefixes"),
                field + ".addressPrefixes");
        if (one != null) {
            out.put("addressPrefix", one);
        } else if (!many.isEmpty()) {
            out.set("addressPrefixes", many);
        } else {
            throw NetworkErrors.invalidSubnet(id.name(), id.parent().name(), field + ".addressPrefix");
        }
        ResourceId nsg = NetworkDocs.reference(props, "networkSecurityGroup", field + ".networkSecurityGroup",
                NetworkDocs.NSG);
        if (nsg != null) {
            ObjectNode group = tx.resourceBody(nsg.key()).map(Json::readObject)
                    .filter(g -> g.path("location").asText().equals(location))
                    .orElseThrow(() -> NetworkErrors.invalidReference(nsg.toString(), id.toString(),
                            field + ".networkSecurityGroup.id"));
            out.set("networkSecurityGroup", NetworkDocs.idRef(group.path("id").asText()));
        }
        String endpoints = Fields.enumValue(props, "privateEndpointNetworkPolicies",
                field + ".privateEndpointNetworkPolicies", ENDPOINT_POLICIES);
        out.put("privateEndpointNetworkPolicies", endpoints != null ? endpoints : "Disabled");
        String links = Fields.enumValue(props, "privateLinkServiceNetworkPolicies",
                field + ".privateLinkServiceNetworkPolicies", LINK_POLICIES);
        out.put("privateLinkServiceNetworkPolicies", links != null ? links : "Enabled");
        for (String echoed : new String[]{"serviceEndpoints", "delegations"}) {
            ArrayNode given = NetworkDocs.array(props, echoed, field + "." + echoed);
            out.set(echoed, given == null ? Json.array() : given.deepCopy());
        }
        Boolean outbound = Fields.bool(props, "defaultOutboundAccess", field + ".defaultOutboundAccess");
        if (outbound != null) {
            out.put("defaultOutboundAccess", outbound);
        }
        out.put("provisioningState", "Succeeded");
        return doc;
    }

    /** A subnet's ranges (its addressPrefix, or its addressPrefixes), checked to be CIDR notation. */
    static List<Cidr> prefixes(ObjectNode subnet, ResourceId id, String field) {
        List<Cidr> out = new ArrayList<>();
        JsonNode props = subnet.path("properties");
        if (props.has("addressPrefix")) {
            out.add(prefix(props.path("addressPrefix").asText(), id.toString(), field + ".addressPrefix"));
        }
        JsonNode many = props.path("addressPrefixes");
        for (int i = 0; i < many.size(); i++) {
            out.add(prefix(many.get(i).asText(), id.toString(), field + ".addressPrefixes[" + i + "]"));
        }
        return out;
    }

    static Cidr prefix(String text, String resourceId, String field) {
        Cidr.Form form = Cidr.form(text);
        if (form == Cidr.Form.MALFORMED) {
            throw NetworkErrors.prefixFormat(text, resourceId, field);
        }
        Cidr range = Cidr.parse(text).orElseThrow();
        if (form == Cidr.Form.NOT_ALIGNED) {
            throw NetworkErrors.cidrNotation(text, resourceId, range, field);
        }
        return range;
    }

    private record Layout(String name, List<Cidr> ranges, String field) {
    }

    /** Every subnet inside the vnet's space, none overlapping another (the later one named). */
    private static void checkLayout(String vnet, List<Cidr> space, List<Layout> subnets) {
        for (Layout s : subnets) {
            for (Cidr r : s.ranges()) {
                if (space.stream().noneMatch(v -> v.contains(r))) {
                    throw NetworkErrors.subnetOutsideVnet(s.name(), vnet, s.field());
                }
            }
        }
        for (int i = 0; i < subnets.size(); i++) {
            for (int j = 0; j < i; j++) {
                for (Cidr a : subnets.get(i).ranges()) {
                    for (Cidr b : subnets.get(j).ranges()) {
                        if (a.overlaps(b)) {
                            Layout later = subnets.get(i).field() != null ? subnets.get(i) : subnets.get(j);
                            throw NetworkErrors.subnetsOverlap(later.name(), vnet, later.field());
                        }
                    }
                }
            }
        }
    }

    static List<StoredResource> children(StoreTx tx, ResourceId vnet) {
        return tx.listResources(new ResourceQuery(vnet.subscriptionId().toLowerCase(Locale.ROOT),
                vnet.resourceGroup().toLowerCase(Locale.ROOT), NetworkDocs.SUBNET.toLowerCase(Locale.ROOT), null, PAGE,
                vnet.key()));
    }
}

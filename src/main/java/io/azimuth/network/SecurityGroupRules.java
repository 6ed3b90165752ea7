package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.List;
import java.util.Optional;

/**
 * Network security groups: their security rules (checked as the Network RP checks them) and Azure's six default
 * rules; shown with the NICs and subnets associated with them.
 */
final class SecurityGroupRules {
    static final List<String> PROTOCOLS = List.of("Tcp", "Udp", "Icmp", "Esp", "*", "Ah");
    static final List<String> ACCESS = List.of("Allow", "Deny");
    static final List<String> DIRECTIONS = List.of("Inbound", "Outbound");
    static final String RULE_TYPE = NetworkDocs.NSG + "/securityRules";
    static final String DEFAULT_RULE_TYPE = NetworkDocs.NSG + "/defaultSecurityRules";

    /** Azure's default rules: name, description, source prefix, destination prefix, access, priority, direction. */
    private static final String[][] DEFAULTS = {
            {"AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork", "VirtualNetwork",
                    "Allow", "65000", "Inbound"},
            {"AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "AzureLoadBalancer",
                    "*", "Allow", "65001", "Inbound"},
            {"DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", "65500", "Inbound"},
            {"AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork",
                    "VirtualNetwork", "Allow", "65000", "Outbound"},
            {"AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*", "Internet", "Allow",
                    "65001", "Outbound"},
            {"DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", "65500", "Outbound"},
    };

    private final Store store;

    SecurityGroupRules(Store store) {
        this.store = store;
    }

    ObjectNode put(StoreTx tx, ResourceId requested, ObjectNode body, Optional<ObjectNode> current) {
        ResourceId id = current.map(c -> ResourceId.parse(c.path("id").asText())).orElse(requested);
        ObjectNode doc = NetworkDocs.tracked(NetworkDocs.NSG, id, body, current);
        ObjectNode props = Fields.object(body, "properties", "properties");
        ObjectNode out = doc.putObject("properties");
        out.put("provisioningState", "Succeeded");
        out.put("resourceGuid", NetworkDocs.resourceGuid(current));
        Boolean flush = Fields.bool(props, "flushConnection", "properties.flushConnection");
        out.put("flushConnection", flush != null && flush);
        ArrayNode rulesIn = NetworkDocs.array(props, "securityRules", "properties.securityRules");
        ArrayNode rules = out.putArray("securityRules");
        for (int i = 0; rulesIn != null && i < rulesIn.size(); i++) {
            String field = "properties.securityRules[" + i + "]";
            JsonNode r = rulesIn.get(i);
            String name = Fields.text(r, "name", field + ".name");
            if (name == null || name.isBlank()) {
                throw ArmErrors.missing(field + ".name");
            }
            rules.add(rule(id.child("securityRules", name), r, field + ".properties"));
        }
        checkConflicts(rules);
        ArrayNode defaults = out.putArray("defaultSecurityRules");
        for (String[] d : DEFAULTS) {
            ObjectNode rule = NetworkDocs.nested(DEFAULT_RULE_TYPE, id.child("defaultSecurityRules", d[0]));
            ObjectNode p = rule.putObject("properties");
            p.put("provisioningState", "Succeeded");
            p.put("description", d[1]);
            p.put("protocol", "*");
            p.put("sourcePortRange", "*");
            p.put("destinationPortRange", "*");
            p.put("sourceAddressPrefix", d[2]);
            p.put("destinationAddressPrefix", d[3]);
            p.put("access", d[4]);
            p.put("priority", Integer.parseInt(d[5]));
            p.put("direction", d[6]);
            p.putArray("sourcePortRanges");
            p.putArray("destinationPortRanges");
            p.putArray("sourceAddressPrefixes");
            p.putArray("destinationAddressPrefixes");
            defaults.add(rule);
        }
        return doc;
    }

    /** One security rule, every field checked; {@code field} names its properties. */
    static ObjectNode rule(ResourceId id, JsonNode body, String field) {
        ObjectNode props = Fields.object(body, "properties", field);
        ObjectNode rule = NetworkDocs.nested(RULE_TYPE, id);
        ObjectNode out = rule.putObject("properties");
        out.put("provisioningState", "Succeeded");
        String description = Fields.text(props, "description", field + ".description");
        if (description != null) {
            out.put("description", description);
        }
        String protocol = Fields.enumValue(props, "protocol", field + ".protocol", PROTOCOLS);
        if (protocol == null) {
            throw missing(id, field + ".protocol", "Protocol");
        }
        out.put("protocol", protocol);
        pair(props, out, id, field, "sourcePortRange", "sourcePortRanges", "SourcePortRanges or SourcePortRange");
        pair(props, out, id, field, "destinationPortRange", "destinationPortRanges",
                "DestinationPortRanges or DestinationPortRange");
        pair(props, out, id, field, "sourceAddressPrefix", "sourceAddressPrefixes",
                "SourceAddressPrefixes, SourceAddressPrefix, or SourceApplicationSecurityGroups");
        pair(props, out, id, field, "destinationAddressPrefix", "destinationAddressPrefixes",
                "DestinationAddressPrefixes, DestinationAddressPrefix, or DestinationApplicationSecurityGroups");
        String access = Fields.enumValue(props, "access", field + ".access", ACCESS);
        if (access == null) {
            throw missing(id, field + ".access", "Access");
        }
        out.put("access", access);
        Integer priority = Fields.integer(props, "priority", field + ".priority");
        if (priority == null || priority < 100 || priority > 4096) {
            throw ArmErrors.badRequest("SecurityRuleInvalidPriority", "Security rule has invalid Priority. Value "
                    + "provided: " + (priority == null ? 0 : priority) + " Allowed range 100-4096.", field + ".priority");
        }
        out.put("priority", priority);
        String direction = Fields.enumValue(props, "direction", field + ".direction", DIRECTIONS);
        if (direction == null) {
            throw missing(id, field + ".direction", "Direction");
        }
        out.put("direction", direction);
        return rule;
    }

    /** A rule's single value or its list: one of them is required; the list is shown (empty when the value is given). */
    private static void pair(ObjectNode props, ObjectNode out, ResourceId id, String field, String one, String many,
                             String what) {
        String value = Fields.text(props, one, field + "." + one);
        ArrayNode values = NetworkDocs.strings(props == null ? null : props.get(many), field + "." + many);
        if (value == null && values.isEmpty()) {
            throw missing(id, field + "." + one, what);
        }
        if (value != null) {
            out.put(one, value);
        }
        out.set(many, values);
    }

    private static ApiException missing(ResourceId rule, String field, String what) {
        return ArmErrors.badRequest("SecurityRuleParametersMissing", "Required security rule parameters are missing "
                + "for security rule with Id: " + rule + ". Security rule must specify " + what + ".", field);
    }

    /** Two rules of one direction may not share a priority. */
    static void checkConflicts(ArrayNode rules) {
        for (int i = 0; i < rules.size(); i++) {
            JsonNode a = rules.get(i).path("properties");
            for (int j = 0; j < i; j++) {
                JsonNode b = rules.get(j).path("properties");
                if (a.path("priority").asInt() == b.path("priority").asInt()
                        && a.path("direction").asText().equals(b.path("direction").asText())) {
                    throw ArmErrors.badRequest("SecurityRuleConflict", "Security rule " + rules.get(j).path("name")
                            .asText() + " conflicts with rule " + rules.get(i).path("name").asText() + ". Rules cannot "
                            + "have the same Priority and Direction. To learn more, see aka.ms/nsgrules.",
                            "properties.securityRules[" + i + "].properties.priority");
                }
            }
        }
    }

    /** An NSG as clients see it: with the NICs and subnets associated with it. */
    ObjectNode view(ObjectNode doc) {
        return store.read(tx -> {
            ObjectNode view = NetworkDocs.publicCopy(doc);
            String key = NetworkDocs.key(doc.path("id").asText());
            ObjectNode props = view.withObjectProperty("properties");
            ArrayNode nics = Json.array();
            for (StoredResource nic : NetworkDocs.referrers(tx, key, NetworkDocs.NIC)) {
                nics.add(NetworkDocs.idRef(nic.id()));
            }
            ArrayNode subnets = Json.array();
            for (StoredResource subnet : NetworkDocs.referrers(tx, key, NetworkDocs.SUBNET)) {
                subnets.add(NetworkDocs.idRef(subnet.id()));
            }
            if (!nics.isEmpty()) {
                props.set("networkInterfaces", nics);
            }
            if (!subnets.isEmpty()) {
                props.set("subnets", subnets);
            }
            return view;
        });
    }
}

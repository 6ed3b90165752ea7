package io.azimuth.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.http.Json;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.List;
import java.util.Optional;

/**
 * Public IP addresses. Each one holds an address of the documentation ranges (RFC 5737: 203.0.113.0/24, then
 * 198.51.100.0/24), unique in the instance: a Static one shows it from its creation, a Dynamic one only while the NIC
 * using it is attached to a VM. The addresses and DNS labels taken are rows of their own ({@link #ADDRESS_TYPE},
 * {@link #LABEL_TYPE}), outside every subscription, written and freed in the writes that take and free them.
 */
final class PublicIpRules {
    static final List<String> SKUS = List.of("Basic", "Standard");
    static final List<String> TIERS = List.of("Regional", "Global");
    static final List<String> METHODS = List.of("Static", "Dynamic");
    static final List<String> VERSIONS = List.of("IPv4");
    static final String ADDRESS_TYPE = "azimuth/publicipaddresses";
    static final String LABEL_TYPE = "azimuth/dnslabels";
    private static final String SCOPE = "azimuth";
    private static final long[] RANGES = {Cidr.address("203.0.113.0").orElseThrow(),
            Cidr.address("198.51.100.0").orElseThrow()};
    private static final String LABEL = "[a-z][a-z0-9-]{1,61}[a-z0-9]";

    private final Store store;

    PublicIpRules(Store store) {
        this.store = store;
    }

    ObjectNode put(StoreTx tx, ResourceId requested, ObjectNode body, Optional<ObjectNode> current) {
        ResourceId id = current.map(c -> ResourceId.parse(c.path("id").asText())).orElse(requested);
        ObjectNode doc = NetworkDocs.tracked(NetworkDocs.PIP, id, body, current);
        ObjectNode skuIn = Fields.object(body, "sku", "sku");
        String sku = Fields.enumValue(skuIn, "name", "sku.name", SKUS);
        String tier = Fields.enumValue(skuIn, "tier", "sku.tier", TIERS);
        sku = sku != null ? sku : current.map(c -> c.path("sku").path("name").asText()).orElse("Basic");
        ObjectNode skuOut = Json.object();
        skuOut.put("name", sku);
        skuOut.put("tier", tier != null ? tier : "Regional");
        ObjectNode props = Fields.object(body, "properties", "properties");
        String method = Fields.enumValue(props, "publicIPAllocationMethod", "properties.publicIPAllocationMethod",
                METHODS);
        if (method == null) {
            method = sku.equals("Standard") ? "Static" : "Dynamic";
        }
        if (sku.equals("Standard") && method.equals("Dynamic")) {
            throw ArmErrors.badRequest("StandardSkuPublicIPAddressesMustBeStatic", "Standard sku publicIp " + id
                    + " must have AllocationMethod set to Static.", "properties.publicIPAllocationMethod");
        }
        String version = Fields.enumValue(props, "publicIPAddressVersion", "properties.publicIPAddressVersion",
                VERSIONS);
        Integer idle = Fields.integer(props, "idleTimeoutInMinutes", "properties.idleTimeoutInMinutes");
        if (idle != null && (idle < 4 || idle > 30)) {
            throw ArmErrors.badRequest("PublicIPIdleTimeoutIsOutOfRange", "The idle timeout of public IP address "
                    + id + " is " + idle + " minutes; it must be between 4 and 30 minutes.",
                    "properties.idleTimeoutInMinutes");
        }
        String location = doc.path("location").asText();
        ObjectNode dnsIn = Fields.object(props, "dnsSettings", "properties.dnsSettings");
        String label = Fields.text(dnsIn, "domainNameLabel", "properties.dnsSettings.domainNameLabel");
        if (label != null && !label.matches(LABEL)) {
            throw ArmErrors.badRequest("InvalidDomainNameLabel", "The domain name label " + label + " is invalid. It "
                    + "must conform to the following regular expression: ^" + LABEL + "$.",
                    "properties.dnsSettings.domainNameLabel");
        }
        String fqdn = label == null ? null : label + "." + location + ".cloudapp.azure.com";
        String oldLabel = current.map(c -> c.path("properties").path("dnsSettings").path("fqdn").asText(""))
                .filter(s -> !s.isEmpty()).orElse(null);
        if (fqdn != null && !fqdn.equals(oldLabel)) {
            String labelKey = labelKey(fqdn);
            Optional<StoredResource> taken = tx.resource(labelKey);
            if (taken.isPresent() && !taken.get().body().contains(id.key())) {
                throw ArmErrors.badRequest("DnsRecordInUse", "DNS record " + fqdn + " is already used by another "
                        + "public IP.", "properties.dnsSettings.domainNameLabel");
            }
        }
        // every check has passed: take the address (once) and the DNS label
        String address = current.map(c -> c.path(ResourceRecords.PRIVATE_STATE).path("address").asText(""))
                .filter(s -> !s.isEmpty()).orElseGet(() -> allocate(tx, id));
        if (oldLabel != null && !oldLabel.equals(fqdn)) {
            tx.deleteResource(labelKey(oldLabel));
        }
        if (fqdn != null && !fqdn.equals(oldLabel)) {
            tx.putResource(row(labelKey(fqdn), LABEL_TYPE, fqdn, id));
        }

        doc.set("sku", skuOut);
        ObjectNode out = doc.putObject("properties");
        out.put("provisioningState", "Succeeded");
        out.put("resourceGuid", NetworkDocs.resourceGuid(current));
        if (method.equals("Static")) {
            out.put("ipAddress", address);
        }
        out.put("publicIPAddressVersion", version != null ? version : "IPv4");
        out.put("publicIPAllocationMethod", method);
        out.put("idleTimeoutInMinutes", idle != null ? idle : 4);
        if (label != null) {
            ObjectNode dns = out.putObject("dnsSettings");
            dns.put("domainNameLabel", label);
            dns.put("fqdn", fqdn);
            String reverse = Fields.text(dnsIn, "reverseFqdn", "properties.dnsSettings.reverseFqdn");
            if (reverse != null) {
                dns.put("reverseFqdn", reverse);
            }
        }
        out.set("ipTags", NetworkDocs.array(props, "ipTags", "properties.ipTags") == null ? Json.array()
                : props.get("ipTags").deepCopy());
        doc.putObject(ResourceRecords.PRIVATE_STATE).put("address", address);
        return doc;
    }

    /** Frees what a deleted public IP held: its address and its DNS label. */
    static void release(StoreTx tx, ObjectNode doc) {
        String address = doc.path(ResourceRecords.PRIVATE_STATE).path("address").asText("");
        if (!address.isEmpty()) {
            tx.deleteResource(addressKey(address));
        }
        String fqdn = doc.path("properties").path("dnsSettings").path("fqdn").asText("");
        if (!fqdn.isEmpty()) {
            tx.deleteResource(labelKey(fqdn));
        }
    }

    /** A public IP as clients see it: the IP configuration using it, a Dynamic one's address while in use by a VM. */
    ObjectNode view(ObjectNode doc) {
        return store.read(tx -> {
            ObjectNode view = NetworkDocs.publicCopy(doc);
            ObjectNode props = view.withObjectProperty("properties");
            String key = NetworkDocs.key(doc.path("id").asText());
            for (StoredResource nic : NetworkDocs.referrers(tx, key, NetworkDocs.NIC)) {
                List<String> configs = NetworkInterfaceRules.configurationsUsing(Json.readObject(nic.body()), key,
                        "publicIPAddress");
                if (configs.isEmpty()) {
                    continue;
                }
                props.set("ipConfiguration", NetworkDocs.idRef(configs.get(0)));
                if (!props.has("ipAddress") && !NetworkDocs.referrers(tx, nic.key(), NetworkDocs.VM).isEmpty()) {
                    ObjectNode ordered = Json.object();
                    props.fields().forEachRemaining(e -> {
                        if (e.getKey().equals("publicIPAddressVersion")) {
                            ordered.put("ipAddress", doc.path(ResourceRecords.PRIVATE_STATE).path("address").asText());
                        }
                        ordered.set(e.getKey(), e.getValue());
                    });
                    view.set("properties", ordered);
                    props = ordered;
                }
                break;
            }
            return view;
        });
    }

    private static String allocate(StoreTx tx, ResourceId id) {
        for (long base : RANGES) {
            for (long a = base + 1; a < base + 255; a++) {
                String address = Cidr.format(a);
                if (tx.resource(addressKey(address)).isEmpty()) {
                    tx.putResource(row(addressKey(address), ADDRESS_TYPE, address, id));
                    return address;
                }
            }
        }
        throw ArmErrors.conflict("PublicIPCountLimitReached", "No public IP address is left to allocate: the "
                + "instance holds " + (RANGES.length * 254) + ", every one in use.");
    }

    private static StoredResource row(String key, String type, String name, ResourceId holder) {
        long now = System.currentTimeMillis();
        ObjectNode body = Json.object();
        body.put("id", holder.key());
        return new StoredResource(key, key, SCOPE, "network", type, name, Json.write(body), now, now);
    }

    static String addressKey(String address) {
        return "/" + ADDRESS_TYPE + "/" + address;
    }

    static String labelKey(String fqdn) {
        return "/" + LABEL_TYPE + "/" + fqdn.toLowerCase(java.util.Locale.ROOT);
    }
}

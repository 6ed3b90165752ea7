package io.azimuth.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.Json;
import io.azimuth.kinds.ResourceKind;
import io.azimuth.kinds.ResourceKinds;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.azimuth.store.Store;

import java.util.ArrayList;
import java.util.List;

/**
 * Microsoft.Network: virtual networks and their subnets, network security groups, public IP addresses and network
 * interfaces, on the resource-kind mechanism. What references what is declared here (a NIC its subnets, public IPs
 * and NSG; a subnet its NSG), so that "in use" refusals and a group's deletion order follow from it; what other
 * resources a document shows (a subnet's IP configurations, a NIC's VM) is derived from those references when read.
 */
public final class NetworkProvider implements Provider {
    /** Network RP versions, newest first. */
    public static final List<String> API_VERSIONS = List.of("2024-05-01", "2024-03-01", "2024-01-01", "2023-11-01",
            "2023-09-01", "2023-06-01", "2023-05-01", "2023-04-01", "2023-02-01", "2022-11-01", "2022-09-01",
            "2022-07-01", "2022-05-01", "2022-01-01", "2021-08-01", "2021-05-01", "2021-03-01", "2021-02-01",
            "2020-11-01", "2020-08-01", "2020-07-01", "2020-06-01", "2020-05-01", "2020-04-01", "2020-03-01",
            "2019-12-01", "2019-11-01", "2019-09-01", "2019-08-01", "2019-07-01", "2019-06-01", "2019-04-01",
            "2019-02-01", "2018-12-01", "2018-11-01", "2018-10-01", "2018-08-01", "2018-07-01", "2018-06-01",
            "2018-04-01", "2018-02-01", "2018-01-01", "2017-11-01", "2017-10-01", "2017-09-01", "2017-08-01",
            "2017-06-01", "2017-04-01", "2017-03-01", "2016-12-01", "2016-09-01", "2016-06-01", "2016-03-30",
            "2015-06-15");

    @Override
    public void register(Platform p) {
        Store store = p.store();
        String ns = NetworkDocs.NAMESPACE;
        p.catalog().register(ns, "locations", API_VERSIONS);
        p.catalog().register(ns, "locations/operations", API_VERSIONS);
        VirtualNetworkRules vnets = new VirtualNetworkRules(store);
        SecurityGroupRules nsgs = new SecurityGroupRules(store);
        PublicIpRules pips = new PublicIpRules(store);
        NetworkInterfaceRules nics = new NetworkInterfaceRules(store);

        p.kinds().register(ResourceKind.of(ns, "networkSecurityGroups").apiVersions(API_VERSIONS)
                .view(nsgs::view, null)
                .put(nsgs::put)
                .patch((tx, id, body, current) -> NetworkDocs.patchTags(current, body))
                .build());
        p.kinds().register(ResourceKind.of(ns, "publicIPAddresses").apiVersions(API_VERSIONS)
                .view(pips::view, null)
                .put(pips::put)
                .patch((tx, id, body, current) -> NetworkDocs.patchTags(current, body))
                .onDeleted(PublicIpRules::release)
                .build());
        p.kinds().register(ResourceKind.of(ns, "virtualNetworks").apiVersions(API_VERSIONS)
                .view(vnets::viewVnet, null)
                .put(vnets::putVnet)
                .patch((tx, id, body, current) -> NetworkDocs.patchTags(current, body))
                .build());
        p.kinds().register(ResourceKind.of(ns, "virtualNetworks/subnets").apiVersions(API_VERSIONS)
                .view(vnets::viewSubnet, null)
                .put(vnets::putSubnet)
                .references(NetworkDocs.NSG, doc -> single(doc.path("properties"), "networkSecurityGroup"),
                        (nsg, subnet) -> NetworkErrors.nsgInUse(nsg.path("id").asText(), subnet.toString()))
                .build());
        p.kinds().register(ResourceKind.of(ns, "networkInterfaces").apiVersions(API_VERSIONS)
                .view(nics::view, null)
                .put(nics::put)
                .patch((tx, id, body, current) -> NetworkDocs.patchTags(current, body))
                .references(NetworkDocs.SUBNET, doc -> ResourceKinds.ids(configs(doc), "properties", "subnet", "id"),
                        (subnet, nic) -> NetworkErrors.subnetInUse(subnet.path("name").asText(),
                                user(store, nic, subnet, "subnet")))
                .references(NetworkDocs.PIP, doc -> ResourceKinds.ids(configs(doc), "properties", "publicIPAddress",
                        "id"), (pip, nic) -> NetworkErrors.publicIpInUse(pip.path("id").asText(),
                        user(store, nic, pip, "publicIPAddress")))
                .references(NetworkDocs.NSG, doc -> single(doc.path("properties"), "networkSecurityGroup"),
                        (nsg, nic) -> NetworkErrors.nsgInUse(nsg.path("id").asText(), nic.toString()))
                .build());
    }

    private static JsonNode configs(ObjectNode doc) {
        return doc.path("properties").path("ipConfigurations");
    }

    private static List<String> single(JsonNode holder, String member) {
        List<String> out = new ArrayList<>();
        String id = holder.path(member).path("id").asText("");
        if (!id.isEmpty()) {
            out.add(id);
        }
        return out;
    }

    /** The IP configuration of {@code nic} that uses {@code target} (read in the write refusing the delete). */
    private static String user(Store store, ResourceId nic, ObjectNode target, String member) {
        String key = NetworkDocs.key(target.path("id").asText());
        List<String> configs = store.read(tx -> tx.resourceBody(nic.key()).map(Json::readObject)
                .map(doc -> NetworkInterfaceRules.configurationsUsing(doc, key, member)).orElse(List.of()));
        return configs.isEmpty() ? nic.toString() : configs.get(0);
    }
}

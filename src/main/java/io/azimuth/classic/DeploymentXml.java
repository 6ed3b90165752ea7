package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.Json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The wire form of virtual-machine deployments and their persistent VM roles: Create Virtual Machine Deployment
 * ({@code Deployment}), Add Role ({@code PersistentVMRole}) and the role operations read into JSON keyed by the XML
 * element names (shape, order and value types only); Get Deployment and Get Role rendered from the stored
 * documents ({@link Deployments}). Provisioning configuration sets are never rendered: the service answers only a
 * role's network configuration.
 */
final class DeploymentXml {
    static final String[] DEPLOYMENT_ORDER = {"Name", "DeploymentSlot", "Label", "RoleList", "VirtualNetworkName",
            "Dns", "ReservedIPName", "LoadBalancers"};
    /** Documented order, with the elements the classic SDK adds (OsVersion, Label, DefaultWinRmCertificateThumbprint). */
    static final String[] ROLE_ORDER = {"RoleName", "OsVersion", "RoleType", "LicenseType", "ConfigurationSets",
            "ResourceExtensionReferences", "VMImageName", "MediaLocation", "AvailabilitySetName", "DataVirtualHardDisks",
            "Label", "OSVirtualHardDisk", "RoleSize", "DefaultWinRmCertificateThumbprint", "ProvisionGuestAgent",
            "VMImageInput"};
    static final String[] OS_DISK_ORDER = {"HostCaching", "DiskLabel", "DiskName", "MediaLink", "SourceImageName", "OS",
            "RemoteSourceImageLink", "IOType", "ResizedSizeInGB"};
    static final String[] DATA_DISK_ORDER = {"HostCaching", "DiskLabel", "DiskName", "Lun", "LogicalDiskSizeInGB",
            "MediaLink", "SourceMediaLink", "IOType"};
    static final String[] CAPTURE_ORDER = {"OperationType", "PostCaptureAction", "ProvisioningConfiguration",
            "SupportsStatelessDeployment", "TargetImageLabel", "TargetImageName"};

    private DeploymentXml() {
    }

    // ---- requests ----

    /** Create Virtual Machine Deployment. */
    static ObjectNode deployment(XmlElement root) {
        Elements e = Elements.root(root, "Deployment", DEPLOYMENT_ORDER);
        ObjectNode out = Json.object();
        text(out, e, "Name");
        text(out, e, "DeploymentSlot");
        text(out, e, "Label");
        ArrayNode roles = out.putArray("RoleList");
        if (e.has("RoleList")) {
            for (XmlElement role : Elements.of(e.one("RoleList"), "Role*").all("Role")) {
                roles.add(role(Elements.of(role, ROLE_ORDER)));
            }
        } else {
            out.remove("RoleList");
        }
        text(out, e, "VirtualNetworkName");
        text(out, e, "ReservedIPName");
        return out;
    }

    /** Add Role. */
    static ObjectNode persistentVmRole(XmlElement root) {
        return role(Elements.root(root, "PersistentVMRole", ROLE_ORDER));
    }

    private static ObjectNode role(Elements e) {
        ObjectNode out = Json.object();
        out.put("path", e.element().path());
        text(out, e, "RoleName");
        text(out, e, "RoleType");
        text(out, e, "LicenseType");
        ArrayNode sets = out.putArray("ConfigurationSets");
        if (e.has("ConfigurationSets")) {
            int i = 0;
            for (XmlElement set : Elements.of(e.one("ConfigurationSets"), "ConfigurationSet*").all("ConfigurationSet")) {
                ObjectNode parsed = ConfigurationSets.parse(set);
                parsed.put("path", set.path() + "[" + (++i) + "]");
                sets.add(parsed);
            }
        }
        text(out, e, "VMImageName");
        text(out, e, "MediaLocation");
        text(out, e, "AvailabilitySetName");
        ArrayNode data = out.putArray("DataVirtualHardDisks");
        if (e.has("DataVirtualHardDisks")) {
            for (XmlElement disk : Elements.of(e.one("DataVirtualHardDisks"), "DataVirtualHardDisk*")
                    .all("DataVirtualHardDisk")) {
                Elements d = Elements.of(disk, DATA_DISK_ORDER);
                ObjectNode dd = data.addObject();
                text(dd, d, "HostCaching");
                text(dd, d, "DiskLabel");
                text(dd, d, "DiskName");
                Integer lun = d.integer("Lun");
                if (lun != null) {
                    dd.put("Lun", lun);
                }
                Integer size = d.integer("LogicalDiskSizeInGB");
                if (size != null) {
                    dd.put("LogicalDiskSizeInGB", size);
                }
                text(dd, d, "MediaLink");
                text(dd, d, "SourceMediaLink");
                text(dd, d, "IOType");
            }
        }
        if (e.has("OSVirtualHardDisk")) {
            Elements d = Elements.of(e.one("OSVirtualHardDisk"), OS_DISK_ORDER);
            ObjectNode os = out.putObject("OSVirtualHardDisk");
            text(os, d, "HostCaching");
            text(os, d, "DiskLabel");
            text(os, d, "DiskName");
            text(os, d, "MediaLink");
            text(os, d, "SourceImageName");
            text(os, d, "OS");
            text(os, d, "RemoteSourceImageLink");
            text(os, d, "IOType");
            Integer resized = d.integer("ResizedSizeInGB");
            if (resized != null) {
                os.put("ResizedSizeInGB", resized);
            }
        }
        text(out, e, "RoleSize");
        Boolean agent = e.bool("ProvisionGuestAgent");
        if (agent != null) {
            out.put("ProvisionGuestAgent", agent);
        }
        return out;
    }

    /** Shutdown Role: the optional PostShutdownAction. */
    static String shutdown(XmlElement root) {
        Elements e = Elements.root(root, "ShutdownRoleOperation", "OperationType", "PostShutdownAction");
        operationType(e, "ShutdownRoleOperation");
        return e.text("PostShutdownAction");
    }

    /** Start and Restart Role: only the operation type. */
    static void simple(XmlElement root, String operation) {
        Elements e = Elements.root(root, operation, "OperationType");
        operationType(e, operation);
    }

    /** Capture Role. */
    static ObjectNode capture(XmlElement root) {
        Elements e = Elements.root(root, "CaptureRoleOperation", CAPTURE_ORDER);
        operationType(e, "CaptureRoleOperation");
        ObjectNode out = Json.object();
        text(out, e, "PostCaptureAction");
        if (e.has("ProvisioningConfiguration")) {
            XmlElement set = e.one("ProvisioningConfiguration");
            ObjectNode parsed = ConfigurationSets.provisioning(set);
            parsed.put("path", set.path());
            out.set("ProvisioningConfiguration", parsed);
        }
        text(out, e, "TargetImageLabel");
        text(out, e, "TargetImageName");
        return out;
    }

    private static void operationType(Elements e, String expected) {
        String type = e.required("OperationType").strip();
        if (!type.equals(expected)) {
            throw ClassicErrors.badRequest("The value '" + type + "' of '" + e.path("OperationType") + "' must be '"
                    + expected + "', the operation its root element names.");
        }
    }

    private static void text(ObjectNode out, Elements e, String name) {
        String v = e.text(name);
        if (v != null) {
            out.put(name, v);
        }
    }

    // ---- responses ----

    static String deploymentDocument(ObjectNode d) {
        XmlOut out = XmlOut.root("Deployment");
        deploymentBody(out, d);
        return out.finish();
    }

    /** The children of a {@code Deployment} element, also embedded in Get Cloud Service with embed-detail. */
    static void deploymentBody(XmlOut out, ObjectNode d) {
        out.el("Name", d.path("Name").asText());
        out.el("DeploymentSlot", d.path("DeploymentSlot").asText());
        out.el("PrivateID", d.path("PrivateID").asText());
        out.el("Status", d.path("Status").asText());
        out.el("Label", d.path("Label").asText());
        out.el("Url", "http://" + d.path("Service").asText() + ".cloudapp.net/");
        out.el("Configuration", configuration(d));
        out.open("RoleInstanceList");
        for (JsonNode role : d.path("Roles")) {
            out.open("RoleInstance");
            out.el("RoleName", role.path("RoleName").asText());
            out.el("InstanceName", role.path("RoleName").asText());
            out.el("InstanceStatus", role.path("InstanceStatus").asText());
            out.el("InstanceUpgradeDomain", 0);
            out.el("InstanceFaultDomain", 0);
            out.el("InstanceSize", role.path("RoleSize").asText());
            out.empty("InstanceStateDetails");
            out.el("IpAddress", role.path("IpAddress").asText(null));
            JsonNode endpoints = role.path("Network").path("InputEndpoints");
            if (!endpoints.isEmpty()) {
                out.open("InstanceEndpoints");
                for (JsonNode ep : endpoints) {
                    out.open("InstanceEndpoint");
                    out.el("Name", ep.path("Name").asText(null));
                    out.el("Vip", vip(d));
                    out.el("PublicPort", ep.path("Port").asInt());
                    out.el("LocalPort", ep.path("LocalPort").asInt());
                    out.el("Protocol", ep.path("Protocol").asText(null));
                    out.el("IdleTimeoutInMinutes", ep.path("IdleTimeoutInMinutes").asInt(4));
                    out.close();
                }
                out.close();
            }
            out.el("PowerState", role.path("PowerState").asText());
            out.el("HostName", role.path("HostName").asText(null));
            out.close();
        }
        out.close();
        out.el("UpgradeDomainCount", 1);
        out.open("RoleList");
        for (JsonNode role : d.path("Roles")) {
            out.open("Role", "PersistentVMRole");
            roleBody(out, role, vip(d));
            out.close();
        }
        out.close();
        out.empty("SdkVersion");
        out.el("Locked", false);
        out.el("RollbackAllowed", false);
        out.el("CreatedTime", d.path("CreatedTime").asText());
        out.el("LastModifiedTime", d.path("LastModifiedTime").asText());
        out.el("VirtualNetworkName", d.path("VirtualNetworkName").asText(null));
        out.empty("ExtendedProperties");
        out.open("VirtualIPs").open("VirtualIP").el("Address", vip(d)).el("IsDnsProgrammed", true)
                .el("Name", d.path("Name").asText() + "ContractContract").close().close();
        out.el("InternalDnsSuffix", d.path("Name").asText() + ".d1.internal.cloudapp.net");
        out.empty("LoadBalancers");
    }

    static String roleDocument(JsonNode role) {
        XmlOut out = XmlOut.root("PersistentVMRole");
        roleBody(out, role, null);
        return out.finish();
    }

    /**
     * The deployment's public address, made up from its private id in the documentation range 192.0.2.0/24:
     * nothing is reachable at it.
     */
    private static String vip(ObjectNode d) {
        return "192.0.2." + (1 + Math.floorMod(d.path("PrivateID").asText().hashCode(), 254));
    }

    /** A role's elements; input endpoints show the deployment's address ({@code vip}) inside a deployment. */
    private static void roleBody(XmlOut out, JsonNode role, String vip) {
        out.el("RoleName", role.path("RoleName").asText());
        out.empty("OsVersion");
        out.el("RoleType", "PersistentVMRole");
        out.open("ConfigurationSets");
        out.open("ConfigurationSet", "NetworkConfigurationSet");
        out.el("ConfigurationSetType", ConfigurationSets.NETWORK);
        JsonNode network = role.path("Network");
        if (network.has("InputEndpoints")) {
            out.open("InputEndpoints");
            for (JsonNode ep : network.path("InputEndpoints")) {
                out.open("InputEndpoint");
                out.el("LoadBalancedEndpointSetName", ep.path("LoadBalancedEndpointSetName").asText(null));
                out.el("LocalPort", ep.path("LocalPort").isInt() ? ep.path("LocalPort").asInt() : null);
                out.el("Name", ep.path("Name").asText(null));
                out.el("Port", ep.path("Port").isInt() ? ep.path("Port").asInt() : null);
                out.el("Protocol", ep.path("Protocol").asText(null));
                out.el("Vip", vip);
                out.el("EnableDirectServerReturn", ep.path("EnableDirectServerReturn").asBoolean(false));
                out.el("IdleTimeoutInMinutes", ep.path("IdleTimeoutInMinutes").asInt(4));
                out.close();
            }
            out.close();
        }
        out.open("SubnetNames");
        for (JsonNode s : network.path("SubnetNames")) {
            out.el("SubnetName", s.asText());
        }
        out.close();
        out.el("StaticVirtualNetworkIPAddress", network.path("StaticVirtualNetworkIPAddress").asText(null));
        out.close();
        out.close();
        out.el("AvailabilitySetName", role.path("AvailabilitySetName").asText(null));
        JsonNode data = role.path("DataVirtualHardDisks");
        if (data.isEmpty()) {
            out.empty("DataVirtualHardDisks");
        } else {
            out.open("DataVirtualHardDisks");
            for (JsonNode d : data) {
                out.open("DataVirtualHardDisk");
                out.el("HostCaching", d.path("HostCaching").asText());
                out.el("DiskLabel", d.path("DiskLabel").asText(null));
                out.el("DiskName", d.path("DiskName").asText());
                out.el("Lun", d.path("Lun").asInt());
                out.el("LogicalDiskSizeInGB", d.path("LogicalDiskSizeInGB").isInt() ? d.path("LogicalDiskSizeInGB").asInt() : null);
                out.el("MediaLink", d.path("MediaLink").asText());
                out.el("IOType", "Standard");
                out.close();
            }
            out.close();
        }
        JsonNode os = role.path("OSVirtualHardDisk");
        out.open("OSVirtualHardDisk");
        out.el("HostCaching", os.path("HostCaching").asText());
        out.el("DiskLabel", os.path("DiskLabel").asText(null));
        out.el("DiskName", os.path("DiskName").asText());
        out.el("MediaLink", os.path("MediaLink").asText());
        out.el("SourceImageName", os.path("SourceImageName").asText(null));
        out.el("OS", os.path("OS").asText());
        out.el("RemoteSourceImageLink", os.path("RemoteSourceImageLink").asText(null));
        out.el("IOType", "Standard");
        out.close();
        out.el("RoleSize", role.path("RoleSize").asText());
        if (role.has("ProvisionGuestAgent")) {
            out.el("ProvisionGuestAgent", role.path("ProvisionGuestAgent").asBoolean());
        }
    }

    /** The deployment's service configuration, base64 as Get Deployment answers it. */
    private static String configuration(ObjectNode d) {
        StringBuilder b = new StringBuilder("<ServiceConfiguration xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns=\"http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration\">\r\n");
        for (JsonNode role : d.path("Roles")) {
            b.append("  <Role name=\"").append(XmlOut.escape(role.path("RoleName").asText())).append("\">\r\n")
                    .append("    <Instances count=\"1\" />\r\n  </Role>\r\n");
        }
        b.append("</ServiceConfiguration>");
        return Base64.getEncoder().encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
    }
}

package io.azimuth.classic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.Json;

import java.util.Set;

/**
 * Reads configuration sets ({@code ConfigurationSet} in a role, {@code ProvisioningConfiguration} in Capture Role)
 * into JSON keyed by the XML element names, checking only their shape: which elements each kind of set has, their
 * order, and the types of their values. What the values may be is {@link ProvisioningRules}' business. The parsed
 * form still holds the secrets the request carried (passwords, custom data, unattend content); it is never
 * stored as it is.
 *
 * <p>Element order follows the service's documents; where the classic SDK writes two elements the other way round
 * (CustomData and AdditionalUnattendContent in a Windows set, Protocol and CertificateThumbprint in a WinRM
 * listener), either order is read.
 */
final class ConfigurationSets {
    static final String WINDOWS = "WindowsProvisioningConfiguration";
    static final String LINUX = "LinuxProvisioningConfiguration";
    static final String NETWORK = "NetworkConfiguration";

    private static final String[] WINDOWS_ORDER = {"ConfigurationSetType", "ComputerName", "AdminPassword",
            "ResetPasswordOnFirstLogon", "EnableAutomaticUpdates", "TimeZone", "DomainJoin", "StoredCertificateSettings",
            "WinRM", "AdminUsername", "CustomData|AdditionalUnattendContent"};
    private static final String[] LINUX_ORDER = {"ConfigurationSetType", "HostName", "UserName", "UserPassword",
            "DisableSshPasswordAuthentication", "SSH", "CustomData"};
    private static final String[] NETWORK_ORDER = {"ConfigurationSetType", "InputEndpoints", "SubnetNames",
            "StaticVirtualNetworkIPAddress", "PublicIPs", "NetworkInterfaces", "NetworkSecurityGroup", "IPForwarding"};
    private static final String[] INPUT_ENDPOINT_ORDER = {"LoadBalancedEndpointSetName", "LocalPort", "Name", "Port",
            "LoadBalancerProbe", "Protocol", "Vip", "EnableDirectServerReturn", "LoadBalancerName|EndpointAcl|EndpointACL",
            "IdleTimeoutInMinutes", "LoadBalancerDistribution", "VirtualIPName"};

    /** Collections of network sets, which the classic SDK writes empty into provisioning sets. */
    private static final Set<String> NETWORK_COLLECTIONS = Set.of("InputEndpoints", "SubnetNames", "PublicIPs",
            "NetworkInterfaces");
    private static final Set<String> NOT_IN_LINUX = Set.of("InputEndpoints", "SubnetNames", "PublicIPs",
            "NetworkInterfaces", "StoredCertificateSettings");
    private static final Set<String> NOT_IN_NETWORK = Set.of("StoredCertificateSettings");

    private ConfigurationSets() {
    }

    /** The set's type, read from its first element, which must be {@code ConfigurationSetType}. */
    static String type(XmlElement set) {
        XmlElement first = set.children().isEmpty() ? null : set.children().get(0);
        if (first == null || !first.name().equals("ConfigurationSetType")) {
            throw Elements.missing(set.path() + "/ConfigurationSetType");
        }
        String type = first.text().strip();
        if (!type.equals(WINDOWS) && !type.equals(LINUX) && !type.equals(NETWORK)) {
            throw ClassicErrors.badRequest("The value '" + type + "' of '" + first.path() + "' is not a configuration "
                    + "set type: it is " + WINDOWS + ", " + LINUX + " or " + NETWORK + ".");
        }
        return type;
    }

    /** Any configuration set, by its type. */
    static ObjectNode parse(XmlElement set) {
        String type = type(set);
        return switch (type) {
            case WINDOWS -> windows(set);
            case LINUX -> linux(set);
            default -> network(set);
        };
    }

    /** A provisioning set (Windows or Linux), as Capture Role's ProvisioningConfiguration must be. */
    static ObjectNode provisioning(XmlElement set) {
        String type = type(set);
        if (type.equals(NETWORK)) {
            throw ClassicErrors.badRequest("The element '" + set.path() + "' must be a " + WINDOWS + " or a " + LINUX
                    + " set, not a " + NETWORK + " set.");
        }
        return parse(set);
    }

    private static ObjectNode windows(XmlElement set) {
        Elements e = Elements.of(set, NETWORK_COLLECTIONS, WINDOWS_ORDER);
        ObjectNode out = Json.object();
        out.put("ConfigurationSetType", WINDOWS);
        text(out, e, "ComputerName");
        text(out, e, "AdminPassword");
        bool(out, e, "ResetPasswordOnFirstLogon");
        bool(out, e, "EnableAutomaticUpdates");
        text(out, e, "TimeZone");
        if (e.has("DomainJoin")) {
            Elements dj = Elements.of(e.one("DomainJoin"), "Credentials", "JoinDomain", "MachineObjectOU", "Provisioning");
            ObjectNode domain = out.putObject("DomainJoin");
            if (dj.has("Credentials")) {
                Elements c = Elements.of(dj.one("Credentials"), "Domain", "Username", "Password");
                ObjectNode creds = domain.putObject("Credentials");
                text(creds, c, "Domain");
                text(creds, c, "Username");
                text(creds, c, "Password");
            }
            text(domain, dj, "JoinDomain");
            text(domain, dj, "MachineObjectOU");
            if (dj.has("Provisioning")) {
                Elements p = Elements.of(dj.one("Provisioning"), "AccountData");
                text(domain.putObject("Provisioning"), p, "AccountData");
            }
        }
        if (e.has("StoredCertificateSettings")) {
            ArrayNode certs = out.putArray("StoredCertificateSettings");
            for (XmlElement c : Elements.of(e.one("StoredCertificateSettings"), "CertificateSetting*")
                    .all("CertificateSetting")) {
                Elements s = Elements.of(c, "StoreLocation", "StoreName", "Thumbprint");
                ObjectNode cert = certs.addObject();
                text(cert, s, "StoreLocation");
                text(cert, s, "StoreName");
                text(cert, s, "Thumbprint");
            }
        }
        if (e.has("WinRM")) {
            Elements w = Elements.of(e.one("WinRM"), "Listeners");
            ObjectNode winrm = out.putObject("WinRM");
            if (w.has("Listeners")) {
                ArrayNode listeners = winrm.putArray("Listeners");
                for (XmlElement l : Elements.of(w.one("Listeners"), "Listener*").all("Listener")) {
                    Elements le = Elements.of(l, "Protocol|CertificateThumbprint");
                    ObjectNode listener = listeners.addObject();
                    text(listener, le, "Protocol");
                    text(listener, le, "CertificateThumbprint");
                }
            }
        }
        text(out, e, "AdminUsername");
        text(out, e, "CustomData");
        if (e.has("AdditionalUnattendContent")) {
            ObjectNode unattend = out.putObject("AdditionalUnattendContent");
            Elements u = Elements.of(e.one("AdditionalUnattendContent"), "Passes");
            if (u.has("Passes")) {
                ArrayNode passes = unattend.putArray("Passes");
                for (XmlElement p : Elements.of(u.one("Passes"), "UnattendPass*").all("UnattendPass")) {
                    Elements pe = Elements.of(p, "PassName", "Components");
                    ObjectNode pass = passes.addObject();
                    text(pass, pe, "PassName");
                    if (pe.has("Components")) {
                        ArrayNode components = pass.putArray("Components");
                        for (XmlElement c : Elements.of(pe.one("Components"), "UnattendComponent*")
                                .all("UnattendComponent")) {
                            Elements ce = Elements.of(c, "ComponentName", "ComponentSettings");
                            ObjectNode component = components.addObject();
                            text(component, ce, "ComponentName");
                            if (ce.has("ComponentSettings")) {
                                ArrayNode settings = component.putArray("ComponentSettings");
                                for (XmlElement s : Elements.of(ce.one("ComponentSettings"), "ComponentSetting*")
                                        .all("ComponentSetting")) {
                                    Elements se = Elements.of(s, "SettingName", "Content");
                                    ObjectNode setting = settings.addObject();
                                    text(setting, se, "SettingName");
                                    text(setting, se, "Content");
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static ObjectNode linux(XmlElement set) {
        Elements e = Elements.of(set, NOT_IN_LINUX, LINUX_ORDER);
        ObjectNode out = Json.object();
        out.put("ConfigurationSetType", LINUX);
        text(out, e, "HostName");
        text(out, e, "UserName");
        text(out, e, "UserPassword");
        bool(out, e, "DisableSshPasswordAuthentication");
        if (e.has("SSH")) {
            Elements s = Elements.of(e.one("SSH"), "PublicKeys", "KeyPairs");
            ObjectNode ssh = out.putObject("SSH");
            sshKeys(ssh, s, "PublicKeys", "PublicKey");
            sshKeys(ssh, s, "KeyPairs", "KeyPair");
        }
        text(out, e, "CustomData");
        return out;
    }

    /** {@code PublicKeys/PublicKey} or {@code KeyPairs/KeyPair}: each a Fingerprint and a Path. */
    private static void sshKeys(ObjectNode ssh, Elements s, String list, String item) {
        if (!s.has(list)) {
            return;
        }
        ArrayNode out = ssh.putArray(list);
        for (XmlElement k : Elements.of(s.one(list), item + "*").all(item)) {
            Elements ke = Elements.of(k, "Fingerprint", "Path");
            ObjectNode key = out.addObject();
            text(key, ke, "Fingerprint");
            text(key, ke, "Path");
        }
    }

    private static ObjectNode network(XmlElement set) {
        Elements e = Elements.of(set, NOT_IN_NETWORK, NETWORK_ORDER);
        ObjectNode out = Json.object();
        out.put("ConfigurationSetType", NETWORK);
        if (e.has("InputEndpoints")) {
            ArrayNode endpoints = out.putArray("InputEndpoints");
            for (XmlElement ep : Elements.of(e.one("InputEndpoints"), "InputEndpoint*").all("InputEndpoint")) {
                Elements ee = Elements.of(ep, INPUT_ENDPOINT_ORDER);
                ObjectNode endpoint = endpoints.addObject();
                text(endpoint, ee, "LoadBalancedEndpointSetName");
                integer(endpoint, ee, "LocalPort");
                text(endpoint, ee, "Name");
                integer(endpoint, ee, "Port");
                text(endpoint, ee, "Protocol");
                bool(endpoint, ee, "EnableDirectServerReturn");
                integer(endpoint, ee, "IdleTimeoutInMinutes");
            }
        }
        if (e.has("SubnetNames")) {
            ArrayNode subnets = out.putArray("SubnetNames");
            for (XmlElement s : Elements.of(e.one("SubnetNames"), "SubnetName*").all("SubnetName")) {
                subnets.add(s.text());
            }
        }
        text(out, e, "StaticVirtualNetworkIPAddress");
        return out;
    }

    private static void text(ObjectNode out, Elements e, String name) {
        String v = e.text(name);
        if (v != null) {
            out.put(name, v);
        }
    }

    private static void bool(ObjectNode out, Elements e, String name) {
        Boolean v = e.bool(name);
        if (v != null) {
            out.put(name, v);
        }
    }

    private static void integer(ObjectNode out, Elements e, String name) {
        Integer v = e.integer(name);
        if (v != null) {
            out.put(name, v);
        }
    }
}

package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * What a Windows or Linux provisioning configuration set may hold, as the Capture Role document lists it (the same
 * sets provision roles of new deployments): lengths of names and passwords, values of enumerations (case-sensitive
 * where the service says so), elements that need a later {@code x-ms-version}, certificates that must already be
 * service certificates of the cloud service, and custom and unattend content. Every refusal is a 400 naming the
 * element; messages never repeat a secret. What is kept of a set ({@link #kept}) holds no secret.
 */
final class ProvisioningRules {
    static final int MAX_CUSTOM_DATA = 65_535;
    /** Unattend content must be less than 4 KB (decoded). */
    static final int MAX_UNATTEND_CONTENT = 4096;

    /**
     * Where a set is checked.
     *
     * @param version     the request's x-ms-version
     * @param thumbprints the cloud service's certificate thumbprints, upper-case
     * @param path        the set's element path, for messages
     */
    record Context(String version, Set<String> thumbprints, String path) {
        String at(String element) {
            return path + "/" + element;
        }
    }

    private ProvisioningRules() {
    }

    /** Checks a parsed set ({@link ConfigurationSets#provisioning}); throws the first broken rule. */
    static void check(ObjectNode set, Context c) {
        if (ConfigurationSets.WINDOWS.equals(set.path("ConfigurationSetType").asText())) {
            windows(set, c);
        } else {
            linux(set, c);
        }
    }

    private static void windows(ObjectNode set, Context c) {
        String computerName = set.path("ComputerName").asText(null);
        if (computerName != null) {
            length(computerName, 1, 15, c.at("ComputerName"), "Computer names");
        }
        if (blank(set.path("AdminPassword").asText(null))) {
            throw Elements.missing(c.at("AdminPassword"));
        }
        if (blank(set.path("AdminUsername").asText(null)) && c.version().compareTo(Versions.V2013_03_01) > 0) {
            throw ClassicErrors.badRequest("The element '" + c.at("AdminUsername") + "' is required: it names the "
                    + "administrator account for x-ms-version later than " + Versions.V2013_03_01 + " (this request "
                    + "has " + c.version() + ").");
        }
        String timeZone = set.path("TimeZone").asText(null);
        if (timeZone != null && WindowsTimeZones.canonical(timeZone) == null) {
            throw ClassicErrors.badRequest("The value '" + timeZone + "' of '" + c.at("TimeZone") + "' is not a "
                    + "Windows time-zone id (as 'tzutil /l' lists them, e.g. 'Pacific Standard Time' or 'UTC').");
        }
        JsonNode domain = set.path("DomainJoin");
        if (domain.has("Credentials")) {
            JsonNode creds = domain.path("Credentials");
            if (blank(creds.path("Username").asText(null))) {
                throw Elements.missing(c.at("DomainJoin/Credentials/Username"));
            }
            if (blank(creds.path("Password").asText(null))) {
                throw Elements.missing(c.at("DomainJoin/Credentials/Password"));
            }
        }
        int i = 0;
        for (JsonNode cert : set.path("StoredCertificateSettings")) {
            i++;
            String at = c.at("StoredCertificateSettings/CertificateSetting[" + i + "]");
            String location = cert.path("StoreLocation").asText(null);
            if (blank(location)) {
                throw Elements.missing(at + "/StoreLocation");
            }
            if (!location.equals("LocalMachine")) {
                throw ClassicErrors.badRequest("The value '" + location + "' of '" + at + "/StoreLocation' is not "
                        + "supported: the only supported value is LocalMachine.");
            }
            if (blank(cert.path("StoreName").asText(null))) {
                throw Elements.missing(at + "/StoreName");
            }
            thumbprint(cert.path("Thumbprint").asText(null), at + "/Thumbprint", c);
        }
        if (set.has("WinRM")) {
            JsonNode listeners = set.path("WinRM").path("Listeners");
            if (!listeners.isArray()) {
                throw Elements.missing(c.at("WinRM/Listeners"));
            }
            if (listeners.isEmpty()) {
                throw Elements.missing(c.at("WinRM/Listeners/Listener"));
            }
            int l = 0;
            for (JsonNode listener : listeners) {
                l++;
                String at = c.at("WinRM/Listeners/Listener[" + l + "]/Protocol");
                String protocol = listener.path("Protocol").asText(null);
                if (blank(protocol)) {
                    throw Elements.missing(at);
                }
                if (!protocol.equals("Http") && !protocol.equals("Https")) {
                    throw ClassicErrors.badRequest("The value '" + protocol + "' of '" + at + "' is not a listener "
                            + "protocol: it is Http or Https (the value is case-sensitive).");
                }
            }
        }
        customData(set, c);
        if (set.has("AdditionalUnattendContent")) {
            unattend(set.path("AdditionalUnattendContent"), c);
        }
    }

    private static void linux(ObjectNode set, Context c) {
        String host = set.path("HostName").asText(null);
        if (host == null) {
            throw Elements.missing(c.at("HostName"));
        }
        length(host, 1, 64, c.at("HostName"), "Host names");
        String user = set.path("UserName").asText(null);
        if (user == null) {
            throw Elements.missing(c.at("UserName"));
        }
        length(user, 1, 32, c.at("UserName"), "User account names");
        String password = set.path("UserPassword").asText(null);
        if (password == null) {
            throw Elements.missing(c.at("UserPassword"));
        }
        length(password, 6, 72, c.at("UserPassword"), "Passwords");
        JsonNode ssh = set.path("SSH");
        for (String list : new String[]{"PublicKeys", "KeyPairs"}) {
            if (!ssh.has(list)) {
                continue;
            }
            // an empty list is no list: the classic SDK writes an empty KeyPairs beside its public keys
            String item = list.equals("PublicKeys") ? "PublicKey" : "KeyPair";
            int i = 0;
            for (JsonNode key : ssh.path(list)) {
                i++;
                String at = c.at("SSH/" + list + "/" + item + "[" + i + "]");
                thumbprint(key.path("Fingerprint").asText(null), at + "/Fingerprint", c);
                if (blank(key.path("Path").asText(null))) {
                    throw Elements.missing(at + "/Path");
                }
            }
        }
        customData(set, c);
    }

    private static void customData(ObjectNode set, Context c) {
        String data = set.path("CustomData").asText(null);
        if (data == null) {
            return;
        }
        if (c.version().compareTo(Versions.V2013_10_01) < 0) {
            throw ClassicErrors.badRequest("The element '" + c.at("CustomData") + "' is only available with "
                    + "x-ms-version " + Versions.V2013_10_01 + " or later (this request has " + c.version() + ").");
        }
        byte[] decoded = base64(data, c.at("CustomData"));
        if (decoded.length > MAX_CUSTOM_DATA) {
            throw ClassicErrors.badRequest("The value of '" + c.at("CustomData") + "' decodes to " + decoded.length
                    + " bytes; the maximum length of custom data is " + MAX_CUSTOM_DATA + " bytes.");
        }
    }

    private static void unattend(JsonNode unattend, Context c) {
        String base = c.at("AdditionalUnattendContent");
        if (c.version().compareTo(Versions.V2014_04_01) < 0) {
            throw ClassicErrors.badRequest("The element '" + base + "' is only available with x-ms-version "
                    + Versions.V2014_04_01 + " or later (this request has " + c.version() + ").");
        }
        if (!unattend.has("Passes")) {
            throw Elements.missing(base + "/Passes");
        }
        int p = 0;
        for (JsonNode pass : unattend.path("Passes")) {
            p++;
            String at = base + "/Passes/UnattendPass[" + p + "]";
            String passName = pass.path("PassName").asText(null);
            if (blank(passName)) {
                throw Elements.missing(at + "/PassName");
            }
            if (!passName.equals("oobeSystem")) {
                throw ClassicErrors.badRequest("The value '" + passName + "' of '" + at + "/PassName' is not "
                        + "allowed: the only allowable value is oobeSystem.");
            }
            int k = 0;
            for (JsonNode component : pass.path("Components")) {
                k++;
                String cat = at + "/Components/UnattendComponent[" + k + "]";
                String componentName = component.path("ComponentName").asText(null);
                if (blank(componentName)) {
                    throw Elements.missing(cat + "/ComponentName");
                }
                if (!componentName.equals("Microsoft-Windows-Shell-Setup")) {
                    throw ClassicErrors.badRequest("The value '" + componentName + "' of '" + cat + "/ComponentName' "
                            + "is not allowed: the only allowable value is Microsoft-Windows-Shell-Setup.");
                }
                int s = 0;
                for (JsonNode setting : component.path("ComponentSettings")) {
                    s++;
                    String sat = cat + "/ComponentSettings/ComponentSetting[" + s + "]";
                    String settingName = setting.path("SettingName").asText(null);
                    if (blank(settingName)) {
                        throw Elements.missing(sat + "/SettingName");
                    }
                    if (!settingName.equals("FirstLogonCommands") && !settingName.equals("AutoLogon")) {
                        throw ClassicErrors.badRequest("The value '" + settingName + "' of '" + sat + "/SettingName' "
                                + "is not a setting that can be added: it is FirstLogonCommands or AutoLogon.");
                    }
                    unattendContent(setting.path("Content").asText(null), settingName, sat + "/Content");
                }
            }
        }
    }

    /** Base64 of an XML fragment under 4 KB whose root element is the setting being inserted. */
    private static void unattendContent(String content, String settingName, String at) {
        if (blank(content)) {
            throw Elements.missing(at);
        }
        byte[] xml = base64(content, at);
        if (xml.length >= MAX_UNATTEND_CONTENT) {
            throw ClassicErrors.badRequest("The value of '" + at + "' decodes to " + xml.length + " bytes of XML; "
                    + "the XML must be less than 4 KB (" + MAX_UNATTEND_CONTENT + " bytes).");
        }
        XmlElement root;
        try {
            root = SafeXml.parse(xml);
        } catch (SafeXml.Malformed e) {
            throw ClassicErrors.badRequest("The value of '" + at + "' is not base64-encoded XML with a root element: "
                    + e.getMessage());
        }
        if (!root.name().equals(settingName)) {
            throw ClassicErrors.badRequest("The XML in '" + at + "' must have the setting's own root element '"
                    + settingName + "', not '" + root.name() + "'.");
        }
    }

    private static void thumbprint(String value, String at, Context c) {
        if (blank(value)) {
            throw Elements.missing(at);
        }
        String normalized = normalizeThumbprint(value);
        if (!c.thumbprints().contains(normalized)) {
            throw ClassicErrors.badRequest("The thumbprint '" + value.strip() + "' in '" + at + "' is not a "
                    + "certificate of the cloud service: add it with Add Service Certificate first.");
        }
    }

    static String normalizeThumbprint(String value) {
        return value.replaceAll("\\s", "").toUpperCase(Locale.ROOT);
    }

    private static void length(String value, int min, int max, String at, String what) {
        if (value.length() < min || value.length() > max) {
            throw ClassicErrors.badRequest("The value of '" + at + "' is " + value.length() + " characters long; "
                    + what + " must be " + min + " to " + max + " characters long.");
        }
    }

    private static byte[] base64(String data, String at) {
        try {
            return Base64.getMimeDecoder().decode(strictBase64(data, at));
        } catch (IllegalArgumentException e) {
            throw ClassicErrors.badRequest("The value of '" + at + "' is not a base-64 encoded string.");
        }
    }

    private static String strictBase64(String data, String at) {
        String compact = data.replaceAll("\\s", "");
        if (!compact.matches("[A-Za-z0-9+/]*={0,2}") || compact.length() % 4 != 0) {
            throw ClassicErrors.badRequest("The value of '" + at + "' is not a base-64 encoded string.");
        }
        return compact;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * What is kept of a checked set: everything but its secrets (passwords, custom data, unattend content, the
     * offline domain-join blob), with the documented defaults (automatic updates on; SSH password authentication
     * off) made explicit.
     */
    static ObjectNode kept(ObjectNode set) {
        ObjectNode kept = set.deepCopy();
        kept.remove("path");
        kept.remove("AdminPassword");
        kept.remove("UserPassword");
        if (kept.remove("CustomData") != null) {
            kept.put("CustomDataProvided", true);
        }
        JsonNode domain = kept.path("DomainJoin");
        if (domain.isObject()) {
            if (domain.path("Credentials").isObject()) {
                ((ObjectNode) domain.path("Credentials")).remove("Password");
            }
            ((ObjectNode) domain).remove("Provisioning");
        }
        for (JsonNode pass : kept.path("AdditionalUnattendContent").path("Passes")) {
            for (JsonNode component : pass.path("Components")) {
                for (JsonNode setting : component.path("ComponentSettings")) {
                    ((ObjectNode) setting).remove("Content");
                }
            }
        }
        if (ConfigurationSets.WINDOWS.equals(kept.path("ConfigurationSetType").asText())) {
            if (!kept.has("EnableAutomaticUpdates")) {
                kept.put("EnableAutomaticUpdates", true);
            }
            if (!kept.has("ResetPasswordOnFirstLogon")) {
                kept.put("ResetPasswordOnFirstLogon", false);
            }
            String tz = WindowsTimeZones.canonical(kept.path("TimeZone").asText(null));
            if (tz != null) {
                kept.put("TimeZone", tz);
            }
        } else if (!kept.has("DisableSshPasswordAuthentication")) {
            kept.put("DisableSshPasswordAuthentication", true);
        }
        return kept;
    }
}

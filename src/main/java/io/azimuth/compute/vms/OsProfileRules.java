package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.http.Json;

import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The secrets of an OS profile, checked as the Reimage document lists: password length by OS (Windows 8–123,
 * Linux 6–72), three of four character classes, none of the disallowed values; custom data valid base64 of at
 * most 65,535 decoded bytes. Messages never repeat the secret.
 */
final class OsProfileRules {
    static final Set<String> DISALLOWED = Set.of("abc@123", "P@$$w0rd", "P@ssw0rd", "P@ssword123", "Pa$$word",
            "pass@word1", "Password!", "Password1", "Password22", "iloveyou!");
    static final int MAX_CUSTOM_DATA = 65_535;

    private OsProfileRules() {
    }

    static void password(String password, String osType, String field) {
        boolean windows = "Windows".equalsIgnoreCase(osType);
        int min = windows ? 8 : 6;
        int max = windows ? 123 : 72;
        if (password.length() < min || password.length() > max) {
            throw Fields.invalid(field, "The value of '" + field + "' must be between " + min + " and " + max
                    + " characters long for " + (windows ? "Windows" : "Linux") + ".");
        }
        int classes = 0;
        classes += password.chars().anyMatch(Character::isLowerCase) ? 1 : 0;
        classes += password.chars().anyMatch(Character::isUpperCase) ? 1 : 0;
        classes += password.chars().anyMatch(Character::isDigit) ? 1 : 0;
        classes += password.matches("(?s).*[\\W_].*") ? 1 : 0;
        if (classes < 3) {
            throw Fields.invalid(field, "The value of '" + field + "' does not meet complexity requirements: it needs "
                    + "3 of lower-case letters, upper-case letters, digits and special characters.");
        }
        if (DISALLOWED.contains(password)) {
            throw Fields.invalid(field, "The value of '" + field + "' is one of the disallowed passwords.");
        }
    }

    static void customData(String data, String field) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(data.trim());
        } catch (IllegalArgumentException e) {
            throw Fields.invalid(field, "The value of '" + field + "' is not valid base64.");
        }
        if (decoded.length > MAX_CUSTOM_DATA) {
            throw Fields.invalid(field, "The value of '" + field + "' decodes to " + decoded.length
                    + " bytes; at most " + MAX_CUSTOM_DATA + " are allowed.");
        }
    }

    /**
     * The stored OS profile of a new VM from the request's: computer name, admin user, Windows or Linux
     * configuration; the password and custom data are checked and left out.
     */
    static ObjectNode profile(ObjectNode in, String osType) {
        String f = "properties.osProfile";
        boolean windows = "Windows".equals(osType);
        String computerName = Fields.text(in, "computerName", f + ".computerName");
        if (computerName == null || computerName.isBlank()) {
            throw Fields.invalid(f + ".computerName", "Required parameter '" + f + ".computerName' is missing (null).");
        }
        int maxName = windows ? 15 : 64;
        if (computerName.length() > maxName || !computerName.matches("[A-Za-z0-9][A-Za-z0-9.-]*")
                || (windows && computerName.matches("\\d+"))) {
            throw Fields.invalid(f + ".computerName", "The value '" + computerName + "' of '" + f + ".computerName' is "
                    + "not a valid " + (windows ? "Windows" : "Linux") + " computer name (1 to " + maxName
                    + " letters, digits, '-' and '.'" + (windows ? ", not only digits" : "") + ").");
        }
        String user = Fields.text(in, "adminUsername", f + ".adminUsername");
        if (user == null || user.isBlank()) {
            throw Fields.invalid(f + ".adminUsername", "Required parameter '" + f + ".adminUsername' is missing (null).");
        }
        if (user.length() > (windows ? 20 : 64) || user.matches(".*[\\\\/\"\\[\\]:|<>+=;,?*@ ].*") || user.endsWith(".")) {
            throw Fields.invalid(f + ".adminUsername", "The value of '" + f + ".adminUsername' is not a valid user name.");
        }
        String password = Fields.text(in, "adminPassword", f + ".adminPassword");
        if (password != null) {
            OsProfileRules.password(password, osType, f + ".adminPassword");
        }
        String customData = Fields.text(in, "customData", f + ".customData");
        if (customData != null) {
            OsProfileRules.customData(customData, f + ".customData");
        }
        ObjectNode out = Json.object();
        out.put("computerName", computerName);
        out.put("adminUsername", user);
        if (windows) {
            if (password == null) {
                throw Fields.invalid(f + ".adminPassword", "Required parameter '" + f + ".adminPassword' is missing "
                        + "(null): Windows VMs need one.");
            }
            ObjectNode winIn = Fields.object(in, "windowsConfiguration", f + ".windowsConfiguration");
            ObjectNode win = out.putObject("windowsConfiguration");
            Boolean agent = Fields.bool(winIn, "provisionVMAgent", f + ".windowsConfiguration.provisionVMAgent");
            Boolean updates = Fields.bool(winIn, "enableAutomaticUpdates", f + ".windowsConfiguration.enableAutomaticUpdates");
            win.put("provisionVMAgent", agent == null || agent);
            win.put("enableAutomaticUpdates", updates == null || updates);
            String zone = Fields.text(winIn, "timeZone", f + ".windowsConfiguration.timeZone");
            if (zone != null) {
                win.put("timeZone", zone);
            }
        } else {
            ObjectNode linIn = Fields.object(in, "linuxConfiguration", f + ".linuxConfiguration");
            Boolean disable = Fields.bool(linIn, "disablePasswordAuthentication",
                    f + ".linuxConfiguration.disablePasswordAuthentication");
            ArrayNode keys = Json.array();
            JsonNode keysIn = linIn == null ? null : linIn.path("ssh").get("publicKeys");
            if (Fields.present(keysIn) && keysIn.isArray()) {
                for (int i = 0; i < keysIn.size(); i++) {
                    String kf = f + ".linuxConfiguration.ssh.publicKeys[" + i + "]";
                    String data = Fields.text(keysIn.get(i), "keyData", kf + ".keyData");
                    if (data == null || !data.trim().matches("(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?")) {
                        // Azure's own words, which name neither the index nor the properties prefix
                        throw Fields.invalid("linuxConfiguration.ssh.publicKeys.keyData", "The value of parameter "
                                + "linuxConfiguration.ssh.publicKeys.keyData is invalid.");
                    }
                    String path = Fields.text(keysIn.get(i), "path", kf + ".path");
                    ObjectNode k = keys.addObject();
                    k.put("path", path != null ? path : "/home/" + user + "/.ssh/authorized_keys");
                    k.put("keyData", data);
                }
            }
            boolean disabled = disable != null ? disable : password == null;
            if (disabled && keys.isEmpty()) {
                throw Fields.invalid(f + ".linuxConfiguration.ssh.publicKeys", "A Linux VM without password "
                        + "authentication needs at least one key in '" + f + ".linuxConfiguration.ssh.publicKeys'.");
            }
            if (disabled && password != null) {
                throw Fields.invalid(f + ".adminPassword", "'" + f + ".adminPassword' is not allowed when password "
                        + "authentication is disabled.");
            }
            if (!disabled && password == null) {
                throw Fields.invalid(f + ".adminPassword", "Required parameter '" + f + ".adminPassword' is missing "
                        + "(null): password authentication is enabled.");
            }
            ObjectNode lin = out.putObject("linuxConfiguration");
            lin.put("disablePasswordAuthentication", disabled);
            if (!keys.isEmpty()) {
                lin.putObject("ssh").set("publicKeys", keys);
            }
            lin.put("provisionVMAgent", true);
        }
        out.putArray("secrets");
        out.put("allowExtensionOperations", true);
        out.put("requireGuestProvisionSignal", true);
        return out;
    }
}

package io.azimuth.compute.vms;

import io.azimuth.arm.Fields;

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

    static final List<String> OS_TYPES = List.of("Windows", "Linux");
}

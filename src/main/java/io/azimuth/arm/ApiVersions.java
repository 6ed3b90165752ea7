package io.azimuth.arm;

import io.azimuth.http.ApiException;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code api-version} query parameter: presence, form, and (in strict mode) membership. */
public final class ApiVersions {
    /** YYYY-MM-DD with an optional pre-release suffix such as {@code -preview}. */
    private static final Pattern FORM = Pattern.compile("^(\\d{4})-(\\d{2})-(\\d{2})(-(preview|privatepreview|alpha|beta))?$",
            Pattern.CASE_INSENSITIVE);

    private ApiVersions() {
    }

    public static boolean isWellFormed(String version) {
        if (version == null) {
            return false;
        }
        Matcher m = FORM.matcher(version);
        if (!m.matches()) {
            return false;
        }
        try {
            LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    public static ApiException missing() {
        return new ApiException(400, "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.");
    }

    public static ApiException malformed(String version, ResourceType type) {
        String supported = type == null ? "" : " The supported api-versions are '" + String.join(",", type.apiVersions()) + "'.";
        return new ApiException(400, "InvalidApiVersionParameter",
                "The api-version '" + version + "' is invalid." + supported);
    }

    /** A well-formed version that the resource type does not list (strict mode only). */
    public static ApiException unsupported(String version, ResourceType type, String location) {
        if (type.namespace().equalsIgnoreCase("Microsoft.Resources")) {
            return malformed(version, type);
        }
        String where = location == null ? "" : "location '" + location + "' and ";
        return new ApiException(400, "NoRegisteredProviderFound",
                "No registered resource provider found for " + where + "API version '" + version
                        + "' for type '" + type.type() + "'. The supported api-versions are '"
                        + String.join(", ", type.apiVersions()) + "'.");
    }
}

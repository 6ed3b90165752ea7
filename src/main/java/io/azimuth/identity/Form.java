package io.azimuth.identity;

import io.azimuth.http.ApiRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token request's parameters: the form body ({@code application/x-www-form-urlencoded}), with the client's
 * credentials from HTTP Basic authentication when it sends them that way ({@code client_secret_basic}).
 */
final class Form {
    /** Entra refuses bodies far smaller than the pipeline's limit; a client assertion fits easily. */
    static final int MAX_BYTES = 64 * 1024;

    private final Map<String, String> values;

    private Form(Map<String, String> values) {
        this.values = values;
    }

    static Form of(ApiRequest request) {
        if (request.hasBody() && request.bodyBytes().length() > MAX_BYTES) {
            throw OAuthError.invalidRequest(90023, "The request body is larger than " + MAX_BYTES + " bytes.");
        }
        Map<String, String> values = new LinkedHashMap<>();
        String type = request.header("Content-Type");
        if (request.hasBody() && type != null && type.toLowerCase(java.util.Locale.ROOT)
                .startsWith("application/x-www-form-urlencoded")) {
            for (String pair : request.bodyText().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (values.putIfAbsent(name, value) != null) {
                    throw OAuthError.invalidRequest(90015, "The request contains the parameter '" + name
                            + "' more than once.");
                }
            }
        }
        basic(request.header("Authorization"), values);
        return new Form(values);
    }

    private static void basic(String authorization, Map<String, String> values) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient(7000216, "The 'Authorization' header is not valid Basic authentication.");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw OAuthError.invalidClient(7000216, "The 'Authorization' header is not valid Basic authentication.");
        }
        values.putIfAbsent("client_id", decode(decoded.substring(0, colon)));
        values.putIfAbsent("client_secret", decode(decoded.substring(colon + 1)));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidRequest(90014, "The request body is not valid form data.");
        }
    }

    /** The value, or null when absent or empty. */
    String get(String name) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    String require(String name) {
        String v = get(name);
        if (v == null) {
            throw OAuthError.missing(name);
        }
        return v;
    }
}

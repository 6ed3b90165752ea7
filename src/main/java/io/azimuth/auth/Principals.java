package io.azimuth.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Who may sign in. Open (the default): every client id with any secret or assertion, and every user name with any
 * password, becomes a principal whose object id is derived from its name (the same name, the same id, on every
 * instance). Declared ({@code --principals FILE}): only the service principals and users the file lists, with
 * their secrets, passwords or certificates.
 */
public final class Principals {
    private final boolean declared;
    private final Map<String, Declared> servicePrincipals;
    private final Map<String, Declared> users;
    private final List<Assignment> assignments;

    /** A principal the file declares, with what proves it. */
    private record Declared(Principal principal, String secret, X509Certificate certificate) {
    }

    /** A role the file grants: to a principal (by name or object id), a role name or id, at a scope. */
    public record Assignment(String principal, String role, String scope) {
    }

    private Principals(boolean declared, Map<String, Declared> servicePrincipals, Map<String, Declared> users,
                       List<Assignment> assignments) {
        this.declared = declared;
        this.servicePrincipals = servicePrincipals;
        this.users = users;
        this.assignments = assignments;
    }

    public static Principals open() {
        return new Principals(false, Map.of(), Map.of(), List.of());
    }

    /**
     * Reads a principals file:
     * <pre>{"servicePrincipals": [{"clientId": "...", "clientSecret": "...", "certificate": "PEM", "objectId": "...",
     *   "displayName": "..."}], "users": [{"username": "...", "password": "...", "objectId": "..."}],
     *  "roleAssignments": [{"principal": "client id, user name or object id", "role": "Reader", "scope": "/subscriptions/..."}]}</pre>
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Principals load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " must hold a JSON object");
        }
        Map<String, Declared> sps = new LinkedHashMap<>();
        for (JsonNode sp : array(root, "servicePrincipals")) {
            String clientId = text(sp, "clientId", "servicePrincipals[].clientId");
            String secret = optionalText(sp, "clientSecret");
            String pem = optionalText(sp, "certificate");
            if (secret == null && pem == null) {
                throw new IllegalArgumentException("servicePrincipals[] '" + clientId
                        + "' needs a clientSecret or a certificate");
            }
            X509Certificate certificate = null;
            if (pem != null) {
                certificate = X509CertUtils.parse(pem);
                if (certificate == null) {
                    throw new IllegalArgumentException("servicePrincipals[] '" + clientId
                            + "': certificate is not a PEM X.509 certificate");
                }
            }
            Principal p = new Principal(Principal.Kind.SERVICE_PRINCIPAL, clientId,
                    objectId(sp, Principal.Kind.SERVICE_PRINCIPAL, clientId), displayName(sp, clientId));
            if (sps.put(key(clientId), new Declared(p, secret, certificate)) != null) {
                throw new IllegalArgumentException("servicePrincipals: '" + clientId + "' is declared twice");
            }
        }
        Map<String, Declared> users = new LinkedHashMap<>();
        for (JsonNode u : array(root, "users")) {
            String username = text(u, "username", "users[].username");
            String password = text(u, "password", "users[].password");
            Principal p = new Principal(Principal.Kind.USER, username, objectId(u, Principal.Kind.USER, username),
                    displayName(u, username));
            if (users.put(key(username), new Declared(p, password, null)) != null) {
                throw new IllegalArgumentException("users: '" + username + "' is declared twice");
            }
        }
        List<Assignment> assignments = new ArrayList<>();
        for (JsonNode a : array(root, "roleAssignments")) {
            assignments.add(new Assignment(text(a, "principal", "roleAssignments[].principal"),
                    text(a, "role", "roleAssignments[].role"), text(a, "scope", "roleAssignments[].scope")));
        }
        return new Principals(true, Map.copyOf(sps), Map.copyOf(users), List.copyOf(assignments));
    }

    /** Whether only declared principals sign in. */
    public boolean declared() {
        return declared;
    }

    /** The role assignments the file declares. */
    public List<Assignment> assignments() {
        return assignments;
    }

    /** The principal a name or object id designates, declared or (when open) derived. */
    public Optional<Principal> find(String nameOrObjectId) {
        for (Map<String, Declared> m : List.of(servicePrincipals, users)) {
            Declared d = m.get(key(nameOrObjectId));
            if (d != null) {
                return Optional.of(d.principal());
            }
            for (Declared e : m.values()) {
                if (e.principal().objectId().equalsIgnoreCase(nameOrObjectId)) {
                    return Optional.of(e.principal());
                }
            }
        }
        return Optional.empty();
    }

    /** A service principal proving itself with a client secret. */
    public Principal withSecret(String clientId, String secret) {
        if (!declared) {
            return derived(Principal.Kind.SERVICE_PRINCIPAL, clientId);
        }
        Declared d = servicePrincipal(clientId);
        if (d.secret() == null || !same(d.secret(), secret)) {
            throw new SignInRefused(SignInRefused.Reason.BAD_SECRET, "Invalid client secret provided.");
        }
        return d.principal();
    }

    /**
     * A service principal proving itself with a signed assertion (RFC 7523): issued and subject to the client id,
     * unexpired, for {@code audience} (the token endpoint); when declared, signed by its certificate.
     */
    public Principal withAssertion(String clientId, String assertion, String audience) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION,
                    "The client assertion is not a signed JWT: " + e.getMessage());
        }
        if (!clientId.equals(claims.getIssuer()) || !clientId.equals(claims.getSubject())) {
            throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION,
                    "The client assertion's 'iss' and 'sub' must both be the client id '" + clientId + "'.");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.toInstant().isBefore(Instant.now())) {
            throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION, "The client assertion has expired or has no 'exp'.");
        }
        if (audience != null && claims.getAudience().stream().noneMatch(a -> sameUrl(a, audience))) {
            throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION,
                    "The client assertion's audience must be the token endpoint '" + audience + "'.");
        }
        if (!declared) {
            return derived(Principal.Kind.SERVICE_PRINCIPAL, clientId);
        }
        Declared d = servicePrincipal(clientId);
        if (d.certificate() == null) {
            throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION,
                    "No certificate is registered for the client '" + clientId + "'.");
        }
        try {
            if (!jwt.verify(new RSASSAVerifier(RSAKey.parse(d.certificate())))) {
                throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION,
                        "The client assertion's signature does not match the registered certificate.");
            }
        } catch (JOSEException e) {
            throw new SignInRefused(SignInRefused.Reason.BAD_ASSERTION,
                    "The client assertion cannot be verified: " + e.getMessage());
        }
        return d.principal();
    }

    /** A user signing in with a password. */
    public Principal withPassword(String username, String password) {
        if (!declared) {
            return derived(Principal.Kind.USER, username);
        }
        Declared d = users.get(key(username));
        if (d == null || !same(d.secret(), password)) {
            throw new SignInRefused(SignInRefused.Reason.BAD_USER_CREDENTIALS,
                    "Error validating credentials due to invalid username or password.");
        }
        return d.principal();
    }

    /** Who approves a device code: the first declared user, or a derived one when open. */
    public Principal deviceUser(String tenantDomain) {
        if (!declared) {
            return derived(Principal.Kind.USER, "user@" + tenantDomain);
        }
        return users.values().stream().findFirst().map(Declared::principal)
                .orElseThrow(() -> new SignInRefused(SignInRefused.Reason.BAD_GRANT,
                        "No user is declared to approve the device code."));
    }

    private Declared servicePrincipal(String clientId) {
        Declared d = servicePrincipals.get(key(clientId));
        if (d == null) {
            throw new SignInRefused(SignInRefused.Reason.UNKNOWN_CLIENT, "Application with identifier '" + clientId
                    + "' was not found in the directory.");
        }
        return d;
    }

    /** The principal an open directory makes of a name: its object id derived from kind and name. */
    public static Principal derived(Principal.Kind kind, String name) {
        return new Principal(kind, name, derivedObjectId(kind, name), name);
    }

    static String derivedObjectId(Principal.Kind kind, String name) {
        return UUID.nameUUIDFromBytes(("azimuth:" + kind.name() + ":" + key(name)).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static boolean same(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean sameUrl(String a, String b) {
        return strip(a).equalsIgnoreCase(strip(b));
    }

    private static String strip(String url) {
        String s = url;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static Iterable<JsonNode> array(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(field + " must be an array");
        }
        return n;
    }

    private static String text(JsonNode n, String field, String where) {
        String v = optionalText(n, field);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(where + " is required");
        }
        return v;
    }

    private static String optionalText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return v.asText();
    }

    private static String objectId(JsonNode n, Principal.Kind kind, String name) {
        String given = optionalText(n, "objectId");
        if (given == null) {
            return derivedObjectId(kind, name);
        }
        try {
            return UUID.fromString(given).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("objectId '" + given + "' of '" + name + "' is not a GUID");
        }
    }

    private static String displayName(JsonNode n, String name) {
        String given = optionalText(n, "displayName");
        return given != null ? given : name;
    }
}

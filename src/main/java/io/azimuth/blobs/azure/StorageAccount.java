package io.azimuth.blobs.azure;

import io.azimuth.blobs.BlobRef;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An Azure Storage account whose blobs live in Azure Storage (or an emulator of it such as Azurite) rather than in
 * the embedded store: its name, its blob service endpoint, and how to authenticate (a shared key, a SAS token, or
 * neither for public containers).
 *
 * <p>Parsing and describing an account never loads the Azure SDK: clients are created on first use.
 *
 * @param name     the account name, lower-case
 * @param endpoint the blob service endpoint without a trailing slash: {@code https://{name}.blob.core.windows.net}
 *                 (host-style) or {@code http://127.0.0.1:10000/{name}} (path-style, as Azurite serves it)
 * @param key      the base64 account key, or null
 * @param sasToken a SAS token (without the leading {@code ?}), or null
 */
public record StorageAccount(String name, String endpoint, String key, String sasToken) {
    /** Azurite's development account. */
    public static final String DEVELOPMENT_ACCOUNT = "devstoreaccount1";
    /** The key Azurite (and the older storage emulator) accept for {@value #DEVELOPMENT_ACCOUNT}; it is public. */
    public static final String DEVELOPMENT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** Where Azurite's blob service listens by default. */
    public static final String DEVELOPMENT_ENDPOINT = "http://127.0.0.1:10000/" + DEVELOPMENT_ACCOUNT;

    /** What {@code NAME=embedded} asks for: the account stays in the embedded store. */
    public static final String EMBEDDED = "embedded";

    private static final Pattern CONNECTION_STRING = Pattern.compile(
            "(?i)(^|;)\\s*(DefaultEndpointsProtocol|AccountName|AccountKey|BlobEndpoint|EndpointSuffix"
                    + "|SharedAccessSignature|UseDevelopmentStorage)\\s*=");

    public StorageAccount {
        name = BlobRef.checkAccount(name);
        endpoint = checkEndpoint(name, endpoint);
        if (key != null) {
            key = key.strip();
            try {
                if (key.isEmpty() || Base64.getDecoder().decode(key).length == 0) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the key of storage account '" + name + "' is not a base64 account key");
            }
        }
        if (sasToken != null) {
            sasToken = sasToken.strip();
            sasToken = sasToken.startsWith("?") ? sasToken.substring(1) : sasToken;
            if (sasToken.isEmpty()) {
                sasToken = null;
            }
        }
        if (key != null && sasToken != null) {
            throw new IllegalArgumentException("storage account '" + name + "' is given both a key and a SAS token");
        }
    }

    /** Azurite's development account at its default endpoint, with its well-known key. */
    public static StorageAccount development() {
        return new StorageAccount(DEVELOPMENT_ACCOUNT, DEVELOPMENT_ENDPOINT, DEVELOPMENT_KEY, null);
    }

    /**
     * Parses {@code NAME=VALUE}, where VALUE is one of
     * <ul>
     *   <li>a connection string, {@code DefaultEndpointsProtocol=https;AccountName=NAME;AccountKey=KEY;...}
     *       ({@code BlobEndpoint}, {@code EndpointSuffix}, {@code SharedAccessSignature} and
     *       {@code UseDevelopmentStorage=true} are understood);</li>
     *   <li>{@code ENDPOINT;KEY}, {@code ENDPOINT?SAS} or {@code ENDPOINT}: the blob service endpoint (for a
     *       path-style endpoint the account may be left out of its path), then an account key or a SAS token; with
     *       neither, {@value #DEVELOPMENT_ACCOUNT} gets Azurite's well-known key and other accounts are anonymous;</li>
     *   <li>{@code KEY}: an account key, the endpoint being {@code https://NAME.blob.core.windows.net}.</li>
     * </ul>
     * VALUE {@value #EMBEDDED} is not an account: see {@link StorageAccounts#parse}.
     *
     * @throws IllegalArgumentException saying what is wrong (never repeating the key)
     */
    public static StorageAccount parse(String spec) {
        int eq = spec == null ? -1 : spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("a storage account is NAME=CONNECTION_STRING, NAME=ENDPOINT;KEY or NAME=KEY");
        }
        String name = BlobRef.checkAccount(spec.substring(0, eq).strip());
        String value = spec.substring(eq + 1).strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("storage account '" + name + "' is given no connection string, endpoint or key");
        }
        if (CONNECTION_STRING.matcher(value).find()) {
            return fromConnectionString(name, value);
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int semicolon = value.indexOf(';');
            String endpoint = semicolon < 0 ? value : value.substring(0, semicolon);
            String key = semicolon < 0 ? null : value.substring(semicolon + 1);
            String sas = null;
            int query = endpoint.indexOf('?');
            if (query >= 0) {
                sas = endpoint.substring(query + 1);
                endpoint = endpoint.substring(0, query);
            }
            if (key == null && sas == null && name.equals(DEVELOPMENT_ACCOUNT)) {
                key = DEVELOPMENT_KEY;
            }
            return new StorageAccount(name, endpoint, key, sas);
        }
        return new StorageAccount(name, "https://" + name + ".blob." + BlobRef.DEFAULT_SUFFIX, value, null);
    }

    private static StorageAccount fromConnectionString(String name, String value) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("the connection string of storage account '" + name
                        + "' has a part that is not KEY=VALUE");
            }
            parts.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
        }
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            String proxy = parts.get("developmentstorageproxyuri");
            String endpoint = proxy != null ? proxy.replaceAll("/+$", "") + ":10000/" + DEVELOPMENT_ACCOUNT
                    : DEVELOPMENT_ENDPOINT;
            if (!name.equals(DEVELOPMENT_ACCOUNT)) {
                throw new IllegalArgumentException("UseDevelopmentStorage=true is the account '" + DEVELOPMENT_ACCOUNT
                        + "', not '" + name + "'");
            }
            return new StorageAccount(name, endpoint, DEVELOPMENT_KEY, null);
        }
        String accountName = parts.get("accountname");
        if (accountName != null && !accountName.equalsIgnoreCase(name)) {
            throw new IllegalArgumentException("the connection string given for storage account '" + name
                    + "' is for account '" + accountName + "'");
        }
        String endpoint = parts.get("blobendpoint");
        if (endpoint == null) {
            String protocol = parts.getOrDefault("defaultendpointsprotocol", "https").toLowerCase(Locale.ROOT);
            if (!protocol.equals("https") && !protocol.equals("http")) {
                throw new IllegalArgumentException("the connection string of storage account '" + name
                        + "' has DefaultEndpointsProtocol '" + protocol + "' (http or https)");
            }
            String suffix = parts.getOrDefault("endpointsuffix", BlobRef.DEFAULT_SUFFIX);
            endpoint = protocol + "://" + name + ".blob." + suffix;
        }
        String key = parts.get("accountkey");
        String sas = parts.get("sharedaccesssignature");
        if (key == null && sas == null && name.equals(DEVELOPMENT_ACCOUNT)) {
            key = DEVELOPMENT_KEY;
        }
        return new StorageAccount(name, endpoint, key, sas);
    }

    /**
     * Checks the endpoint and gives it its canonical form: no trailing slash, no query; a path-style endpoint (one
     * whose host is not {@code {name}.…}) given without a path gets {@code /{name}} appended.
     */
    private static String checkEndpoint(String name, String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("storage account '" + name + "' has no endpoint");
        }
        URI u;
        try {
            u = new URI(endpoint.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the endpoint '" + endpoint + "' of storage account '" + name
                    + "' is not a URI");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getRawQuery() != null
                || u.getRawFragment() != null || u.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the endpoint '" + endpoint + "' of storage account '" + name
                    + "' is not an http(s) URL like https://" + name + ".blob.core.windows.net or http://127.0.0.1:10000/"
                    + name);
        }
        String host = u.getHost().toLowerCase(Locale.ROOT);
        String path = u.getPath() == null ? "" : u.getPath().replaceAll("/+$", "");
        String authority = scheme + "://" + host + (u.getPort() >= 0 ? ":" + u.getPort() : "");
        boolean hostStyle = host.startsWith(name + ".");
        if (!hostStyle && path.isEmpty()) {
            path = "/" + name;
        }
        if (!hostStyle && !path.equals("/" + name)) {
            throw new IllegalArgumentException("the path-style endpoint '" + endpoint + "' of storage account '" + name
                    + "' must end in /" + name);
        }
        if (hostStyle && !path.isEmpty()) {
            throw new IllegalArgumentException("the endpoint '" + endpoint + "' of storage account '" + name
                    + "' names the account in its host and has a path");
        }
        return authority + path;
    }

    /** True when blobs are addressed as {@code {endpoint}/{container}/{blob}} with the account in the path. */
    public boolean pathStyle() {
        return !URI.create(endpoint).getHost().startsWith(name + ".");
    }

    /** A blob of this account, named as its endpoint names it. */
    public BlobRef blob(String container, String path) {
        URI u = URI.create(endpoint);
        if (pathStyle()) {
            return BlobRef.pathStyle(u.getScheme() + "://" + u.getRawAuthority(), name, container, path);
        }
        String host = u.getHost();
        String suffix = host.startsWith(name + ".blob.") ? host.substring(name.length() + 6) : BlobRef.DEFAULT_SUFFIX;
        return new BlobRef(name, container, path, suffix);
    }

    /** How it authenticates, for messages: never the key or token itself. */
    public String authentication() {
        return key != null ? "shared key" : sasToken != null ? "SAS token" : "anonymous";
    }

    /** Its name and endpoint; the secrets stay out of logs and messages. */
    @Override
    public String toString() {
        return name + " at " + endpoint + " (" + authentication() + ")";
    }
}

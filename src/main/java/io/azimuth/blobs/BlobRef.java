package io.azimuth.blobs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A blob in Azure Storage, named by its URI: host-style {@code https://{account}.blob.{suffix}/{container}/{path}}
 * as Azure names blobs, or path-style {@code {endpoint}/{account}/{container}/{path}} as Azurite and other
 * emulators do ({@code http://127.0.0.1:10000/devstoreaccount1/vhds/disk.vhd}). Account and container names are
 * case-insensitive (stored lower-case); the blob path is case-sensitive.
 *
 * @param suffix   the endpoint suffix of a host-style URI ({@value #DEFAULT_SUFFIX} for path-style ones)
 * @param endpoint for a path-style URI, the scheme and authority before the account
 *                 ({@code http://127.0.0.1:10000}); null for host-style URIs
 */
public record BlobRef(String account, String container, String path, String suffix, String endpoint) {
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]|\\$root");
    public static final String DEFAULT_SUFFIX = "core.windows.net";
    /**
     * The account that holds the bytes of managed disks, snapshots and images. It is not a valid storage account
     * name, so it never collides with a user's account and cannot be named in a blob URI or blob endpoint.
     */
    public static final String MANAGED_ACCOUNT = "$managed";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public BlobRef {
        account = MANAGED_ACCOUNT.equals(account) ? account : checkAccount(account);
        container = checkContainer(container);
        checkPath(path);
        if (endpoint != null) {
            endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new IllegalArgumentException("'" + endpoint + "' is not an http(s) blob endpoint");
            }
        }
    }

    /** A blob named host-style, {@code https://{account}.blob.{suffix}/{container}/{path}}. */
    public BlobRef(String account, String container, String path, String suffix) {
        this(account, container, path, suffix, null);
    }

    /**
     * A storage account name, lower-cased.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static String checkAccount(String account) {
        String lower = account.toLowerCase(Locale.ROOT);
        if (!ACCOUNT.matcher(lower).matches()) {
            throw new IllegalArgumentException("'" + account + "' is not a storage account name (3-24 lower-case letters and digits)");
        }
        return lower;
    }

    /**
     * A container name, lower-cased.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static String checkContainer(String container) {
        String lower = container.toLowerCase(Locale.ROOT);
        if (!CONTAINER.matcher(lower).matches()) {
            throw new IllegalArgumentException("'" + container + "' is not a container name (3-63 lower-case letters, digits and single hyphens)");
        }
        return lower;
    }

    /**
     * Checks a blob name (the path below the container).
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static void checkPath(String path) {
        if (path.isEmpty() || path.length() > 1024) {
            throw new IllegalArgumentException("a blob name is 1 to 1024 characters long");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the blob name '" + path + "' has an empty, '.' or '..' segment");
            }
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
            throw new IllegalArgumentException("the blob name '" + path + "' has control characters or backslashes");
        }
    }

    /**
     * Managed content: the bytes behind a managed disk, snapshot or image disk, in the reserved account.
     * {@code container} groups them by kind ({@code disks}, {@code snapshots}, {@code images}, ...).
     */
    public static BlobRef managed(String container, String path) {
        return new BlobRef(MANAGED_ACCOUNT, container, path, DEFAULT_SUFFIX);
    }

    /** True for managed content (see {@link #managed}). */
    public boolean isManaged() {
        return MANAGED_ACCOUNT.equals(account);
    }

    public static BlobRef of(String account, String container, String path) {
        return new BlobRef(account, container, path, DEFAULT_SUFFIX);
    }

    /**
     * A blob named path-style below {@code endpoint} (scheme and authority, e.g. {@code http://127.0.0.1:10000}):
     * {@code {endpoint}/{account}/{container}/{path}}.
     */
    public static BlobRef pathStyle(String endpoint, String account, String container, String path) {
        return new BlobRef(account, container, path, DEFAULT_SUFFIX, endpoint);
    }

    /** True when named path-style (see {@link #pathStyle}). */
    public boolean isPathStyle() {
        return endpoint != null;
    }

    /**
     * Parses a blob URI: host-style {@code http(s)://{account}.blob.{suffix}/{container}/{path}}, or path-style
     * {@code http(s)://{host}[:port]/{account}/{container}/{path}} when the host is an IP address or
     * {@code localhost} or the URI has a port (as emulators such as Azurite name blobs).
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static BlobRef parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("a blob URI is required");
        }
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI");
        }
        String host = u.getHost();
        if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("https") || u.getScheme().equalsIgnoreCase("http"))
                || host == null) {
            throw new IllegalArgumentException("'" + uri + "' is not an http(s) blob URI");
        }
        String lowerHost = host.toLowerCase(Locale.ROOT);
        String path = u.getPath();
        int blob = lowerHost.indexOf(".blob.");
        if (blob > 0 && blob + 6 < lowerHost.length()) {
            int slash = containerEnd(uri, path);
            return new BlobRef(lowerHost.substring(0, blob), path.substring(1, slash), path.substring(slash + 1),
                    lowerHost.substring(blob + 6));
        }
        if (!pathStyleHost(lowerHost, u.getPort())) {
            throw new IllegalArgumentException("'" + uri + "' is not a blob URI: its host is not {account}.blob.{suffix}, "
                    + "nor an IP address, localhost or host:port followed by /{account}");
        }
        if (path == null || path.length() < 2 || path.indexOf('/', 1) < 0) {
            throw new IllegalArgumentException("'" + uri + "' names no account, container and blob");
        }
        int accountEnd = path.indexOf('/', 1);
        String account = path.substring(1, accountEnd);
        String rest = path.substring(accountEnd);
        int slash = containerEnd(uri, rest);
        String endpoint = u.getScheme().toLowerCase(Locale.ROOT) + "://" + lowerHost
                + (u.getPort() >= 0 ? ":" + u.getPort() : "");
        return new BlobRef(account, rest.substring(1, slash), rest.substring(slash + 1), DEFAULT_SUFFIX, endpoint);
    }

    /** Where the container ends in {@code /{container}/{path}}. */
    private static int containerEnd(String uri, String path) {
        if (path == null || path.length() < 2) {
            throw new IllegalArgumentException("'" + uri + "' names no container and blob");
        }
        int slash = path.indexOf('/', 1);
        if (slash < 0 || slash == path.length() - 1) {
            throw new IllegalArgumentException("'" + uri + "' names a container but no blob");
        }
        return slash;
    }

    private static boolean pathStyleHost(String host, int port) {
        return port >= 0 || host.equals("localhost") || host.startsWith("[") || IPV4.matcher(host).matches();
    }

    /** The blob's URI, in the style it was named with. */
    public String uri() {
        if (endpoint != null) {
            return endpoint + "/" + account + "/" + container + "/" + path;
        }
        return "https://" + account + ".blob." + suffix + "/" + container + "/" + path;
    }

    /** Identity of the blob regardless of the endpoint suffix it was named with. */
    public String key() {
        return account + "/" + container + "/" + path;
    }

    @Override
    public String toString() {
        return uri();
    }
}

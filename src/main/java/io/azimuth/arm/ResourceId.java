package io.azimuth.arm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An ARM resource id: {@code /subscriptions/{s}[/resourceGroups/{rg}[/providers/{ns}/{type}/{name}[/{type}/{name}]...]]}.
 * Segment words ({@code subscriptions}, {@code resourceGroups}, {@code providers}) are matched case-insensitively
 * as ARM does; names keep the casing they were given. {@link #key()} is the case-folded form used for lookups.
 */
public final class ResourceId {
    private static final Pattern GUID =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private final String subscriptionId;
    private final String resourceGroup;
    private final String namespace;
    private final List<String> types;
    private final List<String> names;

    private ResourceId(String subscriptionId, String resourceGroup, String namespace, List<String> types,
                       List<String> names) {
        this.subscriptionId = subscriptionId;
        this.resourceGroup = resourceGroup;
        this.namespace = namespace;
        this.types = List.copyOf(types);
        this.names = List.copyOf(names);
    }

    public static boolean isSubscriptionId(String value) {
        return isGuid(value);
    }

    /** Whether a value is a GUID ({@code 8-4-4-4-12} hex digits), as ARM's ids, tenants and principals are. */
    public static boolean isGuid(String value) {
        return value != null && GUID.matcher(value).matches();
    }

    public static ResourceId subscription(String subscriptionId) {
        return new ResourceId(subscriptionId, null, null, List.of(), List.of());
    }

    public static ResourceId resourceGroup(String subscriptionId, String resourceGroup) {
        return new ResourceId(subscriptionId, resourceGroup, null, List.of(), List.of());
    }

    /** A top-level resource in a resource group. */
    public static ResourceId resource(String subscriptionId, String resourceGroup, String namespace, String type,
                                      String name) {
        return new ResourceId(subscriptionId, resourceGroup, namespace, List.of(type), List.of(name));
    }

    /** A child of this resource, e.g. {@code virtualMachines/vm1} → {@code .../extensions/ext1}. */
    public ResourceId child(String type, String name) {
        if (namespace == null) {
            throw new IllegalStateException("only provider resources have children");
        }
        List<String> t = new ArrayList<>(types);
        List<String> n = new ArrayList<>(names);
        t.add(type);
        n.add(name);
        return new ResourceId(subscriptionId, resourceGroup, namespace, t, n);
    }

    /**
     * Parses an id as clients send it in request bodies.
     *
     * @throws IllegalArgumentException when it is not a well-formed resource id
     */
    public static ResourceId parse(String id) {
        if (id == null || !id.startsWith("/")) {
            throw new IllegalArgumentException("a resource id starts with '/subscriptions/'");
        }
        String trimmed = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
        if (trimmed.isEmpty()) { // "/" alone
            throw new IllegalArgumentException("a resource id starts with '/subscriptions/'");
        }
        String[] s = trimmed.substring(1).split("/", -1);
        for (String part : s) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("a resource id has no empty segments");
            }
        }
        if (s.length < 2 || !s[0].equalsIgnoreCase("subscriptions") || !isSubscriptionId(s[1])) {
            throw new IllegalArgumentException("a resource id starts with '/subscriptions/{subscriptionId}'");
        }
        if (s.length == 2) {
            return subscription(s[1]);
        }
        if (s.length < 4 || !s[2].equalsIgnoreCase("resourceGroups")) {
            throw new IllegalArgumentException("expected '/resourceGroups/{name}' after the subscription");
        }
        if (s.length == 4) {
            return resourceGroup(s[1], s[3]);
        }
        if (s.length < 8 || !s[4].equalsIgnoreCase("providers") || (s.length - 6) % 2 != 0) {
            throw new IllegalArgumentException("expected '/providers/{namespace}/{type}/{name}' after the resource group");
        }
        List<String> types = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 6; i < s.length; i += 2) {
            types.add(s[i]);
            names.add(s[i + 1]);
        }
        return new ResourceId(s[1], s[3], s[5], types, names);
    }

    public String subscriptionId() {
        return subscriptionId;
    }

    public String resourceGroup() {
        return resourceGroup;
    }

    public String namespace() {
        return namespace;
    }

    /** Full type, e.g. {@code Microsoft.Compute/virtualMachines/extensions}; null above provider level. */
    public String fullType() {
        if (namespace == null) {
            return resourceGroup != null ? "Microsoft.Resources/resourceGroups" : "Microsoft.Resources/subscriptions";
        }
        return namespace + "/" + String.join("/", types);
    }

    /** The name of the last segment: the resource's own name. */
    public String name() {
        if (!names.isEmpty()) {
            return names.get(names.size() - 1);
        }
        return resourceGroup != null ? resourceGroup : subscriptionId;
    }

    public ResourceId parent() {
        if (names.size() > 1) {
            return new ResourceId(subscriptionId, resourceGroup, namespace, types.subList(0, types.size() - 1),
                    names.subList(0, names.size() - 1));
        }
        if (namespace != null) {
            return resourceGroup(subscriptionId, resourceGroup);
        }
        if (resourceGroup != null) {
            return subscription(subscriptionId);
        }
        return null;
    }

    /** Case-folded form: equal for ids ARM treats as the same resource. */
    public String key() {
        return toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("/subscriptions/").append(subscriptionId);
        if (resourceGroup != null) {
            b.append("/resourceGroups/").append(resourceGroup);
        }
        if (namespace != null) {
            b.append("/providers/").append(namespace);
            for (int i = 0; i < types.size(); i++) {
                b.append('/').append(types.get(i)).append('/').append(names.get(i));
            }
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceId other && key().equals(other.key());
    }

    @Override
    public int hashCode() {
        return Objects.hash(key());
    }
}

package io.azimuth.arm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The resource providers and resource types this instance serves; each provider package registers its own. */
public final class ProviderCatalog {
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, List<ResourceType>> types = new LinkedHashMap<>();

    public synchronized void namespace(String namespace) {
        String key = namespace.toLowerCase(Locale.ROOT);
        namespaces.putIfAbsent(key, namespace);
        types.putIfAbsent(key, new ArrayList<>());
    }

    public synchronized ResourceType register(String namespace, String type, List<String> apiVersions) {
        namespace(namespace);
        ResourceType rt = new ResourceType(namespaces.get(namespace.toLowerCase(Locale.ROOT)), type, apiVersions);
        List<ResourceType> list = types.get(namespace.toLowerCase(Locale.ROOT));
        list.removeIf(t -> t.type().equalsIgnoreCase(type));
        list.add(rt);
        return rt;
    }

    /** The namespace in its canonical casing, if served. */
    public synchronized Optional<String> canonicalNamespace(String namespace) {
        return Optional.ofNullable(namespaces.get(namespace.toLowerCase(Locale.ROOT)));
    }

    public synchronized Collection<String> namespaces() {
        return List.copyOf(namespaces.values());
    }

    public synchronized List<ResourceType> types(String namespace) {
        return List.copyOf(types.getOrDefault(namespace.toLowerCase(Locale.ROOT), List.of()));
    }

    public synchronized Optional<ResourceType> type(String namespace, String type) {
        return types(namespace).stream().filter(t -> t.type().equalsIgnoreCase(type)).findFirst();
    }
}

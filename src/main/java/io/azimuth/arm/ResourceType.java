package io.azimuth.arm;

import java.util.List;

/**
 * A resource type Azimuth serves, with the api-versions Azure lists for it (newest first).
 * Used for the provider listings and for {@code --strict-api-versions}.
 */
public record ResourceType(String namespace, String type, List<String> apiVersions) {
    public ResourceType {
        apiVersions = List.copyOf(apiVersions);
        if (apiVersions.isEmpty()) {
            throw new IllegalArgumentException("a resource type lists at least one api-version");
        }
    }

    public boolean supports(String version) {
        return apiVersions.stream().anyMatch(v -> v.equalsIgnoreCase(version));
    }

    public String fullType() {
        return namespace + "/" + type;
    }
}

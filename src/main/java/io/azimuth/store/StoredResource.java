package io.azimuth.store;

/**
 * A resource as the store keeps it: its case-folded id ({@code key}) for lookups, the id as first written
 * ({@code id}), the scope columns that listings filter on (case-folded), and the provider's JSON document.
 */
public record StoredResource(String key, String id, String subscription, String resourceGroup, String type,
                             String name, String body, long createdAt, long updatedAt) {
}

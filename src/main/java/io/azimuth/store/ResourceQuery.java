package io.azimuth.store;

/**
 * One page of a listing: resources of {@code type} in a subscription, optionally in one resource group, optionally
 * under one parent resource (whose key is {@code parentKey}: its children's keys begin with it and a slash), in key
 * order after {@code afterKey} (exclusive; null for the first page). All values case-folded.
 */
public record ResourceQuery(String subscription, String resourceGroup, String type, String afterKey, int limit,
                            String parentKey) {
    public ResourceQuery(String subscription, String resourceGroup, String type, String afterKey, int limit) {
        this(subscription, resourceGroup, type, afterKey, limit, null);
    }
}

package io.azimuth.store;

/**
 * One page of a listing: resources of {@code type} in a subscription, optionally in one resource group, in key
 * order after {@code afterKey} (exclusive; null for the first page). All values case-folded.
 */
public record ResourceQuery(String subscription, String resourceGroup, String type, String afterKey, int limit) {
}

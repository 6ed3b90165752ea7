package io.azimuth.lro;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A long-running operation to begin.
 *
 * @param namespace the resource provider hosting its status URL (e.g. {@code Microsoft.Compute})
 * @param location  the region in its status URL
 * @param kind      the registered handler that completes it
 * @param target    the id of the resource it acts on
 * @param input     what the handler needs; never a secret
 */
public record OperationSpec(String subscription, String namespace, String location, String kind, String target,
                            JsonNode input) {
}

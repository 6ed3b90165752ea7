package io.azimuth.lro;

import com.fasterxml.jackson.databind.JsonNode;

/** How a succeeded operation's result URL answers: a status and an optional JSON body. */
public record Completion(int httpStatus, JsonNode result) {
    public static Completion ok(JsonNode result) {
        return new Completion(200, result);
    }

    /** Succeeded with nothing to return (deletes, most actions). */
    public static Completion empty() {
        return new Completion(200, null);
    }
}

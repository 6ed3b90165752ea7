package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;

import java.util.function.LongSupplier;

/**
 * Replication on a clock: each target region of a version takes its replica count times the configured time per
 * replica, regions side by side, from when the region was added (or its replica count changed). The version stays
 * in progress until the slowest region is done; {@code $expand=ReplicationStatus} shows each region's state and
 * progress as the clock reads now. When and how long each region was given is kept in the version's private state
 * ({@code replication}), so that a restart carries on where it stood.
 */
final class Replication {
    private final long perReplicaMillis;
    private final LongSupplier clock;

    Replication(long perReplicaMillis, LongSupplier clock) {
        this.perReplicaMillis = perReplicaMillis;
        this.clock = clock;
    }

    /**
     * Starts (or carries on) the replication of a version's target regions: a region it already had with the same
     * replica count keeps its start; a new one, or one with another count, starts now.
     */
    void start(ObjectNode doc, JsonNode previousState) {
        long now = clock.getAsLong();
        ObjectNode regions = ManagedContent.state(doc).putObject("replication");
        JsonNode before = previousState == null ? Json.object() : previousState.path("replication");
        for (JsonNode r : doc.path("properties").path("publishingProfile").path("targetRegions")) {
            String name = r.path("name").asText();
            int replicas = r.path("regionalReplicaCount").asInt(1);
            JsonNode old = before.path(name);
            ObjectNode region = regions.putObject(name);
            boolean same = old.isObject() && old.path("replicas").asInt() == replicas;
            region.put("replicas", replicas);
            region.put("since", same ? old.path("since").asLong() : now);
            region.put("millis", same ? old.path("millis").asLong() : replicas * perReplicaMillis);
        }
    }

    /** How long until every region of the version is replicated (0 when they are). */
    long remaining(ObjectNode doc) {
        long now = clock.getAsLong();
        long remaining = 0;
        for (JsonNode region : doc.path(ManagedContent.STATE).path("replication")) {
            remaining = Math.max(remaining, region.path("since").asLong() + region.path("millis").asLong() - now);
        }
        return remaining;
    }

    /** The version's replication status as the clock reads now: per region its state and progress. */
    ObjectNode status(ObjectNode doc) {
        long now = clock.getAsLong();
        boolean succeeded = TrackedResources.SUCCEEDED.equals(TrackedResources.provisioningState(doc));
        JsonNode regions = doc.path(ManagedContent.STATE).path("replication");
        ObjectNode status = Json.object();
        ArrayNode summary = Json.array();
        boolean all = true;
        for (JsonNode r : doc.path("properties").path("publishingProfile").path("targetRegions")) {
            String name = r.path("name").asText();
            JsonNode region = regions.path(name);
            long millis = region.path("millis").asLong();
            long elapsed = now - region.path("since").asLong();
            // once the version's operation has ended every region is done; before, those whose time has passed
            boolean done = succeeded || millis <= 0 || elapsed >= millis;
            int progress = done ? 100 : (int) Math.max(0, Math.min(99, elapsed * 100 / millis));
            ObjectNode s = summary.addObject();
            s.put("region", name);
            s.put("state", done ? "Completed" : "Replicating");
            s.put("details", "");
            s.put("progress", progress);
            all &= done;
        }
        status.put("aggregatedState", all && succeeded ? "Completed" : "InProgress");
        status.set("summary", summary);
        return status;
    }
}

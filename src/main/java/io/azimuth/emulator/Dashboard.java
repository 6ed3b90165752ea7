package io.azimuth.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.store.Store;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The dashboard at {@code /_azimuth/}: one page (HTML, CSS and script in one resource, nothing fetched from elsewhere)
 * and what it shows, from {@code /_azimuth/dashboard/data}: the resource groups and what is in each (by type, with
 * their provisioning state), the classic cloud services, the operations in flight and the recent failures with their
 * codes, the blob store's usage, the fault rules. The data holds names, ids and states only: the page fetches a
 * resource's JSON through the API itself (ARM's GET, the classic API's), so it shows what a client would see and no
 * more, and a VM's power and OS state from its instance view likewise.
 */
final class Dashboard {
    private static final int FAILURES = 20;
    private static final String PAGE_RESOURCE = "/io/azimuth/emulator/dashboard.html";

    private final Store store;
    private final Supplier<JsonNode> health;
    private final Supplier<JsonNode> faults;
    private final String subscription;
    private volatile byte[] html;

    Dashboard(Store store, Supplier<JsonNode> health, Supplier<JsonNode> faults, String subscription) {
        this.store = store;
        this.health = health;
        this.faults = faults;
        this.subscription = subscription;
    }

    ApiResponse page(ApiRequest r) {
        byte[] page = html;
        if (page == null) {
            try (InputStream in = Dashboard.class.getResourceAsStream(PAGE_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the dashboard page is missing from the jar");
                }
                page = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            html = page;
        }
        return ApiResponse.bytes(200, page, "text/html; charset=utf-8");
    }

    ApiResponse data(ApiRequest r) {
        List<StoredResource> rows = new ArrayList<>();
        List<StoredOperation> operations = store.read(tx -> {
            rows.addAll(tx.allResources());
            return tx.allOperations();
        });
        ObjectNode body = Json.object();
        body.set("health", health.get());
        body.put("subscriptionId", subscription);
        Map<String, ObjectNode> groups = new LinkedHashMap<>();
        ArrayNode classic = Json.array();
        for (StoredResource row : rows) {
            String type = row.type();
            if (type.startsWith("azimuth/")) {
                continue; // the emulator's own rows (fault rules, access grants)
            }
            ObjectNode doc = document(row);
            String state = doc.path("properties").path("provisioningState").asText("");
            state = state.isEmpty() ? doc.path("provisioningState").asText("") : state;
            ObjectNode item = Json.object();
            item.put("id", row.id());
            item.put("name", row.name());
            item.put("type", doc.path("type").asText("").isEmpty() ? type : doc.path("type").asText()); // ARM's casing
            item.put("provisioningState", state);
            if (type.startsWith("classic/")) {
                item.put("subscription", row.subscription());
                classic.add(item);
                continue;
            }
            if (row.resourceGroup() == null) {
                continue;
            }
            String groupKey = row.subscription() + "/" + row.resourceGroup();
            ObjectNode group = groups.computeIfAbsent(groupKey, k -> {
                ObjectNode g = Json.object();
                g.put("subscription", row.subscription());
                g.putArray("resources");
                return g;
            });
            if (type.equals("microsoft.resources/resourcegroups")) {
                group.put("id", row.id());
                group.put("name", row.name());
                group.put("location", doc.path("location").asText());
                group.put("provisioningState", state);
            } else {
                ((ArrayNode) group.get("resources")).add(item);
            }
        }
        ArrayNode groupList = body.putArray("resourceGroups");
        groups.values().stream().filter(g -> g.has("name")).forEach(groupList::add);
        body.set("classic", classic);
        ArrayNode inFlight = body.putArray("operationsInFlight");
        ArrayNode failures = body.putArray("recentFailures");
        operations.stream().filter(op -> !op.done()).forEach(op -> inFlight.add(operation(op)));
        operations.stream().filter(op -> StoredOperation.FAILED.equals(op.status()))
                .sorted(Comparator.comparing((StoredOperation op) -> op.endTime() == null ? 0 : op.endTime()).reversed())
                .limit(FAILURES).forEach(op -> failures.add(operation(op)));
        body.set("faults", faults.get().path("value"));
        return ApiResponse.ok(body);
    }

    private static ObjectNode operation(StoredOperation op) {
        ObjectNode o = Json.object();
        o.put("id", op.id());
        o.put("kind", op.kind());
        o.put("target", op.target());
        o.put("status", op.status());
        o.put("startTime", Instant.ofEpochMilli(op.startTime()).toString());
        if (op.endTime() != null) {
            o.put("endTime", Instant.ofEpochMilli(op.endTime()).toString());
        } else {
            o.put("dueAt", Instant.ofEpochMilli(op.dueAt()).toString());
        }
        if (op.done() && op.error() != null) {
            ObjectNode error = Json.readObject(op.error());
            o.put("code", error.path("code").asText());
            o.put("message", error.path("message").asText());
        }
        return o;
    }

    /** A row's stored document, read once (an empty one should it not be JSON). */
    private static ObjectNode document(StoredResource row) {
        try {
            return Json.readObject(row.body());
        } catch (RuntimeException e) {
            return Json.object();
        }
    }
}

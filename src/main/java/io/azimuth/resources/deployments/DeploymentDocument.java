package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Times;
import io.azimuth.http.Json;
import io.azimuth.store.StoredResource;

import java.time.Duration;

/**
 * The stored form of a deployment and its wire forms. The document clients see is stored as it is answered; the
 * private state ({@code azimuthState}) holds what a run needs: the template, the parameters as given (secure values
 * included, removed once the run ends), the run's id, when it started, and the deployment operations.
 */
final class DeploymentDocument {
    static final String TYPE = "Microsoft.Resources/deployments";

    static final String ACCEPTED = "Accepted";
    static final String RUNNING = "Running";
    static final String SUCCEEDED = "Succeeded";
    static final String FAILED = "Failed";
    static final String CANCELED = "Canceled";

    private DeploymentDocument() {
    }

    static ResourceId id(String subscription, String resourceGroup, String name) {
        return ResourceId.resource(subscription, resourceGroup, "Microsoft.Resources", "deployments", name);
    }

    static ObjectNode privateState(ObjectNode doc) {
        return doc.withObjectProperty(ResourceRecords.PRIVATE_STATE);
    }

    static ObjectNode properties(ObjectNode doc) {
        return doc.withObjectProperty("properties");
    }

    static String state(ObjectNode doc) {
        return doc.path("properties").path("provisioningState").asText("");
    }

    static boolean active(ObjectNode doc) {
        String s = state(doc);
        return s.equals(ACCEPTED) || s.equals(RUNNING);
    }

    static String runId(ObjectNode doc) {
        return doc.path(ResourceRecords.PRIVATE_STATE).path("runId").asText("");
    }

    /** What clients see: the document less its private state. */
    static ObjectNode view(ObjectNode doc) {
        ObjectNode out = doc.deepCopy();
        out.remove(ResourceRecords.PRIVATE_STATE);
        return out;
    }

    static ObjectNode view(StoredResource row) {
        return view(Json.readObject(row.body()));
    }

    /** Ends a run: its state, its duration, and the given parameters' values forgotten (secure ones among them). */
    static void end(ObjectNode doc, String state, long now) {
        ObjectNode props = properties(doc);
        props.put("provisioningState", state);
        props.put("timestamp", Times.format(now));
        long started = doc.path(ResourceRecords.PRIVATE_STATE).path("startedAt").asLong(now);
        props.put("duration", duration(now - started));
        privateState(doc).remove("parameters");
    }

    /** ARM's ISO 8601 durations, e.g. {@code PT0.0412345S}. */
    static String duration(long millis) {
        return Duration.ofMillis(Math.max(0, millis)).toString();
    }

    static ArrayNode operations(ObjectNode doc) {
        return privateState(doc).withArrayProperty("operations");
    }

    /** A deployment operation as listed: its id under the deployment, and its properties. */
    static ObjectNode renderOperation(String deploymentId, JsonNode op) {
        ObjectNode out = Json.object();
        out.put("id", deploymentId + "/operations/" + op.path("operationId").asText());
        out.put("operationId", op.path("operationId").asText());
        ObjectNode props = out.putObject("properties");
        op.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("operationId")) {
                props.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /** The reason phrase ARM shows as a deployment operation's {@code statusCode}. */
    static String statusCode(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "NoContent";
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 429 -> "TooManyRequests";
            default -> status >= 500 ? "InternalServerError" : String.valueOf(status);
        };
    }
}

package io.azimuth.kinds.toy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.kinds.ResourceKind;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A provider of the tests' own, {@code Azimuth.Toys}: shelves, their boxes, the boxes' items (three levels) and
 * labels that point at a box. Nothing but declarations and rules: every route, listing, parent check, deletion order
 * and "in use" refusal comes from the resource-kind mechanism, as it would for a new provider package.
 */
public final class ToyProvider implements Provider {
    public static final String NAMESPACE = "Azimuth.Toys";
    static final List<String> VERSIONS = List.of("2026-01-01");
    static final List<String> COLORS = List.of("Red", "Blue");

    /** The ids of resources whose deletion freed something, in the order it happened. */
    public final List<String> deleted = new CopyOnWriteArrayList<>();
    volatile Platform platform;

    @Override
    public void register(Platform p) {
        this.platform = p;
        p.kinds().register(ResourceKind.of(NAMESPACE, "shelves").apiVersions(VERSIONS)
                .put((tx, id, body, current) -> {
                    String location = Fields.location(body);
                    current.ifPresent(c -> TrackedResources.requireSameLocation(c, location));
                    ObjectNode doc = TrackedResources.envelope(NAMESPACE + "/shelves", id, location,
                            Tags.parse(body.get("tags")));
                    doc.putObject("properties");
                    return doc;
                })
                .patch((tx, id, body, current) -> {
                    if (body.has("tags")) {
                        current.set("tags", Tags.render(Tags.parse(body.get("tags"))));
                    }
                    return current;
                })
                .onDeleted((tx, doc) -> deleted.add(doc.path("id").asText()))
                .build());
        p.kinds().register(ResourceKind.of(NAMESPACE, "shelves/boxes").apiVersions(VERSIONS)
                .putStatuses(201, 200, 201)
                .put((tx, id, body, current) -> box(id, body))
                .patch((tx, id, body, current) -> {
                    String color = Fields.enumValue(Fields.object(body, "properties", "properties"), "color",
                            "properties.color", COLORS);
                    if (color != null) {
                        current.withObjectProperty("properties").put("color", color);
                    }
                    return current;
                })
                .nameRule(name -> {
                    if (!name.matches("[a-z0-9-]{1,20}")) {
                        throw ApiException.badRequest("InvalidResourceName", "The box name '" + name
                                + "' is 1 to 20 lower-case letters, digits or hyphens.", "name");
                    }
                })
                .onDeleted((tx, doc) -> deleted.add(doc.path("id").asText()))
                .action("open", (r, id) -> ApiResponse.ok(Json.object().put("opened", id.name())))
                .build());
        p.kinds().register(ResourceKind.of(NAMESPACE, "shelves/boxes/items").apiVersions(VERSIONS)
                .put((tx, id, body, current) -> {
                    ObjectNode doc = TrackedResources.envelope(NAMESPACE + "/shelves/boxes/items", id, null, null);
                    doc.putObject("properties").put("weight", body.path("properties").path("weight").asInt(1));
                    return doc;
                })
                .refusesParentDelete("BoxNotEmpty", "The box '{name}' holds the item '{child}'; empty it first.")
                .onDeleted((tx, doc) -> deleted.add(doc.path("id").asText()))
                .build());
        p.kinds().register(ResourceKind.of(NAMESPACE, "labels").apiVersions(VERSIONS)
                .put((tx, id, body, current) -> {
                    ObjectNode doc = TrackedResources.envelope(NAMESPACE + "/labels", id, Fields.location(body), null);
                    ObjectNode props = Fields.object(body, "properties", "properties");
                    String box = Fields.text(props, "box", "properties.box");
                    ResourceId boxId = Fields.reference(box, "properties.box", NAMESPACE + "/shelves/boxes");
                    TrackedResources.lookup(tx, boxId).orElseThrow(() -> new ApiException(404, "NotFound",
                            "The box '" + box + "' given in 'properties.box' was not found.", "properties.box"));
                    doc.putObject("properties").put("box", box);
                    return doc;
                })
                .references(NAMESPACE + "/shelves/boxes", doc -> List.of(doc.path("properties").path("box").asText()),
                        (box, label) -> ApiException.badRequest("InUseBoxCannotBeDeleted", "The box '"
                                + box.path("name").asText() + "' is labelled by '" + label + "'.", null))
                .onDeleted((tx, doc) -> deleted.add(doc.path("id").asText()))
                .build());
    }

    private static ObjectNode box(ResourceId id, ObjectNode body) {
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            throw Fields.invalid("properties", "Required parameter 'properties' is missing (null).");
        }
        String color = Fields.requiredEnum(props, "color", "properties.color", COLORS);
        ObjectNode doc = TrackedResources.envelope(NAMESPACE + "/shelves/boxes", id, null, null);
        doc.putObject("properties").put("color", color);
        return doc;
    }
}

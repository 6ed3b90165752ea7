package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.http.ApiException;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of {@code Microsoft.Compute/galleries}: a name of letters, digits, underscores and periods (neither of
 * the last two at an end, at most 80 characters), a description, the identifier Azure derives from the subscription
 * and the name, a sharing profile and soft-delete protection.
 */
final class GalleryRules {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$");
    static final List<String> PERMISSIONS = List.of("Private", "Groups", "Community");
    static final List<String> GROUP_TYPES = List.of("Subscriptions", "AADTenants");

    static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(400, "InvalidParameter", "The gallery name '" + name + "' is invalid. It may hold "
                    + "letters, digits, underscores and periods, cannot begin or end with an underscore or a period, "
                    + "and is at most 80 characters long.", "galleryName");
        }
    }

    ObjectNode put(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current) {
        String location = Fields.location(body);
        current.ifPresent(doc -> TrackedResources.requireSameLocation(doc, location));
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        ObjectNode doc = TrackedResources.envelope(GalleryDocuments.GALLERIES, id, location, tags);
        ObjectNode out = doc.putObject("properties");
        String description = Fields.text(props, "description", "properties.description");
        if (description != null) {
            out.put("description", description);
        }
        out.putObject("identifier").put("uniqueName", current.map(c -> c.path("properties").path("identifier")
                .path("uniqueName").asText()).orElse(id.subscriptionId().toLowerCase(Locale.ROOT) + "-"
                + id.name().toUpperCase(Locale.ROOT)));
        sharing(props, out);
        protection(props, out);
        return doc;
    }

    /** PATCH: tags, description, sharing profile, soft-delete protection. */
    ObjectNode patch(StoreTx tx, ResourceId id, ObjectNode body, ObjectNode doc) {
        GalleryText.patchTags(doc, body);
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            return doc;
        }
        ObjectNode out = doc.withObjectProperty("properties");
        if (props.has("description")) {
            String description = Fields.text(props, "description", "properties.description");
            if (description == null) {
                out.remove("description");
            } else {
                out.put("description", description);
            }
        }
        sharing(props, out);
        protection(props, out);
        return doc;
    }

    private static void sharing(ObjectNode props, ObjectNode out) {
        ObjectNode sharing = Fields.object(props, "sharingProfile", "properties.sharingProfile");
        if (sharing == null) {
            return;
        }
        String f = "properties.sharingProfile";
        ObjectNode s = out.putObject("sharingProfile");
        String permissions = Fields.enumValue(sharing, "permissions", f + ".permissions", PERMISSIONS);
        s.put("permissions", permissions == null ? "Private" : permissions);
        JsonNode groups = sharing.get("groups");
        if (Fields.present(groups)) {
            if (!groups.isArray()) {
                throw Fields.invalid(f + ".groups", "The value of '" + f + ".groups' must be an array.");
            }
            ArrayNode g = s.putArray("groups");
            for (int i = 0; i < groups.size(); i++) {
                String gf = f + ".groups[" + i + "]";
                ObjectNode group = g.addObject();
                group.put("type", Fields.requiredEnum(groups.get(i), "type", gf + ".type", GROUP_TYPES));
                JsonNode ids = groups.get(i).get("ids");
                ArrayNode idsOut = group.putArray("ids");
                if (Fields.present(ids) && ids.isArray()) {
                    for (int j = 0; j < ids.size(); j++) {
                        if (!ids.get(j).isTextual()) {
                            throw Fields.invalid(gf + ".ids[" + j + "]", "The value of '" + gf + ".ids[" + j
                                    + "]' must be a string.");
                        }
                        idsOut.add(ids.get(j).asText());
                    }
                }
            }
        }
        ObjectNode community = Fields.object(sharing, "communityGalleryInfo", f + ".communityGalleryInfo");
        if (community != null) {
            if (!"Community".equals(s.path("permissions").asText())) {
                throw Fields.invalid(f + ".communityGalleryInfo", "'" + f + ".communityGalleryInfo' is given only "
                        + "when '" + f + ".permissions' is Community.");
            }
            s.set("communityGalleryInfo", community.deepCopy());
        }
    }

    private static void protection(ObjectNode props, ObjectNode out) {
        ObjectNode soft = Fields.object(props, "softDeleteProtection", "properties.softDeleteProtection");
        if (soft != null) {
            Boolean enabled = Fields.bool(soft, "isSoftDeleteEnabled",
                    "properties.softDeleteProtection.isSoftDeleteEnabled");
            out.putObject("softDeleteProtection").put("isSoftDeleteEnabled", enabled != null && enabled);
        }
    }
}

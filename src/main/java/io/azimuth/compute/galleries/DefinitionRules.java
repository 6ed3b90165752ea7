package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.compute.HyperVGeneration;
import io.azimuth.compute.OsState;
import io.azimuth.compute.OsType;
import io.azimuth.http.ApiException;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of an image definition ({@code Microsoft.Compute/galleries/images}): in its gallery's region; OS type
 * and state and the publisher/offer/sku identifier required, the identifier unique in the gallery, none of the three
 * changeable afterwards (nor the Hyper-V generation); architecture, features (SecurityType among them), the
 * recommended machine configuration, the disallowed disk types, the purchase plan and the end-of-life date, checked
 * and kept.
 */
final class DefinitionRules {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9._-]{0,78}[A-Za-z0-9])?$");
    static final List<String> ARCHITECTURES = List.of("x64", "Arm64");
    static final List<String> SECURITY_TYPES = List.of("Standard", "TrustedLaunch", "ConfidentialVM",
            "ConfidentialVMSupported", "TrustedLaunchSupported", "TrustedLaunchAndConfidentialVmSupported");
    static final String P = "properties.";

    static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(400, "InvalidParameter", "The gallery image name '" + name + "' is invalid. It "
                    + "may hold letters, digits, hyphens, underscores and periods, must begin and end with a letter "
                    + "or a digit, and is at most 80 characters long.", "galleryImageName");
        }
    }

    ObjectNode put(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current) {
        String location = Fields.location(body);
        current.ifPresent(doc -> TrackedResources.requireSameLocation(doc, location));
        ObjectNode gallery = TrackedResources.lookup(tx, id.parent()).orElseThrow();
        if (!gallery.path("location").asText().equals(location)) {
            throw Fields.invalid("location", "A gallery image is in its gallery's region: '" + location
                    + "' is not '" + gallery.path("location").asText() + "'.");
        }
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            throw ArmErrors.missing("properties");
        }
        ObjectNode doc = TrackedResources.envelope(GalleryDocuments.DEFINITIONS, id, location, tags);
        ObjectNode out = doc.putObject("properties");
        for (String text : List.of("description", "eula", "privacyStatementUri", "releaseNoteUri")) {
            GalleryText.copyText(props, out, text, P);
        }
        out.put("osType", Fields.requiredEnum(props, "osType", P + "osType", OsType.NAMES));
        out.put("osState", Fields.requiredEnum(props, "osState", P + "osState", OsState.NAMES));
        String hyperV = Fields.enumValue(props, "hyperVGeneration", P + "hyperVGeneration", HyperVGeneration.NAMES);
        out.put("hyperVGeneration", hyperV == null ? "V1" : hyperV);
        String endOfLife = GalleryText.dateTime(props, "endOfLifeDate", P + "endOfLifeDate");
        if (endOfLife != null) {
            out.put("endOfLifeDate", endOfLife);
        }
        out.set("identifier", identifier(props));
        recommended(props, out);
        disallowed(props, out);
        plan(props, out);
        String architecture = Fields.enumValue(props, "architecture", P + "architecture", ARCHITECTURES);
        out.put("architecture", architecture == null ? "x64" : architecture);
        if ("Arm64".equals(out.path("architecture").asText()) && !"V2".equals(out.path("hyperVGeneration").asText())) {
            throw Fields.invalid(P + "architecture", "An Arm64 gallery image needs '" + P + "hyperVGeneration' V2.");
        }
        features(props, out);
        current.ifPresent(c -> unchanged(c.path("properties"), out));
        uniqueIdentifier(tx, id, out.path("identifier"));
        return doc;
    }

    /** PATCH: tags and the updatable properties; OS type and state, generation and identifier may not change. */
    ObjectNode patch(StoreTx tx, ResourceId id, ObjectNode body, ObjectNode doc) {
        GalleryText.patchTags(doc, body);
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            return doc;
        }
        ObjectNode out = doc.withObjectProperty("properties");
        for (String text : List.of("description", "eula", "privacyStatementUri", "releaseNoteUri")) {
            GalleryText.copyText(props, out, text, P);
        }
        ObjectNode merged = out.deepCopy();
        for (String fixed : List.of("osType", "osState", "hyperVGeneration")) {
            if (Fields.present(props.get(fixed))) {
                merged.put(fixed, Fields.enumValue(props, fixed, P + fixed, fixed.equals("osType") ? OsType.NAMES
                        : fixed.equals("osState") ? OsState.NAMES : HyperVGeneration.NAMES));
            }
        }
        if (Fields.present(props.get("identifier"))) {
            merged.set("identifier", identifier(props));
        }
        unchanged(out, merged);
        String endOfLife = GalleryText.dateTime(props, "endOfLifeDate", P + "endOfLifeDate");
        if (endOfLife != null) {
            out.put("endOfLifeDate", endOfLife);
        }
        recommended(props, out);
        disallowed(props, out);
        plan(props, out);
        String architecture = Fields.enumValue(props, "architecture", P + "architecture", ARCHITECTURES);
        if (architecture != null && !architecture.equals(out.path("architecture").asText())) {
            throw changeRefused("architecture");
        }
        features(props, out);
        return doc;
    }

    private static ObjectNode identifier(ObjectNode props) {
        ObjectNode in = Fields.object(props, "identifier", P + "identifier");
        if (in == null) {
            throw ArmErrors.missing(P + "identifier");
        }
        ObjectNode id = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (String part : List.of("publisher", "offer", "sku")) {
            String v = Fields.text(in, part, P + "identifier." + part);
            if (v == null || v.isBlank()) {
                throw ArmErrors.missing(P + "identifier." + part);
            }
            if (v.length() > 128) {
                throw Fields.invalid(P + "identifier." + part, "'" + P + "identifier." + part + "' is at most 128 "
                        + "characters long.");
            }
            id.put(part, v);
        }
        return id;
    }

    /** OS type and state, Hyper-V generation and identifier are fixed once the definition exists. */
    private static void unchanged(JsonNode before, ObjectNode after) {
        for (String fixed : List.of("osType", "osState", "hyperVGeneration")) {
            if (!before.path(fixed).asText().equalsIgnoreCase(after.path(fixed).asText())) {
                throw changeRefused(fixed);
            }
        }
        for (String part : List.of("publisher", "offer", "sku")) {
            if (!before.path("identifier").path(part).asText().equalsIgnoreCase(
                    after.path("identifier").path(part).asText())) {
                throw changeRefused("identifier." + part);
            }
        }
    }

    private static ApiException changeRefused(String property) {
        return new ApiException(409, "PropertyChangeNotAllowed", "Changing property '" + property
                + "' is not allowed.", P + property);
    }

    /** No two definitions of a gallery share publisher, offer and sku (compared case-insensitively). */
    private static void uniqueIdentifier(StoreTx tx, ResourceId id, JsonNode identifier) {
        String mine = key(identifier);
        for (ObjectNode other : GalleryDocuments.children(tx, id.parent(), GalleryDocuments.DEFINITIONS)) {
            if (!other.path("name").asText().equalsIgnoreCase(id.name())
                    && key(other.path("properties").path("identifier")).equals(mine)) {
                throw new ApiException(409, "Conflict", "The gallery image '" + other.path("name").asText()
                        + "' of gallery '" + id.parent().name() + "' already has the identifier publisher '"
                        + identifier.path("publisher").asText() + "', offer '" + identifier.path("offer").asText()
                        + "', sku '" + identifier.path("sku").asText() + "': an identifier is unique in its gallery.",
                        P + "identifier");
            }
        }
    }

    private static String key(JsonNode identifier) {
        return (identifier.path("publisher").asText() + "\n" + identifier.path("offer").asText() + "\n"
                + identifier.path("sku").asText()).toLowerCase(Locale.ROOT);
    }

    private static void recommended(ObjectNode props, ObjectNode out) {
        ObjectNode in = Fields.object(props, "recommended", P + "recommended");
        if (in == null) {
            return;
        }
        ObjectNode r = out.putObject("recommended");
        for (String range : List.of("vCPUs", "memory")) {
            String f = P + "recommended." + range;
            ObjectNode rin = Fields.object(in, range, f);
            if (rin == null) {
                continue;
            }
            Integer min = Fields.integer(rin, "min", f + ".min");
            Integer max = Fields.integer(rin, "max", f + ".max");
            if ((min != null && min < 0) || (max != null && max < 0)) {
                throw Fields.invalid(f, "The bounds of '" + f + "' cannot be negative.");
            }
            if (min != null && max != null && min > max) {
                throw Fields.invalid(f + ".min", "'" + f + ".min' (" + min + ") is above '" + f + ".max' (" + max
                        + ").");
            }
            ObjectNode rout = r.putObject(range);
            if (min != null) {
                rout.put("min", min);
            }
            if (max != null) {
                rout.put("max", max);
            }
        }
    }

    private static void disallowed(ObjectNode props, ObjectNode out) {
        ObjectNode in = Fields.object(props, "disallowed", P + "disallowed");
        if (in == null) {
            return;
        }
        ArrayNode types = out.putObject("disallowed").putArray("diskTypes");
        JsonNode list = in.get("diskTypes");
        if (Fields.present(list)) {
            if (!list.isArray()) {
                throw Fields.invalid(P + "disallowed.diskTypes", "The value of '" + P + "disallowed.diskTypes' must "
                        + "be an array.");
            }
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).isTextual()) {
                    throw Fields.invalid(P + "disallowed.diskTypes[" + i + "]", "The value of '" + P
                            + "disallowed.diskTypes[" + i + "]' must be a string.");
                }
                types.add(list.get(i).asText());
            }
        }
    }

    private static void plan(ObjectNode props, ObjectNode out) {
        ObjectNode in = Fields.object(props, "purchasePlan", P + "purchasePlan");
        if (in == null) {
            return;
        }
        ObjectNode plan = out.putObject("purchasePlan");
        for (String part : List.of("name", "publisher", "product")) {
            GalleryText.copyText(in, plan, part, P + "purchasePlan.");
        }
    }

    /** Features: names unique; SecurityType one of Azure's values, its trusted and confidential kinds on V2 only. */
    private static void features(ObjectNode props, ObjectNode out) {
        JsonNode in = props.get("features");
        if (!Fields.present(in)) {
            return;
        }
        if (!in.isArray()) {
            throw Fields.invalid(P + "features", "The value of '" + P + "features' must be an array.");
        }
        ArrayNode list = out.putArray("features");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < in.size(); i++) {
            String f = P + "features[" + i + "]";
            JsonNode feature = in.get(i);
            if (!feature.isObject()) {
                throw Fields.invalid(f, "The value of '" + f + "' must be an object.");
            }
            String name = Fields.text(feature, "name", f + ".name");
            if (name == null || name.isBlank()) {
                throw ArmErrors.missing(f + ".name");
            }
            if (!names.add(name.toLowerCase(Locale.ROOT))) {
                throw Fields.invalid(f + ".name", "The feature '" + name + "' is given more than once.");
            }
            String value = Fields.text(feature, "value", f + ".value");
            if (name.equalsIgnoreCase("SecurityType")) {
                value = Fields.requiredEnum(feature, "value", f + ".value", SECURITY_TYPES);
                if (!value.equals("Standard") && !"V2".equals(out.path("hyperVGeneration").asText())) {
                    throw Fields.invalid(f + ".value", "The security type '" + value + "' needs '" + P
                            + "hyperVGeneration' V2.");
                }
            }
            ObjectNode o = list.addObject();
            o.put("name", name);
            if (value != null) {
                o.put("value", value);
            }
        }
    }
}

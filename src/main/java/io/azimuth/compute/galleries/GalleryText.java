package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.Tags;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** Small readings the gallery's three kinds share: tags on PATCH, dates, optional strings. */
final class GalleryText {
    private GalleryText() {
    }

    /** A PATCH body's tags replace the document's; null removes them. */
    static void patchTags(ObjectNode doc, ObjectNode body) {
        if (body.has("tags")) {
            Map<String, String> tags = Tags.parse(body.get("tags"));
            if (tags == null) {
                doc.remove("tags");
            } else {
                doc.set("tags", Tags.render(tags));
            }
        }
    }

    /** An optional ISO 8601 date-time, answered in UTC ({@code 2030-01-01T00:00:00Z}). */
    static String dateTime(JsonNode parent, String name, String field) {
        String raw = Fields.text(parent, name, field);
        if (raw == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(raw).toInstant().toString();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(raw).toString();
            } catch (DateTimeParseException e2) {
                try {
                    return java.time.LocalDate.parse(raw).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString();
                } catch (DateTimeParseException e3) {
                    throw Fields.invalid(field, "The value '" + raw + "' of '" + field + "' is not a date-time such "
                            + "as 2030-01-01T00:00:00Z.");
                }
            }
        }
    }

    /** Copies an optional string member, refusing any other type. */
    static void copyText(JsonNode in, ObjectNode out, String name, String prefix) {
        String v = Fields.text(in, name, prefix + name);
        if (v != null) {
            out.put(name, v);
        }
    }
}

package io.azimuth.compute.disks;

import io.azimuth.arm.ArmErrors;
import io.azimuth.compute.StorageType;
import io.azimuth.compute.OsType;
import io.azimuth.compute.HyperVGeneration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.http.ApiException;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What makes a valid disk or snapshot and how one is made: {@code Empty} (a size), {@code Import} (a VHD blob)
 * or {@code Copy} (another disk or snapshot); size only grows; enums in Azure's casing. Its bytes follow: a blank
 * VHD, a copy of the blob (through its staging copy) or of the source's content, grown to the size asked for; a size
 * that grows grows them too.
 */
final class DiskRules {
    static final List<String> ALL_CREATE_OPTIONS = List.of("Empty", "Attach", "FromImage", "Import", "Copy", "Restore",
            "Upload", "CopyStart", "ImportSecure", "UploadPreparedSecure", "CopyFromSanSnapshot");
    static final int MAX_DISK_GB = 32767;
    static final long GIB = 1024L * 1024 * 1024;

    private final DiskKind kind;
    private final ManagedContent content;

    DiskRules(DiskKind kind, ManagedContent content) {
        this.kind = kind;
        this.content = content;
    }

    /** The user blob a PUT body would import, for staging before the write (null when none). */
    static StagedBlobs.Source importSource(ObjectNode body) {
        JsonNode creation = body.path("properties").path("creationData");
        if (!creation.path("createOption").asText().equalsIgnoreCase("Import")
                || !creation.path("sourceUri").isTextual()) {
            return null;
        }
        return new StagedBlobs.Source(creation.path("sourceUri").asText(), "creationData.sourceUri");
    }

    /**
     * PUT: a new document from the request with its content, or the existing one changed where PUT may change it.
     * Runs inside the write; user blobs come through {@code staged}.
     */
    ObjectNode createOrUpdate(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current,
                              StagedBlobs staged) {
        String location = Fields.location(body);
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            throw Fields.invalid("properties", "Required parameter 'properties' is missing (null).");
        }
        ObjectNode creation = Fields.object(props, "creationData", "creationData");
        if (creation == null) {
            throw Fields.invalid("creationData", "Required parameter 'creationData' is missing (null).");
        }
        String option = Fields.requiredEnum(creation, "createOption", "creationData.createOption", ALL_CREATE_OPTIONS);
        if (!kind.createOptions.contains(option)) {
            throw Fields.invalid("creationData.createOption", "The value '" + option + "' of 'creationData.createOption' is "
                    + "not supported for " + kind.type + " by this emulator; supported: '" + String.join("', '", kind.createOptions) + "'.");
        }
        Integer requestedSize = Fields.integer(props, "diskSizeGB", "diskSizeGB");
        if (requestedSize != null && (requestedSize < 1 || requestedSize > MAX_DISK_GB)) {
            throw Fields.invalid("diskSizeGB", "The value " + requestedSize + " of 'diskSizeGB' is out of range: "
                    + "a disk is 1 to " + MAX_DISK_GB + " GB.");
        }
        String sku = Fields.enumValue(Fields.object(body, "sku", "sku"), "name", "sku.name", StorageType.NAMES);
        String osType = Fields.enumValue(props, "osType", "osType", OsType.NAMES);
        String hyperV = Fields.enumValue(props, "hyperVGeneration", "hyperVGeneration", HyperVGeneration.NAMES);
        Boolean incremental = kind == DiskKind.SNAPSHOT ? Fields.bool(props, "incremental", "incremental") : null;

        if (current.isPresent()) {
            return update(current.get(), location, tags, option, requestedSize, sku, osType, hyperV);
        }

        ObjectNode creationOut = io.azimuth.http.Json.object();
        creationOut.put("createOption", option);
        Integer sourceSize = null;
        BlobRef sourceBlob = null;
        BlobRef sourceContent = null;
        switch (option) {
            case "Empty" -> {
                if (requestedSize == null) {
                    throw Fields.invalid("diskSizeGB", "Required parameter 'diskSizeGB' is missing (null): an empty "
                            + "disk needs a size.");
                }
            }
            case "Import" -> {
                String uri = Fields.text(creation, "sourceUri", "creationData.sourceUri");
                if (uri == null) {
                    throw Fields.invalid("creationData.sourceUri", "Required parameter 'creationData.sourceUri' is "
                            + "missing (null): importing needs the VHD blob's URI.");
                }
                BlobRef blob;
                try {
                    blob = BlobRef.parse(uri);
                } catch (IllegalArgumentException e) {
                    throw Fields.invalid("creationData.sourceUri", "The value of 'creationData.sourceUri' is not a "
                            + "blob URI: " + e.getMessage() + ".");
                }
                String account = Fields.text(creation, "storageAccountId", "creationData.storageAccountId");
                if (account != null) {
                    Fields.reference(account, "creationData.storageAccountId", "Microsoft.Storage/storageAccounts");
                    creationOut.put("storageAccountId", account);
                }
                Vhd vhd = staged.vhd(blob, "creationData.sourceUri");
                creationOut.put("sourceUri", uri);
                sourceSize = vhd.sizeKnown() ? vhd.sizeGiB() : null;
                sourceBlob = blob;
            }
            case "Copy" -> {
                String raw = Fields.text(creation, "sourceResourceId", "creationData.sourceResourceId");
                ResourceId sourceId = Fields.reference(raw, "creationData.sourceResourceId", null);
                if (!sourceId.fullType().equalsIgnoreCase(DiskKind.DISK.fullType())
                        && !sourceId.fullType().equalsIgnoreCase(DiskKind.SNAPSHOT.fullType())) {
                    throw Fields.invalid("creationData.sourceResourceId", "The resource '" + raw
                            + "' given in 'creationData.sourceResourceId' is neither a managed disk nor a snapshot.");
                }
                ObjectNode source = TrackedResources.lookup(tx, sourceId).orElseThrow(() -> ArmErrors.referenceNotFound("source", raw,
                        "creationData.sourceResourceId"));
                if (TrackedResources.busy(source)) {
                    throw ArmErrors.operationNotAllowed("The source '" + raw + "' is "
                            + TrackedResources.provisioningState(source) + "; retry once it has finished.");
                }
                JsonNode sp = source.path("properties");
                creationOut.put("sourceResourceId", raw);
                creationOut.put("sourceUniqueId", sp.path("uniqueId").asText());
                sourceSize = sp.hasNonNull("diskSizeGB") ? sp.get("diskSizeGB").asInt() : null;
                osType = osType != null ? osType : textOrNull(sp, "osType");
                hyperV = hyperV != null ? hyperV : textOrNull(sp, "hyperVGeneration");
                sourceContent = DiskDocuments.content(source).orElse(null);
            }
            default -> throw new IllegalStateException(option);
        }
        if (requestedSize != null && sourceSize != null && requestedSize < sourceSize) {
            throw Fields.invalid("diskSizeGB", "The requested size " + requestedSize + " GB in 'diskSizeGB' is "
                    + "smaller than the source's " + sourceSize + " GB: a disk can grow but not shrink.");
        }
        Integer size = requestedSize != null ? requestedSize : sourceSize;

        ObjectNode doc = TrackedResources.envelope(kind.fullType(), id, location, tags);
        ObjectNode p = DiskDocuments.fill(doc, kind, sku != null ? sku : "Standard_LRS", size, osType, hyperV,
                creationOut, "Unattached");
        if (incremental != null) {
            p.put("incremental", incremental);
        }
        BlobRef target = DiskDocuments.content(doc).orElseThrow();
        long asked = requestedSize == null ? 0 : requestedSize * GIB;
        if (sourceBlob != null) {
            content.fill(target, staged, sourceBlob, asked);
        } else { // a copy of the source's bytes when it has them, else a blank disk of the size known
            content.fill(target, sourceContent, asked, size == null ? 0 : size * GIB);
        }
        return doc;
    }

    private ObjectNode update(ObjectNode doc, String location, Map<String, String> tags, String option,
                              Integer size, String sku, String osType, String hyperV) {
        TrackedResources.requireSameLocation(doc, location);
        ObjectNode p = doc.withObjectProperty("properties");
        if (!p.path("creationData").path("createOption").asText().equals(option)) {
            throw ApiException.conflict("PropertyChangeNotAllowed", "Changing property 'creationData.createOption' is "
                    + "not allowed.");
        }
        if (tags != null) {
            doc.set("tags", Tags.render(tags));
        } else {
            doc.remove("tags");
        }
        applyChanges(doc, size, sku, osType, hyperV);
        return doc;
    }

    /** PATCH: tags, size (growth only), sku, osType, hyperVGeneration. */
    ObjectNode patch(ObjectNode doc, ObjectNode body) {
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        Integer size = Fields.integer(props, "diskSizeGB", "diskSizeGB");
        if (size != null && (size < 1 || size > MAX_DISK_GB)) {
            throw Fields.invalid("diskSizeGB", "The value " + size + " of 'diskSizeGB' is out of range: a disk is 1 to "
                    + MAX_DISK_GB + " GB.");
        }
        String sku = Fields.enumValue(Fields.object(body, "sku", "sku"), "name", "sku.name", StorageType.NAMES);
        String osType = Fields.enumValue(props, "osType", "osType", OsType.NAMES);
        String hyperV = Fields.enumValue(props, "hyperVGeneration", "hyperVGeneration", HyperVGeneration.NAMES);
        if (body.has("tags")) {
            if (tags == null) {
                doc.remove("tags");
            } else {
                doc.set("tags", Tags.render(tags));
            }
        }
        applyChanges(doc, size, sku, osType, hyperV);
        return doc;
    }

    /** Changes the document; a size that grows grows the content, which it refuses while access is granted. */
    private void applyChanges(ObjectNode doc, Integer size, String sku, String osType, String hyperV) {
        ObjectNode p = doc.withObjectProperty("properties");
        if (size != null) {
            int currentSize = p.path("diskSizeGB").asInt(0);
            if (size < currentSize) {
                throw Fields.invalid("diskSizeGB", "The value " + size + " of 'diskSizeGB' is smaller than the current "
                        + currentSize + " GB: disks can grow but not shrink.");
            }
            if (size > currentSize && DiskAccess.active(doc)) {
                throw ApiException.conflict("ChangeDiskSizeWhileActiveSasNotAllowed", "The "
                        + (kind == DiskKind.DISK ? "disk " : "snapshot ") + doc.path("name").asText() + " has an "
                        + "active SAS URI. Retry after the SAS URI expires or revoke it.");
            }
            if (size > currentSize) {
                DiskDocuments.content(doc).ifPresent(c -> content.grow(c, size * GIB));
            }
            p.put("diskSizeGB", size);
            p.put("diskSizeBytes", size * GIB);
        }
        if (sku != null) {
            ObjectNode s = doc.withObjectProperty("sku");
            s.put("name", sku);
            s.put("tier", DiskDocuments.tier(sku));
        }
        if (osType != null) {
            p.put("osType", osType);
        }
        if (hyperV != null) {
            p.put("hyperVGeneration", hyperV);
        }
    }

    private static String textOrNull(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}

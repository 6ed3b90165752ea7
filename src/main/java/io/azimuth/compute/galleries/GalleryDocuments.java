package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.Locations;
import io.azimuth.arm.ResourceId;
import io.azimuth.blobs.BlobRef;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What other providers read of the gallery: the image version a VM is made from (named directly, or as its
 * definition's latest), with the OS its definition declares and the content of each of its disks.
 */
public final class GalleryDocuments {
    public static final String GALLERIES = "Microsoft.Compute/galleries";
    public static final String DEFINITIONS = "Microsoft.Compute/galleries/images";
    public static final String VERSIONS = "Microsoft.Compute/galleries/images/versions";

    private GalleryDocuments() {
    }

    /** One disk of a version: its LUN (null for the OS disk), size, host caching and bytes. */
    public record Disk(Integer lun, int sizeGB, String caching, BlobRef content) {
    }

    /** A version as a VM is made from it: its id and name, its definition's OS, and its disks. */
    public record Version(String id, String name, String osType, String osState, String hyperVGeneration,
                          Disk osDisk, List<Disk> dataDisks) {
        public boolean generalized() {
            return "Generalized".equals(osState);
        }
    }

    /** Whether an image reference names a gallery image version or definition. */
    public static boolean names(ResourceId id) {
        String type = id.fullType().toLowerCase(Locale.ROOT);
        return type.equals(VERSIONS.toLowerCase(Locale.ROOT)) || type.equals(DEFINITIONS.toLowerCase(Locale.ROOT));
    }

    /**
     * The version a VM in {@code location} is made from: the one {@code id} names, or the latest of the definition it
     * names (the highest version not excluded from latest, replicated to that region). Refused under {@code field}
     * when there is none, or when it is not (yet) in that region.
     */
    public static Version forVm(StoreTx tx, ResourceId id, String raw, String location, String field) {
        boolean definition = id.fullType().equalsIgnoreCase(DEFINITIONS);
        ObjectNode versionDoc;
        if (definition) {
            ObjectNode def = TrackedResources.lookup(tx, id).orElseThrow(() -> ArmErrors.referenceNotFound(
                    "gallery image", raw, field));
            versionDoc = latest(tx, id, location).orElseThrow(() -> new ApiException(404, "NotFound",
                    "The gallery image '" + raw + "' has no version that can be used as its latest in region '"
                            + location + "': every version is excluded from latest, still replicating, or not "
                            + "replicated there.", field));
            return version(def, versionDoc);
        }
        versionDoc = TrackedResources.lookup(tx, id).orElseThrow(() -> ArmErrors.referenceNotFound(
                "gallery image version", raw, field));
        if (TrackedResources.busy(versionDoc)) {
            throw ArmErrors.operationNotAllowed("The gallery image version '" + raw + "' is "
                    + TrackedResources.provisioningState(versionDoc) + "; a VM can be made from it once that has "
                    + "finished.");
        }
        if (!replicatedTo(versionDoc, location)) {
            throw Fields.invalid(field, "The gallery image version '" + raw + "' is not replicated to region '"
                    + location + "': add the region to its publishingProfile.targetRegions.");
        }
        ObjectNode def = TrackedResources.lookup(tx, id.parent()).orElseThrow(() -> ArmErrors.referenceNotFound(
                "gallery image", id.parent().toString(), field));
        return version(def, versionDoc);
    }

    /** A stored version by id, with its definition, for a VM made from it (its reimage); empty when either is gone. */
    public static Optional<Version> find(StoreTx tx, ResourceId versionId) {
        return TrackedResources.lookup(tx, versionId).flatMap(v -> TrackedResources.lookup(tx, versionId.parent())
                .map(def -> version(def, v)));
    }

    static Version version(ObjectNode definition, ObjectNode version) {
        JsonNode d = definition.path("properties");
        JsonNode storage = version.path("properties").path("storageProfile");
        JsonNode disks = version.path(ManagedContent.STATE).path("disks");
        JsonNode os = storage.path("osDiskImage");
        Disk osDisk = new Disk(null, os.path("sizeInGB").asInt(30), os.path("hostCaching").asText("ReadWrite"),
                content(disks, diskName(null)));
        List<Disk> data = new ArrayList<>();
        for (JsonNode dd : storage.path("dataDiskImages")) {
            int lun = dd.path("lun").asInt();
            data.add(new Disk(lun, dd.path("sizeInGB").asInt(1), dd.path("hostCaching").asText("None"),
                    content(disks, diskName(lun))));
        }
        return new Version(version.path("id").asText(), version.path("name").asText(), d.path("osType").asText(),
                d.path("osState").asText(), d.path("hyperVGeneration").asText("V1"), osDisk, List.copyOf(data));
    }

    private static BlobRef content(JsonNode disks, String name) {
        JsonNode ref = disks.path(name);
        return ref.isTextual() ? ManagedContent.parse(ref.asText()) : null;
    }

    /** The name of a version's disk in its private state: {@code osDisk}, or {@code lun-<n>}. */
    static String diskName(Integer lun) {
        return lun == null ? "osDisk" : "lun-" + lun;
    }

    /** Whether a version's target regions hold {@code location} (a region name such as {@code westus}). */
    static boolean replicatedTo(JsonNode version, String location) {
        for (JsonNode r : version.path("properties").path("publishingProfile").path("targetRegions")) {
            if (Locations.normalise(r.path("name").asText()).orElse("").equals(location)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The latest version of a definition for {@code location}: the highest number among those that succeeded, are
     * not excluded from latest (as a whole or in that region) and are replicated there.
     */
    static Optional<ObjectNode> latest(StoreTx tx, ResourceId definition, String location) {
        return children(tx, definition, VERSIONS).stream()
                .filter(v -> TrackedResources.SUCCEEDED.equals(TrackedResources.provisioningState(v)))
                .filter(v -> !v.path("properties").path("publishingProfile").path("excludeFromLatest").asBoolean())
                .filter(v -> regionAllowsLatest(v, location))
                .max(Comparator.comparing(v -> VersionName.parse(v.path("name").asText())));
    }

    private static boolean regionAllowsLatest(JsonNode version, String location) {
        for (JsonNode r : version.path("properties").path("publishingProfile").path("targetRegions")) {
            if (Locations.normalise(r.path("name").asText()).orElse("").equals(location)) {
                return !r.path("excludeFromLatest").asBoolean();
            }
        }
        return false;
    }

    /** The stored documents of {@code type} directly under {@code parent}. */
    static List<ObjectNode> children(StoreTx tx, ResourceId parent, String type) {
        List<ObjectNode> out = new ArrayList<>();
        String after = null;
        while (true) {
            List<StoredResource> rows = tx.listResources(new ResourceQuery(
                    parent.subscriptionId().toLowerCase(Locale.ROOT), parent.resourceGroup().toLowerCase(Locale.ROOT),
                    type.toLowerCase(Locale.ROOT), after, 500, parent.key()));
            for (StoredResource row : rows) {
                out.add(Json.readObject(row.body()));
            }
            if (rows.size() < 500) {
                return out;
            }
            after = rows.get(rows.size() - 1).key();
        }
    }
}

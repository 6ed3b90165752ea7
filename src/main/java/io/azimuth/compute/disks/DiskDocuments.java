package io.azimuth.compute.disks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Times;
import io.azimuth.blobs.BlobRef;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.Optional;
import java.util.UUID;

/**
 * Managed disks and snapshots as stored: the wire form plus private state ({@value ManagedContent#STATE}) naming
 * their content ({@code disks/{uniqueId}} or {@code snapshots/{uniqueId}} in the managed account) and any access
 * grant. Other providers (a VM's OS and data disks) make and change disks through here, in the same form the Disk
 * RP answers with.
 */
public final class DiskDocuments {
    public static final String TYPE = "Microsoft.Compute/disks";
    public static final String SNAPSHOT_TYPE = "Microsoft.Compute/snapshots";

    private DiskDocuments() {
    }

    /**
     * Stores a new disk attached to {@code managedBy}, returning its document. Its content is named in its private
     * state ({@link #content}); the caller fills it.
     */
    public static ObjectNode createAttached(StoreTx tx, ResourceId id, String location, String sku, int sizeGB,
                                            String osType, String hyperVGeneration, ObjectNode creationData,
                                            String managedBy) {
        ObjectNode doc = Json.object();
        doc.put("id", id.toString());
        doc.put("name", id.name());
        doc.put("type", TYPE);
        doc.put("location", location);
        doc.put("managedBy", managedBy);
        fill(doc, DiskKind.DISK, sku, sizeGB, osType, hyperVGeneration, creationData, "Attached")
                .put("provisioningState", "Succeeded");
        long now = System.currentTimeMillis();
        tx.putResource(ResourceRecords.record(id, doc, now, now));
        return doc;
    }

    /**
     * The sku and the properties every new disk or snapshot has, and its content's name in private state; returns
     * the properties.
     */
    static ObjectNode fill(ObjectNode doc, DiskKind kind, String sku, Integer sizeGB, String osType,
                           String hyperVGeneration, ObjectNode creationData, String diskState) {
        ObjectNode s = doc.putObject("sku");
        s.put("name", sku);
        s.put("tier", tier(sku));
        ObjectNode p = doc.putObject("properties");
        if (osType != null) {
            p.put("osType", osType);
        }
        if (hyperVGeneration != null) {
            p.put("hyperVGeneration", hyperVGeneration);
        }
        p.set("creationData", creationData);
        if (sizeGB != null) {
            p.put("diskSizeGB", sizeGB);
            p.put("diskSizeBytes", sizeGB * DiskRules.GIB);
        }
        p.putObject("encryption").put("type", "EncryptionAtRestWithPlatformKey");
        p.put("networkAccessPolicy", "AllowAll");
        p.put("publicNetworkAccess", "Enabled");
        p.put("timeCreated", Times.format(System.currentTimeMillis()));
        String uniqueId = UUID.randomUUID().toString();
        p.put("uniqueId", uniqueId);
        p.put("diskState", diskState);
        ManagedContent.record(doc, BlobRef.managed(kind.type, uniqueId));
        return p;
    }

    static String tier(String sku) {
        return sku.startsWith("Premium") ? "Premium" : sku.startsWith("Ultra") ? "Ultra" : "Standard";
    }

    /**
     * The content of a disk or snapshot, as its private state names it; empty for one stored before resources had
     * content.
     */
    public static Optional<BlobRef> content(JsonNode doc) {
        return ManagedContent.content(doc);
    }

    /** What clients see: no private state, and {@code ActiveSAS} while an access grant is active. */
    public static ObjectNode view(ObjectNode doc) {
        ObjectNode v = TrackedResources.WITHOUT_PRIVATE_STATE.apply(doc);
        if (DiskAccess.active(doc)) {
            v.withObjectProperty("properties").put("diskState", "ActiveSAS");
        }
        return v;
    }

    /**
     * Until when {@link #view} shows a document as it does now: the expiry of an active access grant (then the
     * state it shows changes from {@code ActiveSAS}), else for ever (only a change to the document changes it).
     */
    public static long viewUnchangedUntil(ObjectNode doc) {
        long expires = DiskAccess.expiresAt(doc);
        return expires > System.currentTimeMillis() ? expires : Long.MAX_VALUE;
    }

    /** Frees what a deleted disk or snapshot held: its content and any access grant's export. */
    public static void release(StoreTx tx, ManagedContent content, JsonNode doc) {
        content(doc).ifPresent(content::free);
        DiskAccess.revoke(tx, content, doc);
    }

    /** Deletes a disk with its content (a VM's disk deleted with it). */
    public static void delete(StoreTx tx, ManagedContent content, ResourceId id) {
        tx.resourceBody(id.key()).ifPresent(body -> release(tx, content, Json.readObject(body)));
        tx.deleteResource(id.key());
    }

    /** Sets or clears a disk's owner; its state follows ({@code Attached} or {@code Unattached}). */
    public static void setManagedBy(StoreTx tx, ResourceId id, String managedBy) {
        tx.resource(id.key()).ifPresent(row -> {
            ObjectNode doc = Json.readObject(row.body());
            if (managedBy == null) {
                doc.remove("managedBy");
            } else {
                doc.put("managedBy", managedBy);
            }
            doc.withObjectProperty("properties").put("diskState", managedBy == null ? "Unattached" : "Attached");
            tx.putResource(ResourceRecords.record(ResourceId.parse(row.id()), doc, row.createdAt(),
                    System.currentTimeMillis()));
        });
    }

    /**
     * The state of a disk attached to a VM as the VM's power follows: {@code Reserved} while it is deallocated,
     * {@code Attached} otherwise. An access grant shows over it while active.
     */
    public static void setAttachedState(StoreTx tx, ResourceId id, boolean deallocated) {
        tx.resource(id.key()).ifPresent(row -> {
            ObjectNode doc = Json.readObject(row.body());
            String state = deallocated ? "Reserved" : "Attached";
            if (!doc.hasNonNull("managedBy") || state.equals(doc.path("properties").path("diskState").asText())) {
                return;
            }
            doc.withObjectProperty("properties").put("diskState", state);
            tx.putResource(ResourceRecords.record(ResourceId.parse(row.id()), doc, row.createdAt(),
                    System.currentTimeMillis()));
        });
    }
}

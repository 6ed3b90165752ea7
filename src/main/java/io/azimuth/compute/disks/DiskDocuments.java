package io.azimuth.compute.disks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.arm.Times;
import io.azimuth.http.Json;
import io.azimuth.store.StoreTx;

import java.util.UUID;

/** Managed disks made by other providers (a VM's OS and data disks), in the same form the Disk RP answers with. */
public final class DiskDocuments {
    public static final String TYPE = "Microsoft.Compute/disks";

    private DiskDocuments() {
    }

    /** Stores a new disk attached to {@code managedBy}, returning its document. */
    public static ObjectNode createAttached(StoreTx tx, ResourceId id, String location, String sku, int sizeGB,
                                            String osType, String hyperVGeneration, ObjectNode creationData,
                                            String managedBy) {
        ObjectNode doc = Json.object();
        doc.put("id", id.toString());
        doc.put("name", id.name());
        doc.put("type", TYPE);
        doc.put("location", location);
        doc.put("managedBy", managedBy);
        fill(doc, sku, sizeGB, osType, hyperVGeneration, creationData, "Attached").put("provisioningState", "Succeeded");
        long now = System.currentTimeMillis();
        tx.putResource(ResourceRecords.record(id, doc, now, now));
        return doc;
    }

    /** The sku and the properties every new disk or snapshot has; returns the properties. */
    static ObjectNode fill(ObjectNode doc, String sku, Integer sizeGB, String osType, String hyperVGeneration,
                           ObjectNode creationData, String diskState) {
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
        p.put("uniqueId", UUID.randomUUID().toString());
        p.put("diskState", diskState);
        return p;
    }

    static String tier(String sku) {
        return sku.startsWith("Premium") ? "Premium" : sku.startsWith("Ultra") ? "Ultra" : "Standard";
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
}

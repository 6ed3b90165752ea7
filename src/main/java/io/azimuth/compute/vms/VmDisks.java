package io.azimuth.compute.vms;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.VhdStore;
import io.azimuth.compute.Caching;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.StorageType;
import io.azimuth.compute.disks.DiskAccess;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.compute.images.ImageDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A new VM's disks: its OS disk (managed, unmanaged in the VHD store, or ephemeral) and data disks (empty, from the
 * image, or attached), with their defaults and limits, and their bytes: disks made from an image hold its bytes (a
 * platform image's are blank), grown to the size asked for; empty data disks are blank. Bytes are written only once
 * every rule has passed ({@link Writes}).
 */
final class VmDisks {
    private static final String SP = VmRules.SP;
    static final List<String> DATA_CREATE = List.of("Empty", "Attach", "FromImage");

    private final ManagedContent content;
    private final VhdStore vhds;

    VmDisks(ManagedContent content) {
        this.content = content;
        this.vhds = content.vhds();
    }

    VhdStore vhds() {
        return vhds;
    }

    /**
     * Where a new disk's bytes come from: managed content (an image disk), a user blob (a user image VHD), or
     * neither, when it is blank; {@code blankBytes} is the size of a blank disk, and of the disk when its source has
     * no bytes (an image stored before images had content, a lenient store's unknown blob).
     */
    record Origin(BlobRef managed, BlobRef user, long blankBytes) {
        static Origin blank(long bytes) {
            return new Origin(null, null, bytes);
        }
    }

    /**
     * The disk bytes a new VM needs, written once every rule has passed: managed content (inside the write) and user
     * blobs (outside it, before it commits); and the user blobs staged for it.
     */
    record Writes(List<Runnable> list, List<OutsideWork<?>> blobs, StagedBlobs staged) {
        void add(Runnable write) {
            list.add(write);
        }
    }

    /** Writes a disk's bytes at {@code target}: its origin's, grown to {@code growTo} bytes (0: as they are). */
    void write(BlobRef target, Origin origin, long growTo, StagedBlobs staged) {
        long blank = Math.max(growTo, origin.blankBytes());
        if (origin.user() != null) {
            content.fill(target, staged, origin.user(), growTo, blank);
        } else {
            content.fill(target, origin.managed(), growTo, blank);
        }
    }

    /** The OS disk's origin: the custom image's OS disk, the user image VHD, or a blank disk of the platform image's size. */
    static Origin osOrigin(VmImages.Disks customImage, BlobRef userImage, long imageBytes) {
        if (customImage != null) {
            return new Origin(customImage.os(), null, imageBytes);
        }
        return new Origin(null, userImage, imageBytes);
    }

    void osDisk(StoreTx tx, ResourceId vm, ObjectNode osIn, ObjectNode osDisk, VmImages.Image image, String location,
                        String hex, ObjectNode state, Writes writes) {
        String f = SP + ".osDisk";
        ObjectNode diff = Fields.object(osIn, "diffDiskSettings", f + ".diffDiskSettings");
        boolean ephemeral = diff != null && "Local".equals(Fields.requiredEnum(diff, "option",
                f + ".diffDiskSettings.option", List.of("Local")));
        ObjectNode vhdIn = Fields.object(osIn, "vhd", f + ".vhd");
        Integer size = Fields.integer(osIn, "diskSizeGB", f + ".diskSizeGB");
        if (size != null && size < image.sizeGB()) {
            throw Fields.invalid(f + ".diskSizeGB", "The requested size " + size + " GB of '" + f + ".diskSizeGB' is "
                    + "smaller than the image's " + image.sizeGB() + " GB.");
        }
        int sizeGB = size != null ? size : image.sizeGB();
        long growTo = size != null ? (long) size << 30 : 0;
        Origin origin = osOrigin(image.disks(), image.blob(), (long) image.sizeGB() << 30);
        if (growTo > 0) {
            state.put("osDiskBytes", growTo);
        }
        String name = Fields.text(osIn, "name", f + ".name");
        osDisk.put("name", name != null ? name : vm.name() + "_OsDisk_1_" + hex);
        osDisk.put("createOption", "FromImage");
        if (image.blob() != null) {
            osDisk.putObject("image").put("uri", image.blob().uri());
        }
        if (ephemeral) {
            if (vhdIn != null) {
                throw Fields.invalid(f + ".diffDiskSettings", "An ephemeral OS disk ('" + f + ".diffDiskSettings') "
                        + "cannot be an unmanaged VHD.");
            }
            String caching = cachingOr(osIn, f, "ReadOnly");
            if (!caching.equals("ReadOnly")) {
                throw Fields.invalid(f + ".caching", "An ephemeral OS disk needs '" + f + ".caching' ReadOnly.");
            }
            osDisk.put("caching", caching);
            ObjectNode d = osDisk.putObject("diffDiskSettings");
            d.put("option", "Local");
            String placement = Fields.enumValue(diff, "placement", f + ".diffDiskSettings.placement",
                    List.of("CacheDisk", "ResourceDisk", "NvmeDisk"));
            d.put("placement", placement == null ? "CacheDisk" : placement);
            osDisk.putObject("managedDisk").put("storageAccountType", storageType(osIn, f, false));
            osDisk.put("diskSizeGB", sizeGB);
            osDisk.put("deleteOption", "Delete");
            state.put("ephemeral", true);
            BlobRef local = BlobRef.managed("vms", hex + "/osDisk");
            state.put("content", ManagedContent.ref(local));
            writes.add(() -> write(local, origin, growTo, writes.staged()));
            return;
        }
        osDisk.put("caching", cachingOr(osIn, f, "ReadWrite"));
        if (vhdIn != null) {
            String uri = Fields.text(vhdIn, "uri", f + ".vhd.uri");
            BlobRef target = blob(uri, f + ".vhd.uri");
            writeDiskBlob(tx, origin, target, growTo, f + ".vhd.uri", writes);
            osDisk.putObject("vhd").put("uri", uri);
        } else {
            String sku = storageType(osIn, f, false);
            ResourceId diskId = ResourceId.resource(vm.subscriptionId(), vm.resourceGroup(), "Microsoft.Compute",
                    "disks", osDisk.get("name").asText());
            if (tx.resource(diskId.key()).isPresent()) {
                throw ArmErrors.conflict("ConflictingDiskName", "A disk named '" + diskId.name()
                        + "' already exists in resource group '" + vm.resourceGroup() + "'.");
            }
            ObjectNode creation = Json.object();
            creation.put("createOption", "FromImage");
            if (image.reference() != null) {
                ObjectNode ref = creation.putObject("imageReference");
                ref.put("id", image.platform() != null ? "/Subscriptions/" + vm.subscriptionId() + "/Providers/"
                        + "Microsoft.Compute/Locations/" + location + "/Publishers/" + image.platform().publisher()
                        + "/ArtifactTypes/VMImage/Offers/" + image.platform().offer() + "/Skus/" + image.platform().sku()
                        + "/Versions/" + image.platform().version() : image.customImageId());
            }
            BlobRef bytes = DiskDocuments.content(DiskDocuments.createAttached(tx, diskId, location, sku, sizeGB,
                    image.osType(), image.hyperVGeneration(), creation, vm.toString())).orElseThrow();
            writes.add(() -> write(bytes, origin, growTo, writes.staged()));
            ObjectNode md = osDisk.putObject("managedDisk");
            md.put("storageAccountType", sku);
            md.put("id", diskId.toString());
        }
        osDisk.put("diskSizeGB", sizeGB);
        osDisk.put("deleteOption", deleteOption(osIn, f, "Detach"));
    }

    ArrayNode dataDisks(StoreTx tx, ResourceId vm, ObjectNode storageIn, VmImages.Image image, String location,
                                String hex, Writes writes) {
        ArrayNode out = Json.array();
        JsonNode in = storageIn.get("dataDisks");
        List<VmImages.DataImage> imaged = image == null || image.disks() == null ? List.of() : image.disks().data();
        if (!Fields.present(in) || (in.isArray() && in.isEmpty())) {
            if (imaged.isEmpty()) {
                return out;
            }
            // none named: the image's data disks come with it, each made from its image at its LUN
            ArrayNode implicit = Json.array();
            imaged.forEach(d -> implicit.addObject().put("lun", d.lun()).put("createOption", "FromImage"));
            in = implicit;
        }
        if (!in.isArray()) {
            throw Fields.invalid(SP + ".dataDisks", "The value of '" + SP + ".dataDisks' must be an array.");
        }
        for (VmImages.DataImage d : imaged) {
            boolean named = false;
            for (JsonNode given : in) {
                named |= given.path("lun").asInt(-1) == d.lun() && "FromImage".equals(given.path("createOption").asText());
            }
            if (!named) {
                // Azure's answer when the data disks listed leave out one of the image's
                throw Fields.invalid("storageProfile", "StorageProfile.dataDisks.lun does not have required value(s) "
                        + "for image specified in storage profile: the image has a data disk at LUN " + d.lun()
                        + ", to be listed with createOption 'FromImage'.");
            }
        }
        Set<Integer> luns = new HashSet<>();
        for (int i = 0; i < in.size(); i++) {
            String f = SP + ".dataDisks[" + i + "]";
            JsonNode d = in.get(i);
            Integer lun = Fields.integer(d, "lun", f + ".lun");
            if (lun == null || lun < 0 || lun > 63) {
                throw Fields.invalid(f + ".lun", "'" + f + ".lun' is required, from 0 to 63.");
            }
            if (!luns.add(lun)) {
                throw Fields.invalid(f + ".lun", "The LUN " + lun + " of '" + f + ".lun' is used by more than one data "
                        + "disk.");
            }
            String option = Fields.requiredEnum(d, "createOption", f + ".createOption", DATA_CREATE);
            ObjectNode disk = out.addObject();
            disk.put("lun", lun);
            String name = Fields.text(d, "name", f + ".name");
            Integer size = Fields.integer(d, "diskSizeGB", f + ".diskSizeGB");
            ObjectNode vhdIn = Fields.object(d, "vhd", f + ".vhd");
            String caching = cachingOr(d, f, "None");
            if (option.equals("Attach")) {
                String raw = Fields.text(Fields.object(d, "managedDisk", f + ".managedDisk"), "id", f + ".managedDisk.id");
                ResourceId diskId = Fields.reference(raw, f + ".managedDisk.id", DiskDocuments.TYPE);
                ObjectNode existing = TrackedResources.lookup(tx, diskId).orElseThrow(() -> ArmErrors.referenceNotFound("managed disk",
                        raw, f + ".managedDisk.id"));
                requireFree(existing, raw);
                DiskDocuments.setManagedBy(tx, diskId, vm.toString());
                disk.put("name", diskId.name());
                disk.put("createOption", "Attach");
                disk.put("caching", caching);
                ObjectNode md = disk.putObject("managedDisk");
                md.put("storageAccountType", existing.path("sku").path("name").asText("Standard_LRS"));
                md.put("id", existing.path("id").asText());
                disk.put("diskSizeGB", existing.path("properties").path("diskSizeGB").asInt());
                disk.put("deleteOption", deleteOption(d, f, "Detach"));
                continue;
            }
            int sizeGB;
            long growTo = 0;
            Origin origin;
            if (option.equals("FromImage")) {
                int at = lun;
                VmImages.DataImage source = image == null || image.disks() == null ? null
                        : image.disks().lun(at).orElse(null);
                if (source == null) {
                    throw Fields.invalid(f + ".createOption", "'" + f + ".createOption' is FromImage but the image has "
                            + "no data disk at LUN " + lun + ".");
                }
                sizeGB = size != null ? Math.max(size, source.sizeGB()) : source.sizeGB();
                growTo = size != null ? (long) sizeGB << 30 : 0;
                origin = new Origin(source.content(), null, (long) source.sizeGB() << 30);
            } else {
                if (size == null || size < 1 || size > 32767) {
                    throw Fields.invalid(f + ".diskSizeGB", "'" + f + ".diskSizeGB' is required for an empty data disk, "
                            + "from 1 to 32767 GB.");
                }
                sizeGB = size;
                origin = Origin.blank((long) size << 30);
            }
            disk.put("name", name != null ? name : vm.name() + "_disk" + lun + "_" + hex);
            disk.put("createOption", option);
            disk.put("caching", caching);
            if (vhdIn != null) {
                String uri = Fields.text(vhdIn, "uri", f + ".vhd.uri");
                writeDiskBlob(tx, origin, blob(uri, f + ".vhd.uri"), growTo, f + ".vhd.uri", writes);
                disk.putObject("vhd").put("uri", uri);
            } else {
                String sku = storageType(d, f, true);
                ResourceId diskId = ResourceId.resource(vm.subscriptionId(), vm.resourceGroup(), "Microsoft.Compute",
                        "disks", disk.get("name").asText());
                if (tx.resource(diskId.key()).isPresent()) {
                    throw ArmErrors.conflict("ConflictingDiskName", "A disk named '" + diskId.name()
                            + "' already exists in resource group '" + vm.resourceGroup() + "'.");
                }
                ObjectNode creation = Json.object();
                creation.put("createOption", option);
                BlobRef bytes = DiskDocuments.content(DiskDocuments.createAttached(tx, diskId, location, sku, sizeGB,
                        null, null, creation, vm.toString())).orElseThrow();
                Origin from = origin;
                long grow = growTo;
                writes.add(() -> write(bytes, from, grow, writes.staged()));
                ObjectNode md = disk.putObject("managedDisk");
                md.put("storageAccountType", sku);
                md.put("id", diskId.toString());
            }
            disk.put("diskSizeGB", sizeGB);
            disk.put("deleteOption", deleteOption(d, f, "Detach"));
        }
        return out;
    }

    static void requireFree(ObjectNode disk, String raw) {
        String owner = disk.path("managedBy").asText("");
        if (!owner.isEmpty()) {
            throw ArmErrors.operationNotAllowed("The disk '" + raw + "' is already attached to VM '"
                    + owner + "'.");
        }
        DiskAccess.refuseWhileActive(disk, "attach");
    }

    /** A new unmanaged disk: its blob must not exist yet; its bytes are written with the others, outside the write. */
    private void writeDiskBlob(StoreTx tx, Origin origin, BlobRef target, long growTo, String field, Writes writes) {
        if (tx.outside(BlobWork.size(vhds, target)).isPresent()) {
            throw new ApiException(409, "BlobAlreadyExists", "The blob '" + target.uri() + "' given in '" + field
                    + "' already exists.", field);
        }
        writes.blobs().add(BlobWork.write(vhds, "disk " + field, target,
                () -> write(target, origin, growTo, writes.staged())));
    }

    static BlobRef blob(String uri, String field) {
        if (uri == null) {
            throw Fields.invalid(field, "Required parameter '" + field + "' is missing (null).");
        }
        try {
            return BlobRef.parse(uri);
        } catch (IllegalArgumentException e) {
            throw Fields.invalid(field, "The value of '" + field + "' is not a blob URI: " + e.getMessage() + ".");
        }
    }

    static String cachingOr(JsonNode in, String f, String dflt) {
        String c = Fields.enumValue(in, "caching", f + ".caching", Caching.NAMES);
        return c != null ? c : dflt;
    }

    static String deleteOption(JsonNode in, String f, String dflt) {
        String c = Fields.enumValue(in, "deleteOption", f + ".deleteOption", VmRules.DELETE_OPTIONS);
        return c != null ? c : dflt;
    }

    private static String storageType(JsonNode in, String f, boolean data) {
        String t = Fields.enumValue(in.path("managedDisk"), "storageAccountType", f + ".managedDisk.storageAccountType",
                StorageType.NAMES);
        if (!data && "UltraSSD_LRS".equals(t)) {
            throw Fields.invalid(f + ".managedDisk.storageAccountType", "'" + f + ".managedDisk.storageAccountType' "
                    + "UltraSSD_LRS can be used only with data disks.");
        }
        return t != null ? t : "Standard_LRS";
    }
}

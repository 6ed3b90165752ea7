package io.azimuth.compute.images;

import io.azimuth.arm.ArmErrors;
import io.azimuth.compute.StorageType;
import io.azimuth.compute.OsType;
import io.azimuth.compute.OsState;
import io.azimuth.compute.HyperVGeneration;
import io.azimuth.compute.Caching;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The rules of {@code Microsoft.Compute/images} (the "Create a virtual machine image" and "Images - Create Or
 * Update" documents): an OS disk or a source VM; per disk exactly one source among blob, snapshot and managed
 * disk; OS type and state required; enums case-insensitive and answered in Azure's casing; LUNs required and
 * unique; sizes may grow a source but not shrink it and stay within 1023 GB; UltraSSD_LRS only for data disks;
 * defaults filled in as the service does. Every image disk holds its own copy of its source's bytes
 * ({@code images/{id}/osDisk}, {@code images/{id}/lun-{n}} in the managed account, {@code id} kept in the image's
 * private state), made inside the image's write and freed with it.
 */
final class ImageRules {
    static final int MAX_IMAGE_DISK_GB = 1023;
    static final int MAX_LUN = 63;

    static final String DISKS = "Microsoft.Compute/disks";
    static final String SNAPSHOTS = "Microsoft.Compute/snapshots";

    static final String TYPE = "Microsoft.Compute/images";

    private final ManagedContent content;
    private final Supplier<VirtualMachineSource> vmSource;

    ImageRules(ManagedContent content, Supplier<VirtualMachineSource> vmSource) {
        this.content = content;
        this.vmSource = vmSource;
    }

    /**
     * The user blobs an image PUT or PATCH body names, directly or through its source VM's unmanaged disks, for
     * staging before the write (read outside it: the write resolves them again).
     */
    List<StagedBlobs.Source> blobSources(StoreTx tx, ObjectNode body) {
        List<StagedBlobs.Source> out = new ArrayList<>();
        JsonNode profile = body.path("properties").path("storageProfile");
        String p = "properties.storageProfile";
        if (profile.path("osDisk").path("blobUri").isTextual()) {
            out.add(new StagedBlobs.Source(profile.path("osDisk").path("blobUri").asText(), p + ".osDisk.blobUri"));
        }
        JsonNode data = profile.path("dataDisks");
        for (int i = 0; data.isArray() && i < data.size(); i++) {
            if (data.get(i).path("blobUri").isTextual()) {
                out.add(new StagedBlobs.Source(data.get(i).path("blobUri").asText(),
                        p + ".dataDisks[" + i + "].blobUri"));
            }
        }
        JsonNode vm = body.path("properties").path("sourceVirtualMachine").path("id");
        if (vm.isTextual()) {
            try {
                ObjectNode fromVm = vmSource.get().storageProfile(tx, Fields.reference(vm.asText(),
                        "properties.sourceVirtualMachine.id", "Microsoft.Compute/virtualMachines"),
                        "properties.sourceVirtualMachine.id");
                List<JsonNode> disks = new ArrayList<>();
                disks.add(fromVm.path("osDisk"));
                fromVm.path("dataDisks").forEach(disks::add);
                for (JsonNode d : disks) {
                    if (d.path("blobUri").isTextual()) {
                        out.add(new StagedBlobs.Source(d.path("blobUri").asText(), "properties.sourceVirtualMachine.id"));
                    }
                }
            } catch (ApiException e) {
                // the write refuses it
            }
        }
        return out;
    }

    /** What a disk's source said about the disk: its size (null when unknown) and Hyper-V generation. */
    private record Source(Integer sizeGB, String hyperVGeneration) {
    }

    /** The source disks and snapshots a write has read, by the key of their id: each is read once per write. */
    private static final class Sources {
        private final Map<String, Optional<ObjectNode>> read = new HashMap<>();

        Optional<ObjectNode> find(StoreTx tx, ResourceId id) {
            return read.computeIfAbsent(id.key(), k -> TrackedResources.lookup(tx, id));
        }
    }

    ObjectNode createOrUpdate(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current,
                              StagedBlobs staged) {
        String location = Fields.location(body);
        current.ifPresent(doc -> TrackedResources.requireSameLocation(doc, location));
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            throw Fields.invalid("properties", "Required parameter 'properties' is missing (null).");
        }
        String hyperV = Fields.enumValue(props, "hyperVGeneration", "properties.hyperVGeneration", HyperVGeneration.NAMES);
        ObjectNode profileIn = Fields.object(props, "storageProfile", "properties.storageProfile");
        ObjectNode osDiskIn = Fields.object(profileIn, "osDisk", "properties.storageProfile.osDisk");
        ObjectNode vmRef = Fields.object(props, "sourceVirtualMachine", "properties.sourceVirtualMachine");

        ObjectNode storage = Json.object();
        Sources sources = new Sources();
        String inferredHyperV = null;
        if (vmRef != null) {
            if (osDiskIn != null) {
                throw Fields.invalid("properties.sourceVirtualMachine", "An image is made from "
                        + "'properties.sourceVirtualMachine' or from 'properties.storageProfile.osDisk', not both.");
            }
            String raw = Fields.text(vmRef, "id", "properties.sourceVirtualMachine.id");
            ResourceId vm = Fields.reference(raw, "properties.sourceVirtualMachine.id", "Microsoft.Compute/virtualMachines");
            storage = vmSource.get().storageProfile(tx, vm, "properties.sourceVirtualMachine.id");
            JsonNode generation = storage.remove("hyperVGeneration");
            inferredHyperV = generation == null ? null : generation.asText();
        } else {
            if (osDiskIn == null) {
                throw Fields.invalid("properties.storageProfile.osDisk", "Required parameter "
                        + "'properties.storageProfile.osDisk' is missing (null): an image needs an OS disk or a source "
                        + "virtual machine.");
            }
            ObjectNode osDisk = storage.putObject("osDisk");
            String p = "properties.storageProfile.osDisk";
            osDisk.put("osType", Fields.requiredEnum(osDiskIn, "osType", p + ".osType", OsType.NAMES));
            osDisk.put("osState", Fields.requiredEnum(osDiskIn, "osState", p + ".osState", OsState.NAMES));
            Source source = source(tx, osDiskIn, osDisk, p, staged, sources);
            inferredHyperV = source.hyperVGeneration();
            disk(osDiskIn, osDisk, p, source, "ReadWrite", true);
            ArrayNode dataOut = storage.putArray("dataDisks");
            JsonNode dataIn = profileIn.get("dataDisks");
            if (Fields.present(dataIn)) {
                if (!dataIn.isArray()) {
                    throw Fields.invalid("properties.storageProfile.dataDisks", "The value of "
                            + "'properties.storageProfile.dataDisks' must be an array.");
                }
                Set<Integer> luns = new HashSet<>();
                for (int i = 0; i < dataIn.size(); i++) {
                    String f = "properties.storageProfile.dataDisks[" + i + "]";
                    if (!dataIn.get(i).isObject()) {
                        throw Fields.invalid(f, "The value of '" + f + "' must be an object.");
                    }
                    ObjectNode in = (ObjectNode) dataIn.get(i);
                    ObjectNode out = dataOut.addObject();
                    Integer lun = Fields.integer(in, "lun", f + ".lun");
                    if (lun == null) {
                        throw Fields.invalid(f + ".lun", "Required parameter '" + f + ".lun' is missing (null): every "
                                + "data disk needs a LUN.");
                    }
                    if (lun < 0 || lun > MAX_LUN) {
                        throw Fields.invalid(f + ".lun", "The LUN " + lun + " of '" + f + ".lun' is out of range 0 to "
                                + MAX_LUN + ".");
                    }
                    if (!luns.add(lun)) {
                        throw Fields.invalid(f + ".lun", "The LUN " + lun + " of '" + f + ".lun' is used by more "
                                + "than one data disk; LUNs must be unique within an image.");
                    }
                    out.put("lun", lun);
                    disk(in, out, f, source(tx, in, out, f, staged, sources), "None", false);
                }
            }
        }
        if (!storage.has("dataDisks")) {
            storage.putArray("dataDisks");
        }
        Boolean zoneResilient = Fields.bool(profileIn, "zoneResilient", "properties.storageProfile.zoneResilient");
        storage.put("zoneResilient", zoneResilient != null ? zoneResilient
                : storage.path("zoneResilient").asBoolean(false));

        ObjectNode doc = TrackedResources.envelope(TYPE, id, location, tags);
        ObjectNode out = doc.putObject("properties");
        if (vmRef != null) {
            out.putObject("sourceVirtualMachine").put("id", vmRef.get("id").asText());
        }
        out.set("storageProfile", storage);
        out.put("hyperVGeneration", hyperV != null ? hyperV : inferredHyperV != null ? inferredHyperV : "V1");
        current.ifPresent(c -> doc.set(ManagedContent.STATE, c.path(ManagedContent.STATE).deepCopy()));
        fillContents(tx, doc, vmRef != null ? Map.of() : requestedSizes(profileIn), staged, sources);
        return doc;
    }

    /** The sizes a request asked for, by image disk ({@code osDisk}, {@code lun-<n>}): its bytes grow to them. */
    private static Map<String, Integer> requestedSizes(JsonNode profileIn) {
        Map<String, Integer> sizes = new HashMap<>();
        if (profileIn.path("osDisk").path("diskSizeGB").canConvertToInt()) {
            sizes.put(ImageDocuments.diskName(null), profileIn.path("osDisk").path("diskSizeGB").asInt());
        }
        for (JsonNode d : profileIn.path("dataDisks")) {
            if (d.path("diskSizeGB").canConvertToInt() && d.path("lun").canConvertToInt()) {
                sizes.put(ImageDocuments.diskName(d.path("lun").asInt()), d.path("diskSizeGB").asInt());
            }
        }
        return sizes;
    }

    /**
     * Gives every disk of the image's storage profile its own copy of its source's bytes (grown to the size the
     * request asked for), replacing what the image held before and freeing what it no longer has.
     */
    private void fillContents(StoreTx tx, ObjectNode doc, Map<String, Integer> requested, StagedBlobs staged,
                              Sources sources) {
        ObjectNode state = ManagedContent.state(doc);
        String imageId = state.path("id").asText(null);
        if (imageId == null) {
            imageId = UUID.randomUUID().toString();
            state.put("id", imageId);
        }
        JsonNode before = state.path("disks").deepCopy();
        ObjectNode refs = state.putObject("disks");
        JsonNode storage = doc.path("properties").path("storageProfile");
        fillDisk(tx, storage.path("osDisk"), ImageDocuments.diskName(null), imageId, requested, staged, refs, sources);
        for (JsonNode d : storage.path("dataDisks")) {
            fillDisk(tx, d, ImageDocuments.diskName(d.path("lun").asInt()), imageId, requested, staged, refs, sources);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = before.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> old = it.next();
            if (!refs.has(old.getKey())) {
                content.free(ManagedContent.parse(old.getValue().asText()));
            }
        }
    }

    private void fillDisk(StoreTx tx, JsonNode disk, String name, String imageId, Map<String, Integer> requested,
                          StagedBlobs staged, ObjectNode refs, Sources sources) {
        BlobRef target = BlobRef.managed("images", imageId + "/" + name);
        refs.put(name, ManagedContent.ref(target));
        long asked = requested.containsKey(name) ? (long) requested.get(name) << 30 : 0;
        long declared = (long) disk.path("diskSizeGB").asInt(0) << 30;
        if (disk.path("blobUri").isTextual()) {
            content.fill(target, staged, BlobRef.parse(disk.path("blobUri").asText()), asked);
            return;
        }
        String raw = disk.has("snapshot") ? disk.path("snapshot").path("id").asText()
                : disk.path("managedDisk").path("id").asText();
        Optional<BlobRef> source = raw.isEmpty() ? Optional.empty()
                : sources.find(tx, ResourceId.parse(raw.startsWith("/") ? raw : "/" + raw))
                .flatMap(DiskDocuments::content);
        // a copy of the source's bytes grown to the size asked for; without them, a blank disk of the size known
        content.fill(target, source.orElse(null), asked, Math.max(asked, declared));
    }

    /** Frees the bytes of a deleted image's disks. */
    void release(JsonNode doc) {
        for (JsonNode ref : doc.path(ManagedContent.STATE).path("disks")) {
            content.free(ManagedContent.parse(ref.asText()));
        }
    }

    /** PATCH: tags, hyperVGeneration, zoneResilient, and a new source virtual machine. */
    ObjectNode update(StoreTx tx, ObjectNode doc, ObjectNode body, StagedBlobs staged) {
        if (body.has("tags")) {
            Map<String, String> tags = Tags.parse(body.get("tags"));
            if (tags == null) {
                doc.remove("tags");
            } else {
                doc.set("tags", Tags.render(tags));
            }
        }
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            return doc;
        }
        ObjectNode out = doc.withObjectProperty("properties");
        String hyperV = Fields.enumValue(props, "hyperVGeneration", "properties.hyperVGeneration", HyperVGeneration.NAMES);
        if (hyperV != null) {
            out.put("hyperVGeneration", hyperV);
        }
        ObjectNode vmRef = Fields.object(props, "sourceVirtualMachine", "properties.sourceVirtualMachine");
        if (vmRef != null) {
            String raw = Fields.text(vmRef, "id", "properties.sourceVirtualMachine.id");
            ResourceId vm = Fields.reference(raw, "properties.sourceVirtualMachine.id", "Microsoft.Compute/virtualMachines");
            ObjectNode storage = vmSource.get().storageProfile(tx, vm, "properties.sourceVirtualMachine.id");
            storage.remove("hyperVGeneration");
            storage.put("zoneResilient", out.path("storageProfile").path("zoneResilient").asBoolean(false));
            out.set("storageProfile", storage);
            out.putObject("sourceVirtualMachine").put("id", raw);
            fillContents(tx, doc, Map.of(), staged, new Sources());
        }
        ObjectNode profile = Fields.object(props, "storageProfile", "properties.storageProfile");
        Boolean zoneResilient = Fields.bool(profile, "zoneResilient", "properties.storageProfile.zoneResilient");
        if (zoneResilient != null) {
            out.withObjectProperty("storageProfile").put("zoneResilient", zoneResilient);
        }
        return doc;
    }

    /** Resolves the one source of a disk and copies it into {@code out}. */
    private Source source(StoreTx tx, ObjectNode in, ObjectNode out, String field, StagedBlobs staged,
                          Sources sources) {
        String blobUri = Fields.text(in, "blobUri", field + ".blobUri");
        ObjectNode snapshot = Fields.object(in, "snapshot", field + ".snapshot");
        ObjectNode managedDisk = Fields.object(in, "managedDisk", field + ".managedDisk");
        int count = (blobUri != null ? 1 : 0) + (snapshot != null ? 1 : 0) + (managedDisk != null ? 1 : 0);
        if (count != 1) {
            throw Fields.invalid(field, (count == 0 ? "No source is given for '" : "More than one source is given for '")
                    + field + "': exactly one of 'blobUri', 'snapshot' and 'managedDisk' is required.");
        }
        if (blobUri != null) {
            BlobRef blob;
            try {
                blob = BlobRef.parse(blobUri);
            } catch (IllegalArgumentException e) {
                throw Fields.invalid(field + ".blobUri", "The value of '" + field + ".blobUri' is not a blob URI: "
                        + e.getMessage() + ".");
            }
            Vhd vhd = staged.vhd(blob, field + ".blobUri");
            out.put("blobUri", blobUri);
            return new Source(vhd.sizeKnown() ? vhd.sizeGiB() : null, null);
        }
        boolean isSnapshot = snapshot != null;
        ObjectNode ref = isSnapshot ? snapshot : managedDisk;
        String refField = field + (isSnapshot ? ".snapshot.id" : ".managedDisk.id");
        String raw = Fields.text(ref, "id", refField);
        ResourceId id = Fields.reference(raw, refField, isSnapshot ? SNAPSHOTS : DISKS);
        ObjectNode found = sources.find(tx, id).orElseThrow(() -> ArmErrors.referenceNotFound(
                isSnapshot ? "snapshot" : "managed disk", raw, refField));
        if (TrackedResources.busy(found)) {
            throw ArmErrors.operationNotAllowed("The " + (isSnapshot ? "snapshot" : "managed disk")
                    + " '" + raw + "' is " + TrackedResources.provisioningState(found)
                    + "; an image can be made from it once that has finished.");
        }
        out.putObject(isSnapshot ? "snapshot" : "managedDisk").put("id", raw);
        JsonNode p = found.path("properties");
        return new Source(p.hasNonNull("diskSizeGB") ? p.get("diskSizeGB").asInt() : null,
                p.hasNonNull("hyperVGeneration") ? p.get("hyperVGeneration").asText() : null);
    }

    /** Caching, storage account type, size and encryption set of one image disk. */
    private void disk(ObjectNode in, ObjectNode out, String field, Source source, String defaultCaching, boolean os) {
        String caching = Fields.enumValue(in, "caching", field + ".caching", Caching.NAMES);
        String hostCaching = Fields.enumValue(in, "hostCaching", field + ".hostCaching", Caching.NAMES);
        out.put("caching", caching != null ? caching : hostCaching != null ? hostCaching : defaultCaching);
        String storageType = Fields.enumValue(in, "storageAccountType", field + ".storageAccountType", StorageType.NAMES);
        if (os && "UltraSSD_LRS".equals(storageType)) {
            throw Fields.invalid(field + ".storageAccountType", "'" + field + ".storageAccountType' is UltraSSD_LRS, "
                    + "which can be used only with data disks, not with the OS disk.");
        }
        out.put("storageAccountType", storageType != null ? storageType : "Standard_LRS");
        Integer size = Fields.integer(in, "diskSizeGB", field + ".diskSizeGB");
        if (size != null) {
            if (size < 1 || size > MAX_IMAGE_DISK_GB) {
                throw Fields.invalid(field + ".diskSizeGB", "The value " + size + " of '" + field + ".diskSizeGB' is "
                        + "out of range: an image disk is 1 to " + MAX_IMAGE_DISK_GB + " GB.");
            }
            if (source.sizeGB() != null && size < source.sizeGB()) {
                throw Fields.invalid(field + ".diskSizeGB", "The requested size " + size + " GB of '" + field
                        + ".diskSizeGB' is smaller than its source's " + source.sizeGB() + " GB: a disk can grow but "
                        + "not shrink.");
            }
            out.put("diskSizeGB", size);
        } else if (source.sizeGB() != null) {
            out.put("diskSizeGB", source.sizeGB());
        }
        ObjectNode des = Fields.object(in, "diskEncryptionSet", field + ".diskEncryptionSet");
        if (des != null) {
            String raw = Fields.text(des, "id", field + ".diskEncryptionSet.id");
            Fields.reference(raw, field + ".diskEncryptionSet.id", "Microsoft.Compute/diskEncryptionSets");
            out.putObject("diskEncryptionSet").put("id", raw);
        }
    }
}

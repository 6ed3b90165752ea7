package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.Locations;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.compute.Caching;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.compute.images.ImageDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The rules of an image version ({@code Microsoft.Compute/galleries/images/versions}): in its image's region; made
 * from a managed image, a VM, another version, a snapshot or a managed disk ({@code storageProfile.source.id}), or
 * disk by disk from snapshots, managed disks and VHD blobs ({@code osDiskImage.source}, {@code dataDiskImages});
 * the source must agree with the definition (OS type, state, Hyper-V generation); the publishing profile's target
 * regions are known regions, include the version's own, and replicate on {@link Replication}'s clock. Each disk of
 * a version holds its own copy of its source's bytes ({@code galleries/{id}/osDisk}, {@code .../lun-{n}}), so that
 * deleting the source leaves it whole; the source cannot change afterwards.
 */
final class VersionRules {
    static final List<String> STORAGE_TYPES = List.of("Standard_LRS", "Standard_ZRS", "Premium_LRS");
    static final List<String> REPLICATION_MODES = List.of("Full", "Shallow");
    static final int MAX_REPLICAS = 100;
    static final int MAX_LUN = 63;
    private static final String P = "properties.";
    private static final String PP = "properties.publishingProfile";
    private static final String SP = "properties.storageProfile";

    private final ManagedContent content;
    private final Replication replication;
    private final Supplier<GalleryVmSource> vmSource;

    VersionRules(ManagedContent content, Replication replication, Supplier<GalleryVmSource> vmSource) {
        this.content = content;
        this.replication = replication;
        this.vmSource = vmSource;
    }

    /** One disk of a new version: where its bytes come from, what it shows. */
    private record Planned(Integer lun, Integer sizeGB, String caching, BlobRef managed, BlobRef user,
                           ObjectNode sourceOut) {
    }

    /** What a version's source says of its OS (null when it does not say), and the field naming it. */
    private record Origin(String osType, String osState, String hyperVGeneration, String field) {
    }

    // ---- staging ----

    /** The user blobs a body names (VHD sources, a source VM's unmanaged disks), staged before its write. */
    List<StagedBlobs.Source> blobSources(StoreTx tx, ObjectNode body) {
        List<StagedBlobs.Source> out = new ArrayList<>();
        JsonNode sp = body.path("properties").path("storageProfile");
        JsonNode os = sp.path("osDiskImage").path("source").path("uri");
        if (os.isTextual()) {
            out.add(new StagedBlobs.Source(os.asText(), SP + ".osDiskImage.source.uri"));
        }
        JsonNode data = sp.path("dataDiskImages");
        for (int i = 0; data.isArray() && i < data.size(); i++) {
            JsonNode uri = data.get(i).path("source").path("uri");
            if (uri.isTextual()) {
                out.add(new StagedBlobs.Source(uri.asText(), SP + ".dataDiskImages[" + i + "].source.uri"));
            }
        }
        String vm = sp.path("source").path("virtualMachineId").asText(sp.path("source").path("id").asText(""));
        if (vm.toLowerCase(Locale.ROOT).contains("/microsoft.compute/virtualmachines/")) {
            try {
                ObjectNode disks = vmSource.get().disks(tx, ResourceId.parse(vm.startsWith("/") ? vm : "/" + vm),
                        SP + ".source.id");
                List<JsonNode> all = new ArrayList<>();
                all.add(disks.path("osDisk"));
                disks.path("dataDisks").forEach(all::add);
                for (JsonNode d : all) {
                    if (d.path("blobUri").isTextual()) {
                        out.add(new StagedBlobs.Source(d.path("blobUri").asText(), SP + ".source.id"));
                    }
                }
            } catch (RuntimeException e) {
                // the write refuses it with its own message
            }
        }
        return out;
    }

    // ---- PUT ----

    ObjectNode put(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current, StagedBlobs staged) {
        String location = Fields.location(body);
        current.ifPresent(doc -> TrackedResources.requireSameLocation(doc, location));
        ObjectNode definition = TrackedResources.lookup(tx, id.parent()).orElseThrow();
        if (!definition.path("location").asText().equals(location)) {
            throw Fields.invalid("location", "A gallery image version is in its gallery image's region: '" + location
                    + "' is not '" + definition.path("location").asText() + "'.");
        }
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            throw ArmErrors.missing("properties");
        }
        ObjectNode doc = TrackedResources.envelope(GalleryDocuments.VERSIONS, id, location, tags);
        ObjectNode out = doc.putObject("properties");
        JsonNode before = current.map(c -> c.path("properties").path("publishingProfile")).orElse(null);
        out.set("publishingProfile", publishing(Fields.object(props, "publishingProfile", PP), location, before));
        ObjectNode storageIn = Fields.object(props, "storageProfile", SP);
        String legacy = legacySource(props);
        if (legacy != null) {
            if (storageIn != null) {
                throw Fields.invalid(PP + ".source", "A version names its source once: in '" + SP + ".source' or, "
                        + "with api-versions before 2019-07-01, in '" + PP + ".source'.");
            }
            storageIn = Json.object();
            storageIn.putObject("source").put("id", legacy);
            out.withObjectProperty("publishingProfile").putObject("source").putObject("managedImage").put("id", legacy);
        }
        if (current.isPresent()) {
            ObjectNode was = current.get();
            if (storageIn != null && !sameSource(storageIn, was.path("properties").path("storageProfile"))) {
                throw changeRefused("storageProfile");
            }
            ObjectNode storage = was.path("properties").path("storageProfile").deepCopy();
            if (storageIn != null) {
                caching(storageIn, storage);
            }
            out.set("storageProfile", storage);
            ManagedContent.state(doc).set("id", was.path(ManagedContent.STATE).path("id"));
            ManagedContent.state(doc).set("disks", was.path(ManagedContent.STATE).path("disks").deepCopy());
        } else {
            if (storageIn == null) {
                throw ArmErrors.missing(SP);
            }
            out.set("storageProfile", make(tx, storageIn, definition, staged, ManagedContent.state(doc)));
        }
        out.set("safetyProfile", safety(props, current.map(c -> c.path("properties").path("safetyProfile"))
                .orElse(null)));
        current.ifPresent(c -> refuseDroppedRegions(c, out));
        replication.start(doc, current.map(c -> c.path(ManagedContent.STATE)).orElse(null));
        return doc;
    }

    /**
     * The source as api-versions before 2019-07-01 name it ({@code publishingProfile.source.managedImage.id}, a
     * managed image), as packer's azure-arm builder of that era sends it; null when not given.
     */
    private static String legacySource(ObjectNode props) {
        ObjectNode publishing = Fields.object(props, "publishingProfile", PP);
        ObjectNode source = publishing == null ? null : Fields.object(publishing, "source", PP + ".source");
        if (source == null) {
            return null;
        }
        ObjectNode managed = Fields.object(source, "managedImage", PP + ".source.managedImage");
        String id = managed == null ? null : Fields.text(managed, "id", PP + ".source.managedImage.id");
        if (id == null) {
            throw ArmErrors.missing(PP + ".source.managedImage.id");
        }
        return id;
    }

    // ---- PATCH ----

    /** PATCH: tags, the publishing profile (its members given replace the current ones), the safety profile. */
    ObjectNode patch(StoreTx tx, ResourceId id, ObjectNode body, ObjectNode doc) {
        GalleryText.patchTags(doc, body);
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            return doc;
        }
        ObjectNode before = doc.deepCopy();
        ObjectNode out = doc.withObjectProperty("properties");
        ObjectNode storageIn = Fields.object(props, "storageProfile", SP);
        if (storageIn != null) {
            if (!sameSource(storageIn, out.path("storageProfile"))) {
                throw changeRefused("storageProfile");
            }
            caching(storageIn, out.withObjectProperty("storageProfile"));
        }
        ObjectNode ppIn = Fields.object(props, "publishingProfile", PP);
        if (ppIn != null) {
            ObjectNode merged = out.path("publishingProfile").deepCopy();
            ppIn.fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
            if (!ppIn.has("targetRegions")) {
                merged.remove("targetRegions"); // kept below, from what is stored
            }
            ObjectNode profile = publishing(merged, doc.path("location").asText(), out.path("publishingProfile"));
            if (!ppIn.has("targetRegions")) {
                profile.set("targetRegions", out.path("publishingProfile").path("targetRegions").deepCopy());
            }
            out.set("publishingProfile", profile);
        }
        if (props.has("safetyProfile")) {
            out.set("safetyProfile", safety(props, out.path("safetyProfile")));
        }
        refuseDroppedRegions(before, out);
        replication.start(doc, before.path(ManagedContent.STATE));
        return doc;
    }

    /** Frees the bytes of a deleted version's disks. */
    void release(JsonNode doc) {
        for (JsonNode ref : doc.path(ManagedContent.STATE).path("disks")) {
            content.free(ManagedContent.parse(ref.asText()));
        }
    }

    // ---- the publishing profile ----

    private ObjectNode publishing(ObjectNode in, String location, JsonNode before) {
        ObjectNode out = Json.object();
        Integer replicas = Fields.integer(in, "replicaCount", PP + ".replicaCount");
        replicas = replicas == null ? 1 : replicas;
        checkReplicas(replicas, PP + ".replicaCount");
        String storageType = Fields.enumValue(in, "storageAccountType", PP + ".storageAccountType", STORAGE_TYPES);
        storageType = storageType == null ? "Standard_LRS" : storageType;
        Boolean exclude = Fields.bool(in, "excludeFromLatest", PP + ".excludeFromLatest");
        String endOfLife = GalleryText.dateTime(in, "endOfLifeDate", PP + ".endOfLifeDate");
        String mode = Fields.enumValue(in, "replicationMode", PP + ".replicationMode", REPLICATION_MODES);

        ArrayNode regions = out.putArray("targetRegions");
        JsonNode given = in == null ? null : in.get("targetRegions");
        String own = Locations.displayName(location);
        if (Fields.present(given)) {
            if (!given.isArray() || given.isEmpty()) {
                throw Fields.invalid(PP + ".targetRegions", "'" + PP + ".targetRegions' is an array of at least one "
                        + "region.");
            }
            Set<String> seen = new HashSet<>();
            boolean hasOwn = false;
            for (int i = 0; i < given.size(); i++) {
                String f = PP + ".targetRegions[" + i + "]";
                JsonNode r = given.get(i);
                if (!r.isObject()) {
                    throw Fields.invalid(f, "The value of '" + f + "' must be an object.");
                }
                String raw = Fields.text(r, "name", f + ".name");
                if (raw == null || raw.isBlank()) {
                    throw ArmErrors.missing(f + ".name");
                }
                String name = Locations.normalise(raw).orElseThrow(() -> Fields.invalid(f + ".name", "The region '"
                        + raw + "' of '" + f + ".name' is not an Azure region. Known regions are '"
                        + String.join(",", Locations.names()) + "'."));
                if (!seen.add(name)) {
                    throw Fields.invalid(f + ".name", "The region '" + raw + "' is given more than once in '" + PP
                            + ".targetRegions'.");
                }
                hasOwn |= name.equals(location);
                ObjectNode region = regions.addObject();
                region.put("name", Locations.displayName(name));
                Integer count = Fields.integer(r, "regionalReplicaCount", f + ".regionalReplicaCount");
                count = count == null ? replicas : count;
                checkReplicas(count, f + ".regionalReplicaCount");
                region.put("regionalReplicaCount", count);
                String type = Fields.enumValue(r, "storageAccountType", f + ".storageAccountType", STORAGE_TYPES);
                region.put("storageAccountType", type == null ? storageType : type);
                ObjectNode encryption = Fields.object(r, "encryption", f + ".encryption");
                if (encryption != null) {
                    region.set("encryption", encryption.deepCopy());
                }
                Boolean regionExclude = Fields.bool(r, "excludeFromLatest", f + ".excludeFromLatest");
                region.put("excludeFromLatest", regionExclude != null && regionExclude);
            }
            if (!hasOwn) {
                throw Fields.invalid(PP + ".targetRegions", "The target regions must include the gallery image "
                        + "version's own region '" + own + "'.");
            }
        } else {
            ObjectNode region = regions.addObject();
            region.put("name", own);
            region.put("regionalReplicaCount", replicas);
            region.put("storageAccountType", storageType);
            region.put("excludeFromLatest", false);
        }
        out.put("replicaCount", replicas);
        out.put("excludeFromLatest", exclude != null && exclude);
        String published = before == null ? null : before.path("publishedDate").asText(null);
        out.put("publishedDate", published != null ? published
                : java.time.Instant.ofEpochMilli(System.currentTimeMillis()).toString());
        if (endOfLife != null) {
            out.put("endOfLifeDate", endOfLife);
        }
        out.put("storageAccountType", storageType);
        if (mode != null) {
            out.put("replicationMode", mode);
        }
        JsonNode extended = in == null ? null : in.get("targetExtendedLocations");
        if (Fields.present(extended)) {
            if (!extended.isArray()) {
                throw Fields.invalid(PP + ".targetExtendedLocations", "The value of '" + PP
                        + ".targetExtendedLocations' must be an array.");
            }
            out.set("targetExtendedLocations", extended.deepCopy());
        }
        return out;
    }

    private static void checkReplicas(int count, String field) {
        if (count < 1 || count > MAX_REPLICAS) {
            throw Fields.invalid(field, "The value " + count + " of '" + field + "' is out of range: a region holds 1 "
                    + "to " + MAX_REPLICAS + " replicas.");
        }
    }

    private static ObjectNode safety(ObjectNode props, JsonNode before) {
        ObjectNode in = Fields.object(props, "safetyProfile", P + "safetyProfile");
        Boolean allow = Fields.bool(in, "allowDeletionOfReplicatedLocations",
                P + "safetyProfile.allowDeletionOfReplicatedLocations");
        ObjectNode out = Json.object();
        out.put("allowDeletionOfReplicatedLocations", allow != null ? allow
                : before != null && before.path("allowDeletionOfReplicatedLocations").asBoolean(false));
        Boolean block = Fields.bool(in, "blockDeletionBeforeEndOfLife", P + "safetyProfile.blockDeletionBeforeEndOfLife");
        if (block != null || (before != null && before.has("blockDeletionBeforeEndOfLife"))) {
            out.put("blockDeletionBeforeEndOfLife", block != null ? block
                    : before.path("blockDeletionBeforeEndOfLife").asBoolean(false));
        }
        out.put("reportedForPolicyViolation", false);
        return out;
    }

    /**
     * A version whose safety profile blocks deletion before its end of life cannot be deleted while that date is
     * ahead.
     */
    void checkDelete(StoreTx tx, ObjectNode doc) {
        JsonNode props = doc.path("properties");
        String endOfLife = props.path("publishingProfile").path("endOfLifeDate").asText(null);
        if (!props.path("safetyProfile").path("blockDeletionBeforeEndOfLife").asBoolean(false) || endOfLife == null) {
            return;
        }
        if (java.time.Instant.parse(endOfLife).isAfter(java.time.Instant.now())) {
            throw ArmErrors.conflict("OperationNotAllowed", "The gallery image version '" + doc.path("name").asText()
                    + "' cannot be deleted before its end of life date (" + endOfLife + "): its safety profile "
                    + "sets 'blockDeletionBeforeEndOfLife'.");
        }
    }

    /** Removing a replicated region needs the safety profile's consent. */
    private static void refuseDroppedRegions(JsonNode before, ObjectNode out) {
        if (out.path("safetyProfile").path("allowDeletionOfReplicatedLocations").asBoolean(false)) {
            return;
        }
        Set<String> now = new HashSet<>();
        out.path("publishingProfile").path("targetRegions").forEach(r -> now.add(r.path("name").asText()));
        for (JsonNode r : before.path("properties").path("publishingProfile").path("targetRegions")) {
            if (!now.contains(r.path("name").asText())) {
                throw ArmErrors.operationNotAllowed("The region '" + r.path("name").asText() + "' cannot be removed "
                        + "from '" + PP + ".targetRegions': deleting replicated locations is allowed only when '"
                        + P + "safetyProfile.allowDeletionOfReplicatedLocations' is true.");
            }
        }
    }

    // ---- the storage profile ----

    /** Reads the sources, checks them against the definition and copies their bytes into the version's disks. */
    private ObjectNode make(StoreTx tx, ObjectNode sp, ObjectNode definition, StagedBlobs staged, ObjectNode state) {
        ObjectNode source = Fields.object(sp, "source", SP + ".source");
        ObjectNode osIn = Fields.object(sp, "osDiskImage", SP + ".osDiskImage");
        String sourceId = Fields.text(source, "id", SP + ".source.id");
        String vmId = Fields.text(source, "virtualMachineId", SP + ".source.virtualMachineId");
        if (sourceId != null && vmId != null) {
            throw Fields.invalid(SP + ".source", "'" + SP + ".source' names one source: 'id' or 'virtualMachineId'.");
        }
        ObjectNode out = Json.object();
        List<Planned> disks = new ArrayList<>();
        Origin origin;
        String raw = sourceId != null ? sourceId : vmId;
        String field = sourceId != null ? SP + ".source.id" : SP + ".source.virtualMachineId";
        ResourceId whole = null;
        if (raw != null) {
            whole = Fields.reference(raw, field, vmId != null ? "Microsoft.Compute/virtualMachines" : null);
        }
        String wholeType = whole == null ? "" : whole.fullType().toLowerCase(Locale.ROOT);
        boolean diskLike = wholeType.equals(DiskDocuments.TYPE.toLowerCase(Locale.ROOT))
                || wholeType.equals(DiskDocuments.SNAPSHOT_TYPE.toLowerCase(Locale.ROOT));
        if (whole != null && !diskLike) {
            if (osIn != null && Fields.present(osIn.get("source"))) {
                throw Fields.invalid(SP + ".osDiskImage.source", "'" + SP + ".osDiskImage.source' cannot be given "
                        + "with '" + field + "': the version is made from one or the other.");
            }
            ObjectNode src = out.putObject("source");
            src.put(vmId != null ? "virtualMachineId" : "id", raw);
            origin = whole(tx, whole, raw, field, disks);
        } else {
            ObjectNode osSource;
            String osField;
            if (diskLike) {
                osSource = Json.object();
                osSource.put("id", raw);
                osField = SP + ".source";
                out.putObject("source").put("id", raw);
            } else {
                if (osIn == null || !Fields.present(osIn.get("source"))) {
                    throw Fields.invalid(SP + ".osDiskImage.source", "Required parameter '" + SP
                            + ".osDiskImage.source' is missing (null): a version needs a source, in '" + SP
                            + ".source.id' or in '" + SP + ".osDiskImage.source'.");
                }
                osSource = Fields.object(osIn, "source", SP + ".osDiskImage.source");
                osField = SP + ".osDiskImage.source";
            }
            Planned os = diskSource(tx, osSource, osField, null, staged, !diskLike);
            disks.add(os);
            JsonNode d = os.managed() == null ? null : TrackedResources.lookup(tx, ResourceId.parse(
                    canonical(osSource.path("id").asText()))).map(x -> (JsonNode) x.path("properties")).orElse(null);
            origin = new Origin(d == null ? null : d.path("osType").asText(null), null,
                    d == null ? null : d.path("hyperVGeneration").asText(null), osField);
            JsonNode dataIn = sp.get("dataDiskImages");
            if (Fields.present(dataIn)) {
                if (!dataIn.isArray()) {
                    throw Fields.invalid(SP + ".dataDiskImages", "The value of '" + SP + ".dataDiskImages' must be an "
                            + "array.");
                }
                Set<Integer> luns = new HashSet<>();
                for (int i = 0; i < dataIn.size(); i++) {
                    String f = SP + ".dataDiskImages[" + i + "]";
                    Integer lun = lun(dataIn.get(i), f, luns);
                    ObjectNode dsrc = Fields.object(dataIn.get(i), "source", f + ".source");
                    if (dsrc == null) {
                        throw ArmErrors.missing(f + ".source");
                    }
                    disks.add(diskSource(tx, dsrc, f + ".source", lun, staged, true));
                }
            }
        }
        match(origin, definition);
        // every disk holds its own copy of its source's bytes
        String versionKey = UUID.randomUUID().toString();
        state.put("id", versionKey);
        ObjectNode refs = state.putObject("disks");
        ArrayNode dataOut = Json.array();
        for (Planned p : disks) {
            BlobRef target = BlobRef.managed("galleries", versionKey + "/" + GalleryDocuments.diskName(p.lun()));
            long bytes = p.sizeGB() == null ? 0 : (long) p.sizeGB() << 30;
            if (p.user() != null) {
                content.fill(target, staged, p.user(), 0, Math.max(bytes, 1L << 30));
            } else {
                content.fill(target, p.managed(), 0, Math.max(bytes, 1L << 30));
            }
            refs.put(GalleryDocuments.diskName(p.lun()), ManagedContent.ref(target));
            int sizeGB = p.sizeGB() != null ? p.sizeGB()
                    : (int) ((content.virtualSize(target).orElse(1L << 30) + (1L << 30) - 1) >> 30);
            ObjectNode disk = p.lun() == null ? out.putObject("osDiskImage") : dataOut.addObject();
            if (p.lun() != null) {
                disk.put("lun", p.lun());
            }
            disk.put("sizeInGB", sizeGB);
            disk.put("hostCaching", p.caching());
            if (p.sourceOut() != null) {
                disk.set("source", p.sourceOut());
            }
        }
        if (!dataOut.isEmpty()) {
            out.set("dataDiskImages", dataOut);
        }
        caching(sp, out);
        return out;
    }

    /** A version made whole from a managed image, a VM or another version: their disks, in order. */
    private Origin whole(StoreTx tx, ResourceId id, String raw, String field, List<Planned> disks) {
        String type = id.fullType().toLowerCase(Locale.ROOT);
        if (type.equals("microsoft.compute/images")) {
            ObjectNode image = ready(tx, id, raw, field, "image");
            JsonNode os = image.path("properties").path("storageProfile").path("osDisk");
            disks.add(new Planned(null, sizeOrNull(os), os.path("caching").asText("ReadWrite"),
                    ImageDocuments.content(image, ImageDocuments.diskName(null)).orElse(null), null, null));
            for (JsonNode d : image.path("properties").path("storageProfile").path("dataDisks")) {
                int lun = d.path("lun").asInt();
                disks.add(new Planned(lun, sizeOrNull(d), d.path("caching").asText("None"),
                        ImageDocuments.content(image, ImageDocuments.diskName(lun)).orElse(null), null, null));
            }
            return new Origin(os.path("osType").asText(null), os.path("osState").asText(null),
                    image.path("properties").path("hyperVGeneration").asText("V1"), field);
        }
        if (type.equals("microsoft.compute/virtualmachines")) {
            ObjectNode vm = vmSource.get().disks(tx, id, field);
            List<JsonNode> all = new ArrayList<>();
            all.add(vm.path("osDisk"));
            vm.path("dataDisks").forEach(all::add);
            for (JsonNode d : all) {
                Integer lun = d.has("lun") ? d.path("lun").asInt() : null;
                BlobRef managed = null;
                BlobRef user = null;
                if (d.path("blobUri").isTextual()) {
                    user = BlobRef.parse(d.path("blobUri").asText());
                } else {
                    managed = TrackedResources.lookup(tx, ResourceId.parse(d.path("managedDisk").path("id").asText()))
                            .flatMap(DiskDocuments::content).orElse(null);
                }
                disks.add(new Planned(lun, sizeOrNull(d), d.path("caching").asText(lun == null ? "ReadWrite" : "None"),
                        managed, user, null));
            }
            return new Origin(vm.path("osType").asText(null), vm.path("osState").asText(null),
                    vm.path("hyperVGeneration").asText(null), field);
        }
        if (type.equals(GalleryDocuments.VERSIONS.toLowerCase(Locale.ROOT))) {
            ready(tx, id, raw, field, "gallery image version");
            GalleryDocuments.Version v = GalleryDocuments.find(tx, id).orElseThrow(() -> ArmErrors.referenceNotFound(
                    "gallery image version", raw, field));
            disks.add(new Planned(null, v.osDisk().sizeGB(), v.osDisk().caching(), v.osDisk().content(), null, null));
            for (GalleryDocuments.Disk d : v.dataDisks()) {
                disks.add(new Planned(d.lun(), d.sizeGB(), d.caching(), d.content(), null, null));
            }
            return new Origin(v.osType(), v.osState(), v.hyperVGeneration(), field);
        }
        throw Fields.invalid(field, "The resource '" + raw + "' of '" + field + "' is not a source a gallery image "
                + "version can be made from: a managed image, a virtual machine, a gallery image version, a snapshot "
                + "or a managed disk.");
    }

    /** One disk from a snapshot or managed disk ({@code id}) or a VHD blob ({@code uri} and its storage account). */
    private Planned diskSource(StoreTx tx, ObjectNode src, String field, Integer lun, StagedBlobs staged,
                               boolean echo) {
        String id = Fields.text(src, "id", field + ".id");
        String uri = Fields.text(src, "uri", field + ".uri");
        String account = Fields.text(src, "storageAccountId", field + ".storageAccountId");
        ObjectNode shown = Json.object();
        if (uri != null) {
            if (account == null && id != null && id.toLowerCase(Locale.ROOT).contains("/microsoft.storage/")) {
                account = id; // older api-versions name the account in 'id'
            }
            if (account == null) {
                throw ArmErrors.missing(field + ".storageAccountId");
            }
            Fields.reference(account, field + ".storageAccountId", "Microsoft.Storage/storageAccounts");
            BlobRef blob;
            try {
                blob = BlobRef.parse(uri);
            } catch (IllegalArgumentException e) {
                throw Fields.invalid(field + ".uri", "The value of '" + field + ".uri' is not a blob URI: "
                        + e.getMessage() + ".");
            }
            Vhd vhd = staged.vhd(blob, field + ".uri");
            shown.put("uri", uri);
            shown.put("storageAccountId", account);
            return new Planned(lun, vhd.sizeKnown() ? vhd.sizeGiB() : null, defaultCaching(lun), null, blob,
                    echo ? shown : null);
        }
        if (id == null) {
            throw Fields.invalid(field, "Required parameter '" + field + ".id' is missing (null): a disk image's "
                    + "source is a snapshot, a managed disk, or a VHD 'uri' with its 'storageAccountId'.");
        }
        ResourceId rid = Fields.reference(id, field + ".id", null);
        String type = rid.fullType().toLowerCase(Locale.ROOT);
        boolean snapshot = type.equals(DiskDocuments.SNAPSHOT_TYPE.toLowerCase(Locale.ROOT));
        if (!snapshot && !type.equals(DiskDocuments.TYPE.toLowerCase(Locale.ROOT))) {
            throw Fields.invalid(field + ".id", "The resource '" + id + "' of '" + field + ".id' is neither a "
                    + "snapshot nor a managed disk.");
        }
        ObjectNode found = ready(tx, rid, id, field + ".id", snapshot ? "snapshot" : "managed disk");
        shown.put("id", id);
        JsonNode size = found.path("properties").path("diskSizeGB");
        return new Planned(lun, size.canConvertToInt() ? size.asInt() : null, defaultCaching(lun),
                DiskDocuments.content(found).orElse(null), null, echo ? shown : null);
    }

    private static String defaultCaching(Integer lun) {
        return lun == null ? "ReadWrite" : "None";
    }

    private static Integer sizeOrNull(JsonNode disk) {
        return disk.path("diskSizeGB").canConvertToInt() && disk.path("diskSizeGB").asInt() > 0
                ? disk.path("diskSizeGB").asInt() : null;
    }

    private static Integer lun(JsonNode disk, String f, Set<Integer> luns) {
        if (!disk.isObject()) {
            throw Fields.invalid(f, "The value of '" + f + "' must be an object.");
        }
        Integer lun = Fields.integer(disk, "lun", f + ".lun");
        if (lun == null) {
            throw ArmErrors.missing(f + ".lun");
        }
        if (lun < 0 || lun > MAX_LUN) {
            throw Fields.invalid(f + ".lun", "The LUN " + lun + " of '" + f + ".lun' is out of range 0 to " + MAX_LUN
                    + ".");
        }
        if (!luns.add(lun)) {
            throw Fields.invalid(f + ".lun", "The LUN " + lun + " of '" + f + ".lun' is used by more than one data "
                    + "disk image.");
        }
        return lun;
    }

    /** A source resource that exists and is not busy. */
    private static ObjectNode ready(StoreTx tx, ResourceId id, String raw, String field, String what) {
        ObjectNode found = TrackedResources.lookup(tx, id).orElseThrow(() -> ArmErrors.referenceNotFound(what, raw,
                field));
        if (TrackedResources.busy(found)) {
            throw ArmErrors.operationNotAllowed("The " + what + " '" + raw + "' is "
                    + TrackedResources.provisioningState(found) + "; a gallery image version can be made from it once "
                    + "that has finished.");
        }
        return found;
    }

    /** The source must hold what the definition declares: its OS type, its state and its Hyper-V generation. */
    private static void match(Origin origin, ObjectNode definition) {
        JsonNode d = definition.path("properties");
        String name = definition.path("name").asText();
        check(origin.osType(), d.path("osType").asText(), "OS type", name, origin.field());
        check(origin.osState(), d.path("osState").asText(), "OS state", name, origin.field());
        check(origin.hyperVGeneration(), d.path("hyperVGeneration").asText("V1"), "Hyper-V generation", name,
                origin.field());
    }

    private static void check(String source, String declared, String what, String definition, String field) {
        if (source != null && !source.isEmpty() && !source.equalsIgnoreCase(declared)) {
            throw Fields.invalid(field, "The " + what + " '" + source + "' of the source does not match the " + what
                    + " '" + declared + "' of the gallery image '" + definition + "'.");
        }
    }

    /** Host caching given per disk image (by LUN for data disks) applies over the source's. */
    private static void caching(ObjectNode in, ObjectNode out) {
        ObjectNode os = Fields.object(in, "osDiskImage", SP + ".osDiskImage");
        String osCaching = Fields.enumValue(os, "hostCaching", SP + ".osDiskImage.hostCaching", Caching.NAMES);
        if (osCaching != null && out.has("osDiskImage")) {
            out.withObjectProperty("osDiskImage").put("hostCaching", osCaching);
        }
        JsonNode data = in.path("dataDiskImages");
        for (int i = 0; data.isArray() && i < data.size(); i++) {
            String f = SP + ".dataDiskImages[" + i + "]";
            String c = Fields.enumValue(data.get(i), "hostCaching", f + ".hostCaching", Caching.NAMES);
            int lun = data.get(i).path("lun").asInt(-1);
            for (JsonNode d : out.path("dataDiskImages")) {
                if (c != null && d.path("lun").asInt() == lun) {
                    ((ObjectNode) d).put("hostCaching", c);
                }
            }
        }
    }

    /** Whether a body's storage profile names the sources the version was made from (or names none). */
    private static boolean sameSource(ObjectNode in, JsonNode stored) {
        List<String> given = sources(in);
        return given.stream().allMatch(String::isEmpty) || given.equals(sources(stored));
    }

    private static List<String> sources(JsonNode sp) {
        List<String> out = new ArrayList<>();
        out.add(canonical(sp.path("source").path("id").asText(sp.path("source").path("virtualMachineId").asText(""))));
        out.add(canonical(sp.path("osDiskImage").path("source").path("id").asText(""))
                + sp.path("osDiskImage").path("source").path("uri").asText(""));
        for (JsonNode d : sp.path("dataDiskImages")) {
            out.add(canonical(d.path("source").path("id").asText("")) + d.path("source").path("uri").asText(""));
        }
        return out;
    }

    private static String canonical(String id) {
        if (id.isEmpty()) {
            return id;
        }
        return (id.startsWith("/") ? id : "/" + id).toLowerCase(Locale.ROOT);
    }

    private static ApiException changeRefused(String property) {
        return new ApiException(409, "PropertyChangeNotAllowed", "Changing property '" + property
                + "' is not allowed: a gallery image version keeps the source it was made from.", P + property);
    }
}

package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.arm.Times;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.VhdStore;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.disks.DiskAccess;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.compute.images.ImageDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * How a VM request body becomes a VM: its image (platform, custom, a user VHD, or an attached OS disk), its OS
 * disk (managed, unmanaged in the VHD store, or ephemeral) and data disks, and its OS profile, whose secrets are
 * checked and then dropped: the stored document never holds a password or custom data. Disks made from an image hold
 * its bytes (a platform image's are blank), grown to the size asked for; empty data disks are blank.
 */
final class VmRules {
    static final String SP = "properties.storageProfile";
    static final List<String> CACHING = List.of("None", "ReadOnly", "ReadWrite");
    static final List<String> STORAGE_TYPES = List.of("Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS",
            "Premium_ZRS", "StandardSSD_ZRS", "PremiumV2_LRS");
    static final List<String> DELETE_OPTIONS = List.of("Delete", "Detach");
    static final List<String> OS_CREATE = List.of("FromImage", "Attach", "Empty");
    static final List<String> DATA_CREATE = List.of("Empty", "Attach", "FromImage");

    private final ManagedContent content;
    private final VhdStore vhds;

    VmRules(ManagedContent content) {
        this.content = content;
        this.vhds = content.vhds();
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
    private record Writes(List<Runnable> list, List<OutsideWork<?>> blobs, StagedBlobs staged) {
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
    static Origin osOrigin(JsonNode customImage, BlobRef userImage, long imageBytes) {
        if (customImage != null) {
            return new Origin(ImageDocuments.content(customImage, ImageDocuments.diskName(null)).orElse(null), null,
                    imageBytes);
        }
        return new Origin(null, userImage, imageBytes);
    }

    /** The user blobs a VM PUT body names (its user image VHD), for staging before the write. */
    static List<StagedBlobs.Source> blobSources(ObjectNode body) {
        JsonNode uri = body.path("properties").path("storageProfile").path("osDisk").path("image").path("uri");
        return uri.isTextual() ? List.of(new StagedBlobs.Source(uri.asText(), SP + ".osDisk.image.uri")) : List.of();
    }

    /** What the OS disk is made from. */
    private record Image(String osType, String hyperVGeneration, int sizeGB, boolean generalized, ObjectNode reference,
                         PlatformImages.Version platform, String customImageId, ObjectNode customImage,
                         BlobRef blob) {
    }

    /**
     * A new VM's document. Disk bytes it needs are written only once every rule has passed: unmanaged disks' blobs
     * outside the write ({@link StoreTx#outside}: their account may be remote), before managed content is written
     * inside it; user blobs it reads come through {@code staged}.
     */
    ObjectNode create(StoreTx tx, ResourceId id, ObjectNode body, StagedBlobs staged) {
        checkTargets(tx, body);
        Writes writes = new Writes(new ArrayList<>(), new ArrayList<>(), staged);
        ObjectNode doc = build(tx, id, body, writes);
        tx.outside(writes.blobs());
        writes.list().forEach(Runnable::run);
        return doc;
    }

    /** Looks, outside the write and all at once, for the blobs the body names as unmanaged disks (they must not exist). */
    private void checkTargets(StoreTx tx, ObjectNode body) {
        JsonNode storage = body.path("properties").path("storageProfile");
        List<JsonNode> disks = new ArrayList<>();
        disks.add(storage.path("osDisk"));
        storage.path("dataDisks").forEach(disks::add);
        List<OutsideWork<?>> sizes = new ArrayList<>();
        for (JsonNode d : disks) {
            JsonNode uri = d.path("vhd").path("uri");
            if (uri.isTextual()) {
                try {
                    sizes.add(BlobWork.size(vhds, BlobRef.parse(uri.asText())));
                } catch (IllegalArgumentException e) {
                    // the rules refuse it with their own message
                }
            }
        }
        tx.outside(sizes);
    }

    private ObjectNode build(StoreTx tx, ResourceId id, ObjectNode body, Writes writes) {
        String location = Fields.location(body);
        Map<String, String> tags = Tags.parse(body.get("tags"));
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            throw Fields.invalid("properties", "Required parameter 'properties' is missing (null).");
        }
        String vmSize = Fields.text(Fields.object(props, "hardwareProfile", "properties.hardwareProfile"), "vmSize",
                "properties.hardwareProfile.vmSize");
        if (vmSize == null || vmSize.isBlank()) {
            throw Fields.invalid("properties.hardwareProfile.vmSize", "Required parameter "
                    + "'properties.hardwareProfile.vmSize' is missing (null).");
        }
        ObjectNode storageIn = Fields.object(props, "storageProfile", SP);
        if (storageIn == null) {
            throw Fields.invalid(SP, "Required parameter '" + SP + "' is missing (null).");
        }
        ObjectNode osIn = Fields.object(storageIn, "osDisk", SP + ".osDisk");
        if (osIn == null) {
            osIn = Json.object();
        }
        String createOption = Fields.enumValue(osIn, "createOption", SP + ".osDisk.createOption", OS_CREATE);
        createOption = createOption == null ? "FromImage" : createOption;
        if (createOption.equals("Empty")) {
            throw Fields.invalid(SP + ".osDisk.createOption", "An OS disk is made 'FromImage' or by 'Attach'ing an "
                    + "existing disk; 'Empty' is for data disks.");
        }
        String vmId = UUID.randomUUID().toString();
        String hex = vmId.replace("-", "");

        ObjectNode out = Json.object();
        out.putObject("hardwareProfile").put("vmSize", vmSize);
        ObjectNode storage = out.putObject("storageProfile");
        ObjectNode osDisk = Json.object();
        ObjectNode state = Json.object();
        state.put("power", "running");
        state.put("generalized", false);

        ObjectNode osProfileIn = Fields.object(props, "osProfile", "properties.osProfile");
        String givenOsType = Fields.enumValue(osIn, "osType", SP + ".osDisk.osType", OsProfileRules.OS_TYPES);
        Image image;
        if (createOption.equals("Attach")) {
            if (osProfileIn != null) {
                throw Fields.invalid("properties.osProfile", "'properties.osProfile' is not allowed when the OS disk is "
                        + "attached: the disk is already provisioned.");
            }
            image = null;
            ObjectNode md = Fields.object(osIn, "managedDisk", SP + ".osDisk.managedDisk");
            String raw = Fields.text(md, "id", SP + ".osDisk.managedDisk.id");
            ResourceId diskId = Fields.reference(raw, SP + ".osDisk.managedDisk.id", DiskDocuments.TYPE);
            ObjectNode disk = TrackedResources.lookup(tx, diskId).orElseThrow(() -> new ApiException(404, "NotFound",
                    "The managed disk '" + raw + "' given in '" + SP + ".osDisk.managedDisk.id' was not found.",
                    SP + ".osDisk.managedDisk.id"));
            requireFree(disk, raw);
            String osType = givenOsType != null ? givenOsType : disk.path("properties").path("osType").asText(null);
            if (osType == null) {
                throw Fields.invalid(SP + ".osDisk.osType", "Required parameter '" + SP + ".osDisk.osType' is missing: "
                        + "the attached disk does not say which OS it holds.");
            }
            DiskDocuments.setManagedBy(tx, diskId, id.toString());
            osDisk.put("osType", osType);
            osDisk.put("name", diskId.name());
            osDisk.put("createOption", "Attach");
            osDisk.put("caching", cachingOr(osIn, SP + ".osDisk", "ReadWrite"));
            ObjectNode mdOut = osDisk.putObject("managedDisk");
            mdOut.put("storageAccountType", disk.path("sku").path("name").asText("Standard_LRS"));
            mdOut.put("id", disk.path("id").asText());
            osDisk.put("diskSizeGB", disk.path("properties").path("diskSizeGB").asInt());
            osDisk.put("deleteOption", deleteOption(osIn, SP + ".osDisk", "Detach"));
            state.put("hyperVGeneration", disk.path("properties").path("hyperVGeneration").asText("V1"));
        } else {
            image = image(tx, storageIn, osIn, givenOsType, writes.staged());
            if (image.reference() != null) {
                storage.set("imageReference", image.reference());
            }
            osDisk.put("osType", image.osType());
            osDisk(tx, id, osIn, osDisk, image, location, hex, state, writes);
            state.put("hyperVGeneration", image.hyperVGeneration());
            if (image.platform() != null) {
                ObjectNode p = state.putObject("platform");
                p.put("publisher", image.platform().publisher());
                p.put("offer", image.platform().offer());
                p.put("sku", image.platform().sku());
                state.put("imageVersion", image.platform().version());
            }
            if (image.customImageId() != null) {
                state.put("customImage", image.customImageId());
            }
            if (image.generalized() && osProfileIn == null) {
                throw Fields.invalid("properties.osProfile", "Required parameter 'properties.osProfile' is missing "
                        + "(null): a VM made from a generalized image needs an OS profile.");
            }
        }
        storage.set("osDisk", osDisk);
        storage.set("dataDisks", dataDisks(tx, id, storageIn, image, location, hex, writes));

        if (osProfileIn != null) {
            out.set("osProfile", osProfile(osProfileIn, osDisk.path("osType").asText()));
        }
        ObjectNode network = Fields.object(props, "networkProfile", "properties.networkProfile");
        if (network != null) {
            JsonNode nics = network.get("networkInterfaces");
            if (Fields.present(nics) && nics.isArray()) {
                for (int i = 0; i < nics.size(); i++) {
                    Fields.reference(nics.get(i).path("id").asText(null),
                            "properties.networkProfile.networkInterfaces[" + i + "].id",
                            "Microsoft.Network/networkInterfaces");
                }
            }
            out.set("networkProfile", network.deepCopy());
        }
        out.put("vmId", vmId);
        out.put("timeCreated", Times.format(System.currentTimeMillis()));

        ObjectNode doc = Json.object();
        doc.put("id", id.toString());
        doc.put("name", id.name());
        doc.put("type", VmProvider.TYPE);
        doc.put("location", location);
        if (tags != null) {
            doc.set("tags", Tags.render(tags));
        }
        doc.set("properties", out);
        doc.set(VmDocuments.STATE, state);
        return doc;
    }

    /** PUT on an existing VM: tags, size, network and the disks' deleteOption may change. */
    ObjectNode update(ObjectNode doc, ObjectNode body) {
        String location = Fields.location(body);
        TrackedResources.requireSameLocation(doc, location);
        Map<String, String> tags = Tags.parse(body.get("tags"));
        if (tags == null) {
            doc.remove("tags");
        } else {
            doc.set("tags", Tags.render(tags));
        }
        return patch(doc, body);
    }

    /** PATCH: tags (when given), size, network, the disks' deleteOption. */
    ObjectNode patch(ObjectNode doc, ObjectNode body) {
        if (body.has("tags") && !body.path("tags").isNull()) {
            doc.set("tags", Tags.render(Tags.parse(body.get("tags"))));
        }
        ObjectNode props = Fields.object(body, "properties", "properties");
        if (props == null) {
            return doc;
        }
        ObjectNode out = doc.withObjectProperty("properties");
        String vmSize = Fields.text(Fields.object(props, "hardwareProfile", "properties.hardwareProfile"), "vmSize",
                "properties.hardwareProfile.vmSize");
        if (vmSize != null) {
            out.withObjectProperty("hardwareProfile").put("vmSize", vmSize);
        }
        ObjectNode network = Fields.object(props, "networkProfile", "properties.networkProfile");
        if (network != null) {
            out.set("networkProfile", network.deepCopy());
        }
        ObjectNode storageIn = Fields.object(props, "storageProfile", SP);
        ObjectNode osIn = Fields.object(storageIn, "osDisk", SP + ".osDisk");
        String osDelete = Fields.enumValue(osIn, "deleteOption", SP + ".osDisk.deleteOption", DELETE_OPTIONS);
        if (osDelete != null) {
            out.withObjectProperty("storageProfile").withObjectProperty("osDisk").put("deleteOption", osDelete);
        }
        JsonNode dataIn = storageIn == null ? null : storageIn.get("dataDisks");
        if (Fields.present(dataIn) && dataIn.isArray()) {
            for (JsonNode d : dataIn) {
                String option = Fields.enumValue(d, "deleteOption", SP + ".dataDisks.deleteOption", DELETE_OPTIONS);
                if (option != null) {
                    for (JsonNode existing : out.path("storageProfile").path("dataDisks")) {
                        if (existing.path("lun").asInt() == d.path("lun").asInt(-1)) {
                            ((ObjectNode) existing).put("deleteOption", option);
                        }
                    }
                }
            }
        }
        return doc;
    }

    private Image image(StoreTx tx, ObjectNode storageIn, ObjectNode osIn, String givenOsType, StagedBlobs staged) {
        ObjectNode ref = Fields.object(storageIn, "imageReference", SP + ".imageReference");
        ObjectNode userImage = Fields.object(osIn, "image", SP + ".osDisk.image");
        if (ref != null && Fields.text(ref, "id", SP + ".imageReference.id") != null) {
            String raw = ref.get("id").asText();
            ResourceId imageId = Fields.reference(raw, SP + ".imageReference.id", "Microsoft.Compute/images");
            ObjectNode custom = TrackedResources.lookup(tx, imageId).orElseThrow(() -> new ApiException(404, "NotFound",
                    "The image '" + raw + "' given in '" + SP + ".imageReference.id' was not found.",
                    SP + ".imageReference.id"));
            if (TrackedResources.busy(custom)) {
                throw ApiException.conflict("OperationNotAllowed", "The image '" + raw + "' is "
                        + TrackedResources.provisioningState(custom) + "; a VM can be made from it once that has finished.");
            }
            JsonNode os = custom.path("properties").path("storageProfile").path("osDisk");
            ObjectNode reference = Json.object();
            reference.put("id", raw);
            return new Image(os.path("osType").asText(), custom.path("properties").path("hyperVGeneration").asText("V1"),
                    os.path("diskSizeGB").asInt(30), "Generalized".equals(os.path("osState").asText()), reference,
                    null, custom.path("id").asText(), custom, null);
        }
        if (ref != null) {
            String publisher = required(ref, "publisher");
            String offer = required(ref, "offer");
            String sku = required(ref, "sku");
            String version = Fields.text(ref, "version", SP + ".imageReference.version");
            version = version == null ? "latest" : version;
            if (!version.equalsIgnoreCase("latest") && !PlatformImages.isDecimalVersion(version)) {
                throw Fields.invalid(SP + ".imageReference.version", "The value '" + version + "' of '" + SP
                        + ".imageReference.version' is neither 'latest' nor a version such as 1.2.3.");
            }
            String v = version;
            PlatformImages.Version found = PlatformImages.find(publisher, offer, sku, version)
                    .orElseThrow(() -> PlatformImages.notFound(publisher, offer, sku, v));
            ObjectNode reference = Json.object();
            reference.put("publisher", publisher);
            reference.put("offer", offer);
            reference.put("sku", sku);
            reference.put("version", version);
            reference.put("exactVersion", found.version());
            return new Image(found.osType(), found.hyperVGeneration(), found.diskSizeGB(), true, reference, found,
                    null, null, null);
        }
        if (userImage != null) {
            String uri = Fields.text(userImage, "uri", SP + ".osDisk.image.uri");
            BlobRef blob = blob(uri, SP + ".osDisk.image.uri");
            Vhd vhd = staged.vhd(blob, SP + ".osDisk.image.uri");
            if (givenOsType == null) {
                throw Fields.invalid(SP + ".osDisk.osType", "Required parameter '" + SP + ".osDisk.osType' is missing "
                        + "(null): a user image VHD does not say which OS it holds.");
            }
            return new Image(givenOsType, "V1", vhd.sizeKnown() ? vhd.sizeGiB() : 30, true, null, null, null, null,
                    blob);
        }
        throw Fields.invalid(SP + ".imageReference", "Required parameter '" + SP + ".imageReference' is missing "
                + "(null): a VM made 'FromImage' needs an image.");
    }

    private void osDisk(StoreTx tx, ResourceId vm, ObjectNode osIn, ObjectNode osDisk, Image image, String location,
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
        Origin origin = osOrigin(image.customImage(), image.blob(), (long) image.sizeGB() << 30);
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
                throw ApiException.conflict("ConflictingDiskName", "A disk named '" + diskId.name()
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

    private ArrayNode dataDisks(StoreTx tx, ResourceId vm, ObjectNode storageIn, Image image, String location,
                                String hex, Writes writes) {
        ArrayNode out = Json.array();
        JsonNode in = storageIn.get("dataDisks");
        if (!Fields.present(in)) {
            return out;
        }
        if (!in.isArray()) {
            throw Fields.invalid(SP + ".dataDisks", "The value of '" + SP + ".dataDisks' must be an array.");
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
                ObjectNode existing = TrackedResources.lookup(tx, diskId).orElseThrow(() -> new ApiException(404,
                        "NotFound", "The managed disk '" + raw + "' given in '" + f + ".managedDisk.id' was not found.",
                        f + ".managedDisk.id"));
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
                JsonNode source = null;
                if (image != null && image.customImage() != null) {
                    for (JsonNode dd : image.customImage().path("properties").path("storageProfile").path("dataDisks")) {
                        if (dd.path("lun").asInt(-1) == lun) {
                            source = dd;
                        }
                    }
                }
                if (source == null) {
                    throw Fields.invalid(f + ".createOption", "'" + f + ".createOption' is FromImage but the image has "
                            + "no data disk at LUN " + lun + ".");
                }
                sizeGB = size != null ? Math.max(size, source.path("diskSizeGB").asInt(1)) : source.path("diskSizeGB").asInt(1);
                growTo = size != null ? (long) sizeGB << 30 : 0;
                origin = new Origin(ImageDocuments.content(image.customImage(), ImageDocuments.diskName(lun)).orElse(null),
                        null, (long) source.path("diskSizeGB").asInt(1) << 30);
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
                    throw ApiException.conflict("ConflictingDiskName", "A disk named '" + diskId.name()
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

    private ObjectNode osProfile(ObjectNode in, String osType) {
        String f = "properties.osProfile";
        boolean windows = "Windows".equals(osType);
        String computerName = Fields.text(in, "computerName", f + ".computerName");
        if (computerName == null || computerName.isBlank()) {
            throw Fields.invalid(f + ".computerName", "Required parameter '" + f + ".computerName' is missing (null).");
        }
        int maxName = windows ? 15 : 64;
        if (computerName.length() > maxName || !computerName.matches("[A-Za-z0-9][A-Za-z0-9.-]*")
                || (windows && computerName.matches("\\d+"))) {
            throw Fields.invalid(f + ".computerName", "The value '" + computerName + "' of '" + f + ".computerName' is "
                    + "not a valid " + (windows ? "Windows" : "Linux") + " computer name (1 to " + maxName
                    + " letters, digits, '-' and '.'" + (windows ? ", not only digits" : "") + ").");
        }
        String user = Fields.text(in, "adminUsername", f + ".adminUsername");
        if (user == null || user.isBlank()) {
            throw Fields.invalid(f + ".adminUsername", "Required parameter '" + f + ".adminUsername' is missing (null).");
        }
        if (user.length() > (windows ? 20 : 64) || user.matches(".*[\\\\/\"\\[\\]:|<>+=;,?*@ ].*") || user.endsWith(".")) {
            throw Fields.invalid(f + ".adminUsername", "The value of '" + f + ".adminUsername' is not a valid user name.");
        }
        String password = Fields.text(in, "adminPassword", f + ".adminPassword");
        if (password != null) {
            OsProfileRules.password(password, osType, f + ".adminPassword");
        }
        String customData = Fields.text(in, "customData", f + ".customData");
        if (customData != null) {
            OsProfileRules.customData(customData, f + ".customData");
        }
        ObjectNode out = Json.object();
        out.put("computerName", computerName);
        out.put("adminUsername", user);
        if (windows) {
            if (password == null) {
                throw Fields.invalid(f + ".adminPassword", "Required parameter '" + f + ".adminPassword' is missing "
                        + "(null): Windows VMs need one.");
            }
            ObjectNode winIn = Fields.object(in, "windowsConfiguration", f + ".windowsConfiguration");
            ObjectNode win = out.putObject("windowsConfiguration");
            Boolean agent = Fields.bool(winIn, "provisionVMAgent", f + ".windowsConfiguration.provisionVMAgent");
            Boolean updates = Fields.bool(winIn, "enableAutomaticUpdates", f + ".windowsConfiguration.enableAutomaticUpdates");
            win.put("provisionVMAgent", agent == null || agent);
            win.put("enableAutomaticUpdates", updates == null || updates);
            String zone = Fields.text(winIn, "timeZone", f + ".windowsConfiguration.timeZone");
            if (zone != null) {
                win.put("timeZone", zone);
            }
        } else {
            ObjectNode linIn = Fields.object(in, "linuxConfiguration", f + ".linuxConfiguration");
            Boolean disable = Fields.bool(linIn, "disablePasswordAuthentication",
                    f + ".linuxConfiguration.disablePasswordAuthentication");
            ArrayNode keys = Json.array();
            JsonNode keysIn = linIn == null ? null : linIn.path("ssh").get("publicKeys");
            if (Fields.present(keysIn) && keysIn.isArray()) {
                for (int i = 0; i < keysIn.size(); i++) {
                    String kf = f + ".linuxConfiguration.ssh.publicKeys[" + i + "]";
                    String data = Fields.text(keysIn.get(i), "keyData", kf + ".keyData");
                    if (data == null || !data.trim().matches("(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?")) {
                        throw Fields.invalid(kf + ".keyData", "The value of '" + kf + ".keyData' is not an SSH public key "
                                + "in OpenSSH format.");
                    }
                    String path = Fields.text(keysIn.get(i), "path", kf + ".path");
                    ObjectNode k = keys.addObject();
                    k.put("path", path != null ? path : "/home/" + user + "/.ssh/authorized_keys");
                    k.put("keyData", data);
                }
            }
            boolean disabled = disable != null ? disable : password == null;
            if (disabled && keys.isEmpty()) {
                throw Fields.invalid(f + ".linuxConfiguration.ssh.publicKeys", "A Linux VM without password "
                        + "authentication needs at least one key in '" + f + ".linuxConfiguration.ssh.publicKeys'.");
            }
            if (disabled && password != null) {
                throw Fields.invalid(f + ".adminPassword", "'" + f + ".adminPassword' is not allowed when password "
                        + "authentication is disabled.");
            }
            if (!disabled && password == null) {
                throw Fields.invalid(f + ".adminPassword", "Required parameter '" + f + ".adminPassword' is missing "
                        + "(null): password authentication is enabled.");
            }
            ObjectNode lin = out.putObject("linuxConfiguration");
            lin.put("disablePasswordAuthentication", disabled);
            if (!keys.isEmpty()) {
                lin.putObject("ssh").set("publicKeys", keys);
            }
            lin.put("provisionVMAgent", true);
        }
        out.putArray("secrets");
        out.put("allowExtensionOperations", true);
        out.put("requireGuestProvisionSignal", true);
        return out;
    }

    private static void requireFree(ObjectNode disk, String raw) {
        String owner = disk.path("managedBy").asText("");
        if (!owner.isEmpty()) {
            throw ApiException.conflict("OperationNotAllowed", "The disk '" + raw + "' is already attached to VM '"
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

    private static BlobRef blob(String uri, String field) {
        if (uri == null) {
            throw Fields.invalid(field, "Required parameter '" + field + "' is missing (null).");
        }
        try {
            return BlobRef.parse(uri);
        } catch (IllegalArgumentException e) {
            throw Fields.invalid(field, "The value of '" + field + "' is not a blob URI: " + e.getMessage() + ".");
        }
    }

    private static String required(ObjectNode ref, String name) {
        String v = Fields.text(ref, name, SP + ".imageReference." + name);
        if (v == null || v.isBlank()) {
            throw Fields.invalid(SP + ".imageReference." + name, "Required parameter '" + SP + ".imageReference." + name
                    + "' is missing (null).");
        }
        return v;
    }

    private static String cachingOr(JsonNode in, String f, String dflt) {
        String c = Fields.enumValue(in, "caching", f + ".caching", CACHING);
        return c != null ? c : dflt;
    }

    private static String deleteOption(JsonNode in, String f, String dflt) {
        String c = Fields.enumValue(in, "deleteOption", f + ".deleteOption", DELETE_OPTIONS);
        return c != null ? c : dflt;
    }

    private static String storageType(JsonNode in, String f, boolean data) {
        String t = Fields.enumValue(in.path("managedDisk"), "storageAccountType", f + ".managedDisk.storageAccountType",
                STORAGE_TYPES);
        if (!data && "UltraSSD_LRS".equals(t)) {
            throw Fields.invalid(f + ".managedDisk.storageAccountType", "'" + f + ".managedDisk.storageAccountType' "
                    + "UltraSSD_LRS can be used only with data disks.");
        }
        return t != null ? t : "Standard_LRS";
    }


}

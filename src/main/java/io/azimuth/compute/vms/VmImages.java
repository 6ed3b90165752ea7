package io.azimuth.compute.vms;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.galleries.GalleryDocuments;
import io.azimuth.compute.images.ImageDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;



/**
 * What a new VM's OS disk is made from: a custom image or a gallery image version or definition
 * ({@code imageReference.id}), a platform image of the built-in catalog (publisher, offer, sku, version), or a user image VHD; with the OS type, Hyper-V generation, size and state
 * each gives.
 */
final class VmImages {
    private static final String SP = VmRules.SP;

    private VmImages() {
    }

    /**
     * What the OS disk is made from. {@code customImageId} is the managed image or gallery image version the disks
     * are copies of (a definition's latest resolved), {@code disks} their bytes.
     */
    record Image(String osType, String hyperVGeneration, int sizeGB, boolean generalized, ObjectNode reference,
                         PlatformImages.Version platform, String customImageId, Disks disks,
                         BlobRef blob) {
    }

    /** The bytes of an image's disks: its OS disk's, and its data disks' by LUN. */
    record Disks(BlobRef os, List<DataImage> data) {
        static Disks ofImage(JsonNode image) {
            List<DataImage> data = new ArrayList<>();
            for (JsonNode d : image.path("properties").path("storageProfile").path("dataDisks")) {
                int lun = d.path("lun").asInt();
                data.add(new DataImage(lun, d.path("diskSizeGB").asInt(1),
                        ImageDocuments.content(image, ImageDocuments.diskName(lun)).orElse(null)));
            }
            return new Disks(ImageDocuments.content(image, ImageDocuments.diskName(null)).orElse(null), data);
        }

        static Disks ofVersion(GalleryDocuments.Version version) {
            List<DataImage> data = new ArrayList<>();
            for (GalleryDocuments.Disk d : version.dataDisks()) {
                data.add(new DataImage(d.lun(), d.sizeGB(), d.content()));
            }
            return new Disks(version.osDisk().content(), data);
        }

        /** The data disk image at {@code lun}, if there is one. */
        Optional<DataImage> lun(int lun) {
            return data.stream().filter(d -> d.lun() == lun).findFirst();
        }
    }

    /** One data disk of an image: its LUN, size and bytes (null when it has none). */
    record DataImage(int lun, int sizeGB, BlobRef content) {
    }

    static Image resolve(StoreTx tx, ObjectNode storageIn, ObjectNode osIn, String givenOsType, String location,
                         StagedBlobs staged) {
        ObjectNode ref = Fields.object(storageIn, "imageReference", SP + ".imageReference");
        ObjectNode userImage = Fields.object(osIn, "image", SP + ".osDisk.image");
        if (ref != null && Fields.text(ref, "id", SP + ".imageReference.id") != null) {
            String raw = ref.get("id").asText();
            ResourceId any = Fields.reference(raw, SP + ".imageReference.id", null);
            if (GalleryDocuments.names(any)) {
                GalleryDocuments.Version v = GalleryDocuments.forVm(tx, any, raw, location, SP + ".imageReference.id");
                ObjectNode reference = Json.object();
                reference.put("id", raw);
                reference.put("exactVersion", v.name());
                return new Image(v.osType(), v.hyperVGeneration(), v.osDisk().sizeGB(), v.generalized(), reference,
                        null, v.id(), Disks.ofVersion(v), null);
            }
            ResourceId imageId = Fields.reference(raw, SP + ".imageReference.id", "Microsoft.Compute/images");
            ObjectNode custom = TrackedResources.lookup(tx, imageId).orElseThrow(() -> ArmErrors.referenceNotFound("image", raw,
                    SP + ".imageReference.id"));
            if (TrackedResources.busy(custom)) {
                throw ArmErrors.operationNotAllowed("The image '" + raw + "' is "
                        + TrackedResources.provisioningState(custom) + "; a VM can be made from it once that has finished.");
            }
            JsonNode os = custom.path("properties").path("storageProfile").path("osDisk");
            ObjectNode reference = Json.object();
            reference.put("id", raw);
            return new Image(os.path("osType").asText(), custom.path("properties").path("hyperVGeneration").asText("V1"),
                    os.path("diskSizeGB").asInt(30), "Generalized".equals(os.path("osState").asText()), reference,
                    null, custom.path("id").asText(), Disks.ofImage(custom), null);
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
            BlobRef blob = VmDisks.blob(uri, SP + ".osDisk.image.uri");
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

    private static String required(ObjectNode ref, String name) {
        String v = Fields.text(ref, name, SP + ".imageReference." + name);
        if (v == null || v.isBlank()) {
            throw Fields.invalid(SP + ".imageReference." + name, "Required parameter '" + SP + ".imageReference." + name
                    + "' is missing (null).");
        }
        return v;
    }
}

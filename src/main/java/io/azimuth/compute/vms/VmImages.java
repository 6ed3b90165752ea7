package io.azimuth.compute.vms;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.Vhd;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.StoreTx;



/**
 * What a new VM's OS disk is made from: a custom image ({@code imageReference.id}), a platform image of the built-in
 * catalog (publisher, offer, sku, version), or a user image VHD; with the OS type, Hyper-V generation, size and state
 * each gives.
 */
final class VmImages {
    private static final String SP = VmRules.SP;

    private VmImages() {
    }

    /** What the OS disk is made from. */
    record Image(String osType, String hyperVGeneration, int sizeGB, boolean generalized, ObjectNode reference,
                         PlatformImages.Version platform, String customImageId, ObjectNode customImage,
                         BlobRef blob) {
    }

    static Image resolve(StoreTx tx, ObjectNode storageIn, ObjectNode osIn, String givenOsType, StagedBlobs staged) {
        ObjectNode ref = Fields.object(storageIn, "imageReference", SP + ".imageReference");
        ObjectNode userImage = Fields.object(osIn, "image", SP + ".osDisk.image");
        if (ref != null && Fields.text(ref, "id", SP + ".imageReference.id") != null) {
            String raw = ref.get("id").asText();
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

package io.azimuth.compute.vms;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.Tags;
import io.azimuth.arm.Times;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.VhdStore;
import io.azimuth.compute.OsType;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How a VM request body becomes a VM, and what PUT and PATCH may change of it: its size, its image (platform, custom,
 * a user VHD: {@link VmImages}, or an attached OS disk), its disks ({@link VmDisks}), its OS profile
 * ({@link OsProfileRules}: secrets are checked and then dropped, the stored document never holds a password or custom
 * data) and its network references.
 */
final class VmRules {
    static final String SP = "properties.storageProfile";
    static final List<String> DELETE_OPTIONS = List.of("Delete", "Detach");
    static final List<String> OS_CREATE = List.of("FromImage", "Attach", "Empty");

    private final VmDisks disks;
    private final VhdStore vhds;

    VmRules(VmDisks disks) {
        this.disks = disks;
        this.vhds = disks.vhds();
    }

    /** The user blobs a VM PUT body names (its user image VHD), for staging before the write. */
    static List<StagedBlobs.Source> blobSources(ObjectNode body) {
        JsonNode uri = body.path("properties").path("storageProfile").path("osDisk").path("image").path("uri");
        return uri.isTextual() ? List.of(new StagedBlobs.Source(uri.asText(), SP + ".osDisk.image.uri")) : List.of();
    }
    /**
     * A new VM's document. Disk bytes it needs are written only once every rule has passed: unmanaged disks' blobs
     * outside the write ({@link StoreTx#outside}: their account may be remote), before managed content is written
     * inside it; user blobs it reads come through {@code staged}.
     */
    ObjectNode create(StoreTx tx, ResourceId id, ObjectNode body, StagedBlobs staged) {
        checkTargets(tx, body);
        VmDisks.Writes writes = new VmDisks.Writes(new ArrayList<>(), new ArrayList<>(), staged);
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

    private ObjectNode build(StoreTx tx, ResourceId id, ObjectNode body, VmDisks.Writes writes) {
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
        String givenOsType = Fields.enumValue(osIn, "osType", SP + ".osDisk.osType", OsType.NAMES);
        VmImages.Image image;
        if (createOption.equals("Attach")) {
            if (osProfileIn != null) {
                throw Fields.invalid("properties.osProfile", "'properties.osProfile' is not allowed when the OS disk is "
                        + "attached: the disk is already provisioned.");
            }
            image = null;
            ObjectNode md = Fields.object(osIn, "managedDisk", SP + ".osDisk.managedDisk");
            String raw = Fields.text(md, "id", SP + ".osDisk.managedDisk.id");
            ResourceId diskId = Fields.reference(raw, SP + ".osDisk.managedDisk.id", DiskDocuments.TYPE);
            ObjectNode disk = TrackedResources.lookup(tx, diskId).orElseThrow(() -> ArmErrors.referenceNotFound("managed disk", raw,
                    SP + ".osDisk.managedDisk.id"));
            VmDisks.requireFree(disk, raw);
            String osType = givenOsType != null ? givenOsType : disk.path("properties").path("osType").asText(null);
            if (osType == null) {
                throw Fields.invalid(SP + ".osDisk.osType", "Required parameter '" + SP + ".osDisk.osType' is missing: "
                        + "the attached disk does not say which OS it holds.");
            }
            DiskDocuments.setManagedBy(tx, diskId, id.toString());
            osDisk.put("osType", osType);
            osDisk.put("name", diskId.name());
            osDisk.put("createOption", "Attach");
            osDisk.put("caching", VmDisks.cachingOr(osIn, SP + ".osDisk", "ReadWrite"));
            ObjectNode mdOut = osDisk.putObject("managedDisk");
            mdOut.put("storageAccountType", disk.path("sku").path("name").asText("Standard_LRS"));
            mdOut.put("id", disk.path("id").asText());
            osDisk.put("diskSizeGB", disk.path("properties").path("diskSizeGB").asInt());
            osDisk.put("deleteOption", VmDisks.deleteOption(osIn, SP + ".osDisk", "Detach"));
            state.put("hyperVGeneration", disk.path("properties").path("hyperVGeneration").asText("V1"));
        } else {
            image = VmImages.resolve(tx, storageIn, osIn, givenOsType, location, writes.staged());
            if (image.reference() != null) {
                storage.set("imageReference", image.reference());
            }
            osDisk.put("osType", image.osType());
            disks.osDisk(tx, id, osIn, osDisk, image, location, hex, state, writes);
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
            if (!image.generalized() && image.platform() == null && image.blob() == null && osProfileIn != null) {
                // a specialized image already holds its OS's configuration
                throw Fields.invalid("properties.osProfile", "Parameter 'osProfile' is not allowed.");
            }
        }
        storage.set("osDisk", osDisk);
        storage.set("dataDisks", disks.dataDisks(tx, id, storageIn, image, location, hex, writes));

        if (osProfileIn != null) {
            out.set("osProfile", OsProfileRules.profile(osProfileIn, osDisk.path("osType").asText()));
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
            out.set("networkProfile", networkProfile(network));
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
            out.set("networkProfile", networkProfile(network));
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

    /**
     * The network profile as stored: what was given, without the properties sent as null (as Azure's tools do),
     * each NIC's deleteOption one of Azure's values.
     */
    static ObjectNode networkProfile(ObjectNode network) {
        ObjectNode copy = withoutNulls(network);
        JsonNode nics = copy.get("networkInterfaces");
        if (nics != null && nics.isArray()) {
            for (int i = 0; i < nics.size(); i++) {
                JsonNode p = nics.get(i).get("properties");
                if (p instanceof ObjectNode props && props.has("deleteOption")) {
                    props.put("deleteOption", Fields.enumValue(props, "deleteOption",
                            "properties.networkProfile.networkInterfaces[" + i + "].properties.deleteOption",
                            DELETE_OPTIONS));
                }
            }
        }
        return copy;
    }

    private static ObjectNode withoutNulls(ObjectNode in) {
        ObjectNode out = in.objectNode();
        in.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v == null || v.isNull()) {
                return;
            }
            if (v instanceof ObjectNode o) {
                out.set(e.getKey(), withoutNulls(o));
            } else if (v.isArray()) {
                com.fasterxml.jackson.databind.node.ArrayNode a = out.putArray(e.getKey());
                v.forEach(item -> a.add(item instanceof ObjectNode o ? withoutNulls(o) : item.deepCopy()));
            } else {
                out.set(e.getKey(), v.deepCopy());
            }
        });
        return out;
    }
}

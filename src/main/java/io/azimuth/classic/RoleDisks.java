package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.Json;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.StoreTx;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A role's disks and their VHD blobs: the OS disk (a VHD copied from an OS image, from a remote VHD, or an existing
 * VHD attached) and the data disks (copied, attached, or created blank), checked whole; the blob checks and copies
 * behind them, and deleting a role's blobs. Blobs are looked at and written outside the store write
 * ({@link StoreTx#outside}: their account may be remote); a missing, malformed or already existing blob is refused
 * naming the element that gave it.
 */
final class RoleDisks {
    private static final DateTimeFormatter DISK_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);

    private final VhdStore vhds;

    RoleDisks(VhdStore vhds) {
        this.vhds = vhds;
    }

    /** The time in default disk names. */
    static String stamp() {
        return DISK_STAMP.format(Instant.now());
    }

    /** A role's OS disk as stored, its blob, and whether it is written from an image (then it is provisioned). */
    record OsDisk(ObjectNode disk, BlobRef media, boolean fromImage) {
        String os() {
            return disk.path("OS").asText();
        }
    }

    /** The OS disk at {@code path}/OSVirtualHardDisk, adding the blob writes it needs to {@code writes}. */
    OsDisk osDisk(StoreTx tx, JsonNode osIn, String path, String sub, String svc, String roleName, String stamp,
                  List<OutsideWork<?>> writes) {
        if (!osIn.isObject()) {
            throw Elements.missing(path + "/OSVirtualHardDisk");
        }
        String osPath = path + "/OSVirtualHardDisk";
        String mediaLinkText = osIn.path("MediaLink").asText(null);
        if (mediaLinkText == null || mediaLinkText.isBlank()) {
            throw Elements.missing(osPath + "/MediaLink");
        }
        BlobRef mediaLink = blob(mediaLinkText, osPath + "/MediaLink");
        String caching = caching(osIn.path("HostCaching").asText(null), osPath + "/HostCaching", "ReadWrite");
        String sourceImage = osIn.path("SourceImageName").asText(null);
        String remote = osIn.path("RemoteSourceImageLink").asText(null);
        String os = osIn.path("OS").asText(null);
        if (os != null) {
            os = osType(os, osPath + "/OS");
        }
        ObjectNode osDisk = Json.object();
        if (sourceImage != null && remote != null) {
            throw ClassicErrors.badRequest("The elements '" + osPath + "/SourceImageName' and '" + osPath
                    + "/RemoteSourceImageLink' exclude each other: name one source for the OS disk.");
        }
        if (sourceImage != null) {
            ObjectNode image = OsImages.find(tx, sub, sourceImage).filter(i -> !i.path("Pending").asBoolean())
                    .orElseThrow(() -> ClassicErrors.badRequest("The image '" + sourceImage + "' named in '" + osPath
                            + "/SourceImageName' does not exist in the image repository."));
            String imageOs = image.path("OS").asText();
            if (os != null && !os.equals(imageOs)) {
                throw ClassicErrors.badRequest("The value '" + os + "' of '" + osPath + "/OS' contradicts the "
                        + imageOs + " image '" + sourceImage + "'.");
            }
            os = imageOs;
            BlobRef source = blob(image.path("MediaLink").asText(), "OSImage/MediaLink");
            absent(tx, mediaLink, osPath + "/MediaLink");
            writes.add(copy(source, mediaLink, osPath + "/MediaLink"));
            osDisk.put("SourceImageName", image.path("Name").asText());
        } else if (remote != null) {
            BlobRef source = blob(remote, osPath + "/RemoteSourceImageLink");
            vhd(tx, source, osPath + "/RemoteSourceImageLink");
            if (os == null) {
                throw ClassicErrors.badRequest("The element '" + osPath + "/OS' is required with a "
                        + "RemoteSourceImageLink: it is Windows or Linux.");
            }
            absent(tx, mediaLink, osPath + "/MediaLink");
            writes.add(copy(source, mediaLink, osPath + "/MediaLink"));
            osDisk.put("RemoteSourceImageLink", remote);
        } else {
            vhd(tx, mediaLink, osPath + "/MediaLink");
            if (os == null) {
                throw ClassicErrors.badRequest("The element '" + osPath + "/OS' is required to attach an existing "
                        + "OS disk: it is Windows or Linux.");
            }
        }
        osDisk.put("HostCaching", caching);
        osDisk.put("DiskLabel", osIn.path("DiskLabel").asText(null));
        osDisk.put("DiskName", osIn.path("DiskName").asText(svc + "-" + roleName + "-0-" + stamp));
        osDisk.put("MediaLink", mediaLinkText);
        osDisk.put("OS", os);
        return new OsDisk(osDisk, mediaLink, sourceImage != null || remote != null);
    }

    /** The data disks at {@code path}/DataVirtualHardDisks, adding the blob writes they need to {@code writes}. */
    ArrayNode dataDisks(StoreTx tx, JsonNode disks, String path, String svc, String roleName, String stamp,
                        BlobRef osMedia, List<OutsideWork<?>> writes) {
        ArrayNode out = Json.array();
        Set<Integer> luns = new HashSet<>();
        Set<String> media = new HashSet<>();
        media.add(osMedia.key());
        int i = 0;
        for (JsonNode d : disks) {
            String at = path + "/DataVirtualHardDisks/DataVirtualHardDisk[" + (i + 1) + "]";
            int lun = d.has("Lun") ? d.path("Lun").asInt() : i;
            if (lun < 0 || lun > 31) {
                throw ClassicErrors.badRequest("The value " + lun + " of '" + at + "/Lun' is not a LUN: 0 to 31.");
            }
            if (!luns.add(lun)) {
                throw ClassicErrors.badRequest("The value " + lun + " of '" + at + "/Lun' is used by another disk.");
            }
            String link = d.path("MediaLink").asText(null);
            if (link == null || link.isBlank()) {
                throw Elements.missing(at + "/MediaLink");
            }
            BlobRef blob = blob(link, at + "/MediaLink");
            if (!media.add(blob.key())) {
                throw ClassicErrors.badRequest("The blob '" + link + "' of '" + at + "/MediaLink' is used by another "
                        + "disk of the role.");
            }
            ObjectNode disk = Json.object();
            disk.put("HostCaching", caching(d.path("HostCaching").asText(null), at + "/HostCaching", "None"));
            if (d.hasNonNull("DiskLabel")) {
                disk.put("DiskLabel", d.path("DiskLabel").asText());
            }
            disk.put("DiskName", d.path("DiskName").asText(svc + "-" + roleName + "-" + (i + 1) + "-" + stamp));
            disk.put("Lun", lun);
            disk.put("MediaLink", link);
            String sourceLink = d.path("SourceMediaLink").asText(null);
            if (sourceLink != null) {
                BlobRef source = blob(sourceLink, at + "/SourceMediaLink");
                Vhd vhd = vhd(tx, source, at + "/SourceMediaLink");
                absent(tx, blob, at + "/MediaLink");
                writes.add(copy(source, blob, at + "/MediaLink"));
                if (vhd.sizeKnown()) {
                    disk.put("LogicalDiskSizeInGB", vhd.sizeGiB());
                }
            } else if (exists(tx, blob)) {
                Vhd vhd = vhd(tx, blob, at + "/MediaLink");
                if (vhd.sizeKnown()) {
                    disk.put("LogicalDiskSizeInGB", vhd.sizeGiB());
                }
            } else {
                if (!d.has("LogicalDiskSizeInGB")) {
                    throw ClassicErrors.badRequest("The element '" + at + "/LogicalDiskSizeInGB' is required for an "
                            + "empty data disk (no blob exists at its MediaLink).");
                }
                int size = d.path("LogicalDiskSizeInGB").asInt();
                if (size < 1 || size > 1023) {
                    throw ClassicErrors.badRequest("The value " + size + " of '" + at + "/LogicalDiskSizeInGB' is "
                            + "not a disk size: 1 to 1023 GB.");
                }
                disk.put("LogicalDiskSizeInGB", size);
                writes.add(BlobWork.blank(vhds, blob, (long) size << 30));
            }
            out.add(disk);
            i++;
        }
        return out;
    }

    private static String caching(String value, String at, String dflt) {
        if (value == null) {
            return dflt;
        }
        for (String allowed : new String[]{"None", "ReadOnly", "ReadWrite"}) {
            if (allowed.equals(value.strip())) {
                return allowed;
            }
        }
        throw ClassicErrors.badRequest("The value '" + value + "' of '" + at + "' is not a caching mode: it is None, "
                + "ReadOnly or ReadWrite.");
    }

    static String osType(String value, String at) {
        for (String allowed : new String[]{"Windows", "Linux"}) {
            if (allowed.equalsIgnoreCase(value.strip())) {
                return allowed;
            }
        }
        throw ClassicErrors.badRequest("The value '" + value + "' of '" + at + "' is not an operating system: it is "
                + "Windows or Linux.");
    }

    static BlobRef blob(String uri, String at) {
        try {
            return BlobRef.parse(uri.strip());
        } catch (IllegalArgumentException e) {
            throw ClassicErrors.badRequest("The value of '" + at + "' is not a blob URI "
                    + "(https://{account}.blob.core.windows.net/{container}/{blob}): " + e.getMessage());
        }
    }

    /**
     * The blob as a fixed VHD, looked at outside the store write; a missing or malformed one is a 400 naming the
     * element.
     */
    Vhd vhd(StoreTx tx, BlobRef blob, String at) {
        try {
            return tx.outside(BlobWork.vhd(vhds, blob, at));
        } catch (BlobException e) {
            throw ClassicErrors.badRequest(e.getMessage());
        }
    }

    /** Whether a blob exists, looked at outside the store write. */
    boolean exists(StoreTx tx, BlobRef blob) {
        return tx.outside(BlobWork.size(vhds, blob)).isPresent();
    }

    private void absent(StoreTx tx, BlobRef blob, String at) {
        if (exists(tx, blob)) {
            throw ClassicErrors.conflict("A blob already exists at '" + blob.uri() + "', given in '" + at + "': a new "
                    + "disk is written there, so it must not exist yet.");
        }
    }

    /** Copying to a new blob, outside the store write: a 409 when it exists meanwhile, a 400 for a bad source. */
    OutsideWork<Boolean> copy(BlobRef source, BlobRef target, String at) {
        return BlobWork.write(vhds, "copy of " + source.uri(), target, () -> {
            try {
                vhds.copy(source, target, false);
            } catch (BlobException e) {
                if (e.isConflict()) {
                    throw ClassicErrors.conflict("A blob already exists at '" + target.uri() + "', given in '" + at
                            + "'.");
                }
                throw ClassicErrors.badRequest(e.getMessage());
            }
        });
    }

    /** Copying over an existing blob, outside the store write; doing it again is harmless. */
    OutsideWork<Boolean> overwrite(BlobRef source, BlobRef target) {
        return BlobWork.copy(vhds, source, target, true);
    }

    /** Deleting a role's disk blobs, outside the store write (their account may be remote), before it commits. */
    /** Deleting one blob, as work outside a write. */
    OutsideWork<?> deleteBlob(BlobRef blob) {
        return BlobWork.delete(vhds, blob);
    }

    List<OutsideWork<?>> deleteBlobs(JsonNode role) {
        List<OutsideWork<?>> deletes = new ArrayList<>();
        deletes.add(BlobWork.delete(vhds, blob(role.path("OSVirtualHardDisk").path("MediaLink").asText(), "MediaLink")));
        for (JsonNode d : role.path("DataVirtualHardDisks")) {
            deletes.add(BlobWork.delete(vhds, blob(d.path("MediaLink").asText(), "MediaLink")));
        }
        return deletes;
    }
}

package io.azimuth.compute.images;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.compute.ManagedContent;

import java.util.Optional;

/** What other providers read of a stored image: the content of its disks, as its private state names them. */
public final class ImageDocuments {
    private ImageDocuments() {
    }

    /** The name of an image disk: {@code osDisk}, or {@code lun-<n>} for a data disk. */
    public static String diskName(Integer lun) {
        return lun == null ? "osDisk" : "lun-" + lun;
    }

    /** The content of one of an image's disks; empty for an image stored before images had content. */
    public static Optional<BlobRef> content(JsonNode image, String disk) {
        JsonNode ref = image.path(ManagedContent.STATE).path("disks").path(disk);
        return ref.isTextual() ? Optional.of(ManagedContent.parse(ref.asText())) : Optional.empty();
    }
}

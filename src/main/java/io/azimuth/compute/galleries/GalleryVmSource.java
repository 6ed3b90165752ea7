package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.store.StoreTx;

/** The virtual-machine provider's hook: a VM's disks as a gallery image version is made from them. */
@FunctionalInterface
public interface GalleryVmSource {
    /**
     * The VM's OS and disks: {@code osType}, {@code osState} (Generalized once generalized, else Specialized),
     * {@code hyperVGeneration}, {@code osDisk} and {@code dataDisks} (each with {@code managedDisk.id} or
     * {@code blobUri}, {@code diskSizeGB}, {@code caching}; data disks with their {@code lun}). Refused under
     * {@code field} when the VM does not exist or is busy.
     */
    ObjectNode disks(StoreTx tx, ResourceId vm, String field);
}

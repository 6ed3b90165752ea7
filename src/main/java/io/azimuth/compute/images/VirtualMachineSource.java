package io.azimuth.compute.images;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.store.StoreTx;

/**
 * Where an image made from a virtual machine ({@code properties.sourceVirtualMachine}) takes its storage profile.
 * The virtual-machine provider supplies it; until one is registered no virtual machine exists, so every
 * reference is answered 404.
 */
@FunctionalInterface
public interface VirtualMachineSource {
    /**
     * The image storage profile derived from the VM's disks, taken inside the image's write; it may carry the
     * VM's {@code hyperVGeneration}, which the image takes.
     *
     * @throws io.azimuth.http.ApiException 404 when the VM does not exist, 409 when it is not stopped and generalized
     */
    ObjectNode storageProfile(StoreTx tx, ResourceId vm, String field);
}

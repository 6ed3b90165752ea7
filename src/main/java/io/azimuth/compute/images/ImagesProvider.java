package io.azimuth.compute.images;

import io.azimuth.arm.ArmErrors;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.ApiException;
import io.azimuth.kinds.ResourceKind;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

/**
 * {@code Microsoft.Compute/images}: custom images made from VHD blobs, snapshots, managed disks or (through
 * {@link VirtualMachineSource}) virtual machines, each disk with its own copy of its source's bytes. PUT answers 201
 * on create and 200 on update.
 */
public final class ImagesProvider implements Provider {
    private volatile VirtualMachineSource vmSource = (tx, vm, field) -> {
        throw ArmErrors.referenceNotFound("virtual machine", vm.toString(), field);
    };

    /** Lets the virtual-machine provider supply images made from VMs. */
    public void virtualMachineSource(VirtualMachineSource source) {
        this.vmSource = source;
    }

    @Override
    public void register(Platform p) {
        ManagedContent content = new ManagedContent(p.vhds());
        ImageRules rules = new ImageRules(content, () -> vmSource);
        p.kinds().register(ResourceKind.of(ComputeProvider.NAMESPACE, "images")
                .apiVersions(ComputeProvider.API_VERSIONS.subList(0, ComputeProvider.API_VERSIONS.size() - 1))
                .withoutPrivateState()
                .inProgressStates("Creating", "Creating", "Updating")
                .putStatuses(201, 200, -1)
                .patchStatuses(200, -1)
                .put((tx, id, body, current) -> content.staged(tx, rules.blobSources(tx, body),
                        staged -> rules.createOrUpdate(tx, id, body, current, staged)))
                .patch((tx, id, body, current) -> content.staged(tx, rules.blobSources(tx, body),
                        staged -> rules.update(tx, current, body, staged)))
                .onDeleted((tx, doc) -> rules.release(doc))
                .build());
    }
}

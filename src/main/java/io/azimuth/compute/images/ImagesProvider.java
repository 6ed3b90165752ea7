package io.azimuth.compute.images;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceType;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Route;
import io.azimuth.resources.TrackedResources;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

/**
 * {@code Microsoft.Compute/images}: custom images made from VHD blobs, snapshots, managed disks or (through
 * {@link VirtualMachineSource}) virtual machines, each disk with its own copy of its source's bytes. PUT answers 201
 * on create and 200 on update.
 */
public final class ImagesProvider implements Provider {
    private volatile VirtualMachineSource vmSource = (tx, vm, field) -> {
        throw new ApiException(404, "NotFound", "The virtual machine '" + vm + "' given in '" + field
                + "' was not found.", field);
    };

    /** Lets the virtual-machine provider supply images made from VMs. */
    public void virtualMachineSource(VirtualMachineSource source) {
        this.vmSource = source;
    }

    @Override
    public void register(Platform p) {
        ResourceType type = p.catalog().register(ComputeProvider.NAMESPACE, "images",
                ComputeProvider.API_VERSIONS.subList(0, ComputeProvider.API_VERSIONS.size() - 1));
        TrackedResources images = new TrackedResources(p.store(), p.operations(), p.config().pageSize(),
                ComputeProvider.NAMESPACE, "images", TrackedResources.WITHOUT_PRIVATE_STATE);
        ManagedContent content = new ManagedContent(p.vhds());
        ImageRules rules = new ImageRules(images, content, () -> vmSource);
        images.onDeleted((tx, doc) -> rules.release(doc));

        String group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/images";
        p.router().add(Route.at(group, p.arm(), type).get(images::listInGroup));
        p.router().add(Route.at("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/images", p.arm(), type)
                .get(images::listInSubscription));
        p.router().add(Route.at(group + "/{imageName}", p.arm(), type)
                .get(images.getter("imageName"))
                .put(r -> put(r, images, rules, content))
                .patch(r -> patch(r, images, rules, content))
                .delete(r -> images.delete(r, images.id(r, "imageName"), null)));
    }

    private static ApiResponse put(ApiRequest r, TrackedResources images, ImageRules rules, ManagedContent content) {
        ObjectNode body = r.jsonObject();
        ResourceId id = images.id(r, "imageName");
        TrackedResources.Written w = images.write(r, id, false, "Creating", (tx, current) -> content.staged(tx,
                rules.blobSources(tx, body), staged -> rules.createOrUpdate(tx, id, body, current, staged)));
        int status = w.created() ? 201 : 200;
        return images.answer(r, w, status, status);
    }

    private static ApiResponse patch(ApiRequest r, TrackedResources images, ImageRules rules,
                                     ManagedContent content) {
        ObjectNode body = r.jsonObject();
        ResourceId id = images.id(r, "imageName");
        TrackedResources.Written w = images.write(r, id, true, "Updating", (tx, current) -> content.staged(tx,
                rules.blobSources(tx, body), staged -> rules.update(tx, current.orElseThrow(), body, staged)));
        return images.answer(r, w, 200, 200);
    }
}

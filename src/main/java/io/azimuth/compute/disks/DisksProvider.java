package io.azimuth.compute.disks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceType;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Route;
import io.azimuth.resources.TrackedResources;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.azimuth.store.StoreTx;

import java.util.List;

/**
 * The Disk RP's managed disks ({@code Microsoft.Compute/disks}) and snapshots ({@code Microsoft.Compute/snapshots}),
 * their bytes, and read access to them ({@code beginGetAccess}/{@code endGetAccess}, served under
 * {@code /_azimuth/exports}). Their PUT and PATCH answer 200 when done or 202 while in progress, never 201 (the SDK
 * refuses 201).
 */
public final class DisksProvider implements Provider {
    /** Disk RP versions, newest first. */
    public static final List<String> API_VERSIONS = List.of("2025-01-02", "2024-03-02", "2023-10-02", "2023-04-02",
            "2023-01-02", "2022-07-02", "2022-03-02", "2021-12-01", "2021-08-01", "2021-04-01", "2020-12-01",
            "2020-09-30", "2020-06-30", "2020-05-01", "2019-11-01", "2019-07-01", "2019-03-01", "2018-09-30",
            "2018-06-01", "2018-04-01", "2017-03-30", "2016-04-30-preview");

    private TrackedResources disks;
    private TrackedResources snapshots;

    @Override
    public void register(Platform p) {
        ManagedContent content = new ManagedContent(p.vhds());
        disks = new TrackedResources(p.store(), p.operations(), p.config().pageSize(), ComputeProvider.NAMESPACE,
                DiskKind.DISK.type, DiskDocuments::view, DiskDocuments::viewUnchangedUntil);
        snapshots = new TrackedResources(p.store(), p.operations(), p.config().pageSize(), ComputeProvider.NAMESPACE,
                DiskKind.SNAPSHOT.type, DiskDocuments::view, DiskDocuments::viewUnchangedUntil);
        DiskAccess access = new DiskAccess(p.store(), p.operations(), content);
        for (DiskKind kind : DiskKind.values()) {
            ResourceType type = p.catalog().register(ComputeProvider.NAMESPACE, kind.type, API_VERSIONS);
            TrackedResources resources = kind == DiskKind.DISK ? disks : snapshots;
            resources.onDeleted((tx, doc) -> DiskDocuments.release(tx, content, doc));
            DiskRules rules = new DiskRules(kind, disks, snapshots, content);
            String group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/"
                    + kind.type;
            String one = group + "/{" + kind.nameParam + "}";
            p.router().add(Route.at(group, p.arm(), type).get(resources::listInGroup));
            p.router().add(Route.at("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/" + kind.type, p.arm(),
                    type).get(resources::listInSubscription));
            p.router().add(Route.at(one, p.arm(), type)
                    .get(resources.getter(kind.nameParam))
                    .put(r -> put(r, kind, resources, rules, content))
                    .patch(r -> patch(r, kind, resources, rules))
                    .delete(r -> resources.delete(r, resources.id(r, kind.nameParam), DisksProvider::refuseInUse)));
            p.router().add(Route.at(one + "/beginGetAccess", p.arm(), type)
                    .post(r -> access.begin(r, kind, resources, resources.id(r, kind.nameParam))));
            p.router().add(Route.at(one + "/endGetAccess", p.arm(), type)
                    .post(r -> access.end(r, kind, resources, resources.id(r, kind.nameParam))));
        }
        ExportEnvelope exports = new ExportEnvelope();
        p.router().add(Route.at(DiskAccess.PATH + "{exportId}", exports).get(access::download));
    }

    private static ApiResponse put(ApiRequest r, DiskKind kind, TrackedResources resources, DiskRules rules,
                                   ManagedContent content) {
        ObjectNode body = r.jsonObject();
        ResourceId id = resources.id(r, kind.nameParam);
        // a blob to import is staged outside the write (it may be remote), when the PUT creates the disk
        StagedBlobs.Source imported = DiskRules.importSource(body);
        TrackedResources.Written w = resources.write(r, id, false, "Updating", (tx, current) -> content.staged(tx,
                imported != null && current.isEmpty() ? List.of(imported) : List.of(),
                staged -> rules.createOrUpdate(tx, id, body, current, staged)));
        return resources.answer(r, w, 200, 202);
    }

    private static ApiResponse patch(ApiRequest r, DiskKind kind, TrackedResources resources, DiskRules rules) {
        ObjectNode body = r.jsonObject();
        ResourceId id = resources.id(r, kind.nameParam);
        TrackedResources.Written w = resources.write(r, id, true, "Updating",
                (tx, current) -> rules.patch(current.orElseThrow(), body));
        return resources.answer(r, w, 200, 202);
    }

    /** A disk attached to a VM, or a disk or snapshot with an active SAS, is not deleted. */
    private static void refuseInUse(StoreTx tx, ObjectNode disk) {
        String managedBy = disk.path("managedBy").asText(null);
        if (managedBy != null && !managedBy.isEmpty()) {
            throw ApiException.conflict("OperationNotAllowed", "Disk " + disk.path("name").asText()
                    + " is attached to VM " + managedBy + ".");
        }
        DiskAccess.refuseWhileActive(disk, "delete");
    }
}

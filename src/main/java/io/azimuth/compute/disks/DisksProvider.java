package io.azimuth.compute.disks;

import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.compute.StagedBlobs;
import io.azimuth.http.Route;
import io.azimuth.kinds.ResourceKind;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

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

    @Override
    public void register(Platform p) {
        ManagedContent content = new ManagedContent(p.vhds());
        DiskAccess access = new DiskAccess(p.store(), p.operations(), content);
        for (DiskKind kind : DiskKind.values()) {
            DiskRules rules = new DiskRules(kind, content);
            p.kinds().register(ResourceKind.of(ComputeProvider.NAMESPACE, kind.type)
                    .apiVersions(API_VERSIONS)
                    .view(DiskDocuments::view, DiskDocuments::viewUnchangedUntil)
                    .inProgressStates("Updating", "Updating", "Updating")
                    .putStatuses(200, 200, 202)
                    .patchStatuses(200, 202)
                    .put((tx, id, body, current) -> {
                        // a blob to import is staged outside the write (it may be remote), when the PUT creates the disk
                        StagedBlobs.Source imported = DiskRules.importSource(body);
                        return content.staged(tx, imported != null && current.isEmpty() ? List.of(imported) : List.of(),
                                staged -> rules.createOrUpdate(tx, id, body, current, staged));
                    })
                    .patch((tx, id, body, current) -> rules.patch(current, body))
                    .deleteCheck((tx, doc) -> DiskAccess.refuseWhileActive(doc, "delete"))
                    .onDeleted((tx, doc) -> DiskDocuments.release(tx, content, doc))
                    .action("beginGetAccess", (r, id) -> access.begin(r, kind, resources(p, kind), id))
                    .action("endGetAccess", (r, id) -> access.end(r, kind, resources(p, kind), id))
                    .build());
        }
        ExportEnvelope exports = new ExportEnvelope();
        p.router().add(Route.at(DiskAccess.PATH + "{exportId}", exports).get(access::download));
        p.copySources().register(access::copySource);
    }

    private static TrackedResources resources(Platform p, DiskKind kind) {
        return p.kinds().kind(kind.fullType()).orElseThrow();
    }
}

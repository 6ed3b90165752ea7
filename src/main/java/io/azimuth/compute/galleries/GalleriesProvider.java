package io.azimuth.compute.galleries;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmErrors;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.compute.ComputeProvider;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.kinds.ResourceKind;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

import java.util.List;

/**
 * The Azure Compute Gallery: {@code Microsoft.Compute/galleries}, their image definitions
 * ({@code galleries/images}) and the definitions' versions ({@code galleries/images/versions}), on the resource-kind
 * mechanism. A gallery with definitions, or a definition with versions, is not deleted (409
 * {@code CannotDeleteResource}, naming some of them). Versions hold their own bytes and replicate on the clock
 * {@code --replication-time} sets; VMs are made from them through {@link GalleryDocuments}.
 */
public final class GalleriesProvider implements Provider {
    /** Gallery RP versions, newest first. */
    public static final List<String> API_VERSIONS = List.of("2025-03-03", "2024-03-03", "2023-07-03", "2022-08-03",
            "2022-03-03", "2022-01-03", "2021-10-01", "2021-07-01", "2020-09-30", "2019-12-01", "2019-07-01",
            "2019-03-01", "2018-06-01");

    static final String NESTED = "Cannot delete resource while nested resources exist. Some existing nested "
            + "resource IDs include: '{children}'. Please delete all nested resources before deleting this resource.";

    private volatile GalleryVmSource vmSource = (tx, vm, field) -> {
        throw ArmErrors.referenceNotFound("virtual machine", vm.toString(), field);
    };
    private volatile TrackedResources versions;

    /** Lets the virtual-machine provider supply versions made from VMs. */
    public void virtualMachineSource(GalleryVmSource source) {
        this.vmSource = source;
    }

    @Override
    public void register(Platform p) {
        ManagedContent content = new ManagedContent(p.vhds());
        Replication replication = new Replication(p.config().replicationMillis(), System::currentTimeMillis);
        GalleryRules galleries = new GalleryRules();
        DefinitionRules definitions = new DefinitionRules();
        VersionRules rules = new VersionRules(content, replication, () -> vmSource);
        String ns = ComputeProvider.NAMESPACE;

        p.kinds().register(ResourceKind.of(ns, "galleries").apiVersions(API_VERSIONS)
                .nameRule(GalleryRules::checkName)
                .put(galleries::put)
                .patch(galleries::patch)
                .build());
        p.kinds().register(ResourceKind.of(ns, "galleries/images").apiVersions(API_VERSIONS)
                .nameRule(DefinitionRules::checkName)
                .put(definitions::put)
                .patch(definitions::patch)
                .refusesParentDelete("CannotDeleteResource", NESTED)
                .build());
        versions = p.kinds().register(ResourceKind.of(ns, "galleries/images/versions").apiVersions(API_VERSIONS)
                .withoutPrivateState()
                .nameRule(VersionName::check)
                .provisionTime(replication::remaining)
                .put((tx, id, body, current) -> content.staged(tx, rules.blobSources(tx, body),
                        staged -> rules.put(tx, id, body, current, staged)))
                .patch(rules::patch)
                .get((r, id) -> get(r, id, replication))
                .deleteCheck(rules::checkDelete)
                .onDeleted((tx, doc) -> rules.release(doc))
                .refusesParentDelete("CannotDeleteResource", NESTED)
                .build());
    }

    /** GET of a version; {@code $expand=ReplicationStatus} adds each region's replication as it stands now. */
    private ApiResponse get(ApiRequest r, ResourceId id, Replication replication) {
        String expand = r.query("$expand");
        if (expand == null) {
            return versions.get(id);
        }
        if (!expand.equalsIgnoreCase("ReplicationStatus") && !expand.equalsIgnoreCase("UefiSettings")) {
            throw Fields.invalid("$expand", "'$expand' is 'ReplicationStatus' or 'UefiSettings'.");
        }
        if (expand.equalsIgnoreCase("UefiSettings")) {
            return versions.get(id);
        }
        return versions.getWith(id, doc -> {
            ObjectNode view = TrackedResources.WITHOUT_PRIVATE_STATE.apply(doc.deepCopy());
            view.withObjectProperty("properties").set("replicationStatus", replication.status(doc));
            return view;
        });
    }
}

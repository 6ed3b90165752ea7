package io.azimuth.resources.deployments;

import io.azimuth.arm.ResourceType;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

import java.util.List;

/**
 * {@code Microsoft.Resources/deployments} at resource-group scope: template deployments whose resources are
 * created through the kinds registry's entry points, the code a direct PUT reaches. Registered after every provider
 * whose resources a template may create, since runs left by a previous process resume at registration.
 */
public final class DeploymentsProvider implements Provider {
    /** Versions Azure lists for deployments, newest first. */
    static final List<String> VERSIONS = List.of("2025-04-01", "2025-03-01", "2024-11-01", "2024-07-01",
            "2024-03-01", "2023-07-01", "2022-09-01", "2021-04-01", "2021-01-01", "2020-10-01", "2020-08-01",
            "2020-06-01", "2019-10-01", "2019-08-01", "2019-07-01", "2019-05-10", "2019-05-01", "2019-03-01",
            "2018-05-01", "2018-02-01", "2017-08-01", "2017-06-01", "2017-05-10", "2016-09-01", "2016-07-01",
            "2016-06-01", "2016-02-01", "2015-11-01", "2015-01-01", "2014-04-01");

    private volatile Deployments deployments;

    @Override
    public void register(Platform p) {
        ResourceType type = p.catalog().register("Microsoft.Resources", "deployments", VERSIONS);
        Deployments deployments = new Deployments(p.store(), p.kinds(), p.operations(), p.config().tenantId());
        this.deployments = deployments;
        new DeploymentRoutes(deployments, p.store(), p.config().pageSize()).register(p.router(), p.arm(), type);
        deployments.resume();
    }

    @Override
    public void stop() {
        Deployments d = deployments;
        if (d != null) {
            d.stop();
        }
    }
}

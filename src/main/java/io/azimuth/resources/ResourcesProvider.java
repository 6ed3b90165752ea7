package io.azimuth.resources;

import io.azimuth.arm.ProviderCatalog;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceType;
import io.azimuth.kinds.GroupScope;
import io.azimuth.store.StoreTx;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

import java.util.List;

/** Microsoft.Resources: subscriptions, providers, locations, resource groups, and the cloud discovery document. */
public final class ResourcesProvider implements Provider {
    public static final String NAMESPACE = "Microsoft.Resources";

    /** Versions Azure lists for resource groups, newest first. */
    static final List<String> RESOURCE_GROUP_VERSIONS = List.of("2025-04-01", "2025-03-01", "2024-11-01",
            "2024-07-01", "2024-03-01", "2023-07-01", "2022-09-01", "2021-04-01", "2021-01-01", "2020-10-01",
            "2020-08-01", "2020-06-01", "2019-10-01", "2019-08-01", "2019-07-01", "2019-05-10", "2019-05-01",
            "2019-03-01", "2018-05-01", "2018-02-01", "2017-08-01", "2017-06-01", "2017-05-10", "2016-09-01",
            "2016-07-01", "2016-06-01", "2016-02-01", "2015-11-01", "2015-01-01", "2014-04-01");
    static final List<String> SUBSCRIPTION_VERSIONS = List.of("2022-12-01", "2021-01-01", "2020-01-01",
            "2019-11-01", "2019-06-01", "2018-06-01", "2016-06-01", "2016-01-01", "2015-11-01", "2015-01-01",
            "2014-04-01");

    @Override
    public void register(Platform p) {
        ProviderCatalog catalog = p.catalog();
        ResourceType groups = catalog.register(NAMESPACE, "resourceGroups", RESOURCE_GROUP_VERSIONS);
        ResourceType subscriptions = catalog.register(NAMESPACE, "subscriptions", SUBSCRIPTION_VERSIONS);
        ResourceType locations = catalog.register(NAMESPACE, "locations", SUBSCRIPTION_VERSIONS);
        ResourceType providers = catalog.register(NAMESPACE, "providers", RESOURCE_GROUP_VERSIONS);

        ResourceGroups rules = new ResourceGroups(p.store(), p.operations(), p.kinds());
        p.kinds().groupScope(new GroupScope() {
            @Override
            public ResourceId requireWritable(StoreTx tx, String subscription, String resourceGroup) {
                return ResourceGroups.require(tx, subscription, resourceGroup).id();
            }

            @Override
            public void requireExists(StoreTx tx, String subscription, String resourceGroup) {
                ResourceGroups.find(tx, subscription, resourceGroup)
                        .orElseThrow(() -> ResourceGroups.notFound(resourceGroup));
            }
        });
        new ResourceGroupRoutes(rules, p.store(), p.operations(), p.config().pageSize())
                .register(p.router(), p.arm(), groups);
        new SubscriptionRoutes(p.config().subscriptionId(), p.config().tenantId(), catalog)
                .register(p.router(), p.arm(), subscriptions, locations, providers);
        new CloudMetadata().register(p.router(), p.arm().anonymous());
    }
}

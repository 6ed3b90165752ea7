package io.azimuth.server;

import io.azimuth.auth.Auth;

import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.ProviderCatalog;
import io.azimuth.blobs.CopySources;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.Router;
import io.azimuth.kinds.ResourceKinds;
import io.azimuth.lro.OperationEngine;
import io.azimuth.store.Store;
import io.vertx.core.Vertx;

/**
 * The shared mechanisms a provider plugs into: routes, the catalog, the store, operations, the ARM envelope, the
 * VHD blob store, the registry of resource kinds, sign-in (principals, tokens, the access check), and the URLs
 * providers serve blob bytes at that a copy may read ({@link CopySources}).
 */
public record Platform(Config config, Vertx vertx, Store store, OperationEngine operations, Router router,
                       ProviderCatalog catalog, ArmEnvelope arm, VhdStore vhds, ResourceKinds kinds, Auth auth,
                       CopySources copySources) {
    /** A platform with a registry of resource kinds of its own. */
    public Platform(Config config, Vertx vertx, Store store, OperationEngine operations, Router router,
                    ProviderCatalog catalog, ArmEnvelope arm, VhdStore vhds, Auth auth) {
        this(config, vertx, store, operations, router, catalog, arm, vhds,
                new ResourceKinds(store, operations, router, catalog, arm, config.pageSize()), auth, new CopySources());
    }

    /** A platform whose sign-in is open and lenient, with a key of this process only. */
    public Platform(Config config, Vertx vertx, Store store, OperationEngine operations, Router router,
                    ProviderCatalog catalog, ArmEnvelope arm, VhdStore vhds) {
        this(config, vertx, store, operations, router, catalog, arm, vhds,
                Auth.lenientInMemory(Config.SignIn.DEFAULT.tokenLifetime()));
    }
}

package io.azimuth.server;

import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.ProviderCatalog;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.Router;
import io.azimuth.lro.OperationEngine;
import io.azimuth.store.Store;
import io.vertx.core.Vertx;

/**
 * The shared mechanisms a provider plugs into: routes, the catalog, the store, operations, the ARM envelope and
 * the VHD blob store.
 */
public record Platform(Config config, Vertx vertx, Store store, OperationEngine operations, Router router,
                       ProviderCatalog catalog, ArmEnvelope arm, VhdStore vhds) {
}

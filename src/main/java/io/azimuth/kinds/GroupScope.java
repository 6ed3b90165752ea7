package io.azimuth.kinds;

import io.azimuth.arm.ResourceId;
import io.azimuth.store.StoreTx;

/**
 * The resource groups that resources live in, as the provider that owns them (Microsoft.Resources) answers for
 * them: the one thing {@link ResourceKinds} asks of another package, plugged in at registration.
 */
public interface GroupScope {
    /**
     * The group's id as it was created (its casing), for a write into it.
     *
     * @throws io.azimuth.http.ApiException 404 when it does not exist, 409 while it is being deleted
     */
    ResourceId requireWritable(StoreTx tx, String subscription, String resourceGroup);

    /**
     * Checks that the group exists, for a listing of it.
     *
     * @throws io.azimuth.http.ApiException 404 when it does not exist
     */
    void requireExists(StoreTx tx, String subscription, String resourceGroup);
}

package io.azimuth.server;

/**
 * A resource provider package (Microsoft.Resources, Microsoft.Compute images, ...): registers its resource types,
 * routes and operation handlers on the platform. Adding a resource type means adding one of these.
 */
public interface Provider {
    void register(Platform platform);
}

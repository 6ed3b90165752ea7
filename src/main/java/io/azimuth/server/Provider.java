package io.azimuth.server;

/**
 * A resource provider package (Microsoft.Resources, Microsoft.Compute images, ...): declares its resource kinds to the
 * platform's {@code ResourceKinds} (and registers whatever routes and operation handlers are its own). Adding a
 * resource type means adding a package with one of these.
 */
public interface Provider {
    void register(Platform platform);

    /** The server is closing: work of the provider's own (threads) ends now, before the store and Vert.x close. */
    default void stop() {
    }
}

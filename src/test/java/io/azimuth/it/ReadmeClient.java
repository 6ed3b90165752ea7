package io.azimuth.it;

import com.azure.core.management.Region;
import com.azure.resourcemanager.resources.ResourceManager;
import com.azure.resourcemanager.resources.models.ResourceGroup;
import io.azimuth.support.Sdk;

/** A user's program as the README shows it: default HTTP client, trust from the JDK's trust-store flags. */
public final class ReadmeClient {
    private ReadmeClient() {
    }

    public static void main(String[] args) {
        ResourceManager resources = ResourceManager.authenticate(Sdk.anyToken(), Sdk.profile(args[0], args[1]))
                .withDefaultSubscription();
        ResourceGroup group = resources.resourceGroups().define(args[2]).withRegion(Region.US_WEST).create();
        System.out.println("created " + group.name() + " in " + group.regionName());
        System.exit(0);
    }
}

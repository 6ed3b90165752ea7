package io.azimuth.compute;

import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

import java.util.List;

/**
 * Microsoft.Compute. Its operation-status types are served by the shared operation engine; resource types
 * (images, disks, snapshots, virtual machines) register here as they are added.
 */
public final class ComputeProvider implements Provider {
    public static final String NAMESPACE = "Microsoft.Compute";

    /** Compute Resource Provider versions, newest first. */
    public static final List<String> API_VERSIONS = List.of("2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01",
            "2023-09-01", "2023-07-01", "2023-03-01", "2022-11-01", "2022-08-01", "2022-03-01", "2021-11-01",
            "2021-07-01", "2021-04-01", "2021-03-01", "2020-12-01", "2020-06-01", "2019-12-01", "2019-07-01",
            "2019-03-01", "2018-10-01", "2018-06-01", "2018-04-01", "2017-12-01", "2017-03-30", "2016-08-30",
            "2016-04-30-preview", "2015-06-15");

    @Override
    public void register(Platform p) {
        p.catalog().register(NAMESPACE, "locations", API_VERSIONS);
        p.catalog().register(NAMESPACE, "locations/operations", API_VERSIONS);
    }
}

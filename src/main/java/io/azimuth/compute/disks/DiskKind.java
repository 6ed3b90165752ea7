package io.azimuth.compute.disks;

import java.util.List;

/** Managed disks and snapshots share the Disk RP's model; these are their differences. */
enum DiskKind {
    DISK("disks", List.of("Empty", "Import", "Copy")),
    SNAPSHOT("snapshots", List.of("Import", "Copy"));

    final String type;
    final List<String> createOptions;

    DiskKind(String type, List<String> createOptions) {
        this.type = type;
        this.createOptions = createOptions;
    }

    String fullType() {
        return "Microsoft.Compute/" + type;
    }
}

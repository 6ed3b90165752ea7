package io.azimuth.compute.disks;

import java.util.List;

/** Managed disks and snapshots share the Disk RP's model; these are their differences. */
enum DiskKind {
    DISK("disks", "diskName", List.of("Empty", "Import", "Copy")),
    SNAPSHOT("snapshots", "snapshotName", List.of("Import", "Copy"));

    final String type;
    final String nameParam;
    final List<String> createOptions;

    DiskKind(String type, String nameParam, List<String> createOptions) {
        this.type = type;
        this.nameParam = nameParam;
        this.createOptions = createOptions;
    }
}

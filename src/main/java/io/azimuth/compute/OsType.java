package io.azimuth.compute;

import java.util.Arrays;
import java.util.List;

/** The operating system a disk, image or VM holds. Constants are named as they are on the wire. */
public enum OsType {
    Windows, Linux;

    /** The wire names, in Azure's casing (what {@code Fields.enumValue} accepts case-insensitively). */
    public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();
}

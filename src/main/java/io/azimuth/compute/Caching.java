package io.azimuth.compute;

import java.util.Arrays;
import java.util.List;

/** The host caching of a disk attached to a VM or described by an image. Constants are named as they are on the wire. */
public enum Caching {
    None, ReadOnly, ReadWrite;

    /** The wire names, in Azure's casing (what {@code Fields.enumValue} accepts case-insensitively). */
    public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();
}

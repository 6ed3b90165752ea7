package io.azimuth.compute;

import java.util.Arrays;
import java.util.List;

/** The Hyper-V generation of a disk, image or VM. Constants are named as they are on the wire. */
public enum HyperVGeneration {
    V1, V2;

    /** The wire names, in Azure's casing (what {@code Fields.enumValue} accepts case-insensitively). */
    public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();
}

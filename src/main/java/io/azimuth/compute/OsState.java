package io.azimuth.compute;

import java.util.Arrays;
import java.util.List;

/** Whether an image's OS disk is generalized (provisioned anew) or specialized (used as it is). Constants are named as they are on the wire. */
public enum OsState {
    Generalized, Specialized;

    /** The wire names, in Azure's casing (what {@code Fields.enumValue} accepts case-insensitively). */
    public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();
}

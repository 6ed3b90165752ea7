package io.azimuth.compute;

import java.util.Arrays;
import java.util.List;

/** A managed disk's storage account type (its SKU). Constants are named as they are on the wire. */
public enum StorageType {
    Standard_LRS, Premium_LRS, StandardSSD_LRS, UltraSSD_LRS, Premium_ZRS, StandardSSD_ZRS, PremiumV2_LRS;

    /** The wire names, in Azure's casing (what {@code Fields.enumValue} accepts case-insensitively). */
    public static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();
}

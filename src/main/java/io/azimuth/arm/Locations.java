package io.azimuth.arm;

import io.azimuth.http.ApiException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Azure public-cloud regions. ARM accepts a region by its name ({@code westus}) or its display name
 * ({@code West US}), in any casing, and stores the normalised name.
 */
public final class Locations {
    private static final Map<String, String> DISPLAY_NAMES = new LinkedHashMap<>();

    static {
        String[][] regions = {
                {"eastus", "East US"}, {"eastus2", "East US 2"}, {"southcentralus", "South Central US"},
                {"westus2", "West US 2"}, {"westus3", "West US 3"}, {"australiaeast", "Australia East"},
                {"southeastasia", "Southeast Asia"}, {"northeurope", "North Europe"}, {"swedencentral", "Sweden Central"},
                {"uksouth", "UK South"}, {"westeurope", "West Europe"}, {"centralus", "Central US"},
                {"southafricanorth", "South Africa North"}, {"centralindia", "Central India"}, {"eastasia", "East Asia"},
                {"japaneast", "Japan East"}, {"koreacentral", "Korea Central"}, {"canadacentral", "Canada Central"},
                {"francecentral", "France Central"}, {"germanywestcentral", "Germany West Central"},
                {"italynorth", "Italy North"}, {"norwayeast", "Norway East"}, {"polandcentral", "Poland Central"},
                {"spaincentral", "Spain Central"}, {"switzerlandnorth", "Switzerland North"},
                {"mexicocentral", "Mexico Central"}, {"uaenorth", "UAE North"}, {"brazilsouth", "Brazil South"},
                {"israelcentral", "Israel Central"}, {"qatarcentral", "Qatar Central"}, {"northcentralus", "North Central US"},
                {"westus", "West US"}, {"japanwest", "Japan West"}, {"westcentralus", "West Central US"},
                {"australiacentral", "Australia Central"}, {"australiasoutheast", "Australia Southeast"},
                {"canadaeast", "Canada East"}, {"francesouth", "France South"}, {"germanynorth", "Germany North"},
                {"koreasouth", "Korea South"}, {"norwaywest", "Norway West"}, {"southafricawest", "South Africa West"},
                {"southindia", "South India"}, {"westindia", "West India"}, {"switzerlandwest", "Switzerland West"},
                {"uaecentral", "UAE Central"}, {"ukwest", "UK West"}, {"brazilsoutheast", "Brazil Southeast"},
                {"newzealandnorth", "New Zealand North"}, {"centraluseuap", "Central US EUAP"},
                {"eastus2euap", "East US 2 EUAP"},
        };
        for (String[] r : regions) {
            DISPLAY_NAMES.put(r[0], r[1]);
        }
    }

    private Locations() {
    }

    /** The region's normalised name ({@code "West US"} → {@code westus}), if it is a known region. */
    public static Optional<String> normalise(String location) {
        if (location == null) {
            return Optional.empty();
        }
        String key = location.replace(" ", "").toLowerCase(Locale.ROOT);
        return DISPLAY_NAMES.containsKey(key) ? Optional.of(key) : Optional.empty();
    }

    /**
     * A required region, normalised; refused with {@code unavailableCode} when unknown ("resource group" or
     * "this resource type" in the message), {@code LocationRequired} when absent.
     */
    public static String require(String location, String unavailableCode, String forWhat) {
        if (location == null || location.isBlank()) {
            throw ApiException.badRequest("LocationRequired", "The location property is required for this definition.",
                    "location");
        }
        return normalise(location).orElseThrow(() -> ApiException.badRequest(unavailableCode, "The provided location '"
                + location + "' is not available for " + forWhat + ". List of available regions is '"
                + String.join(",", names()) + "'.", "location"));
    }

    public static String displayName(String name) {
        return DISPLAY_NAMES.getOrDefault(name, name);
    }

    public static List<String> names() {
        return List.copyOf(DISPLAY_NAMES.keySet());
    }

    public static List<String> displayNames() {
        return List.copyOf(DISPLAY_NAMES.values());
    }
}

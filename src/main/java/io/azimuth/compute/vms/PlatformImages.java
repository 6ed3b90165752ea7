package io.azimuth.compute.vms;

import io.azimuth.http.ApiException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A small built-in catalog of marketplace (platform) images, several versions per SKU so that {@code latest}
 * and {@code exactVersion} mean something.
 */
public final class PlatformImages {
    /** One published image version. */
    public record Version(String publisher, String offer, String sku, String version, String osType,
                          String hyperVGeneration, int diskSizeGB) {
        public String urn() {
            return publisher + ":" + offer + ":" + sku + ":" + version;
        }
    }

    private static final List<Version> CATALOG = new ArrayList<>();

    static {
        add("MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter", "Windows", "V1", 127,
                "14393.6452.231005", "14393.6796.240304", "14393.7159.240703");
        add("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter", "Windows", "V1", 127,
                "17763.5458.240206", "17763.5696.240406", "17763.6054.240703");
        add("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition", "Windows", "V2", 127,
                "20348.2227.240104", "20348.2340.240303", "20348.2582.240703");
        add("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "Linux", "V1", 30,
                "22.04.202403280", "22.04.202406140", "22.04.202407010");
        add("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "Linux", "V2", 30,
                "22.04.202403280", "22.04.202406140", "22.04.202407010");
        add("Canonical", "ubuntu-24_04-lts", "server", "Linux", "V2", 30,
                "24.04.202407160", "24.04.202409030");
        add("Debian", "debian-12", "12-gen2", "Linux", "V2", 30,
                "0.20240528.1763", "0.20240717.1811");
    }

    private static void add(String publisher, String offer, String sku, String os, String gen, int size,
                            String... versions) {
        for (String v : versions) {
            CATALOG.add(new Version(publisher, offer, sku, v, os, gen, size));
        }
    }

    private PlatformImages() {
    }

    public static boolean isDecimalVersion(String version) {
        return version != null && version.matches("\\d+(\\.\\d+){0,3}");
    }

    /** Every version of one SKU, oldest first. */
    public static List<Version> versions(String publisher, String offer, String sku) {
        return CATALOG.stream().filter(v -> v.publisher().equalsIgnoreCase(publisher)
                        && v.offer().equalsIgnoreCase(offer) && v.sku().equalsIgnoreCase(sku))
                .sorted(Comparator.comparing(Version::version, PlatformImages::compareVersions)).toList();
    }

    /** The version named ({@code latest} resolved), if the catalog has it. */
    public static Optional<Version> find(String publisher, String offer, String sku, String version) {
        List<Version> all = versions(publisher, offer, sku);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        if (version == null || version.equalsIgnoreCase("latest")) {
            return Optional.of(all.get(all.size() - 1));
        }
        return all.stream().filter(v -> v.version().equals(version)).findFirst();
    }

    public static ApiException notFound(String publisher, String offer, String sku, String version) {
        return new ApiException(404, "PlatformImageNotFound", "The platform image '" + publisher + ":" + offer + ":"
                + sku + ":" + version + "' is not available. Verify that all fields in the storage profile are correct.",
                "imageReference");
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }
}

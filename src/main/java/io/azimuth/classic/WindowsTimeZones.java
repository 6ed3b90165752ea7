package io.azimuth.classic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The Windows time-zone ids, shipped as {@code classic/windows-time-zones.txt}, matched case-insensitively. */
final class WindowsTimeZones {
    private static final Map<String, String> BY_FOLDED = load();

    private WindowsTimeZones() {
    }

    private static Map<String, String> load() {
        Map<String, String> ids = new TreeMap<>();
        try (InputStream in = WindowsTimeZones.class.getResourceAsStream("/classic/windows-time-zones.txt")) {
            if (in == null) {
                throw new IllegalStateException("the list of Windows time zones is missing from the class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                String id = line.strip();
                if (!id.isEmpty() && !id.startsWith("#")) {
                    ids.put(id.toLowerCase(Locale.ROOT), id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(ids);
    }

    /** The id as Windows spells it, or null when Windows has no such time zone. */
    static String canonical(String id) {
        return id == null ? null : BY_FOLDED.get(id.strip().toLowerCase(Locale.ROOT));
    }

    static Set<String> all() {
        return new LinkedHashSet<>(BY_FOLDED.values());
    }
}

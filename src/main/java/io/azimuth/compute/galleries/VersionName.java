package io.azimuth.compute.galleries;

import io.azimuth.http.ApiException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gallery image version's name: {@code Major.Minor.Patch}, each a 32-bit integer, ordered numerically
 * ({@code 1.10.0} after {@code 1.9.0}).
 */
record VersionName(int major, int minor, int patch) implements Comparable<VersionName> {
    private static final Pattern FORM = Pattern.compile("^(\\d{1,10})\\.(\\d{1,10})\\.(\\d{1,10})$");

    /** The name's parts, or null when it is not a version name. */
    static VersionName parseOrNull(String name) {
        Matcher m = FORM.matcher(name == null ? "" : name);
        if (!m.matches()) {
            return null;
        }
        try {
            return new VersionName(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
        } catch (NumberFormatException e) {
            return null; // beyond a 32-bit integer
        }
    }

    /** A stored version's name (always valid); an unparsable one sorts first. */
    static VersionName parse(String name) {
        VersionName v = parseOrNull(name);
        return v == null ? new VersionName(-1, -1, -1) : v;
    }

    /** Refuses a name a version could not have, as Azure does, with the path parameter as the target. */
    static void check(String name) {
        if (parseOrNull(name) == null) {
            throw new ApiException(400, "InvalidParameter", "The gallery image version name '" + name + "' is "
                    + "invalid. It must follow the pattern Major(int32).Minor(int32).Patch(int32), e.g. 1.0.0, "
                    + "using only digits and periods.", "galleryImageVersionName");
        }
    }

    @Override
    public int compareTo(VersionName o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }
}

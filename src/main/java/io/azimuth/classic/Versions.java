package io.azimuth.classic;

import java.util.regex.Pattern;

/**
 * {@code x-ms-version} values: dates {@code YYYY-MM-DD}, compared as dates. Operations name the oldest version that
 * has them; some elements are read only from a later version.
 */
final class Versions {
    static final String V2009_10_01 = "2009-10-01";
    static final String V2010_10_28 = "2010-10-28";
    static final String V2012_03_01 = "2012-03-01";
    static final String V2012_08_01 = "2012-08-01";
    static final String V2013_03_01 = "2013-03-01";
    static final String V2013_06_01 = "2013-06-01";
    static final String V2013_08_01 = "2013-08-01";
    static final String V2013_10_01 = "2013-10-01";
    static final String V2014_04_01 = "2014-04-01";

    private static final Pattern FORM = Pattern.compile("^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$");

    private Versions() {
    }

    static boolean wellFormed(String version) {
        return version != null && FORM.matcher(version).matches();
    }

    /** Whether {@code version} (well-formed) is {@code since} or later. */
    static boolean atLeast(String version, String since) {
        return version.compareTo(since) >= 0;
    }
}

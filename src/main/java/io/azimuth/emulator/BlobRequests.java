package io.azimuth.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the blob endpoints read from a request and share in their answers: the account, container and blob names
 * (each refused with 400 {@code InvalidResourceName} naming the part), numeric headers, the declared body length,
 * {@code Range} spans, a blob's type and its JSON description.
 */
final class BlobRequests {
    static final String OCTETS = "application/octet-stream";
    static final long PAGE = 512;
    private static final Pattern BYTE_RANGE = Pattern.compile("(\\d*)-(\\d*)");

    private BlobRequests() {
    }

    static String account(ApiRequest r) {
        try {
            return BlobRef.checkAccount(r.param("account"));
        } catch (IllegalArgumentException e) {
            throw invalidName("account", e);
        }
    }

    static String container(ApiRequest r) {
        try {
            return BlobRef.checkContainer(r.param("container"));
        } catch (IllegalArgumentException e) {
            throw invalidName("container", e);
        }
    }

    static BlobRef blob(ApiRequest r) {
        String account = account(r);
        String container = container(r);
        String path = r.param("blob");
        try {
            BlobRef.checkPath(path);
        } catch (IllegalArgumentException e) {
            throw invalidName("blob", e);
        }
        return BlobRef.of(account, container, path);
    }

    static ApiException invalidName(String part, IllegalArgumentException e) {
        String reason = e.getMessage();
        return new ApiException(400, "InvalidResourceName",
                Character.toUpperCase(reason.charAt(0)) + reason.substring(1) + ".", part);
    }

    static ApiException notFound(BlobRef blob) {
        return new ApiException(404, "BlobNotFound", "The blob '" + blob.uri() + "' does not exist.");
    }

    /** A required whole number header. */
    static long number(ApiRequest r, String header) {
        String value = r.header(header);
        if (value == null) {
            throw new ApiException(400, "MissingRequiredHeader", "The header '" + header + "' is required.", header);
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ApiException(400, "InvalidHeaderValue", "The value '" + value + "' of '" + header
                + "' is not a whole number of bytes.", header);
    }

    /** The declared body length: -1 when not declared (chunked). */
    static long bodyLength(ApiRequest r) {
        String value = r.header("Content-Length");
        if (value == null) {
            return r.header("Transfer-Encoding") == null ? 0 : -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Azure's type for a blob: page blobs are whole 512-byte pages (as every VHD is). */
    static String blobType(long size) {
        return size % PAGE == 0 ? "PageBlob" : "BlockBlob";
    }

    static ObjectNode describe(BlobRef blob, long size) {
        ObjectNode body = Json.object();
        body.put("uri", blob.uri());
        body.put("account", blob.account());
        body.put("container", blob.container());
        body.put("name", blob.path());
        body.put("size", size);
        return body;
    }

    /**
     * The byte span of a single-range {@code Range: bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}
     * header, last byte included.
     */
    record Span(long first, long last) {
        static final Span UNSATISFIABLE = new Span(-1, -1);

        /** The span asked for, {@link #UNSATISFIABLE}, or null when the header is to be ignored (whole blob). */
        static Span parse(String header, long size) {
            String h = header.trim();
            if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
                return null; // another unit
            }
            Matcher m = BYTE_RANGE.matcher(h.substring(6).trim());
            if (!m.matches()) {
                return null; // malformed, or several ranges: served whole, as HTTP allows
            }
            String first = m.group(1);
            String last = m.group(2);
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = number(last);
                return suffix == 0 || size == 0 ? UNSATISFIABLE : new Span(Math.max(0, size - suffix), size - 1);
            }
            long from = number(first);
            long to = last.isEmpty() ? Long.MAX_VALUE : number(last);
            if (to < from) {
                return null;
            }
            return from >= size ? UNSATISFIABLE : new Span(from, Math.min(to, size - 1));
        }

        private static long number(String digits) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return Long.MAX_VALUE;
            }
        }
    }
}

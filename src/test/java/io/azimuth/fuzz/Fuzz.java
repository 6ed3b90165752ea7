package io.azimuth.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One request of the campaign, as bytes on the wire, and the helpers its mutations share. */
final class Fuzz {
    private Fuzz() {
    }

    /** Which API a request addresses. */
    enum Api { ARM, CLASSIC, BLOB }

    /**
     * A request: method, request target (path and query, sent as given), headers in order (duplicates allowed), a
     * body. {@code raw}, when set, is sent instead of what the rest says (framing broken on purpose);
     * {@code halfClose} shuts the sending side after the bytes; {@code wellFormed} says the request is valid HTTP/1.1,
     * so that the server owes it an answer (a broken one may be answered with a close).
     */
    static final class Request {
        final Api api;
        final String family;
        String method;
        String target;
        final List<String[]> headers = new ArrayList<>();
        byte[] body;
        byte[] raw;
        boolean halfClose;
        boolean wellFormed = true;
        /** Whether the Content-Length header is left out (the raw mutations frame the body themselves). */
        boolean noLength;
        /**
         * Whether the request line names an HTTP version other than 1.x, to which the HTTP layer answers
         * 501 Not Implemented (RFC 9110 gives 505): the one 5xx that is the right answer.
         */
        boolean otherProtocol;

        Request(Api api, String family, String method, String target, byte[] body) {
            this.api = api;
            this.family = family;
            this.method = method;
            this.target = target;
            this.body = body;
        }

        Request header(String name, String value) {
            headers.add(new String[]{name, value});
            return this;
        }

        Request without(String name) {
            headers.removeIf(h -> h[0].equalsIgnoreCase(name));
            return this;
        }

        Request replace(String name, String value) {
            return without(name).header(name, value);
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        Request copy(String newFamily) {
            Request r = new Request(api, newFamily, method, target, body);
            headers.forEach(h -> r.headers.add(h.clone()));
            r.raw = raw;
            r.halfClose = halfClose;
            r.wellFormed = wellFormed;
            r.noLength = noLength;
            r.otherProtocol = otherProtocol;
            return r;
        }

        byte[] bytes(int port) {
            if (raw != null) {
                return raw;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(128 + (body == null ? 0 : body.length));
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
            head.append("Connection: close\r\n");
            for (String[] h : headers) {
                head.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            if (!noLength && (body != null || method.equals("PUT") || method.equals("POST")
                    || method.equals("PATCH"))) {
                head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
            }
            head.append("\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        /** What a failure report says of the request: method, target, its family and a prefix of its body. */
        String describe() {
            String shownBody = raw != null ? new String(raw, StandardCharsets.ISO_8859_1)
                    : body == null ? "" : new String(body, StandardCharsets.UTF_8);
            StringBuilder b = new StringBuilder();
            b.append('[').append(family).append("] ").append(method).append(' ').append(prefix(target, 300));
            for (String[] h : headers) {
                if (!h[0].equalsIgnoreCase("Authorization")) {
                    b.append(" | ").append(h[0]).append(": ").append(prefix(h[1], 80));
                }
            }
            if (!shownBody.isEmpty()) {
                b.append(" | body (").append(raw != null ? raw.length : body.length).append(" bytes): ")
                        .append(prefix(shownBody, 300));
            }
            return b.toString();
        }
    }

    static String prefix(String s, int n) {
        String flat = s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        return flat.length() <= n ? flat : flat.substring(0, n) + "...(" + flat.length() + " chars)";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

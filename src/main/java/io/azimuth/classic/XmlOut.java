package io.azimuth.classic;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes a response document: the root in the classic namespace with the XML-schema-instance prefix declared (as
 * the service's own answers are), then elements in the order the caller writes them. Null values are left out.
 */
final class XmlOut {
    static final String NS = "http://schemas.microsoft.com/windowsazure";
    static final String NS_HTTPS = "https://schemas.microsoft.com/windowsazure";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private final StringBuilder b = new StringBuilder(512);
    private final Deque<String> open = new ArrayDeque<>();

    private XmlOut() {
    }

    static XmlOut root(String name) {
        XmlOut out = new XmlOut();
        out.b.append('<').append(name).append(" xmlns=\"").append(NS).append("\" xmlns:i=\"").append(XSI).append("\">");
        out.open.push(name);
        return out;
    }

    /** Whether {@code namespace} is the classic one, in the spelling clients use or the https one of newer docs. */
    static boolean classicNamespace(String namespace) {
        return NS.equals(namespace) || NS_HTTPS.equals(namespace);
    }

    XmlOut open(String name) {
        b.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    /** An element carrying {@code i:type}, as roles and configuration sets do. */
    XmlOut open(String name, String type) {
        b.append('<').append(name).append(" i:type=\"").append(escape(type)).append("\">");
        open.push(name);
        return this;
    }

    XmlOut close() {
        b.append("</").append(open.pop()).append('>');
        return this;
    }

    XmlOut el(String name, Object value) {
        if (value != null) {
            b.append('<').append(name).append('>').append(escape(String.valueOf(value))).append("</").append(name)
                    .append('>');
        }
        return this;
    }

    XmlOut empty(String name) {
        b.append('<').append(name).append("/>");
        return this;
    }

    String finish() {
        while (!open.isEmpty()) {
            close();
        }
        return b.toString();
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}

package io.azimuth.classic;

import io.azimuth.http.ApiException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The child elements of one request element, checked against the order the service defines: the service reads
 * bodies as data contracts, so an element out of its documented place is not read. Here it is refused instead,
 * naming it: each child must be in the classic namespace, be one the element has, appear at most once (unless it
 * repeats, as list items do) and come after the ones documented before it.
 *
 * <p>An order is given as names in documented order; {@code "A|B"} puts two names at the same place (either order
 * is read, where the service's documents and its own SDK disagree) and {@code "Name*"} marks a repeating element.
 */
final class Elements {
    private final XmlElement parent;
    private final Map<String, List<XmlElement>> byName = new HashMap<>();

    private Elements(XmlElement parent) {
        this.parent = parent;
    }

    /** The root of a request body: its name must be {@code root}, in the classic namespace. */
    static Elements root(XmlElement root, String name, String... order) {
        if (!XmlOut.classicNamespace(root.namespace())) {
            throw ClassicErrors.invalidXml("The root element '" + root.name() + "' must be in the namespace '"
                    + XmlOut.NS + "'" + (root.namespace().isEmpty() ? "; it has none." : ", not '"
                    + root.namespace() + "'."));
        }
        if (!root.name().equals(name)) {
            throw ClassicErrors.invalidXml("The root element must be '" + name + "', not '" + root.name() + "'.");
        }
        return of(root, order);
    }

    static Elements of(XmlElement parent, String... order) {
        return of(parent, Set.of(), order);
    }

    /**
     * As {@link #of(XmlElement, String...)}, reading the {@code ignorable} elements, wherever they are, as absent
     * when they are empty: the classic SDK writes one configuration-set class for every kind of set, with the empty
     * collections of the other kinds in it.
     */
    static Elements of(XmlElement parent, Set<String> ignorable, String... order) {
        Map<String, Integer> rank = new HashMap<>();
        Map<String, Boolean> repeats = new HashMap<>();
        Map<String, String> canonical = new HashMap<>();
        for (int i = 0; i < order.length; i++) {
            for (String alt : order[i].split("\\|")) {
                boolean repeat = alt.endsWith("*");
                String name = repeat ? alt.substring(0, alt.length() - 1) : alt;
                rank.put(name, i);
                repeats.put(name, repeat);
                canonical.put(name.toLowerCase(Locale.ROOT), name);
            }
        }
        Elements e = new Elements(parent);
        int last = -1;
        String lastName = null;
        for (XmlElement child : parent.children()) {
            if (ignorable.contains(child.name()) && child.children().isEmpty() && child.text().isBlank()) {
                continue;
            }
            if (!XmlOut.classicNamespace(child.namespace())) {
                throw ClassicErrors.invalidXml("The element '" + child.path() + "' must be in the namespace '"
                        + XmlOut.NS + "'" + (child.namespace().isEmpty() ? "; it has none." : ", not '"
                        + child.namespace() + "'."));
            }
            Integer r = rank.get(child.name());
            if (r == null) {
                String near = canonical.get(child.name().toLowerCase(Locale.ROOT));
                throw ClassicErrors.invalidXml("The element '" + child.path() + "' is not expected in '"
                        + parent.name() + "'" + (near != null ? " (element names are case-sensitive: '" + near
                        + "')." : "; it may hold " + String.join(", ", expected(order)) + "."));
            }
            List<XmlElement> same = e.byName.computeIfAbsent(child.name(), k -> new ArrayList<>());
            if (!same.isEmpty() && !repeats.get(child.name())) {
                throw ClassicErrors.invalidXml("The element '" + child.path() + "' appears more than once.");
            }
            if (r < last) {
                throw ClassicErrors.invalidXml("The element '" + child.path() + "' is out of order: it must come "
                        + "before '" + lastName + "' (the elements of '" + parent.name()
                        + "' are read in their documented order: " + String.join(", ", expected(order)) + ").");
            }
            if (!same.isEmpty() || r > last) {
                last = r;
                lastName = child.name();
            }
            same.add(child);
        }
        return e;
    }

    private static List<String> expected(String... order) {
        List<String> out = new ArrayList<>();
        for (String o : order) {
            out.add(o.replace("*", "").replace("|", " or "));
        }
        return out;
    }

    XmlElement element() {
        return parent;
    }

    /** Where a child is (or would be), for messages. */
    String path(String name) {
        return parent.path() + "/" + name;
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The child, or null. */
    XmlElement one(String name) {
        List<XmlElement> l = byName.get(name);
        return l == null ? null : l.get(0);
    }

    List<XmlElement> all(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** The child's text, or null when it is absent. Values keep their spaces, as the service reads them. */
    String text(String name) {
        XmlElement e = one(name);
        if (e == null) {
            return null;
        }
        if (!e.children().isEmpty()) {
            throw ClassicErrors.invalidXml("The element '" + e.path() + "' holds a value, not elements.");
        }
        return e.text();
    }

    /** The child's text; absent or empty is a 400 naming it. */
    String required(String name) {
        String v = text(name);
        if (v == null || v.isBlank()) {
            throw missing(path(name));
        }
        return v;
    }

    /** A child element that must be there. */
    XmlElement requiredElement(String name) {
        XmlElement e = one(name);
        if (e == null) {
            throw missing(path(name));
        }
        return e;
    }

    static ApiException missing(String path) {
        return ClassicErrors.badRequest("The element '" + path + "' is required and was not specified.");
    }

    /** {@code true} or {@code false}; null when absent. */
    Boolean bool(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        return switch (v.strip()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ClassicErrors.badRequest("The value '" + v.strip() + "' of '" + path(name)
                    + "' is not a boolean: it is true or false.");
        };
    }

    /** A whole number; null when absent. */
    Integer integer(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw ClassicErrors.badRequest("The value '" + v.strip() + "' of '" + path(name)
                    + "' is not a whole number.");
        }
    }

    /** Every child's text by name, in document order, for echoing lists such as extended properties. */
    Map<String, String> texts() {
        Map<String, String> out = new LinkedHashMap<>();
        for (XmlElement c : parent.children()) {
            out.put(c.name(), c.text());
        }
        return out;
    }
}

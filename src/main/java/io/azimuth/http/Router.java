package io.azimuth.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Matches decoded paths against route templates: a trie whose literal edges are case-folded and whose parameter
 * edges take any one segment. A template may end in a catch-all {@code {*name}}, which takes the rest of the path
 * (one segment or more, inner and trailing slashes kept as sent). Literals win over parameters, parameters over
 * catch-alls. Paths no route matches are answered by the envelope that owns their prefix.
 */
public final class Router {
    private final Node root = new Node();
    private final List<Map.Entry<Predicate<String>, Envelope>> owners = new ArrayList<>();
    private final Envelope fallback;

    public Router(Envelope fallback) {
        this.fallback = fallback;
    }

    /** Paths for which {@code owns} is true get {@code envelope}'s errors when nothing matches. */
    public void own(Predicate<String> owns, Envelope envelope) {
        owners.add(Map.entry(owns, envelope));
    }

    public Router add(Route route) {
        Node node = root;
        List<String> names = new ArrayList<>();
        List<String> template = segments(route.template());
        for (int i = 0; i < template.size(); i++) {
            String segment = template.get(i);
            if (segment.startsWith("{*") && segment.endsWith("}")) {
                if (i != template.size() - 1) {
                    throw new IllegalArgumentException("a catch-all parameter must end the template: "
                            + route.template());
                }
                names.add(segment.substring(2, segment.length() - 1));
                if (node.rest == null) {
                    node.rest = new Node();
                }
                node = node.rest;
            } else if (segment.startsWith("{") && segment.endsWith("}")) {
                names.add(segment.substring(1, segment.length() - 1));
                if (node.param == null) {
                    node.param = new Node();
                }
                node = node.param;
            } else {
                node = node.literals.computeIfAbsent(segment.toLowerCase(Locale.ROOT), k -> new Node());
            }
        }
        if (node.route != null) {
            throw new IllegalStateException("two routes at " + route.template() + " and " + node.route.template());
        }
        node.route = route;
        node.paramNames = names;
        return this;
    }

    public Envelope envelopeFor(String path) {
        for (Map.Entry<Predicate<String>, Envelope> e : owners) {
            if (e.getKey().test(path)) {
                return e.getValue();
            }
        }
        return fallback;
    }

    /** The route and captured parameters, or null when no template matches. */
    public Match match(String path) {
        List<Integer> starts = new ArrayList<>();
        List<String> segments = segments(path, starts);
        List<String> values = new ArrayList<>();
        Node node = find(root, path, segments, starts, 0, values);
        if (node == null) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < node.paramNames.size(); i++) {
            params.put(node.paramNames.get(i), values.get(i));
        }
        return new Match(node.route, params);
    }

    private static Node find(Node node, String path, List<String> segments, List<Integer> starts, int i,
                             List<String> values) {
        if (i == segments.size()) {
            return node.route != null ? node : null;
        }
        String segment = segments.get(i);
        Node literal = node.literals.get(segment.toLowerCase(Locale.ROOT));
        if (literal != null) {
            Node found = find(literal, path, segments, starts, i + 1, values);
            if (found != null) {
                return found;
            }
        }
        if (node.param != null) {
            values.add(segment);
            Node found = find(node.param, path, segments, starts, i + 1, values);
            if (found != null) {
                return found;
            }
            values.remove(values.size() - 1);
        }
        if (node.rest != null && node.rest.route != null) {
            values.add(path.substring(starts.get(i)));
            return node.rest;
        }
        return null;
    }

    /** Non-empty segments of a path; a trailing slash is ignored. */
    static List<String> segments(String path) {
        return segments(path, new ArrayList<>());
    }

    /** Non-empty segments of a path, recording where each starts in {@code starts}. */
    private static List<String> segments(String path, List<Integer> starts) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < path.length()) {
            int end = path.indexOf('/', i);
            if (end < 0) {
                end = path.length();
            }
            if (end > i) {
                out.add(path.substring(i, end));
                starts.add(i);
            }
            i = end + 1;
        }
        return out;
    }

    public record Match(Route route, Map<String, String> params) {
    }

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        Node param;
        Node rest;
        Route route;
        List<String> paramNames;
    }
}

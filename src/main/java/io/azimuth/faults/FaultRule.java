package io.azimuth.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One fault rule: which requests it matches ({@link Match}), what it does to them ({@link Effect}) and how many
 * times at most. Read from the JSON users post, every field checked: a malformed rule is refused with a 400 that
 * names the field ({@code target}).
 */
public final class FaultRule {
    public static final String INVALID = "InvalidFaultRule";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS");
    private static final Pattern CODE = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,99}");
    private static final long MAX_LATENCY_MS = 600_000;
    private static final long MAX_FAIL_AFTER_MS = 24L * 60 * 60 * 1000;

    /**
     * @param method       the HTTP method, upper case, or null for any
     * @param route        a route template ({@code /subscriptions/{subscriptionId}/...}), compared case-insensitively,
     *                     or null for any
     * @param resourceType {@code Microsoft.Compute/images} (nested: {@code Microsoft.Compute/galleries/images}), or null
     * @param name         the pattern the resource's name must match whole (case-insensitively), or null
     * @param operation    the action a POST names ({@code capture}, {@code generalize}; for the classic API's
     *                     operations, the element: {@code CaptureRoleOperation}), or a method for requests naming no
     *                     action ({@code PUT}), or null for any
     * @param probability  the chance that a matching request is hit, in (0, 1]
     */
    public record Match(String method, String route, String resourceType, Pattern name, String operation,
                        double probability) {
    }

    /**
     * @param status              answer this HTTP status instead of handling the request (with {@code code},
     *                            {@code message} and, when given, {@code Retry-After}), or null
     * @param latencyMs           wait this long first
     * @param drop                close the connection without an answer
     * @param failOperationAfterMs handle the request, and fail the long-running operation it begins this long after
     *                            with {@code code} and {@code message}, or null
     */
    public record Effect(Integer status, String code, String message, Integer retryAfter, long latencyMs, boolean drop,
                         Long failOperationAfterMs) {
    }

    private final String id;
    private final Match match;
    private final Effect effect;
    /** At most this many hits, or null for no limit. */
    private final Long times;
    private final AtomicLong fired;
    private final long createdAt;

    FaultRule(String id, Match match, Effect effect, Long times, long fired, long createdAt) {
        this.id = id;
        this.match = match;
        this.effect = effect;
        this.times = times;
        this.fired = new AtomicLong(fired);
        this.createdAt = createdAt;
    }

    public String id() {
        return id;
    }

    public Match match() {
        return match;
    }

    public Effect effect() {
        return effect;
    }

    long fired() {
        return fired.get();
    }

    /** Counts one hit, unless the rule is used up: false then. */
    boolean fire() {
        while (true) {
            long n = fired.get();
            if (times != null && n >= times) {
                return false;
            }
            if (fired.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Whether the rule hits a limited number of times. */
    boolean limited() {
        return times != null;
    }

    boolean usedUp() {
        return times != null && fired.get() >= times;
    }

    /** The rule as GET shows it: what was posted (defaults filled in), its id, hits and what is left. */
    public ObjectNode render() {
        ObjectNode o = Json.object();
        o.put("id", id);
        ObjectNode m = o.putObject("match");
        putIf(m, "method", match.method);
        putIf(m, "route", match.route);
        putIf(m, "resourceType", match.resourceType);
        putIf(m, "name", match.name == null ? null : match.name.pattern());
        putIf(m, "operation", match.operation);
        m.put("probability", match.probability);
        ObjectNode e = o.putObject("effect");
        if (effect.status != null) {
            e.put("status", effect.status);
        }
        putIf(e, "code", effect.code);
        putIf(e, "message", effect.message);
        if (effect.retryAfter != null) {
            e.put("retryAfter", effect.retryAfter);
        }
        e.put("latencyMs", effect.latencyMs);
        e.put("drop", effect.drop);
        if (effect.failOperationAfterMs != null) {
            e.put("failOperationAfterMs", effect.failOperationAfterMs);
        } else {
            e.putNull("failOperationAfterMs");
        }
        if (times != null) {
            o.put("times", times);
            o.put("remaining", Math.max(0, times - fired.get()));
        } else {
            o.putNull("times");
        }
        o.put("fired", fired.get());
        o.put("createdAt", java.time.Instant.ofEpochMilli(createdAt).toString());
        return o;
    }

    private static void putIf(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    /** The error a hit answers with, or makes its operation fail with. */
    ApiException error() {
        if (effect.status != null) {
            ApiException e = new ApiException(effect.status, effect.code, effect.message);
            if (effect.retryAfter != null) {
                e.header("Retry-After", String.valueOf(effect.retryAfter));
            }
            return e;
        }
        return new ApiException(500, effect.code, effect.message);
    }

    // ---- reading a rule ----

    /** A new rule from the JSON a user posted. */
    static FaultRule parse(JsonNode body, String id, long now) {
        return read(body, id, 0, now, "", false);
    }

    /**
     * A rule from {@code body}; {@code prefix} goes before the field names errors cite (a file's rules:
     * {@code [2].}); {@code stored}: also read the id, hits and creation time a stored rule has.
     */
    static FaultRule read(JsonNode body, String id, long fired, long now, String prefix, boolean stored) {
        if (body == null || !body.isObject()) {
            String at = prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1);
            throw invalid(at, "The " + (prefix.isEmpty() ? "body" : "rule '" + at + "'") + " must be a fault rule: a "
                    + "JSON object with 'match', 'effect' and optionally 'times'.");
        }
        // what GET shows besides the rule itself (id, hits) is taken too, so that a listed rule can be posted again
        unknownFields(body, Set.of("id", "match", "effect", "times", "remaining", "fired", "createdAt"), prefix);
        if (stored) {
            id = text(body, "id", prefix, 100);
            fired = body.path("fired").asLong(0);
            String created = body.path("createdAt").asText(null);
            if (created != null) {
                try {
                    now = java.time.Instant.parse(created).toEpochMilli();
                } catch (java.time.format.DateTimeParseException e) {
                    throw invalid(prefix + "createdAt", "The field 'createdAt' must be an ISO-8601 instant.");
                }
            }
            if (id == null) {
                throw invalid(prefix + "id", "The field 'id' is required.");
            }
        }
        Match match = readMatch(body.get("match"), prefix + "match");
        Effect effect = readEffect(body.get("effect"), prefix + "effect");
        Long times = null;
        JsonNode t = body.get("times");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || !t.canConvertToLong() || t.asLong() < 1) {
                throw invalid(prefix + "times", "The field 'times' must be a whole number of at least 1 (or null: "
                        + "no limit).");
            }
            times = t.asLong();
        }
        return new FaultRule(id, match, effect, times, fired, now);
    }

    private static Match readMatch(JsonNode m, String at) {
        if (m == null || m.isNull()) {
            return new Match(null, null, null, null, null, 1.0);
        }
        if (!m.isObject()) {
            throw invalid(at, "The field '" + at + "' must be an object.");
        }
        unknownFields(m, Set.of("method", "route", "resourceType", "name", "operation", "probability"), at + ".");
        String method = text(m, "method", at + ".", 10);
        if (method != null) {
            method = method.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw invalid(at + ".method", "The field '" + at + ".method' must be one of " + String.join(", ",
                        new java.util.TreeSet<>(METHODS)) + "; it was '" + m.get("method").asText() + "'.");
            }
        }
        String route = text(m, "route", at + ".", 2000);
        if (route != null && !route.startsWith("/")) {
            throw invalid(at + ".route", "The field '" + at + ".route' must be a route template starting with '/', "
                    + "e.g. /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
                    + "Microsoft.Compute/images/{imageName}.");
        }
        String type = text(m, "resourceType", at + ".", 500);
        if (type != null && (!type.contains("/") || type.startsWith("/") || type.endsWith("/"))) {
            throw invalid(at + ".resourceType", "The field '" + at + ".resourceType' must be a namespace and type, "
                    + "e.g. Microsoft.Compute/images; it was '" + type + "'.");
        }
        String namePattern = text(m, "name", at + ".", 1000);
        Pattern name = null;
        if (namePattern != null) {
            try {
                name = Pattern.compile(namePattern, Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw invalid(at + ".name", "The field '" + at + ".name' is not a valid regular expression: "
                        + e.getDescription() + ".");
            }
        }
        String operation = text(m, "operation", at + ".", 200);
        double probability = 1.0;
        JsonNode p = m.get("probability");
        if (p != null && !p.isNull()) {
            if (!p.isNumber() || !(p.asDouble() > 0) || p.asDouble() > 1) {
                throw invalid(at + ".probability", "The field '" + at + ".probability' must be a number greater "
                        + "than 0 and at most 1.");
            }
            probability = p.asDouble();
        }
        return new Match(method, route, type, name, operation, probability);
    }

    private static Effect readEffect(JsonNode e, String at) {
        if (e == null || e.isNull()) {
            throw invalid(at, "The field '" + at + "' is required: what the rule does (status, latencyMs, drop or "
                    + "failOperationAfterMs).");
        }
        if (!e.isObject()) {
            throw invalid(at, "The field '" + at + "' must be an object.");
        }
        unknownFields(e, Set.of("status", "code", "message", "retryAfter", "latencyMs", "drop",
                "failOperationAfterMs"), at + ".");
        Integer status = null;
        JsonNode s = e.get("status");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 400 || s.asInt() > 599) {
                throw invalid(at + ".status", "The field '" + at + ".status' must be an HTTP error status, 400 to "
                        + "599.");
            }
            status = s.asInt();
        }
        long latency = number(e, "latencyMs", at, 0, MAX_LATENCY_MS, 0L);
        boolean drop = false;
        JsonNode d = e.get("drop");
        if (d != null && !d.isNull()) {
            if (!d.isBoolean()) {
                throw invalid(at + ".drop", "The field '" + at + ".drop' must be true or false.");
            }
            drop = d.asBoolean();
        }
        Long failAfter = e.hasNonNull("failOperationAfterMs")
                ? number(e, "failOperationAfterMs", at, 0, MAX_FAIL_AFTER_MS, null) : null;
        int outcomes = (status != null ? 1 : 0) + (drop ? 1 : 0) + (failAfter != null ? 1 : 0);
        if (outcomes > 1) {
            throw invalid(at, "The fields '" + at + ".status', '" + at + ".drop' and '" + at
                    + ".failOperationAfterMs' exclude each other: a hit answers an error, drops the connection or "
                    + "fails the operation, one of them.");
        }
        if (outcomes == 0 && latency == 0) {
            throw invalid(at, "The field '" + at + "' does nothing: give status, latencyMs, drop or "
                    + "failOperationAfterMs.");
        }
        String code = text(e, "code", at + ".", 100);
        String message = text(e, "message", at + ".", 4000);
        Integer retryAfter = null;
        if (e.hasNonNull("retryAfter")) {
            retryAfter = (int) (long) number(e, "retryAfter", at, 0, 3600, null);
        }
        if (status == null && failAfter == null) {
            for (String f : new String[] {"code", "message", "retryAfter"}) {
                if (e.hasNonNull(f)) {
                    throw invalid(at + "." + f, "The field '" + at + "." + f + "' needs '" + at + ".status' (an "
                            + "error answer) or '" + at + ".failOperationAfterMs' (a failed operation).");
                }
            }
        }
        if (retryAfter != null && status == null) {
            throw invalid(at + ".retryAfter", "The field '" + at + ".retryAfter' goes with '" + at + ".status': "
                    + "Retry-After is a header of an error answer.");
        }
        if (code != null && !CODE.matcher(code).matches()) {
            throw invalid(at + ".code", "The field '" + at + ".code' must be an error code such as "
                    + "TooManyRequests: letters, digits, '.', '_' or '-', starting with a letter.");
        }
        if (status != null) {
            code = code != null ? code : defaultCode(status);
            message = message != null ? message : defaultMessage(status);
        } else if (failAfter != null) {
            code = code != null ? code : "InternalExecutionError";
            message = message != null ? message : "An internal execution error occurred.";
        }
        return new Effect(status, code, message, retryAfter, latency, drop, failAfter);
    }

    /** The code Azure answers a status with most often. */
    private static String defaultCode(int status) {
        return switch (status) {
            case 400 -> "BadRequest";
            case 401 -> "AuthenticationFailed";
            case 403 -> "AuthorizationFailed";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 412 -> "PreconditionFailed";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalServerError";
            case 502 -> "BadGateway";
            case 503 -> "ServiceUnavailable";
            case 504 -> "GatewayTimeout";
            default -> "InjectedFault";
        };
    }

    private static String defaultMessage(int status) {
        return switch (status) {
            case 429 -> "The request is being throttled.";
            case 500 -> "The server encountered an internal error.";
            case 503 -> "The service is unavailable.";
            default -> "The request failed (a fault injected on purpose).";
        };
    }

    private static void unknownFields(JsonNode o, Set<String> known, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            String f = it.next().getKey();
            if (!known.contains(f)) {
                throw invalid(prefix + f, "The field '" + prefix + f + "' is not part of a fault rule; known here: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ".");
            }
        }
    }

    private static String text(JsonNode o, String field, String prefix, int maxLength) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw invalid(prefix + field, "The field '" + prefix + field + "' must be a non-empty string.");
        }
        if (v.asText().length() > maxLength) {
            throw invalid(prefix + field, "The field '" + prefix + field + "' is longer than " + maxLength
                    + " characters.");
        }
        return v.asText();
    }

    private static Long number(JsonNode o, String field, String at, long min, long max, Long absent) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw invalid(at + "." + field, "The field '" + at + "." + field + "' must be a whole number from "
                    + min + " to " + max + ".");
        }
        return v.asLong();
    }

    static ApiException invalid(String target, String message) {
        return new ApiException(400, INVALID, message, target);
    }
}

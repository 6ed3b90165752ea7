package io.azimuth.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks response bodies against Azure's own Swagger 2.0 definitions (test resources under {@code spec/arm/swagger},
 * see {@code spec/SOURCES.md}).
 *
 * <pre>{@code
 * HttpResponse<String> r = ...;  // GET /subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Compute/images/img1?api-version=...
 * OpenApi.assertValidResponse("GET", uri.getRawPath(), r.statusCode(), r.body());
 * }</pre>
 *
 * The request path (a query is ignored) selects the operation among the loaded definitions: literal segments match
 * case-insensitively, as in ARM. Only the response is checked: its status must be one the operation declares (or
 * its {@code default}), and its body must match that status's schema. Request parameters, security and headers are
 * not checked. Properties the schema does not name are accepted unless the schema itself sets
 * {@code additionalProperties: false}, as in Swagger; {@code readOnly} properties are of course allowed in responses.
 * A failure is an {@link AssertionError} listing every violation with its JSON pointer.
 */
public final class OpenApi {
    private static final String ROOT = "spec/arm/swagger/Microsoft.Compute/";

    /** The definitions operations are looked up in, in this order. */
    private static final List<String> SPECS = List.of(
            ROOT + "ComputeRP/stable/2024-03-01/image.json",
            ROOT + "DiskRP/stable/2024-03-02/disk.json",
            ROOT + "DiskRP/stable/2024-03-02/snapshot.json",
            ROOT + "ComputeRP/stable/2024-03-01/virtualMachine.json",
            ROOT + "GalleryRP/stable/2023-07-03/gallery.json");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, OpenApiInteractionValidator> VALIDATORS = new ConcurrentHashMap<>();

    private OpenApi() {
    }

    /** The operations of all definitions, read on first use (cheap: no $ref is resolved). */
    private static final class Index {
        static final List<Operation> OPERATIONS = load();

        private static List<Operation> load() {
            List<Operation> operations = new ArrayList<>();
            for (String spec : SPECS) {
                try (InputStream in = resource(spec).openStream()) {
                    JsonNode paths = JSON.readTree(in).path("paths");
                    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> path = it.next();
                        for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                            Map.Entry<String, JsonNode> op = ops.next();
                            String method = op.getKey().toUpperCase(Locale.ROOT);
                            if (isMethod(method)) {
                                List<String> statuses = new ArrayList<>();
                                op.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                                operations.add(new Operation(spec, method, path.getKey(),
                                        op.getValue().path("operationId").asText("?"), List.copyOf(statuses)));
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + spec, e);
                }
            }
            return List.copyOf(operations);
        }
    }

    /**
     * One operation: its definition file, method, path template (e.g. {@code .../images/{imageName}}), id and the
     * response statuses it declares ({@code "200"}, ..., {@code "default"}).
     */
    private record Operation(String spec, String method, String template, String operationId, List<String> statuses) {
        /** The template with the request's parameter values, or null if the path does not match it. */
        String instantiate(String[] segments) {
            String[] parts = split(template);
            if (parts.length != segments.length) {
                return null;
            }
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                boolean parameter = parts[i].startsWith("{") && parts[i].endsWith("}");
                if (!parameter && !parts[i].equalsIgnoreCase(segments[i])) {
                    return null;
                }
                if (parameter && segments[i].isEmpty()) {
                    return null;
                }
                path.append('/').append(parameter ? segments[i] : parts[i]);
            }
            return path.toString();
        }
    }

    /**
     * Fails unless {@code jsonBody} is a valid response body of status {@code status} for the operation
     * {@code method path} (path as sent, e.g. {@code /subscriptions/{guid}/resourceGroups/rg/providers/
     * Microsoft.Compute/disks/d1}; anything after {@code ?} is ignored). A null or blank body means "no body": that
     * passes only if the status declares no schema.
     */
    public static void assertValidResponse(String method, String path, int status, String jsonBody) {
        Check check = check(method, path, status, jsonBody);
        List<String> violations = check.violations();
        if (!violations.isEmpty()) {
            StringBuilder message = new StringBuilder()
                    .append(method.toUpperCase(Locale.ROOT)).append(' ').append(path).append(" -> ").append(status)
                    .append(": response does not match ").append(check.operation().operationId()).append(" in ")
                    .append(fileName(check.operation().spec())).append(" (")
                    .append(violations.size()).append(violations.size() == 1 ? " violation" : " violations")
                    .append(")");
            for (String violation : violations) {
                message.append("\n  - ").append(violation.replace("\n", "\n    "));
            }
            if (jsonBody != null && !jsonBody.isBlank()) {
                message.append("\nbody: ").append(abbreviate(jsonBody, 2000));
            }
            throw new AssertionError(message.toString());
        }
    }

    /** As {@link #assertValidResponse}, but returns the violations (empty when valid) instead of failing. */
    public static List<String> violations(String method, String path, int status, String jsonBody) {
        return check(method, path, status, jsonBody).violations();
    }

    private record Check(Operation operation, List<String> violations) {
    }

    /**
     * ARM list pages end with {@code "nextLink": null}, which clients read as "no next page" and Azure's own
     * example validator accepts; the definitions type it as a plain string, so a null there alone is dropped
     * before validation. Every other null is still checked.
     */
    private static String withoutNullNextLink(String body) {
        if (body == null || !body.contains("\"nextLink\":null")) {
            return body;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            if (node.isObject() && node.has("nextLink") && node.get("nextLink").isNull()) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove("nextLink");
                return node.toString();
            }
        } catch (java.io.IOException e) {
            return body;
        }
        return body;
    }

    private static Check check(String method, String path, int status, String jsonBody) {
        jsonBody = withoutNullNextLink(jsonBody);
        String verb = method.toUpperCase(Locale.ROOT);
        int query = path.indexOf('?');
        String rawPath = query < 0 ? path : path.substring(0, query);
        String[] segments = split(rawPath);

        Operation operation = null;
        String concrete = null;
        boolean pathKnown = false;
        for (Operation candidate : Index.OPERATIONS) {
            String instance = candidate.instantiate(segments);
            if (instance != null) {
                pathKnown = true;
                if (candidate.method().equals(verb)) {
                    operation = candidate;
                    concrete = instance;
                    break;
                }
            }
        }
        if (operation == null) {
            throw new AssertionError(pathKnown
                    ? "no " + verb + " operation is defined for " + rawPath
                    : "no operation in the loaded definitions (" + SPECS.stream().map(OpenApi::fileName).toList()
                    + ") matches the path " + rawPath);
        }

        List<String> violations = new ArrayList<>();
        if (status < 400 && !operation.statuses().contains(Integer.toString(status))) {
            // "default" describes ARM's error body; it does not make an undeclared success status acceptable
            violations.add("status " + status + " is not one " + operation.operationId() + " declares "
                    + operation.statuses());
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
        if (jsonBody != null && !jsonBody.isBlank()) {
            response.withContentType("application/json").withBody(jsonBody);
        }
        ValidationReport report = validator(operation.spec())
                .validateResponse(concrete, Request.Method.valueOf(verb), response.build());
        Set<String> found = new LinkedHashSet<>();
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR) {
                describe(message, "", found);
            }
        }
        violations.addAll(found);
        return new Check(operation, List.copyOf(violations));
    }

    private static final Pattern PATH_PREFIX = Pattern.compile("^\\[Path '([^']*)'\\]\\s*");

    /**
     * One line per violation: "pointer: message [key]". An {@code allOf} failure is replaced by the failures of its
     * parts (which carry the real reasons); other combinators keep their line with the alternatives indented below.
     */
    private static void describe(ValidationReport.Message message, String indent, Set<String> out) {
        List<ValidationReport.Message> nested = message.getNestedMessages();
        if (!nested.isEmpty() && message.getKey().endsWith(".allOf")) {
            nested.forEach(part -> describe(part, indent, out));
            return;
        }
        String text = message.getMessage().strip();
        String pointer = message.getContext().flatMap(ValidationReport.MessageContext::getPointers)
                .map(ValidationReport.MessageContext.Pointers::getInstance).orElse(null);
        Matcher prefix = PATH_PREFIX.matcher(text);
        if (prefix.find()) {
            pointer = prefix.group(1);
            text = text.substring(prefix.end());
        }
        String where = pointer == null ? "" : (pointer.isEmpty() ? "/" : pointer) + ": ";
        out.add(indent + where + text + " [" + message.getKey() + "]");
        nested.forEach(alternative -> describe(alternative, indent + "    ", out));
    }

    private static OpenApiInteractionValidator validator(String spec) {
        return VALIDATORS.computeIfAbsent(spec, OpenApi::build);
    }

    private static OpenApiInteractionValidator build(String spec) {
        String location;
        try {
            // a file URL, so that the relative $refs between definition files resolve as in the upstream tree
            location = Path.of(resource(spec).toURI()).toUri().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException(spec + " is not a file on the test class path", e);
        }
        LevelResolver levels = LevelResolver.create()
                .withDefaultLevel(ValidationReport.Level.ERROR)
                // only the response body (and its status) is checked
                .withLevel("validation.request", ValidationReport.Level.IGNORE)
                .withLevel("validation.response.header", ValidationReport.Level.IGNORE)
                .withLevel("validation.response.contentType", ValidationReport.Level.IGNORE)
                // do not turn every object schema into additionalProperties: false (an explicit false still holds)
                .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE)
                .build();
        return OpenApiInteractionValidator.createForSpecificationUrl(location)
                .withLevelResolver(levels)
                .build();
    }

    private static URL resource(String name) {
        URL url = OpenApi.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        return url;
    }

    private static boolean isMethod(String method) {
        return switch (method) {
            case "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS" -> true;
            default -> false;
        };
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.split("/", -1);
    }

    private static String fileName(String spec) {
        return spec.substring(spec.lastIndexOf('/') + 1);
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " chars)";
    }
}

package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a prepared template's expressions read: its parameters' values, its variables (evaluated once each, in
 * whatever order they refer to one another), the ids of its resources by name, and the parsed expressions.
 */
final class Definitions {
    private final Map<String, Expression> parsed = new ConcurrentHashMap<>();
    final ObjectNode parameterValues = Values.F.objectNode();
    private final Map<String, JsonNode> variableDefinitions = new LinkedHashMap<>();
    private final Map<String, JsonNode> variableValues = new ConcurrentHashMap<>();
    private final Set<String> copyVariables = new HashSet<>();
    private final Set<String> evaluating = new HashSet<>();
    /** lower-cased resource name (and type/name) to id, for {@code reference('name')} */
    final Map<String, String> idsByName = new ConcurrentHashMap<>();
    /** lower-cased id to the api-version the template declares for it */
    final Map<String, String> apiVersions = new ConcurrentHashMap<>();
    ObjectNode deployment = Values.F.objectNode();

    Expression parse(String text) {
        Expression e = parsed.get(text);
        if (e == null) {
            e = Expression.parse(text);
            parsed.put(text, e);
        }
        return e;
    }

    JsonNode parameter(String name) {
        JsonNode v = Values.field(parameterValues, name);
        if (v == null) {
            throw TemplateException.invalid("The template parameter '" + name + "' is not found. Please see "
                    + "https://aka.ms/arm-syntax-parameters for usage details");
        }
        return v;
    }

    void declareVariables(JsonNode variables) {
        if (variables == null || variables.isNull()) {
            return;
        }
        if (!variables.isObject()) {
            throw TemplateException.invalid("The template 'variables' must be an object");
        }
        variables.fields().forEachRemaining(e -> {
            if (e.getKey().equalsIgnoreCase("copy") && e.getValue().isArray()) {
                for (JsonNode loop : e.getValue()) {
                    String name = loop.path("name").asText("");
                    if (name.isEmpty() || !loop.has("input") || !loop.has("count")) {
                        throw TemplateException.invalid("A variable copy loop needs a 'name', a 'count' and an "
                                + "'input'");
                    }
                    variableDefinitions.put(Values.lower(name), loop);
                    copyVariables.add(Values.lower(name));
                }
            } else {
                variableDefinitions.put(Values.lower(e.getKey()), e.getValue());
            }
        });
    }

    /** Evaluates every variable, as ARM does before deploying anything. */
    void evaluateVariables(Evaluator values) {
        for (String name : variableDefinitions.keySet()) {
            variable(name, values);
        }
    }

    JsonNode variable(String name, Evaluator values) {
        String key = Values.lower(name);
        JsonNode done = variableValues.get(key);
        if (done != null) {
            return done;
        }
        JsonNode definition = variableDefinitions.get(key);
        if (definition == null) {
            throw TemplateException.invalid("The template variable '" + name + "' is not found. Please see "
                    + "https://aka.ms/arm-syntax-variables for usage details");
        }
        synchronized (evaluating) {
            if (!evaluating.add(key)) {
                throw TemplateException.invalid("The template variable '" + name + "' refers to itself, directly "
                        + "or through other variables");
            }
        }
        try {
            Evaluator ev = values.as(Evaluator.Mode.VALUES, values.scope, null);
            JsonNode value;
            if (copyVariables.contains(key)) {
                int count = ev.count(definition.get("count"), "variable copy '" + name + "'");
                ArrayNode items = Values.F.arrayNode();
                for (int i = 0; i < count; i++) {
                    items.add(ev.inLoop(name, i, false).evaluate(definition.get("input")));
                }
                value = items;
            } else {
                value = ev.evaluate(definition);
            }
            variableValues.put(key, value);
            return value;
        } finally {
            synchronized (evaluating) {
                evaluating.remove(key);
            }
        }
    }
}

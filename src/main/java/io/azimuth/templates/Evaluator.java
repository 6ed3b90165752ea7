package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Evaluates template values: a JSON tree whose strings may be expressions, and whose objects may hold property
 * {@code copy} loops. What an evaluation may reach depends on where in the template it runs ({@link Mode}).
 */
final class Evaluator {
    enum Mode {
        /** parameters' defaults and variables: no resource can be read yet */
        VALUES,
        /** names, types, conditions, counts and dependsOn: evaluated before anything is deployed */
        PLAN,
        /** a resource's body or an output checked before deployment: reads of resources stay unknown */
        TRIAL,
        /** a resource's body as it is deployed, or the outputs at the end */
        DEPLOY
    }

    final Definitions defs;
    final Scope scope;
    final Mode mode;
    private final Map<String, Integer> loops;
    /** the resources a body refers to, gathered while checking it; null when not gathering */
    final Set<String> touched;

    Evaluator(Definitions defs, Scope scope, Mode mode, Map<String, Integer> loops, Set<String> touched) {
        this.defs = defs;
        this.scope = scope;
        this.mode = mode;
        this.loops = loops;
        this.touched = touched;
    }

    /** The same evaluation inside the iteration {@code index} of the loop {@code name}. */
    Evaluator inLoop(String name, int index, boolean resourceLoop) {
        Map<String, Integer> next = new HashMap<>(loops);
        next.put(Values.lower(name), index);
        if (resourceLoop) {
            next.put("", index);
        }
        return new Evaluator(defs, scope, mode, next, touched);
    }

    Evaluator as(Mode m, Scope s, Set<String> gathered) {
        return new Evaluator(defs, s, m, loops, gathered);
    }

    Integer loopIndex(String name) {
        return loops.get(name == null ? "" : Values.lower(name));
    }

    JsonNode evaluate(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return evaluateString(node.textValue());
        }
        if (node.isArray()) {
            ArrayNode out = Values.F.arrayNode(node.size());
            for (JsonNode item : node) {
                out.add(evaluate(item));
            }
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = Values.F.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equalsIgnoreCase("copy") && e.getValue().isArray()) {
                    for (JsonNode loop : e.getValue()) {
                        expandPropertyCopy(loop, out);
                    }
                } else {
                    out.set(e.getKey(), evaluate(e.getValue()));
                }
            }
            return out;
        }
        return node;
    }

    /** {@code "copy": [{"name": "disks", "count": 2, "input": {...}}]}: the property {@code disks}, an array. */
    private void expandPropertyCopy(JsonNode loop, ObjectNode out) {
        JsonNode nameNode = evaluate(loop.get("name"));
        if (nameNode == null || !nameNode.isTextual() || !loop.has("input") || !loop.has("count")) {
            throw TemplateException.invalid("A property copy loop needs a 'name', a 'count' and an 'input'");
        }
        String name = nameNode.textValue();
        int count = count(loop.get("count"), "property copy '" + name + "'");
        ArrayNode values = Values.F.arrayNode();
        for (int i = 0; i < count; i++) {
            values.add(inLoop(name, i, false).evaluate(loop.get("input")));
        }
        out.set(name, values);
    }

    /** A copy loop's count: a whole number from 0 to 800, as ARM allows. */
    int count(JsonNode countNode, String where) {
        JsonNode v = evaluate(countNode);
        if (Values.unknown(v)) {
            throw TemplateException.invalid("The count of " + where + " cannot depend on a resource not yet "
                    + "deployed");
        }
        if (v == null || !(v.isIntegralNumber() || (v.isTextual() && v.textValue().matches("-?\\d+")))) {
            throw TemplateException.invalid("The count of " + where + " must be an integer; it is of type '"
                    + Values.typeName(v) + "'");
        }
        long n = v.isTextual() ? Long.parseLong(v.textValue()) : v.longValue();
        if (n < 0 || n > 800) {
            throw TemplateException.invalid("The count of " + where + " is " + n
                    + "; it must be between 0 and 800");
        }
        return (int) n;
    }

    /** A resource's {@code dependsOn}, each entry evaluated to a string. */
    java.util.List<String> rawDependsOn(PlannedResource p) {
        JsonNode deps = Values.field(p.definition, "dependsOn");
        java.util.List<String> out = new java.util.ArrayList<>();
        if (deps == null || deps.isNull()) {
            return out;
        }
        if (!deps.isArray()) {
            throw TemplateException.invalid("The 'dependsOn' of the template resource '" + p.name() + "' must be "
                    + "an array");
        }
        for (JsonNode d : deps) {
            JsonNode v = evaluate(d);
            if (v == null || !v.isTextual()) {
                throw TemplateException.invalid("Each entry of the 'dependsOn' of the template resource '"
                        + p.name() + "' must be a string; one is of type '" + Values.typeName(v) + "'");
            }
            out.add(v.textValue());
        }
        return out;
    }

    JsonNode evaluateString(String s) {
        if (!Expression.isExpression(s)) {
            return Values.F.textNode(Expression.literal(s));
        }
        return eval(defs.parse(s), s);
    }

    JsonNode eval(Expression e, String text) {
        if (e instanceof Expression.Literal l) {
            return l.value();
        }
        if (e instanceof Expression.Call c) {
            return Functions.call(this, c, text);
        }
        if (e instanceof Expression.Member m) {
            JsonNode target = eval(m.target(), text);
            if (Values.unknown(target)) {
                return target;
            }
            if (target == null || !target.isObject()) {
                throw TemplateException.expression(text, "The property '" + m.name() + "' cannot be read from a "
                        + "value of type '" + Values.typeName(target) + "'");
            }
            JsonNode v = Values.field(target, m.name());
            if (v == null) {
                throw TemplateException.expression(text, "The language expression property '" + m.name()
                        + "' doesn't exist, available properties are '" + available(target) + "'");
            }
            return v;
        }
        Expression.Index ix = (Expression.Index) e;
        JsonNode target = eval(ix.target(), text);
        JsonNode index = eval(ix.index(), text);
        if (Values.unknown(target) || Values.unknown(index)) {
            return Values.UNKNOWN;
        }
        if (target != null && target.isArray()) {
            if (index == null || !index.isIntegralNumber()) {
                throw TemplateException.expression(text, "An array can be indexed only by an integer, not a value "
                        + "of type '" + Values.typeName(index) + "'");
            }
            long i = index.longValue();
            if (i < 0 || i >= target.size()) {
                throw TemplateException.expression(text, "The language expression property array index '" + i
                        + "' is out of bounds");
            }
            return target.get((int) i);
        }
        if (target != null && target.isObject() && index != null && index.isTextual()) {
            JsonNode v = Values.field(target, index.textValue());
            if (v == null) {
                throw TemplateException.expression(text, "The language expression property '" + index.textValue()
                        + "' doesn't exist, available properties are '" + available(target) + "'");
            }
            return v;
        }
        throw TemplateException.expression(text, "A value of type '" + Values.typeName(target)
                + "' cannot be indexed by a value of type '" + Values.typeName(index) + "'");
    }

    private static String available(JsonNode object) {
        Iterable<String> names = object::fieldNames;
        return java.util.stream.StreamSupport.stream(names.spliterator(), false).collect(Collectors.joining(", "));
    }
}

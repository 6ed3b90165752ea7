package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An ARM deployment template (schema 2019-04-01 and the 2015-01-01 one before it): parameters, variables,
 * resources with their copy loops, conditions and nested children, and outputs. {@link #prepare} checks it
 * against its parameters the way ARM does before deploying anything, and orders its resources.
 */
public final class Template {
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9.]+(/[A-Za-z0-9]+)+");
    private static final Map<String, String> TYPES = Map.of("string", "String", "securestring", "SecureString",
            "int", "Int", "bool", "Bool", "object", "Object", "secureobject", "SecureObject", "array", "Array");

    private final ObjectNode template;

    private Template(ObjectNode template) {
        this.template = template;
    }

    public static Template of(JsonNode template) {
        if (template == null || !template.isObject()) {
            throw TemplateException.invalid("The template must be a JSON object");
        }
        JsonNode resources = template.get("resources");
        if (resources != null && resources.isObject()) {
            throw TemplateException.invalid("Templates with symbolic resource names (languageVersion 2.0) are "
                    + "not supported; give 'resources' as an array");
        }
        if (resources != null && !resources.isArray()) {
            throw TemplateException.invalid("The template 'resources' must be an array");
        }
        for (String section : List.of("parameters", "variables", "outputs")) {
            JsonNode s = template.get(section);
            if (s != null && !s.isNull() && !s.isObject()) {
                throw TemplateException.invalid("The template '" + section + "' must be an object");
            }
        }
        JsonNode functions = template.get("functions");
        if (functions != null && functions.isArray() && functions.size() > 0) {
            throw TemplateException.invalid("User-defined template functions are not supported");
        }
        return new Template((ObjectNode) template);
    }

    /** ARM's display name of a parameter or output type: {@code securestring} is {@code SecureString}. */
    static String typeName(String declared, String what) {
        String t = TYPES.get(declared.toLowerCase(Locale.ROOT));
        if (t == null) {
            throw TemplateException.invalid("The template " + what + " has the type '" + declared + "'; it must "
                    + "be one of string, securestring, int, bool, object, secureobject, array");
        }
        return t;
    }

    /**
     * Binds the parameters ({@code {"name": {"value": ...}}}), evaluates the variables, expands the resources and
     * orders them; any problem is a {@link TemplateException} and nothing has been deployed.
     */
    public Plan prepare(JsonNode parameters, Scope scope) {
        Definitions defs = new Definitions();
        ObjectNode deployment = defs.deployment;
        deployment.put("name", scope.deploymentName());
        ObjectNode dprops = deployment.putObject("properties");
        dprops.putObject("template").put("contentVersion", template.path("contentVersion").asText("1.0.0.0"));
        dprops.put("mode", "Incremental");
        Evaluator top = new Evaluator(defs, scope, Evaluator.Mode.VALUES, Map.of(), null);
        ObjectNode shown = bindParameters(defs, parameters, top);
        defs.declareVariables(template.get("variables"));
        defs.evaluateVariables(top);

        List<PlannedResource> expanded = new ArrayList<>();
        Declared declared = new Declared();
        JsonNode resources = template.get("resources");
        if (resources != null) {
            for (JsonNode r : resources) {
                expand(r, null, top.as(Evaluator.Mode.PLAN, scope, null), expanded, declared, scope);
            }
        }
        Map<String, PlannedResource> byId = new LinkedHashMap<>();
        for (PlannedResource p : expanded) {
            if (byId.put(key(p.id()), p) != null) {
                throw TemplateException.invalid("The resource '" + p.id() + "' is defined multiple times in a "
                        + "template. Please see https://aka.ms/arm-syntax-resources for usage details");
            }
            defs.apiVersions.put(key(p.id()), p.apiVersion());
            defs.idsByName.putIfAbsent(key(p.name()), p.id());
            defs.idsByName.putIfAbsent(key(p.type() + "/" + p.name()), p.id());
        }
        for (PlannedResource p : expanded) {
            for (String dep : p.frame.as(Evaluator.Mode.PLAN, scope, null).rawDependsOn(p)) {
                resolveDependency(p, dep, byId, declared);
            }
            if (p.parentId != null && byId.containsKey(key(p.parentId))) {
                p.dependsOn.add(byId.get(key(p.parentId)).id());
            }
            Set<String> touched = new HashSet<>();
            p.check(touched);
            for (String t : touched) {
                PlannedResource target = byId.get(key(t));
                if (target != null && target != p) {
                    p.dependsOn.add(target.id());
                }
            }
        }
        Plan plan = new Plan(order(expanded, byId), shown, template.get("outputs"), top);
        plan.checkOutputs();
        return plan;
    }

    // --- parameters ------------------------------------------------------------------------------------------

    private ObjectNode bindParameters(Definitions defs, JsonNode given, Evaluator top) {
        JsonNode declared = template.path("parameters");
        Map<String, JsonNode> values = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        if (given != null && given.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (Values.field(declared, e.getKey()) == null) {
                    unknown.add(e.getKey());
                } else {
                    JsonNode v = e.getValue();
                    values.put(key(e.getKey()), v != null && v.isObject() && v.has("value") ? v.get("value") : v);
                }
            }
        }
        if (!unknown.isEmpty()) {
            List<String> names = new ArrayList<>();
            declared.fieldNames().forEachRemaining(names::add);
            throw TemplateException.invalid("The template parameters '" + String.join(", ", unknown) + "' in the "
                    + "parameters file are not valid; they are not present in the original template and can "
                    + "therefore not be provided at deployment time. The only supported parameters for this "
                    + "template are '" + String.join(", ", names) + "'. Please see "
                    + "https://aka.ms/arm-pass-parameter-values for usage details");
        }
        ObjectNode shown = Values.F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode def = e.getValue();
            String type = typeName(def.path("type").asText(""), "parameter '" + name + "'");
            JsonNode value = values.get(key(name));
            if (value == null) {
                if (!def.has("defaultValue")) {
                    throw TemplateException.invalid("The value for the template parameter '" + name + "' is not "
                            + "provided. Please see https://aka.ms/arm-create-parameter-file for usage details");
                }
                value = top.evaluate(def.get("defaultValue"));
            }
            value = coerce(name, type, value);
            checkConstraints(name, def, value, top);
            defs.parameterValues.set(name, value);
            ObjectNode item = shown.putObject(name);
            item.put("type", type);
            if (!type.startsWith("Secure")) {
                item.set("value", value);
            }
        }
        return shown;
    }

    private static JsonNode coerce(String name, String type, JsonNode v) {
        boolean ok;
        switch (type) {
            case "String": case "SecureString": ok = v.isTextual(); break;
            case "Int":
                if (v.isTextual() && v.textValue().matches("-?\\d{1,18}")) {
                    return Values.F.numberNode(Long.parseLong(v.textValue()));
                }
                ok = v.isIntegralNumber();
                break;
            case "Bool":
                if (v.isTextual() && (v.textValue().equalsIgnoreCase("true") || v.textValue().equalsIgnoreCase("false"))) {
                    return Values.F.booleanNode(v.textValue().equalsIgnoreCase("true"));
                }
                ok = v.isBoolean();
                break;
            case "Array": ok = v.isArray(); break;
            default: ok = v.isObject(); break;
        }
        if (!ok) {
            String expected = type.replace("Secure", "").replace("Int", "Integer").replace("Bool", "Boolean");
            throw TemplateException.invalid("Template parameter '" + name + "' was provided an invalid value. "
                    + "Expected a value of type '" + expected + "', but received a value of type '"
                    + Values.typeName(v) + "'. Please see https://aka.ms/arm-create-parameter-file for usage details");
        }
        return v;
    }

    private static void checkConstraints(String name, JsonNode def, JsonNode value, Evaluator top) {
        JsonNode allowed = def.has("allowedValues") ? top.evaluate(def.get("allowedValues")) : null;
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) {
                if (value.isArray() ? containsAll(allowed, value) : Values.same(a, value)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                List<String> shown = new ArrayList<>();
                allowed.forEach(a -> shown.add(Values.display(a)));
                throw TemplateException.invalid("The provided value '" + Values.display(value) + "' for the "
                        + "template parameter '" + name + "' is not valid. The parameter value is not part of the "
                        + "allowed value(s): '" + String.join(",", shown) + "'");
            }
        }
        long length = value.isTextual() ? value.textValue().length() : value.isArray() ? value.size() : -1;
        if (def.has("minLength") && length >= 0 && length < def.get("minLength").asLong()) {
            throw TemplateException.invalid("The provided value for the template parameter '" + name + "' is not "
                    + "valid. Length of the value should be greater than or equal to '" + def.get("minLength").asLong()
                    + "'");
        }
        if (def.has("maxLength") && length >= 0 && length > def.get("maxLength").asLong()) {
            throw TemplateException.invalid("The provided value for the template parameter '" + name + "' is not "
                    + "valid. Length of the value should be less than or equal to '" + def.get("maxLength").asLong()
                    + "'");
        }
        if (def.has("minValue") && value.isNumber() && value.longValue() < def.get("minValue").asLong()) {
            throw TemplateException.invalid("The provided value for the template parameter '" + name + "' is not "
                    + "valid. The value should be greater than or equal to '" + def.get("minValue").asLong() + "'");
        }
        if (def.has("maxValue") && value.isNumber() && value.longValue() > def.get("maxValue").asLong()) {
            throw TemplateException.invalid("The provided value for the template parameter '" + name + "' is not "
                    + "valid. The value should be less than or equal to '" + def.get("maxValue").asLong() + "'");
        }
    }

    private static boolean containsAll(JsonNode allowed, JsonNode values) {
        for (JsonNode v : values) {
            boolean hit = false;
            for (JsonNode a : allowed) {
                hit |= Values.same(a, v);
            }
            if (!hit) {
                return false;
            }
        }
        return true;
    }

    // --- resources -------------------------------------------------------------------------------------------

    /** Every resource the template declares, deployed or not (a false condition), and its copy loops. */
    private static final class Declared {
        final Set<String> ids = new HashSet<>();
        final Set<String> typedNames = new HashSet<>();
        final Set<String> names = new HashSet<>();
        final Map<String, List<String>> loops = new HashMap<>();
    }

    private void expand(JsonNode r, PlannedResource parent, Evaluator frame, List<PlannedResource> out,
                        Declared declared, Scope scope) {
        if (!r.isObject()) {
            throw TemplateException.invalid("Each template resource must be a JSON object");
        }
        JsonNode copy = r.get("copy");
        if (copy == null) {
            instance(r, parent, frame, null, out, declared, scope, null);
            return;
        }
        JsonNode loopName = frame.evaluate(copy.get("name"));
        if (loopName == null || !loopName.isTextual() || loopName.textValue().isEmpty()) {
            throw TemplateException.invalid("The copy of a template resource needs a 'name'");
        }
        String name = loopName.textValue();
        int count = frame.count(copy.get("count"), "copy '" + name + "'");
        boolean serial = copy.path("mode").asText("Parallel").equalsIgnoreCase("serial");
        int batch = Math.max(1, copy.path("batchSize").asInt(1));
        List<String> ids = declared.loops.computeIfAbsent(key(name), k -> new ArrayList<>());
        List<PlannedResource> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PlannedResource before = serial && i >= batch ? made.get(i - batch) : null;
            PlannedResource p = instance(r, parent, frame.inLoop(name, i, true), name, out, declared, scope, before);
            made.add(p);
            if (p != null) {
                ids.add(p.id());
            }
        }
    }

    private PlannedResource instance(JsonNode r, PlannedResource parent, Evaluator frame, String copyName,
                                     List<PlannedResource> out, Declared declared, Scope scope,
                                     PlannedResource serialBefore) {
        String type = text(frame, r, "type", null);
        String name = text(frame, r, "name", type);
        String apiVersion = text(frame, r, "apiVersion", name);
        if (parent != null && !type.contains("/")) {
            type = parent.type() + "/" + type;
            name = parent.name() + "/" + name;
        }
        if (!TYPE.matcher(type).matches()) {
            throw TemplateException.invalid("The template resource '" + name + "' has the type '" + type + "', "
                    + "which is not a resource type such as 'Microsoft.Compute/images'");
        }
        List<String> names = List.of(name.split("/", -1));
        if (names.size() != Ids.namesNeeded(type) || names.stream().anyMatch(String::isEmpty)) {
            throw TemplateException.invalid("The template resource '" + name + "' for type '" + type + "' has "
                    + "incorrect segment lengths. A nested resource type must have identical number of segments "
                    + "as its resource name. A root resource type must have segment length one greater than its "
                    + "resource name. Please see https://aka.ms/arm-syntax-resources for usage details");
        }
        String id = Ids.of(scope.subscriptionId(), scope.resourceGroup().path("name").asText(), type, names);
        declared.ids.add(key(id));
        declared.typedNames.add(key(type + "/" + name));
        declared.names.add(key(name));
        boolean deploy = true;
        if (r.has("condition")) {
            JsonNode cond = frame.evaluate(r.get("condition"));
            if (cond == null || !cond.isBoolean()) {
                throw TemplateException.invalid("The condition of the template resource '" + name + "' must be "
                        + "a boolean; it is of type '" + Values.typeName(cond) + "'");
            }
            deploy = cond.booleanValue();
        }
        PlannedResource p = new PlannedResource(id, type, name, apiVersion, r, frame, copyName,
                parent == null ? null : parent.id(), out.size());
        if (!deploy) {
            // the children of a resource not deployed are not deployed either, but they are declared
            declareChildren(r, p, frame, declared, scope);
            return null;
        }
        if (serialBefore != null) {
            p.dependsOn.add(serialBefore.id());
        }
        out.add(p);
        JsonNode children = r.get("resources");
        if (children != null && children.isArray()) {
            for (JsonNode child : children) {
                expand(child, p, frame, out, declared, scope);
            }
        }
        return p;
    }

    private void declareChildren(JsonNode r, PlannedResource p, Evaluator frame, Declared declared, Scope scope) {
        JsonNode children = r.get("resources");
        if (children != null && children.isArray()) {
            for (JsonNode child : children) {
                List<PlannedResource> ignored = new ArrayList<>();
                expand(child, p, frame, ignored, declared, scope);
            }
        }
    }

    private static String text(Evaluator frame, JsonNode r, String field, String owner) {
        JsonNode raw = Values.field(r, field);
        if (raw == null) {
            throw TemplateException.invalid("The template resource " + (owner == null ? "" : "'" + owner + "' ")
                    + "is missing the property '" + field + "'. Please see https://aka.ms/arm-syntax-resources "
                    + "for usage details");
        }
        JsonNode v = frame.evaluate(raw);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw TemplateException.invalid("The template resource " + (owner == null ? "" : "'" + owner + "' ")
                    + "property '" + field + "' must be a non-empty string; it is of type '" + Values.typeName(v)
                    + "'");
        }
        return v.textValue();
    }

    private static void resolveDependency(PlannedResource p, String dep, Map<String, PlannedResource> byId,
                                          Declared declared) {
        String k = key(dep);
        List<String> loop = declared.loops.get(k);
        if (loop != null) {
            loop.stream().map(id -> byId.get(key(id))).filter(java.util.Objects::nonNull)
                    .forEach(target -> p.dependsOn.add(target.id()));
            return;
        }
        List<PlannedResource> hits = new ArrayList<>();
        for (PlannedResource other : byId.values()) {
            if (key(other.id()).equals(k) || key(other.type() + "/" + other.name()).equals(k)
                    || (!dep.startsWith("/") && key(other.name()).equals(k))) {
                hits.add(other);
            }
        }
        if (hits.isEmpty() && !dep.contains("/")) {
            // a nested child named as it is inside its parent: 'box' for 'shelf/box'
            for (PlannedResource other : byId.values()) {
                if (key(other.name()).endsWith("/" + k)) {
                    hits.add(other);
                }
            }
        }
        if (hits.isEmpty()) {
            if (declared.ids.contains(k) || declared.typedNames.contains(k) || declared.names.contains(k)) {
                return; // a resource whose condition is false: nothing to wait for
            }
            throw TemplateException.invalid("The resource '" + dep + "' is not defined in the template. Please see "
                    + "https://aka.ms/arm-syntax for usage details");
        }
        hits.forEach(h -> p.dependsOn.add(h.id()));
    }

    /** The resources in an order that deploys each after what it depends on; a cycle is refused. */
    private static List<PlannedResource> order(List<PlannedResource> all, Map<String, PlannedResource> byId) {
        List<PlannedResource> ordered = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        List<PlannedResource> pending = new ArrayList<>(all);
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (Iterator<PlannedResource> it = pending.iterator(); it.hasNext(); ) {
                PlannedResource p = it.next();
                if (p.dependsOn().stream().allMatch(d -> placed.contains(key(d)))) {
                    ordered.add(p);
                    placed.add(key(p.id()));
                    it.remove();
                    progress = true;
                }
            }
        }
        if (!pending.isEmpty()) {
            throw TemplateException.invalid("Circular dependency detected on resource: '" + onCycle(pending, byId)
                    + "'. Please see https://aka.ms/arm-syntax-resources for usage details");
        }
        return ordered;
    }

    private static String onCycle(List<PlannedResource> pending, Map<String, PlannedResource> byId) {
        Set<String> left = new HashSet<>();
        pending.forEach(p -> left.add(key(p.id())));
        PlannedResource at = pending.get(0);
        Set<String> seen = new LinkedHashSet<>();
        while (seen.add(key(at.id()))) {
            PlannedResource next = null;
            for (String d : new TreeSet<>(at.dependsOn())) {
                if (left.contains(key(d))) {
                    next = byId.get(key(d));
                    break;
                }
            }
            if (next == null) {
                break;
            }
            at = next;
        }
        return at.id();
    }

    static String key(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

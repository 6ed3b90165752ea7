package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/** A template prepared with its parameters: the resources in the order they may be deployed, and its outputs. */
public final class Plan {
    private final List<PlannedResource> resources;
    private final ObjectNode parameters;
    private final JsonNode outputs;
    private final Evaluator top;

    Plan(List<PlannedResource> resources, ObjectNode parameters, JsonNode outputs, Evaluator top) {
        this.resources = List.copyOf(resources);
        this.parameters = parameters;
        this.outputs = outputs;
        this.top = top;
    }

    /** Every resource to deploy, each after all it depends on (independent ones in template order). */
    public List<PlannedResource> resources() {
        return resources;
    }

    /** The parameters as a deployment shows them: {@code {"name": {"type": "String", "value": ...}}}, no secrets. */
    public ObjectNode parameters() {
        return parameters.deepCopy();
    }

    /** The outputs, evaluated now against what was deployed; secure ones without their values. */
    public ObjectNode outputs(Scope scope) {
        return evaluateOutputs(top.as(Evaluator.Mode.DEPLOY, scope, null));
    }

    /** The outputs checked before deployment, resource reads left unknown. */
    void checkOutputs() {
        evaluateOutputs(top.as(Evaluator.Mode.TRIAL, top.scope, null));
    }

    private ObjectNode evaluateOutputs(Evaluator ev) {
        ObjectNode out = Values.F.objectNode();
        if (outputs == null || !outputs.isObject()) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) outputs::fields) {
            JsonNode def = e.getValue();
            String name = e.getKey();
            if (def.has("condition")) {
                JsonNode cond = ev.evaluate(def.get("condition"));
                if (cond != null && cond.isBoolean() && !cond.booleanValue()) {
                    continue;
                }
            }
            String type = Template.typeName(def.path("type").asText(""), "output '" + name + "'");
            ObjectNode item = out.putObject(name);
            item.put("type", type);
            JsonNode value;
            if (def.has("copy")) {
                JsonNode loop = def.get("copy");
                int count = ev.count(loop.get("count"), "output copy '" + name + "'");
                ArrayNode items = Values.F.arrayNode();
                for (int i = 0; i < count; i++) {
                    items.add(ev.inLoop(name, i, true).evaluate(loop.get("input")));
                }
                value = items;
            } else {
                value = ev.evaluate(def.get("value"));
            }
            if (!type.startsWith("Secure") && value != null) {
                item.set("value", value);
            }
        }
        return out;
    }
}

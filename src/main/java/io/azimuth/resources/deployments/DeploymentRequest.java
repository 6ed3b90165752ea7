package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Tags;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of a deployment's PUT or validate, read as ARM reads it: an inline template (a template link names
 * content Azimuth cannot download: refused by name), its parameters, the mode, tags.
 */
record DeploymentRequest(JsonNode template, ObjectNode parameters, String mode, Map<String, String> tags) {
    private static final Pattern NAME_CHARS = Pattern.compile("[^-\\w._()]");
    static final int MAX_NAME = 64;

    /** ARM's rules for a deployment name: 1 to 64 letters, digits, '-', '.', '_', '(' or ')'. */
    static void validateName(String name) {
        if (name.length() > MAX_NAME) {
            throw ApiException.badRequest("DeploymentNameLengthLimitExceeded", "The provided deployment name '"
                    + name + "' has a length of '" + name.length() + "' which exceeds the maximum length of '"
                    + MAX_NAME + "'. Please see https://aka.ms/arm-deploy for usage details.", "name");
        }
        Matcher bad = NAME_CHARS.matcher(name);
        if (name.isEmpty() || bad.find()) {
            throw ApiException.badRequest("DeploymentNameInvalidCharacters", "The provided deployment name '" + name
                    + "' has these invalid characters: '" + (name.isEmpty() ? "" : bad.group()) + "'. The name can "
                    + "only be a letter, digit, '-', '.', '_', '(' or ')'. Please see https://aka.ms/arm-deploy for "
                    + "usage details.", "name");
        }
    }

    static DeploymentRequest parse(ObjectNode body) {
        JsonNode props = body.get("properties");
        if (props == null || !props.isObject()) {
            throw invalidContent("Required property 'properties' not found in JSON.", "properties");
        }
        JsonNode link = props.get("templateLink");
        JsonNode template = props.get("template");
        if (link != null && !link.isNull()) {
            throw ApiException.badRequest("InvalidContentLink", "Unable to download deployment content from '"
                    + link.path("uri").asText(link.path("id").asText("")) + "'. Azimuth deploys inline templates "
                    + "only: send the template in 'properties.template'.", "properties.templateLink");
        }
        if (template == null || template.isNull()) {
            throw ApiException.badRequest("InvalidRequestContent", "The request content was invalid: the "
                    + "deployment has neither 'properties.template' nor 'properties.templateLink'.",
                    "properties.template");
        }
        if (template.isTextual()) { // a template sent as a JSON string
            try {
                template = Json.parse(template.asText());
            } catch (Exception e) {
                throw invalidContent("'properties.template' is not a JSON object.", "properties.template");
            }
        }
        if (!template.isObject()) {
            throw invalidContent("'properties.template' is not a JSON object.", "properties.template");
        }
        if (props.hasNonNull("parametersLink")) {
            throw ApiException.badRequest("InvalidContentLink", "Unable to download deployment content from '"
                    + props.path("parametersLink").path("uri").asText() + "'. Azimuth takes inline parameters only: "
                    + "send them in 'properties.parameters'.", "properties.parametersLink");
        }
        JsonNode params = props.get("parameters");
        ObjectNode parameters;
        if (params == null || params.isNull()) {
            parameters = Json.object();
        } else if (params.isObject()) {
            parameters = (ObjectNode) params;
            parameters.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (!v.isObject() || !(v.has("value") || v.has("reference"))) {
                    throw invalidContent("The parameter '" + e.getKey() + "' must be an object with a 'value'.",
                            "properties.parameters." + e.getKey());
                }
                if (v.has("reference")) {
                    throw ApiException.badRequest("InvalidTemplate", "Deployment template validation failed: "
                            + "'The parameter '" + e.getKey() + "' is a Key Vault reference; Azimuth serves no key "
                            + "vaults.'.", "properties.parameters." + e.getKey());
                }
            });
        } else {
            throw invalidContent("'properties.parameters' is not a JSON object.", "properties.parameters");
        }
        JsonNode mode = props.get("mode");
        if (mode == null || mode.isNull()) {
            throw invalidContent("Required property 'mode' not found in JSON. Path 'properties'.", "properties.mode");
        }
        String m = mode.asText().toLowerCase(Locale.ROOT);
        String normalised = switch (m) {
            case "incremental" -> "Incremental";
            case "complete" -> "Complete";
            default -> throw invalidContent("Error converting value \"" + mode.asText() + "\" to type "
                    + "'DeploymentMode'. Path 'properties.mode'. The allowed values are 'Incremental' and 'Complete'.",
                    "properties.mode");
        };
        return new DeploymentRequest(template, parameters, normalised, Tags.parse(body.get("tags")));
    }

    private static ApiException invalidContent(String detail, String field) {
        return ApiException.badRequest("InvalidRequestContent",
                "The request content was invalid and could not be deserialized: '" + detail + "'", field);
    }
}

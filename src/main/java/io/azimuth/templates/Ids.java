package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.regex.Pattern;

/** Resource ids the way ARM builds them from a type and names: {@code resourceId()} and the template's own. */
final class Ids {
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Ids() {
    }

    /** {@code Microsoft.Network/virtualNetworks/subnets} → 2 names needed. */
    static int namesNeeded(String type) {
        return type.split("/", -1).length - 1;
    }

    /** The id of a resource of {@code type} with {@code names}, one per type segment after the namespace. */
    static String of(String subscription, String group, String type, List<String> names) {
        StringBuilder sb = new StringBuilder();
        if (subscription != null) {
            sb.append("/subscriptions/").append(subscription);
        }
        if (group != null) {
            sb.append("/resourceGroups/").append(group);
        }
        sb.append(path(type, names));
        return sb.toString();
    }

    private static String path(String type, List<String> names) {
        String[] segments = type.split("/");
        StringBuilder sb = new StringBuilder("/providers/").append(segments[0]);
        for (int i = 1; i < segments.length; i++) {
            sb.append('/').append(segments[i]).append('/').append(names.get(i - 1));
        }
        return sb.toString();
    }

    static JsonNode resourceId(Evaluator ev, List<String> args, String text) {
        int t = typeIndex(args, text, "resourceId");
        String subscription = ev.scope.subscriptionId();
        String group = ev.scope.resourceGroup().path("name").asText();
        if (t == 1) {
            if (GUID.matcher(args.get(0)).matches()) {
                throw TemplateException.expression(text, "The template function 'resourceId' was given a "
                        + "subscription id without a resource group name");
            }
            group = args.get(0);
        } else if (t == 2) {
            subscription = args.get(0);
            group = args.get(1);
        } else if (t > 2) {
            throw TemplateException.expression(text, "The template function 'resourceId' takes at most a "
                    + "subscription id and a resource group name before the resource type");
        }
        String id = of(subscription, group, args.get(t), names(args, t, text));
        if (ev.touched != null) {
            ev.touched.add(id);
        }
        return Values.F.textNode(id);
    }

    static JsonNode subscriptionResourceId(Evaluator ev, List<String> args, String text) {
        int t = typeIndex(args, text, "subscriptionResourceId");
        if (t > 1) {
            throw TemplateException.expression(text, "The template function 'subscriptionResourceId' takes at "
                    + "most a subscription id before the resource type");
        }
        String subscription = t == 1 ? args.get(0) : ev.scope.subscriptionId();
        return Values.F.textNode(of(subscription, null, args.get(t), names(args, t, text)));
    }

    static JsonNode tenantResourceId(List<String> args, String text) {
        int t = typeIndex(args, text, "tenantResourceId");
        if (t != 0) {
            throw TemplateException.expression(text, "The template function 'tenantResourceId' starts with the "
                    + "resource type");
        }
        return Values.F.textNode(of(null, null, args.get(0), names(args, 0, text)));
    }

    private static int typeIndex(List<String> args, String text, String function) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).contains("/")) {
                return i;
            }
        }
        throw TemplateException.expression(text, "The template function '" + function + "' needs a fully "
                + "qualified resource type, such as 'Microsoft.Compute/images'");
    }

    private static List<String> names(List<String> args, int typeAt, String text) {
        String type = args.get(typeAt);
        List<String> names = args.subList(typeAt + 1, args.size());
        if (names.size() != namesNeeded(type)) {
            throw TemplateException.expression(text, "Unable to evaluate template language function "
                    + "'resourceId': the type '" + type + "' requires '" + namesNeeded(type) + "' resource name "
                    + "argument(s); '" + names.size() + "' were given");
        }
        return names;
    }
}

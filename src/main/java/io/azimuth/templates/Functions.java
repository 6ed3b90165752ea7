package io.azimuth.templates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** ARM's template functions, by their case-insensitive names. */
final class Functions {
    /** the namespace ARM's {@code guid()} derives its name-based UUIDs in */
    private static final UUID GUID_NAMESPACE = UUID.fromString("11fb06fb-712d-4ddd-98c7-e71bbd588830");
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    private Functions() {
    }

    static JsonNode call(Evaluator ev, Expression.Call c, String text) {
        String name = Values.lower(c.name());
        // the lazy ones: only the branch taken is evaluated
        if (name.equals("if")) {
            arity(c, text, 3, 3);
            JsonNode cond = ev.eval(c.args().get(0), text);
            if (Values.unknown(cond)) {
                ev.eval(c.args().get(1), text);
                ev.eval(c.args().get(2), text);
                return Values.UNKNOWN;
            }
            return ev.eval(c.args().get(bool(cond, c, text) ? 1 : 2), text);
        }
        List<JsonNode> args = new ArrayList<>(c.args().size());
        boolean unknown = false;
        for (Expression a : c.args()) {
            JsonNode v = ev.eval(a, text);
            unknown |= Values.unknown(v);
            args.add(v);
        }
        if (unknown && !name.equals("reference") && !name.startsWith("list")) {
            return Values.UNKNOWN;
        }
        switch (name) {
            case "parameters": arity(c, text, 1, 1); return ev.defs.parameter(str(args, 0, c, text));
            case "variables": arity(c, text, 1, 1); return ev.defs.variable(str(args, 0, c, text), ev);
            case "copyindex": return copyIndex(ev, c, args, text);
            case "resourcegroup": arity(c, text, 0, 0); return ev.scope.resourceGroup();
            case "subscription": return subscription(ev, c, args, text);
            case "tenant": {
                ObjectNode t = Values.F.objectNode();
                t.put("tenantId", ev.scope.tenantId());
                return t;
            }
            case "deployment": return ev.defs.deployment.deepCopy();
            case "environment": return environment();
            case "resourceid": return Ids.resourceId(ev, strings(args, c, text), text);
            case "subscriptionresourceid": return Ids.subscriptionResourceId(ev, strings(args, c, text), text);
            case "tenantresourceid": return Ids.tenantResourceId(strings(args, c, text), text);
            case "reference": return reference(ev, c, args, text);
            case "concat": return concat(args);
            case "format": return format(args, c, text);
            case "string": arity(c, text, 1, 1); return Values.F.textNode(Values.display(args.get(0)));
            case "int": arity(c, text, 1, 1); return Values.F.numberNode(toInt(args.get(0), c, text));
            case "bool": arity(c, text, 1, 1); return BooleanNode.valueOf(toBool(args.get(0), c, text));
            case "json": arity(c, text, 1, 1); return json(str(args, 0, c, text), text);
            case "true": return BooleanNode.TRUE;
            case "false": return BooleanNode.FALSE;
            case "null": return NullNode.instance;
            case "tolower": arity(c, text, 1, 1); return Values.F.textNode(Values.lower(str(args, 0, c, text)));
            case "toupper": arity(c, text, 1, 1);
                return Values.F.textNode(str(args, 0, c, text).toUpperCase(Locale.ROOT));
            case "trim": arity(c, text, 1, 1); return Values.F.textNode(str(args, 0, c, text).trim());
            case "replace": arity(c, text, 3, 3);
                return Values.F.textNode(str(args, 0, c, text).replace(str(args, 1, c, text), str(args, 2, c, text)));
            case "split": return split(args, c, text);
            case "join": return join(args, c, text);
            case "substring": return substring(args, c, text);
            case "padleft": return padLeft(args, c, text);
            case "startswith": arity(c, text, 2, 2);
                return BooleanNode.valueOf(Values.lower(str(args, 0, c, text)).startsWith(Values.lower(str(args, 1, c, text))));
            case "endswith": arity(c, text, 2, 2);
                return BooleanNode.valueOf(Values.lower(str(args, 0, c, text)).endsWith(Values.lower(str(args, 1, c, text))));
            case "indexof": arity(c, text, 2, 2);
                return Values.F.numberNode(Values.lower(str(args, 0, c, text)).indexOf(Values.lower(str(args, 1, c, text))));
            case "lastindexof": arity(c, text, 2, 2);
                return Values.F.numberNode(Values.lower(str(args, 0, c, text)).lastIndexOf(Values.lower(str(args, 1, c, text))));
            case "uniquestring": return Values.F.textNode(uniqueString(strings(args, c, text), c, text));
            case "guid": return Values.F.textNode(guid(strings(args, c, text), c, text));
            case "newguid": arity(c, text, 0, 0); return Values.F.textNode(UUID.randomUUID().toString());
            case "utcnow": return utcNow(args, c, text);
            case "base64": arity(c, text, 1, 1);
                return Values.F.textNode(Base64.getEncoder().encodeToString(str(args, 0, c, text)
                        .getBytes(StandardCharsets.UTF_8)));
            case "base64tostring": arity(c, text, 1, 1);
                return Values.F.textNode(new String(unbase64(str(args, 0, c, text), c, text), StandardCharsets.UTF_8));
            case "base64tojson": arity(c, text, 1, 1);
                return json(new String(unbase64(str(args, 0, c, text), c, text), StandardCharsets.UTF_8), text);
            case "datauri": arity(c, text, 1, 1);
                return Values.F.textNode("data:text/plain;charset=utf8;base64," + Base64.getEncoder()
                        .encodeToString(str(args, 0, c, text).getBytes(StandardCharsets.UTF_8)));
            case "uri": arity(c, text, 2, 2); return uri(str(args, 0, c, text), str(args, 1, c, text), text);
            case "uricomponent": arity(c, text, 1, 1);
                return Values.F.textNode(URLEncoder.encode(str(args, 0, c, text), StandardCharsets.UTF_8)
                        .replace("+", "%20"));
            case "uricomponenttostring": arity(c, text, 1, 1);
                return Values.F.textNode(URLDecoder.decode(str(args, 0, c, text), StandardCharsets.UTF_8));
            case "equals": arity(c, text, 2, 2); return BooleanNode.valueOf(Values.same(args.get(0), args.get(1)));
            case "not": arity(c, text, 1, 1); return BooleanNode.valueOf(!bool(args.get(0), c, text));
            case "and": case "or": {
                arity(c, text, 1, Integer.MAX_VALUE);
                boolean and = name.equals("and");
                boolean result = and;
                for (JsonNode a : args) {
                    result = and ? result && bool(a, c, text) : result || bool(a, c, text);
                }
                return BooleanNode.valueOf(result);
            }
            case "less": case "lessorequals": case "greater": case "greaterorequals":
                return compare(name, args, c, text);
            case "add": case "sub": case "mul": case "div": case "mod": return arithmetic(name, args, c, text);
            case "min": case "max": return minMax(name, args, c, text);
            case "range": {
                arity(c, text, 2, 2);
                long start = toInt(args.get(0), c, text);
                long count = toInt(args.get(1), c, text);
                if (count < 0 || count > 10000) {
                    throw TemplateException.expression(text, "The count given to 'range' must be from 0 to 10000");
                }
                ArrayNode out = Values.F.arrayNode();
                for (long i = 0; i < count; i++) {
                    out.add(start + i);
                }
                return out;
            }
            case "coalesce":
                for (JsonNode a : args) {
                    if (a != null && !a.isNull()) {
                        return a;
                    }
                }
                return NullNode.instance;
            case "empty": arity(c, text, 1, 1); return BooleanNode.valueOf(empty(args.get(0), c, text));
            case "length": arity(c, text, 1, 1); return Values.F.numberNode(length(args.get(0), c, text));
            case "contains": arity(c, text, 2, 2); return BooleanNode.valueOf(contains(args.get(0), args.get(1), c, text));
            case "first": case "last": return firstLast(name.equals("first"), args, c, text);
            case "take": case "skip": return takeSkip(name.equals("take"), args, c, text);
            case "union": return union(args, c, text);
            case "intersection": return intersection(args, c, text);
            case "createobject": return createObject(args, c, text);
            case "createarray": {
                ArrayNode out = Values.F.arrayNode();
                args.forEach(out::add);
                return out;
            }
            case "array": {
                arity(c, text, 1, 1);
                if (args.get(0).isArray()) {
                    return args.get(0);
                }
                ArrayNode out = Values.F.arrayNode();
                out.add(args.get(0));
                return out;
            }
            case "items": return items(args, c, text);
            default:
                if (name.startsWith("list")) {
                    return list(ev, name, c, args, text);
                }
                throw TemplateException.expression(text, "The template function '" + c.name() + "' is not found "
                        + "or not supported");
        }
    }

    // --- argument checks -------------------------------------------------------------------------------------

    private static void arity(Expression.Call c, String text, int min, int max) {
        int n = c.args().size();
        if (n < min || n > max) {
            String expected = min == max ? Integer.toString(min)
                    : max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
            throw TemplateException.expression(text, "The template language function '" + c.name() + "' expects "
                    + expected + " parameter(s); it was given " + n);
        }
    }

    private static TemplateException wrongType(Expression.Call c, String text, String expected, JsonNode got) {
        return TemplateException.expression(text, "The template language function '" + c.name() + "' expects its "
                + "parameter to be of type '" + expected + "'. The provided value is of type '"
                + Values.typeName(got) + "'");
    }

    private static String str(List<JsonNode> args, int i, Expression.Call c, String text) {
        JsonNode v = args.get(i);
        if (v == null || !v.isTextual()) {
            throw wrongType(c, text, "String", v);
        }
        return v.textValue();
    }

    private static List<String> strings(List<JsonNode> args, Expression.Call c, String text) {
        List<String> out = new ArrayList<>(args.size());
        for (JsonNode v : args) {
            if (v == null || !(v.isTextual() || v.isNumber())) {
                throw wrongType(c, text, "String", v);
            }
            out.add(Values.display(v));
        }
        return out;
    }

    private static boolean bool(JsonNode v, Expression.Call c, String text) {
        if (v == null || !v.isBoolean()) {
            throw wrongType(c, text, "Boolean", v);
        }
        return v.booleanValue();
    }

    private static long toInt(JsonNode v, Expression.Call c, String text) {
        if (v != null && v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v != null && v.isNumber()) {
            return (long) v.doubleValue();
        }
        if (v != null && v.isTextual()) {
            try {
                return Long.parseLong(v.textValue().trim());
            } catch (NumberFormatException e) {
                throw TemplateException.expression(text, "The value '" + v.textValue() + "' given to '" + c.name()
                        + "' is not an integer");
            }
        }
        throw wrongType(c, text, "Integer", v);
    }

    private static boolean toBool(JsonNode v, Expression.Call c, String text) {
        if (v != null && v.isBoolean()) {
            return v.booleanValue();
        }
        if (v != null && v.isIntegralNumber()) {
            return v.longValue() != 0;
        }
        if (v != null && v.isTextual() && (v.textValue().equalsIgnoreCase("true")
                || v.textValue().equalsIgnoreCase("false"))) {
            return v.textValue().equalsIgnoreCase("true");
        }
        throw TemplateException.expression(text, "The value '" + Values.display(v) + "' given to 'bool' is not a "
                + "boolean");
    }

    // --- the template's own values and the deployment's world ------------------------------------------------

    private static JsonNode copyIndex(Evaluator ev, Expression.Call c, List<JsonNode> args, String text) {
        arity(c, text, 0, 2);
        String loop = null;
        long offset = 0;
        for (JsonNode a : args) {
            if (a.isTextual()) {
                loop = a.textValue();
            } else {
                offset = toInt(a, c, text);
            }
        }
        Integer index = ev.loopIndex(loop);
        if (index == null) {
            throw TemplateException.expression(text, loop == null
                    ? "The template function 'copyIndex' is not expected at this location. The function can only "
                    + "be used in a resource with copy specified"
                    : "The template function 'copyIndex' refers to the copy loop '" + loop + "', which is not "
                    + "defined here");
        }
        return Values.F.numberNode(index + offset);
    }

    private static JsonNode subscription(Evaluator ev, Expression.Call c, List<JsonNode> args, String text) {
        arity(c, text, 0, 0);
        ObjectNode s = Values.F.objectNode();
        s.put("id", "/subscriptions/" + ev.scope.subscriptionId());
        s.put("subscriptionId", ev.scope.subscriptionId());
        s.put("tenantId", ev.scope.tenantId());
        return s;
    }

    private static JsonNode environment() {
        ObjectNode e = Values.F.objectNode();
        e.put("name", "AzureCloud");
        e.put("resourceManager", "https://management.azure.com/");
        e.put("portal", "https://portal.azure.com");
        e.put("gallery", "https://gallery.azure.com/");
        ObjectNode auth = e.putObject("authentication");
        auth.put("loginEndpoint", "https://login.microsoftonline.com/");
        auth.putArray("audiences").add("https://management.core.windows.net/").add("https://management.azure.com/");
        auth.put("tenant", "common");
        auth.put("identityProvider", "AAD");
        ObjectNode suffixes = e.putObject("suffixes");
        suffixes.put("storage", "core.windows.net");
        suffixes.put("keyvaultDns", ".vault.azure.net");
        suffixes.put("sqlServerHostname", ".database.windows.net");
        suffixes.put("acrLoginServer", ".azurecr.io");
        return e;
    }

    private static JsonNode reference(Evaluator ev, Expression.Call c, List<JsonNode> args, String text) {
        arity(c, text, 1, 3);
        if (ev.mode == Evaluator.Mode.VALUES || ev.mode == Evaluator.Mode.PLAN) {
            throw TemplateException.invalid("The template function 'reference' is not expected at this location. "
                    + "It can be used only in the properties of a resource and in outputs. Please see "
                    + "https://aka.ms/arm-functions-resource for usage details");
        }
        if (args.stream().anyMatch(Values::unknown)) {
            return Values.UNKNOWN;
        }
        String target = str(args, 0, c, text);
        String id = resolve(ev, target, text);
        String apiVersion = args.size() > 1 ? str(args, 1, c, text) : ev.defs.apiVersions.get(Values.lower(id));
        boolean full = args.size() > 2 && str(args, 2, c, text).equalsIgnoreCase("full");
        if (ev.mode == Evaluator.Mode.TRIAL) {
            if (ev.touched != null) {
                ev.touched.add(id);
            }
            return Values.UNKNOWN;
        }
        return ev.scope.reference(id, apiVersion, full);
    }

    private static JsonNode list(Evaluator ev, String name, Expression.Call c, List<JsonNode> args, String text) {
        arity(c, text, 1, 3);
        if (ev.mode == Evaluator.Mode.VALUES || ev.mode == Evaluator.Mode.PLAN) {
            throw TemplateException.invalid("The template function '" + c.name() + "' is not expected at this "
                    + "location. It can be used only in the properties of a resource and in outputs");
        }
        if (args.stream().anyMatch(Values::unknown)) {
            return Values.UNKNOWN;
        }
        String id = resolve(ev, str(args, 0, c, text), text);
        if (ev.mode == Evaluator.Mode.TRIAL) {
            if (ev.touched != null) {
                ev.touched.add(id);
            }
            return Values.UNKNOWN;
        }
        if (!name.equals("listkeys")) {
            throw TemplateException.expression(text, "The template function '" + c.name() + "' is not supported; "
                    + "of the list functions only listKeys is");
        }
        return ev.scope.listKeys(id, args.size() > 1 ? str(args, 1, c, text) : null);
    }

    /** A resource id, or the name of a resource of this template. */
    private static String resolve(Evaluator ev, String target, String text) {
        if (target.startsWith("/")) {
            return target;
        }
        String id = ev.defs.idsByName.get(Values.lower(target));
        if (id == null) {
            throw TemplateException.expression(text, "The template reference '" + target + "' is not valid: could "
                    + "not find template resource or resource copy with this name");
        }
        return id;
    }

    // --- strings ---------------------------------------------------------------------------------------------

    private static JsonNode concat(List<JsonNode> args) {
        if (!args.isEmpty() && args.stream().allMatch(a -> a != null && (a.isArray() || a.isNull()))) {
            ArrayNode out = Values.F.arrayNode();
            args.forEach(a -> {
                if (a.isArray()) {
                    out.addAll((ArrayNode) a);
                }
            });
            return out;
        }
        StringBuilder sb = new StringBuilder();
        args.forEach(a -> sb.append(Values.display(a)));
        return Values.F.textNode(sb.toString());
    }

    private static JsonNode format(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 1, Integer.MAX_VALUE);
        String fmt = str(args, 0, c, text);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char ch = fmt.charAt(i);
            if (ch == '{' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
                out.append('{');
                i++;
            } else if (ch == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
                out.append('}');
                i++;
            } else if (ch == '{') {
                int end = fmt.indexOf('}', i);
                if (end < 0) {
                    throw TemplateException.expression(text, "The format string '" + fmt + "' is not valid");
                }
                String spec = fmt.substring(i + 1, end);
                String specifier = "";
                int colon = spec.indexOf(':');
                if (colon >= 0) {
                    specifier = spec.substring(colon + 1);
                    spec = spec.substring(0, colon);
                }
                int n;
                try {
                    n = Integer.parseInt(spec.trim());
                } catch (NumberFormatException e) {
                    throw TemplateException.expression(text, "The format string '" + fmt + "' is not valid");
                }
                if (n < 0 || n + 1 >= args.size()) {
                    throw TemplateException.expression(text, "The format string '" + fmt + "' refers to argument "
                            + n + ", which was not given");
                }
                out.append(formatted(args.get(n + 1), specifier));
                i = end;
            } else {
                out.append(ch);
            }
        }
        return Values.F.textNode(out.toString());
    }

    /** The .NET numeric specifiers templates use: D with a width (zero-padded), N with decimals, X (hex). */
    private static String formatted(JsonNode v, String specifier) {
        if (specifier.isEmpty() || !v.isNumber()) {
            return Values.display(v);
        }
        char kind = Character.toUpperCase(specifier.charAt(0));
        String digits = specifier.substring(1);
        if (!digits.matches("\\d{0,2}")) {
            return Values.display(v);
        }
        int width = digits.isEmpty() ? -1 : Integer.parseInt(digits);
        switch (kind) {
            case 'D': return width < 0 ? Long.toString(v.longValue()) : String.format("%0" + width + "d", v.longValue());
            case 'X': return Long.toHexString(v.longValue()).toUpperCase(Locale.ROOT);
            case 'N': return String.format(Locale.ROOT, "%,." + (width < 0 ? 2 : width) + "f", v.doubleValue());
            default: return Values.display(v);
        }
    }

    private static JsonNode split(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, 2);
        String s = str(args, 0, c, text);
        List<String> delimiters = new ArrayList<>();
        if (args.get(1).isArray()) {
            args.get(1).forEach(d -> delimiters.add(d.asText()));
        } else {
            delimiters.add(str(args, 1, c, text));
        }
        ArrayNode out = Values.F.arrayNode();
        int start = 0;
        int i = 0;
        while (i <= s.length()) {
            String hit = null;
            for (String d : delimiters) {
                if (!d.isEmpty() && s.startsWith(d, i)) {
                    hit = d;
                    break;
                }
            }
            if (hit != null) {
                out.add(s.substring(start, i));
                i += hit.length();
                start = i;
            } else {
                i++;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static JsonNode join(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, 2);
        if (!args.get(0).isArray()) {
            throw wrongType(c, text, "Array", args.get(0));
        }
        List<String> parts = new ArrayList<>();
        args.get(0).forEach(v -> parts.add(Values.display(v)));
        return Values.F.textNode(String.join(str(args, 1, c, text), parts));
    }

    private static JsonNode substring(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 1, 3);
        String s = str(args, 0, c, text);
        long start = args.size() > 1 ? toInt(args.get(1), c, text) : 0;
        long length = args.size() > 2 ? toInt(args.get(2), c, text) : s.length() - start;
        if (start < 0 || start > s.length() || length < 0 || start + length > s.length()) {
            throw TemplateException.expression(text, "The index and length given to 'substring' must refer to a "
                    + "location within the string '" + s + "'");
        }
        return Values.F.textNode(s.substring((int) start, (int) (start + length)));
    }

    private static JsonNode padLeft(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, 3);
        String s = Values.display(args.get(0));
        long width = toInt(args.get(1), c, text);
        if (width > 16384) {
            throw TemplateException.expression(text, "The total length given to 'padLeft' is " + width
                    + "; it may be at most 16384");
        }
        String pad = args.size() > 2 ? str(args, 2, c, text) : " ";
        if (pad.length() != 1) {
            throw TemplateException.expression(text, "The padding character given to 'padLeft' must be one "
                    + "character");
        }
        StringBuilder sb = new StringBuilder();
        for (long i = s.length(); i < width; i++) {
            sb.append(pad);
        }
        return Values.F.textNode(sb + s);
    }

    private static JsonNode json(String s, String text) {
        try {
            return Values.JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw TemplateException.expression(text, "The value given to 'json' is not valid JSON");
        }
    }

    private static byte[] unbase64(String s, Expression.Call c, String text) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw TemplateException.expression(text, "The value given to '" + c.name() + "' is not base64");
        }
    }

    private static JsonNode uri(String base, String relative, String text) {
        try {
            return Values.F.textNode(URI.create(base).resolve(relative).toString());
        } catch (IllegalArgumentException e) {
            throw TemplateException.expression(text, "The values given to 'uri' do not make a URI");
        }
    }

    private static JsonNode utcNow(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 0, 1);
        String fmt = args.isEmpty() ? "yyyyMMdd'T'HHmmss'Z'" : str(args, 0, c, text);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        if (fmt.equals("u")) {
            fmt = "yyyy-MM-dd HH:mm:ss'Z'";
        } else if (fmt.equals("d")) {
            fmt = "M/d/yyyy";
        } else if (fmt.equals("o")) {
            return Values.F.textNode(DateTimeFormatter.ISO_INSTANT.format(now));
        }
        try {
            return Values.F.textNode(DateTimeFormatter.ofPattern(fmt, Locale.ROOT).format(now));
        } catch (IllegalArgumentException e) {
            throw TemplateException.expression(text, "The format '" + fmt + "' given to 'utcNow' is not valid");
        }
    }

    /** 13 characters from a 64-bit hash of the arguments: the same arguments give the same string. */
    static String uniqueString(List<String> args, Expression.Call c, String text) {
        arity(c, text, 1, Integer.MAX_VALUE);
        long h = murmur64(String.join("-", args).getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder(13);
        for (int i = 0; i < 13; i++) {
            int shift = 59 - 5 * i;
            int bits = shift >= 0 ? (int) ((h >>> shift) & 31) : (int) ((h << -shift) & 31);
            sb.append(BASE32.charAt(bits));
        }
        return sb.toString();
    }

    private static long murmur64(byte[] data) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = data.length * m;
        ByteBuffer buf = ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int blocks = data.length / 8;
        for (int i = 0; i < blocks; i++) {
            long k = buf.getLong(i * 8);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int rest = data.length & 7;
        if (rest > 0) {
            for (int i = rest - 1; i >= 0; i--) {
                h ^= (long) (data[blocks * 8 + i] & 0xff) << (8 * i);
            }
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /** A name-based (version 5) UUID of the arguments joined by '-'. */
    static String guid(List<String> args, Expression.Call c, String text) {
        arity(c, text, 1, Integer.MAX_VALUE);
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            ByteBuffer ns = ByteBuffer.allocate(16);
            ns.putLong(GUID_NAMESPACE.getMostSignificantBits()).putLong(GUID_NAMESPACE.getLeastSignificantBits());
            sha1.update(ns.array());
            byte[] hash = sha1.digest(String.join("-", args).getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
            return new UUID(b.getLong(), b.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this Java runtime", e);
        }
    }

    // --- comparisons and numbers -----------------------------------------------------------------------------

    private static JsonNode compare(String name, List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, 2);
        JsonNode a = args.get(0);
        JsonNode b = args.get(1);
        int cmp;
        if (a.isNumber() && b.isNumber()) {
            cmp = Double.compare(a.doubleValue(), b.doubleValue());
        } else if (a.isTextual() && b.isTextual()) {
            cmp = a.textValue().compareTo(b.textValue());
        } else {
            throw TemplateException.expression(text, "The template language function '" + c.name() + "' compares "
                    + "two integers or two strings, not '" + Values.typeName(a) + "' and '" + Values.typeName(b) + "'");
        }
        switch (name) {
            case "less": return BooleanNode.valueOf(cmp < 0);
            case "lessorequals": return BooleanNode.valueOf(cmp <= 0);
            case "greater": return BooleanNode.valueOf(cmp > 0);
            default: return BooleanNode.valueOf(cmp >= 0);
        }
    }

    private static JsonNode arithmetic(String name, List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, 2);
        long a = toInt(args.get(0), c, text);
        long b = toInt(args.get(1), c, text);
        try {
            switch (name) {
                case "add": return Values.F.numberNode(Math.addExact(a, b));
                case "sub": return Values.F.numberNode(Math.subtractExact(a, b));
                case "mul": return Values.F.numberNode(Math.multiplyExact(a, b));
                default: break;
            }
        } catch (ArithmeticException e) {
            throw TemplateException.expression(text, "The result of '" + c.name() + "' does not fit in a 64-bit "
                    + "integer");
        }
        if (b == 0) {
            throw TemplateException.expression(text, "The template language function '" + c.name()
                    + "' cannot divide by zero");
        }
        return Values.F.numberNode(name.equals("div") ? a / b : a % b);
    }

    private static JsonNode minMax(String name, List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 1, Integer.MAX_VALUE);
        List<JsonNode> values = new ArrayList<>();
        if (args.size() == 1 && args.get(0).isArray()) {
            args.get(0).forEach(values::add);
        } else {
            values.addAll(args);
        }
        if (values.isEmpty()) {
            throw TemplateException.expression(text, "The template language function '" + c.name() + "' needs at "
                    + "least one value");
        }
        long best = toInt(values.get(0), c, text);
        for (JsonNode v : values) {
            long n = toInt(v, c, text);
            best = name.equals("min") ? Math.min(best, n) : Math.max(best, n);
        }
        return Values.F.numberNode(best);
    }

    // --- collections -----------------------------------------------------------------------------------------

    private static boolean empty(JsonNode v, Expression.Call c, String text) {
        if (v == null || v.isNull()) {
            return true;
        }
        if (v.isTextual()) {
            return v.textValue().isEmpty();
        }
        if (v.isContainerNode()) {
            return v.size() == 0;
        }
        throw wrongType(c, text, "String, Array or Object", v);
    }

    private static long length(JsonNode v, Expression.Call c, String text) {
        if (v.isTextual()) {
            return v.textValue().length();
        }
        if (v.isContainerNode()) {
            return v.size();
        }
        throw wrongType(c, text, "String, Array or Object", v);
    }

    private static boolean contains(JsonNode container, JsonNode item, Expression.Call c, String text) {
        if (container.isTextual()) {
            return container.textValue().contains(Values.display(item));
        }
        if (container.isArray()) {
            for (JsonNode v : container) {
                if (Values.same(v, item)) {
                    return true;
                }
            }
            return false;
        }
        if (container.isObject()) {
            return item.isTextual() && Values.field(container, item.textValue()) != null;
        }
        throw wrongType(c, text, "String, Array or Object", container);
    }

    private static JsonNode firstLast(boolean first, List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 1, 1);
        JsonNode v = args.get(0);
        if (v.isTextual()) {
            String s = v.textValue();
            return Values.F.textNode(s.isEmpty() ? "" : first ? s.substring(0, 1) : s.substring(s.length() - 1));
        }
        if (v.isArray()) {
            return v.size() == 0 ? NullNode.instance : v.get(first ? 0 : v.size() - 1);
        }
        throw wrongType(c, text, "String or Array", v);
    }

    private static JsonNode takeSkip(boolean take, List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, 2);
        JsonNode v = args.get(0);
        long n = Math.max(0, toInt(args.get(1), c, text));
        if (v.isTextual()) {
            String s = v.textValue();
            int k = (int) Math.min(n, s.length());
            return Values.F.textNode(take ? s.substring(0, k) : s.substring(k));
        }
        if (v.isArray()) {
            ArrayNode out = Values.F.arrayNode();
            int k = (int) Math.min(n, v.size());
            for (int i = take ? 0 : k; i < (take ? k : v.size()); i++) {
                out.add(v.get(i));
            }
            return out;
        }
        throw wrongType(c, text, "String or Array", v);
    }

    private static JsonNode union(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 1, Integer.MAX_VALUE);
        if (args.stream().allMatch(JsonNode::isObject)) {
            ObjectNode out = Values.F.objectNode();
            args.forEach(a -> merge(out, (ObjectNode) a));
            return out;
        }
        if (args.stream().allMatch(JsonNode::isArray)) {
            ArrayNode out = Values.F.arrayNode();
            for (JsonNode a : args) {
                for (JsonNode v : a) {
                    if (!contains(out, v, c, text)) {
                        out.add(v);
                    }
                }
            }
            return out;
        }
        throw TemplateException.expression(text, "The template language function 'union' expects all its "
                + "parameters to be objects or all to be arrays");
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing != null && existing.isObject() && e.getValue().isObject()) {
                ObjectNode merged = ((ObjectNode) existing).deepCopy();
                merge(merged, (ObjectNode) e.getValue());
                into.set(e.getKey(), merged);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    private static JsonNode intersection(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 2, Integer.MAX_VALUE);
        if (args.stream().allMatch(JsonNode::isObject)) {
            ObjectNode out = ((ObjectNode) args.get(0)).deepCopy();
            for (Iterator<String> it = args.get(0).fieldNames(); it.hasNext(); ) {
                String key = it.next();
                for (JsonNode other : args.subList(1, args.size())) {
                    JsonNode v = other.get(key);
                    if (v == null || !Values.same(v, args.get(0).get(key))) {
                        out.remove(key);
                    }
                }
            }
            return out;
        }
        if (args.stream().allMatch(JsonNode::isArray)) {
            ArrayNode out = Values.F.arrayNode();
            for (JsonNode v : args.get(0)) {
                boolean everywhere = args.subList(1, args.size()).stream().allMatch(a -> contains(a, v, c, text));
                if (everywhere && !contains(out, v, c, text)) {
                    out.add(v);
                }
            }
            return out;
        }
        throw TemplateException.expression(text, "The template language function 'intersection' expects all its "
                + "parameters to be objects or all to be arrays");
    }

    private static JsonNode createObject(List<JsonNode> args, Expression.Call c, String text) {
        if (args.size() % 2 != 0) {
            throw TemplateException.expression(text, "The template language function 'createObject' expects an "
                    + "even number of parameters, names and values in turn");
        }
        ObjectNode out = Values.F.objectNode();
        for (int i = 0; i < args.size(); i += 2) {
            out.set(str(args, i, c, text), args.get(i + 1));
        }
        return out;
    }

    private static JsonNode items(List<JsonNode> args, Expression.Call c, String text) {
        arity(c, text, 1, 1);
        if (!args.get(0).isObject()) {
            throw wrongType(c, text, "Object", args.get(0));
        }
        TreeMap<String, JsonNode> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        args.get(0).fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        ArrayNode out = Values.F.arrayNode();
        for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
            ObjectNode item = out.addObject();
            item.put("key", e.getKey());
            item.set("value", e.getValue());
        }
        return out;
    }
}

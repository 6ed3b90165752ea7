package io.azimuth.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.azimuth.fuzz.Fuzz.utf8;
import static io.azimuth.support.TestServer.SUB;

/**
 * The mutations: each takes a seed request and a random source and answers a request broken in one way, named by
 * its family. JSON mutations change the body of an ARM request at a random place of its tree (wrong types, nulls,
 * huge or deeply nested values, odd unicode, duplicate keys, cut-off text); request mutations change what is
 * around the body (content type, api-version, URL, names in the path, headers, method); framing mutations send
 * bytes that are not a valid HTTP/1.1 request; classic mutations break the XML; blob mutations send bad ranges,
 * lengths and names to the blob endpoints.
 */
final class Mutations {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int HUGE = 1024 * 1024;
    static final int DEEP = 10_000;
    private static final String PLACEHOLDER = "@@fuzz-fragment@@";

    static final List<String> ARM_FAMILIES = List.of("json-type", "json-null", "json-huge-string", "json-huge-number",
            "json-deep", "json-unicode", "json-duplicate-key", "json-truncated", "json-empty", "json-not-object",
            "json-remove", "json-bad-id", "json-big-array", "json-garbage-bytes", "content-type", "api-version",
            "long-url", "long-header", "bad-name", "method", "framing", "too-large");
    static final List<String> CLASSIC_FAMILIES = List.of("xml-malformed", "xml-external-entity", "xml-billion-laughs",
            "xml-huge-attribute", "xml-namespace", "xml-truncated", "xml-value", "xml-root", "xml-empty",
            "classic-version", "classic-subscription", "content-type", "long-url", "long-header", "framing");
    static final List<String> BLOB_FAMILIES = List.of("blob-length", "blob-page-range", "blob-page-write",
            "blob-read-range", "blob-name", "blob-copy", "long-header", "framing");

    private static final String[] TYPE_VALUES = {"\"text\"", "0", "-1", "1.5", "true", "false", "{}", "[]",
            "{\"a\":1}", "[1,\"x\",null]", "\"\"", "\"  \""};
    private static final String[] NUMBERS = {"1e999999", "-1e999999", "99999999999999999999999999999999",
            "9223372036854775808", "-9223372036854775809", "2147483648", "-2147483649", "4294967296", "1E-400",
            "-0", "0.000000000000000000000000001", "1" + "0".repeat(5000), "123456789.123456789e300"};
    private static final String[] UNICODE = {"\"\\ud800\"", "\"a\\udfffb\"", "\"\\udfff\\ud800\"",
            "\"a\\u0000b\"", "\"\\u0000\"", "\"\u202Eevil\u202C\"", "\"\u0627\u0644\u0639\u0631\u0628\u064A\u0629\"",
            "\"\uD83D\uDE00\uD83D\uDE80\"", "\"\u0130stanbul\"", "\"\u01C5\"", "\"a\u200Bb\"", "\"e\u0301\"",
            "\"\uFEFF\"", "\"\\uFFFF\"", "\"\u540D\u524D\"", "\"\\u001b[31m\"", "\"line\\nbreak\"",
            "\"tab\\tquote\\\"back\\\\\""};
    private static final String[] NAMES = {"a%20b", ".", "..", "a.", "-", "_", "%2e%2e", "a%2Fb", "%00", "a%00b", "%ZZ",
            "%", "%C0%AF", "%F0%9F%98%80", "a%3Bb", "a%3Fb", "a%23b", "%E5%90%8D%E5%89%8D", "%C4%B0", "CON",
            "a%2F..%2Fb", "%252e", "a+b", "a;b", "a,b", "~", "a'b", "a%22b", "%7B%7D", "%FF%FE", "%ED%A0%80",
            "a".repeat(200), "a".repeat(81), "a".repeat(64), "1", "0.0.0", "1.0.0.0", "-1.0.0",
            "99999999999.0.0", "a_".repeat(40)};
    private static final String[] RAW_NAMES = {"a b", "\u540D\u524D", "a\tb", "a\"b", "a<b>", "a{b}", "a|b", "a\\b",
            "a^b", "a`b"};
    private static final String[] HEADERS = {"Authorization", "x-ms-correlation-request-id", "x-ms-client-request-id",
            "User-Agent", "Content-Type", "If-Match", "If-None-Match", "Accept", "Accept-Language", "x-ms-version",
            "Referer", "x-ms-return-client-request-id", "Accept-Encoding", "Expect"};

    private Mutations() {
    }

    // ------------------------------------------------------------------------------------------------ ARM

    static Fuzz.Request arm(Seeds.Arm seed, Random rnd) {
        String family = ARM_FAMILIES.get(rnd.nextInt(ARM_FAMILIES.size()));
        if (seed.body() == null && family.startsWith("json-") && rnd.nextInt(4) != 0) {
            family = "api-version"; // most body mutations of a bodiless request become request mutations
        }
        Fuzz.Request r = seed.request(family);
        if (seed.body() == null && family.startsWith("json-")) {
            r.body = utf8("{\"location\":\"westus\",\"properties\":{}}");
            r.header("Content-Type", "application/json");
        }
        String body = r.body == null ? null : new String(r.body, StandardCharsets.UTF_8);
        switch (family) {
            case "json-type" -> r.body = utf8(fragmentAt(body, pick(rnd, TYPE_VALUES), rnd));
            case "json-null" -> r.body = utf8(fragmentAt(body, "null", rnd));
            case "json-huge-string" -> r.body = utf8(fragmentAt(body,
                    "\"" + (rnd.nextBoolean() ? "a" : "\u00e9").repeat(HUGE / 2) + "\"", rnd));
            case "json-huge-number" -> r.body = utf8(fragmentAt(body, pick(rnd, NUMBERS), rnd));
            case "json-deep" -> {
                String open = rnd.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                String deep = open.repeat(DEEP) + "1" + close.repeat(DEEP);
                r.body = utf8(rnd.nextInt(4) == 0 ? deep : fragmentAt(body, deep, rnd));
            }
            case "json-unicode" -> r.body = utf8(rnd.nextBoolean() ? fragmentAt(body, pick(rnd, UNICODE), rnd)
                    : atField(body, pick(rnd, "location", "name", "osType", "createOption", "sourceUri", "id",
                    "vmSize", "computerName", "adminUsername", "description", "publisher", "offer", "sku"),
                    pick(rnd, UNICODE)));
            case "json-duplicate-key" -> r.body = utf8(duplicateKey(body, rnd));
            case "json-truncated" -> {
                byte[] b = r.body;
                r.body = java.util.Arrays.copyOf(b, rnd.nextInt(Math.max(1, b.length)));
            }
            case "json-empty" -> r.body = utf8(pick(rnd, "", " ", "\n", "{}", "{ }", "null", "\"\"", "[]", "\u0000"));
            case "json-not-object" -> r.body = utf8(pick(rnd, "[" + body + "]", "\"" + body.replace("\"", "'") + "\"",
                    "42", "true", "null", "[]", body + body, body + " trailing", body + "}", "{" + body,
                    "{'location':'westus'}", "{location:\"westus\"}", "{\"location\":\"westus\",}",
                    "/* c */" + body, body.replace(":", "=")));
            case "json-remove" -> r.body = utf8(remove(body, rnd));
            case "json-bad-id" -> r.body = utf8(badIds(body, seed, rnd));
            case "json-big-array" -> r.body = utf8(fragmentAt(body,
                    "[" + String.join(",", java.util.Collections.nCopies(20_000, pick(rnd, "{\"lun\":1}", "1",
                            "{\"id\":\"x\"}", "{}", "\"a\""))) + "]", rnd));
            case "json-garbage-bytes" -> r.body = garbage(rnd, body);
            case "content-type" -> {
                r.replace("Content-Type", pick(rnd, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "application/json; charset=utf-16",
                        "application/json; charset=latin1", "application/json; charset=nonsense", "", "*/*",
                        "application/octet-stream", "application/merge-patch+json", "APPLICATION/JSON",
                        "application/json;;;", "json", "\u00e9/\u00e9"));
                if (rnd.nextInt(5) == 0) {
                    r.without("Content-Type");
                }
                if (r.body == null) {
                    r.body = utf8("{\"location\":\"westus\"}");
                }
            }
            case "api-version" -> r.target = seed.path() + apiVersion(seed.query(), rnd);
            case "long-url" -> r.target = rnd.nextBoolean()
                    ? replaceLastSegment(seed.path(), "a".repeat(10 * 1024)) + "?" + seed.query()
                    : seed.path() + "?" + seed.query() + "&x=" + "b".repeat(10 * 1024);
            case "long-header" -> longHeader(r, rnd);
            case "bad-name" -> badName(r, seed, rnd);
            case "method" -> {
                r.method = pick(rnd, "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO",
                        "PROPFIND", "get", "Put");
                if (r.body == null && rnd.nextBoolean()) {
                    r.body = utf8("{\"location\":\"westus\"}");
                }
                if (r.method.equals("TRACE") || r.method.equals("get") || r.method.equals("Put")) {
                    r.wellFormed = false; // answered as the HTTP layer sees fit
                }
            }
            case "framing" -> framing(r, rnd);
            case "too-large" -> r.body = utf8("{\"location\":\"westus\",\"tags\":{\"a\":\""
                    + "x".repeat(5 * 1024 * 1024) + "\"}}");
            default -> throw new IllegalStateException(family);
        }
        if ((r.method.equals("DELETE") || seed.method().equals("DELETE")) && !family.equals("bad-name")
                && !family.equals("framing") && !family.equals("long-url")) {
            // deletions of seeded resources would only empty the store: the name is always broken
            badName(r, seed, rnd);
        }
        return r;
    }

    /** The JSON text with the value at a random place of its tree replaced by {@code fragment} (raw JSON). */
    static String fragmentAt(String body, String fragment, Random rnd) {
        JsonNode root = tree(body);
        if (root == null || !root.isContainerNode() || root.isEmpty()) {
            return fragment;
        }
        List<Object[]> places = new ArrayList<>();
        places(root, places);
        if (places.isEmpty()) {
            return fragment;
        }
        Object[] place = places.get(rnd.nextInt(places.size()));
        if (place[0] instanceof ObjectNode o) {
            o.set((String) place[1], TextNode.valueOf(PLACEHOLDER));
        } else {
            ((ArrayNode) place[0]).set((Integer) place[1], TextNode.valueOf(PLACEHOLDER));
        }
        return root.toString().replace("\"" + PLACEHOLDER + "\"", fragment);
    }

    /** The value of every field named {@code field} (or, when none is, a new top-level one) set to {@code fragment}. */
    static String atField(String body, String field, String fragment) {
        JsonNode root = tree(body);
        if (!(root instanceof ObjectNode o)) {
            return fragment;
        }
        List<JsonNode> parents = root.findParents(field);
        if (parents.isEmpty()) {
            o.set(field, TextNode.valueOf(PLACEHOLDER));
        }
        for (JsonNode p : parents) {
            if (p instanceof ObjectNode po) {
                po.set(field, TextNode.valueOf(PLACEHOLDER));
            }
        }
        return root.toString().replace("\"" + PLACEHOLDER + "\"", fragment);
    }

    private static void places(JsonNode node, List<Object[]> into) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                into.add(new Object[]{o, e.getKey()});
                places(e.getValue(), into);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                into.add(new Object[]{a, i});
                places(a.get(i), into);
            }
        }
    }

    private static JsonNode tree(String body) {
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    /** A key of a random object of the tree repeated with another value (textually: a tree cannot hold it). */
    private static String duplicateKey(String body, Random rnd) {
        JsonNode root = tree(body);
        if (root == null) {
            return "{\"a\":1,\"a\":2}";
        }
        List<ObjectNode> objects = new ArrayList<>();
        if (root instanceof ObjectNode o) {
            objects.add(o);
        }
        for (JsonNode n : root.findParents("id")) {
            objects.add((ObjectNode) n);
        }
        root.findValues("properties").forEach(p -> {
            if (p instanceof ObjectNode po) {
                objects.add(po);
            }
        });
        ObjectNode target = objects.get(rnd.nextInt(objects.size()));
        List<String> keys = new ArrayList<>();
        target.fieldNames().forEachRemaining(keys::add);
        String key = keys.isEmpty() ? "location" : keys.get(rnd.nextInt(keys.size()));
        String dup = pick(rnd, TYPE_VALUES);
        JsonNode was = target.get(key);
        target.set(key, TextNode.valueOf(PLACEHOLDER));
        String first = was == null ? "\"westus\"" : was.toString();
        String key2 = rnd.nextInt(3) == 0 ? key.toUpperCase(java.util.Locale.ROOT) : key;
        return root.toString().replace("\"" + PLACEHOLDER + "\"", first + ",\"" + key2 + "\":" + dup);
    }

    private static String remove(String body, Random rnd) {
        JsonNode root = tree(body);
        if (root == null) {
            return "{}";
        }
        List<Object[]> places = new ArrayList<>();
        places(root, places);
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n && !places.isEmpty(); i++) {
            Object[] place = places.get(rnd.nextInt(places.size()));
            if (place[0] instanceof ObjectNode o) {
                o.remove((String) place[1]);
            } else if (place[0] instanceof ArrayNode a && (Integer) place[1] < a.size()) {
                a.remove((int) (Integer) place[1]);
            }
            places.clear();
            places(root, places);
        }
        return root.toString();
    }

    /** Every resource id or URI of the body (or one) replaced by a broken one. */
    private static String badIds(String body, Seeds.Arm seed, Random rnd) {
        String rg = "/subscriptions/" + SUB + "/resourceGroups/" + Seeds.RG;
        String self = seed.path();
        String[] ids = {"", "/", "not-an-id", "/subscriptions/", "/subscriptions/" + SUB + "/resourceGroups/",
                rg + "/providers/Microsoft.Compute/disks/", rg + "/providers/Microsoft.Compute/disks/" + "a".repeat(2000),
                rg + "/providers/Microsoft.Compute/disks/../snapshots/mySnapshot", rg + "/providers/Microsoft.Compute/disks/a%2Fb",
                rg + "/providers/Microsoft.Compute/virtualMachines/myVM", rg + "/providers/Microsoft.Compute/images/myImage/",
                rg + "/providers/Microsoft.Compute/galleries/myGalleryName/images/myGalleryImageName/versions/1.0.0",
                rg + "/providers/Microsoft.Compute/disks/myDisk/extra/segments", rg + "/providers/Microsoft.Fake/disks/x",
                "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/disks/d", self, self + "/",
                self.toUpperCase(java.util.Locale.ROOT), "https://evil.example/" + self, rg + "/providers/Microsoft.Compute/snapshots/\u0000",
                "http://", "https://mystorageaccount.blob.core.windows.net/", "https://mystorageaccount.blob.core.windows.net/osimages/",
                "https://mystorageaccount.blob.core.windows.net/osimages/missing.vhd", "file:///etc/passwd",
                "https://127.0.0.1:1/x.vhd", "https://a.blob.core.windows.net/c/" + "b/".repeat(500) + "x.vhd",
                "https://mystorageaccount.blob.core.windows.net/osimages/osimage.vhd?sv=x&sig=y",
                "https://mystorageaccount.blob.core.windows.net/osimages/../dataimages/dataimage.vhd",
                "https://mystorageaccount.blob.core.windows.net/osimages/%2e%2e/x.vhd", "\\\\server\\share"};
        String id = pick(rnd, ids);
        String fragment = TextNode.valueOf(id).toString();
        String field = pick(rnd, "id", "sourceResourceId", "sourceUri", "blobUri", "uri", "storageAccountId");
        return atField(body, field, fragment);
    }

    static byte[] garbage(Random rnd, String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                byte[] b = new byte[1 + rnd.nextInt(4096)];
                rnd.nextBytes(b);
                out.writeBytes(b);
            }
            case 1 -> { // invalid UTF-8 inside a string of the body
                String[] parts = body.split("\"", 3);
                out.writeBytes(utf8(parts[0] + "\"" + (parts.length > 1 ? parts[1] : "")));
                out.writeBytes(new byte[]{(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80});
                out.writeBytes(utf8(parts.length > 2 ? "\"" + parts[2] : "\"}"));
            }
            case 2 -> { // UTF-16 with a byte order mark
                out.writeBytes(new byte[]{(byte) 0xFE, (byte) 0xFF});
                out.writeBytes(body.getBytes(StandardCharsets.UTF_16BE));
            }
            default -> { // a UTF-8 byte order mark
                out.writeBytes(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                out.writeBytes(utf8(body));
            }
        }
        return out.toByteArray();
    }

    private static String apiVersion(String query, Random rnd) {
        String rest = query.replaceFirst("^api-version=[^&]*", "");
        String v = pick(rnd, "", "api-version=", "api-version=abc", "api-version=2024-13-45", "api-version=9999-01-01",
                "api-version=1900-01-01", "api-version=2024-03-01&api-version=2019-01-01", "api-version=" + "9".repeat(3000),
                "api-version=2024-03-01-preview", "API-VERSION=2024-03-01", "api-version=%ZZ", "api-version=%00",
                "api-version=2024-03-01%00", "api-version=%F0%9F%98%80", "api-version", "api-version=2024-3-1",
                "api-version=2024-03-01T00:00:00Z", "api-version=+2024-03-01", "api-version=%202024-03-01",
                "api-version=2024-03-01&", "&&&", "api-version=2024-03-01&api-version=", "api-version[]=2024-03-01",
                "=2024-03-01", "api-version=2024-03-01#frag");
        String q = v + rest;
        return q.isEmpty() ? "" : "?" + q;
    }

    private static String replaceLastSegment(String path, String segment) {
        int slash = path.lastIndexOf('/');
        return path.substring(0, slash + 1) + segment;
    }

    private static void longHeader(Fuzz.Request r, Random rnd) {
        String name = pick(rnd, HEADERS);
        int size = pickInt(rnd, 16 * 1024, 7 * 1024, 4000, 1024);
        String value = pick(rnd, "a", "Bearer ", "\u00e9", "%", ",", " ").repeat(size);
        if (name.equals("Authorization") && rnd.nextBoolean()) {
            value = "Bearer " + "x".repeat(size);
        }
        if (rnd.nextBoolean()) {
            r.replace(name, value);
        } else {
            r.header(name, value); // a second one beside the first
        }
        if (rnd.nextInt(4) == 0) {
            r.header("X-Fuzz-" + rnd.nextInt(1000), "v".repeat(size));
        }
        if (value.indexOf('\u00e9') >= 0) {
            r.wellFormed = false; // non-ASCII header bytes: the HTTP layer may refuse them
        }
    }

    private static void badName(Fuzz.Request r, Seeds.Arm seed, Random rnd) {
        String[] segments = seed.path().split("/");
        // the names: after subscriptions (1+1), resourceGroups, and each type segment
        List<Integer> names = new ArrayList<>();
        for (int i = 2; i < segments.length; i++) {
            String prev = segments[i - 1].toLowerCase(java.util.Locale.ROOT);
            if (!prev.equals("providers") && !prev.equals("microsoft.compute") && i % 2 == 0
                    || prev.equals("images") || prev.equals("versions") || prev.equals("galleries")
                    || prev.equals("disks") || prev.equals("snapshots") || prev.equals("virtualmachines")
                    || prev.equals("resourcegroups")) {
                names.add(i);
            }
        }
        int at = names.isEmpty() ? segments.length - 1 : names.get(rnd.nextInt(names.size()));
        boolean raw = rnd.nextInt(8) == 0;
        segments[at] = raw ? pick(rnd, RAW_NAMES) : rnd.nextInt(6) == 0 ? segments[at] + pick(rnd, NAMES)
                : pick(rnd, NAMES);
        if (rnd.nextInt(10) == 0) {
            segments[at] = "";
        }
        if (raw) {
            r.wellFormed = false;
        }
        r.target = String.join("/", segments) + "?" + seed.query();
    }

    // --------------------------------------------------------------------------------------------- framing

    /** Bytes that are not one valid HTTP/1.1 request, built from the request as it was. */
    static void framing(Fuzz.Request r, Random rnd) {
        byte[] body = r.body == null ? utf8("{\"location\":\"westus\"}") : r.body;
        StringBuilder head = new StringBuilder();
        String line = r.method + " " + r.target + " HTTP/1.1\r\n";
        String headers = "Host: 127.0.0.1\r\nConnection: close\r\n" + (r.header("Authorization") != null
                ? "Authorization: " + r.header("Authorization") + "\r\n" : "")
                + (r.header("x-ms-version") != null ? "x-ms-version: " + r.header("x-ms-version") + "\r\n" : "")
                + "Content-Type: " + (r.api == Fuzz.Api.CLASSIC ? "application/xml" : "application/json") + "\r\n";
        byte[] sent = body;
        int kind = rnd.nextInt(18);
        switch (kind) {
            case 0 -> head.append(line).append(headers).append("Content-Length: ").append(body.length)
                    .append("\r\nContent-Length: ").append(body.length + 7).append("\r\n\r\n");
            case 1 -> head.append(line).append(headers).append("Content-Length: -1\r\n\r\n");
            case 2 -> head.append(line).append(headers).append("Content-Length: abc\r\n\r\n");
            case 3 -> { // the body cut short, then the client goes away
                head.append(line).append(headers).append("Content-Length: ").append(body.length + 1000)
                        .append("\r\n\r\n");
                r.halfClose = true;
            }
            case 4 -> head.append(line).append(headers).append("Content-Length: ").append(Math.max(0, body.length / 2))
                    .append("\r\n\r\n");
            case 5 -> { // a malformed chunk size
                head.append(line).append(headers).append("Transfer-Encoding: chunked\r\n\r\n");
                sent = concat(utf8("zz\r\n"), body, utf8("\r\n0\r\n\r\n"));
            }
            case 6 -> { // chunks without their end, then the client goes away
                head.append(line).append(headers).append("Transfer-Encoding: chunked\r\n\r\n");
                sent = concat(utf8(Integer.toHexString(body.length) + "\r\n"), body, utf8("\r\n"));
                r.halfClose = true;
            }
            case 7 -> head.append(line).append(headers).append("Transfer-Encoding: chunked\r\nContent-Length: ")
                    .append(body.length).append("\r\n\r\n");
            case 8 -> head.append(line).append(headers).append("Transfer-Encoding: gzip\r\nContent-Length: ")
                    .append(body.length).append("\r\n\r\n");
            case 9 -> head.append(line.replace("\r\n", "\n")).append(headers.replace("\r\n", "\n"))
                    .append("Content-Length: ").append(body.length).append("\n\n");
            case 10 -> head.append(line).append("NoColonHere\r\n").append(headers).append("Content-Length: ")
                    .append(body.length).append("\r\n\r\n");
            case 11 -> head.append(line).append(headers).append("Content-Length : ").append(body.length)
                    .append("\r\n\r\n");
            case 12 -> head.append(line).append("X-Folded: a\r\n b\r\n").append(headers).append("Content-Length: ")
                    .append(body.length).append("\r\n\r\n");
            case 13 -> {
                String version = pick(rnd, "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1", "HTTPS/1.1", "");
                head.append(line.replace("HTTP/1.1", version)).append(headers).append("Content-Length: ")
                        .append(body.length).append("\r\n\r\n");
                // a protocol version the HTTP layer does not speak: 501/505 is its (standard) answer
                r.otherProtocol = version.matches("HTTP/[2-9].*") || version.startsWith("HTTPS");
            }
            case 14 -> head.append(line.replace(" ", "  ")).append(headers).append("Content-Length: ")
                    .append(body.length).append("\r\n\r\n");
            case 15 -> head.append(line).append("X-Nul: a\0b\r\n").append(headers).append("Content-Length: ")
                    .append(body.length).append("\r\n\r\n");
            case 16 -> {
                head.append(pick(rnd, "\r\n\r\n", "GARBAGE\r\n\r\n", "\0\0\0\0\r\n\r\n", " / HTTP/1.1\r\n\r\n",
                        "GET\r\n\r\n", "GET /\r\n\r\n"));
                sent = new byte[0];
                r.halfClose = true; // blank lines before a request are skipped: the server would wait for one
            }
            default -> head.append(line).append(headers).append("Content-Length: ").append(body.length)
                    .append("\r\nContent-Length: ").append(body.length).append("\r\n\r\n");
        }
        r.raw = concat(head.toString().getBytes(StandardCharsets.ISO_8859_1), sent);
        r.wellFormed = false;
    }

    // --------------------------------------------------------------------------------------------- classic

    static Fuzz.Request classic(Seeds.Classic seed, Random rnd) {
        String family = CLASSIC_FAMILIES.get(rnd.nextInt(CLASSIC_FAMILIES.size()));
        Fuzz.Request r = seed.request(family);
        String body = seed.body() != null ? seed.body() : Seeds.classic().get(0).body();
        if (seed.body() == null && family.startsWith("xml-")) {
            r.method = "POST";
            r.header("Content-Type", "application/xml");
        }
        String ns = "http://schemas.microsoft.com/windowsazure";
        int close = body.indexOf('>');
        String root = body.substring(1, body.indexOf(' '));
        switch (family) {
            case "xml-malformed" -> r.body = utf8(pick(rnd, body.replace("</", "<"), body.replace(">", ""),
                    body + "<extra/>", "<a><b></a></b>", "<?xml version=\"1.0\"?>", "<" + root + ">", "not xml at all",
                    body.replace("<Label>", "<Label attr=>"), body.replace("<Label>", "<Label>&undefined;"),
                    body.replace("<Label>", "<Label>&#0;"), body.replace("<Label>", "<Label>&#xD800;"),
                    "<?xml version=\"1.0\" encoding=\"nonsense\"?>" + body, "<!-- unterminated" + body,
                    body.replace("<Label>", "<Label><![CDATA[x"), "<?xml version=\"2.0\"?>" + body,
                    body.replace("<Label>", "<Label xmlns:p=\"\"><p:x/>")));
            case "xml-external-entity" -> r.body = utf8("<?xml version=\"1.0\"?><!DOCTYPE " + root + " [<!ENTITY xxe "
                    + pick(rnd, "SYSTEM \"file:///etc/passwd\"", "SYSTEM \"http://127.0.0.1:1/x\"",
                    "PUBLIC \"x\" \"http://127.0.0.1:1/y\"", "SYSTEM \"/dev/random\"", "SYSTEM \"jar:file:///x!/y\"")
                    + ">]>" + body.replaceFirst("<Label>[^<]*", "<Label>&xxe;"));
            case "xml-billion-laughs" -> {
                StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE " + root + " [<!ENTITY l0 \"lol\">");
                for (int i = 1; i < 10; i++) {
                    dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
                }
                dtd.append("]>");
                r.body = utf8(dtd + body.replaceFirst("<Label>[^<]*", "<Label>&l9;"));
            }
            case "xml-huge-attribute" -> r.body = utf8(body.substring(0, close) + " fuzz=\""
                    + "a".repeat(rnd.nextBoolean() ? HUGE : 64 * 1024) + "\"" + body.substring(close));
            case "xml-namespace" -> r.body = utf8(pick(rnd, body.replace(ns, "http://example.com/wrong"),
                    body.replace(" xmlns=\"" + ns + "\"", ""), body.replace("xmlns=", "xmlns:x="),
                    body.replace(ns, ""), body.replace(ns, ns.toUpperCase(java.util.Locale.ROOT)),
                    body.replace("<Label>", "<x:Label xmlns:x=\"urn:other\">").replace("</Label>", "</x:Label>")));
            case "xml-truncated" -> r.body = java.util.Arrays.copyOf(utf8(body), rnd.nextInt(body.length()));
            case "xml-value" -> {
                String value = pick(rnd, "a".repeat(HUGE / 2), "", " ", "\u202Eevil", "\uD83D\uDE00", "&#0;", "&lt;&gt;",
                        "-1", "99999999999999999999", "<![CDATA[x]]>", "\u540D\u524D", "a\u0000b".replace("\u0000", "&#1;"),
                        "Standard_D2s_v3", "true");
                String element = pick(rnd, "Label", "Name", "ServiceName", "Location", "MediaLink", "OS", "Description",
                        "OperationType", "Data");
                r.body = utf8(body.replaceAll("<" + element + ">[^<]*</" + element + ">",
                        "<" + element + ">" + java.util.regex.Matcher.quoteReplacement(value) + "</" + element + ">"));
            }
            case "xml-root" -> r.body = utf8(pick(rnd, body.replace(root, "Unknown"),
                    "<" + root + " xmlns=\"" + ns + "\"/>", "<" + root + " xmlns=\"" + ns + "\"><" + root + "/></" + root + ">",
                    body.replace("<" + root, "<" + root + " xmlns:i=\"x\"")));
            case "xml-empty" -> r.body = utf8(pick(rnd, "", " ", "<?xml version=\"1.0\"?>", "\u0000"));
            case "classic-version" -> {
                r.without("x-ms-version");
                if (rnd.nextInt(5) != 0) {
                    r.header("x-ms-version", pick(rnd, "", "abc", "2009-10-01", "1999-01-01", "9999-99-99",
                            "2015-04-01-preview", " 2015-04-01 ", "2015-4-1", "2015-04-01, 2012-03-01", "\u00e9"));
                }
                if (rnd.nextBoolean()) {
                    r.header("x-ms-version", "2012-03-01");
                }
            }
            case "classic-subscription" -> r.target = r.target.replaceFirst("^/[^/]+", "/" + pick(rnd, "not-a-guid",
                    "00000000-0000-0000-0000-00000000000", SUB.toUpperCase(java.util.Locale.ROOT), "%00", "..",
                    "a".repeat(300), "%ZZ", "subscriptions"));
            case "content-type" -> r.replace("Content-Type", pick(rnd, "application/json", "text/plain", "", "x/y",
                    "application/xml; charset=utf-16", "application/xml; charset=nonsense"));
            case "long-url" -> r.target = r.target + "/" + "a".repeat(10 * 1024);
            case "long-header" -> {
                r.header(pick(rnd, HEADERS), "z".repeat(pickInt(rnd, 16 * 1024, 7 * 1024)));
            }
            case "framing" -> framing(r, rnd);
            default -> throw new IllegalStateException(family);
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------------ blobs

    static Fuzz.Request blob(Random rnd) {
        String family = BLOB_FAMILIES.get(rnd.nextInt(BLOB_FAMILIES.size()));
        String page = Seeds.BLOBS + "/page.vhd";
        Fuzz.Request r;
        switch (family) {
            case "blob-length" -> {
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, "PUT", Seeds.BLOBS + "/" + pick(rnd, "new.vhd", "page.vhd",
                        "bytes.bin"), null);
                r.header("x-ms-blob-type", pick(rnd, "PageBlob", "PageBlob", "BlockBlob", "AppendBlob", "pageblob", "",
                        "Page Blob"));
                String length = pick(rnd, "-1", "-512", "511", "513", "0", "abc", "", "1e3", "9223372036854775807",
                        "9223372036854775808", "99999999999999999999", " 512", "0x200", "+512", "512.0",
                        "9223372036854775296", "1024, 1024", "1048576", "1099511627776", "4398046511104000");
                r.header("x-ms-blob-content-length", length);
                if (rnd.nextInt(3) == 0) {
                    r.body = new byte[pickInt(rnd, 1, 512, 1000)];
                }
            }
            case "blob-page-range", "blob-page-write" -> {
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, "PUT", page + "?comp=page", null);
                String range = pick(rnd, "bytes=0-510", "bytes=1-512", "bytes=511-0", "bytes=0-", "bytes=-512",
                        "bytes=a-b", "bytes=0-511,512-1023", "bytes=1048576-1049087", "bytes=1048064-1049087",
                        "bytes=0-4194815", "bytes=9223372036854775296-9223372036854775807", "bytes=-1--1", "0-511",
                        "pages=0-511", "", "bytes=0-511 ", "bytes=0-511", "bytes=512-1023", "bytes=1047552-1048575",
                        "bytes=99999999999999999999-100000000000000000511", "bytes= 0-511", "bytes=0-0",
                        "bytes=4294967296-4294967807", "bytes=-0");
                String header = rnd.nextInt(4) == 0 ? "Range" : "x-ms-range";
                if (rnd.nextInt(10) != 0) {
                    r.header(header, range);
                }
                if (rnd.nextInt(6) == 0) {
                    r.header(header.equals("Range") ? "x-ms-range" : "Range", pick(rnd, "bytes=0-511", "bytes=512-1023"));
                }
                String mode = family.equals("blob-page-write") ? pick(rnd, "clear", "garbage", "", "UPDATE", "Update",
                        "update,clear") : "update";
                if (!(family.equals("blob-page-write") && rnd.nextInt(6) == 0)) {
                    r.header("x-ms-page-write", mode);
                }
                int size = rangeLength(range);
                int bodyLength = rnd.nextInt(3) == 0 ? pickInt(rnd, 0, 1, 511, 513, 100) : Math.max(0, Math.min(size,
                        5 * 1024 * 1024));
                if (!(mode.equals("clear") && rnd.nextBoolean())) {
                    r.body = new byte[bodyLength];
                    rnd.nextBytes(r.body);
                }
                if (rnd.nextInt(8) == 0) {
                    r.target = Seeds.BLOBS + "/" + pick(rnd, "missing.vhd", "bytes.bin") + "?comp=page";
                }
                if (rnd.nextInt(10) == 0) {
                    r.target = page + pick(rnd, "?comp=PAGE", "?comp=", "?comp=block", "?comp=page&comp=list");
                }
            }
            case "blob-read-range" -> {
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, pick(rnd, "GET", "GET", "HEAD"), Seeds.BLOBS + "/"
                        + pick(rnd, "page.vhd", "bytes.bin", "missing.vhd"), null);
                r.header(pick(rnd, "Range", "x-ms-range"), pick(rnd, "bytes=5-1", "bytes=99999999-", "bytes=-0",
                        "bytes=0-0", "garbage", "bytes=0-1,5-6", "bytes=1048576-", "bytes=4096-", "bytes=-99999999",
                        "bytes=0-9223372036854775807", "bytes=9223372036854775807-", "bytes=00000000000000000000001-2",
                        "bytes=", "bytes=--", "bytes=1-2-3", "items=0-1", "bytes=0-4095"));
            }
            case "blob-name" -> {
                String name = pick(rnd, "", "..", "../../etc/passwd", "%2e%2e/%2e%2e/x", "a".repeat(2000), "%00",
                        "a%00b", "%F0%9F%98%80", "a//b", "con", "%ZZ", ".", "a/", "/", "%2F", "a%2Fb", "x".repeat(1025),
                        "a?b=c", "%C0%AE%C0%AE/x", "page.vhd/", "PAGE.VHD", "page.vhd/child");
                String account = pick(rnd, "fuzzacct", "fuzzacct", "UPPER", "a", "a".repeat(100), "%00", "..",
                        "fuzz_acct", "");
                String container = pick(rnd, "c1", "c1", "$root", "C1", "..", "", "a".repeat(100), "%2F");
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, pick(rnd, "PUT", "GET", "HEAD", "DELETE"),
                        "/_azimuth/blobs/" + account + "/" + container + "/" + name, null);
                if (r.method.equals("PUT")) {
                    r.body = new byte[pickInt(rnd, 0, 512, 1024)];
                }
            }
            case "blob-copy" -> {
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, "PUT", Seeds.BLOBS + "/" + pick(rnd, "copy.vhd", "page.vhd"),
                        null);
                r.header("x-ms-copy-source", pick(rnd, "", "garbage", "http://127.0.0.1:1/x", "file:///etc/passwd",
                        "https://mystorageaccount.blob.core.windows.net/osimages/osimage.vhd",
                        "http://127.0.0.1/_azimuth/blobs/fuzzacct/c1/page.vhd", "https://fuzzacct.blob.core.windows.net/c1/page.vhd",
                        "https://fuzzacct.blob.core.windows.net/c1/missing.vhd", "https://fuzzacct.blob.core.windows.net/",
                        "https://%00.blob.core.windows.net/c/b", "https://x.blob.core.windows.net/c/" + "a".repeat(3000)));
                if (rnd.nextBoolean()) {
                    r.header("If-None-Match", pick(rnd, "*", "garbage", "\"etag\""));
                }
                if (rnd.nextInt(3) == 0) {
                    r.body = new byte[512];
                }
            }
            case "long-header" -> {
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, pick(rnd, "GET", "PUT"), page, null);
                r.header(pick(rnd, "x-ms-range", "Range", "x-ms-blob-content-length", "x-ms-copy-source", "User-Agent"),
                        "9".repeat(pickInt(rnd, 16 * 1024, 7 * 1024)));
            }
            default -> {
                r = new Fuzz.Request(Fuzz.Api.BLOB, family, "PUT", page + "?comp=page", new byte[512]);
                r.header("x-ms-page-write", "update").header("x-ms-range", "bytes=0-511");
                framing(r, rnd);
            }
        }
        return r;
    }

    private static int rangeLength(String range) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d{1,12})-(\\d{1,12})$").matcher(range);
        if (!m.matches()) {
            return 512;
        }
        long len = Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) + 1;
        return (int) Math.max(0, Math.min(len, 5L * 1024 * 1024));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @SafeVarargs
    static <T> T pick(Random rnd, T... values) {
        return values[rnd.nextInt(values.length)];
    }

    static int pickInt(Random rnd, int... values) {
        return values[rnd.nextInt(values.length)];
    }
}

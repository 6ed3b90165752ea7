package io.azimuth.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.azimuth.support.TestServer.SUB;

/**
 * The requests the campaign mutates: every official ARM example of the test resources as the request it describes
 * (method from its name, URL from its parameters, body its body parameter), the classic request examples, and blob
 * endpoint requests; and the resources they need, created before the campaign so that mutated PUTs also meet
 * existing resources.
 */
final class Seeds {
    static final String RG = "myResourceGroup";
    static final String EXAMPLES = "/spec/arm/examples/";
    static final String CLASSIC = "/spec/classic/examples/";
    static final String CLASSIC_VERSION = "2015-04-01";
    static final String BLOBS = "/_azimuth/blobs/fuzzacct/c1";
    static final long PAGE_BLOB = 1024 * 1024;
    private static final Pattern REFERENCE = Pattern.compile("/(disks|snapshots)/([A-Za-z0-9_.-]+)");
    private static final Set<String> PATH_PARAMS = Set.of("subscriptionId", "resourceGroupName", "api-version",
            "imageName", "diskName", "snapshotName", "vmName", "galleryName", "galleryImageName",
            "galleryImageVersionName");

    private Seeds() {
    }

    /** One ARM example as a request: its file, method, path (without query), query, and body (or null). */
    record Arm(String file, String method, String path, String query, String body) {
        Fuzz.Request request(String family) {
            Fuzz.Request r = new Fuzz.Request(Fuzz.Api.ARM, family, method, path + "?" + query,
                    body == null ? null : Fuzz.utf8(body));
            r.header("Authorization", "Bearer test-token");
            if (body != null) {
                r.header("Content-Type", "application/json");
            }
            return r;
        }
    }

    static List<Arm> arm() {
        List<Arm> seeds = new ArrayList<>();
        for (String dir : List.of("resourceGroups", "disks", "snapshots", "images", "galleries", "virtualMachines",
                "diskAccess")) {
            for (String file : list(dir)) {
                seeds.add(arm(dir, file, read(EXAMPLES + dir + "/" + file)));
            }
        }
        return seeds;
    }

    private static Arm arm(String dir, String file, JsonNode example) {
        JsonNode p = example.path("parameters");
        String title = file.substring(0, file.length() - ".json".length());
        String op = title.substring(title.indexOf('_') + 1);
        String verb = op.split("_")[0];
        String rg = p.path("resourceGroupName").asText(null);
        String path;
        String action = null;
        if (dir.equals("resourceGroups")) {
            path = "/subscriptions/" + SUB + "/resourcegroups/" + rg;
        } else {
            String type = switch (dir) {
                case "diskAccess" -> title.startsWith("Disk_") ? "disks" : "snapshots";
                default -> dir;
            };
            String base = "/subscriptions/" + SUB + (rg != null ? "/resourceGroups/" + rg : "")
                    + "/providers/Microsoft.Compute/" + type;
            String name = switch (type) {
                case "images" -> p.path("imageName").asText(null);
                case "disks" -> p.path("diskName").asText(null);
                case "snapshots" -> p.path("snapshotName").asText(null);
                case "virtualMachines" -> p.path("vmName").asText(null);
                default -> p.path("galleryName").asText(null);
            };
            if (name != null && name.startsWith("{")) {
                name = "myVM2";
            }
            path = name == null ? base : base + "/" + name;
            if (type.equals("galleries") && p.has("galleryImageName")) {
                path += "/images/" + p.path("galleryImageName").asText();
                if (p.has("galleryImageVersionName")) {
                    path += "/versions/" + p.path("galleryImageVersionName").asText();
                }
            }
        }
        String method = switch (verb) {
            case "Create" -> "PUT";
            case "Update" -> "PATCH";
            case "Get", "List", "ListByResourceGroup", "ListBySubscription" -> "GET";
            case "Delete" -> "DELETE";
            default -> {
                action = Character.toLowerCase(verb.charAt(0)) + verb.substring(1);
                yield "POST";
            }
        };
        if (dir.equals("resourceGroups") && title.startsWith("Force")) {
            method = "DELETE";
        }
        if (title.startsWith("Image_List") || title.startsWith("Image_ListBy")) {
            method = "GET";
        }
        if (action != null) {
            path += "/" + action;
        }
        StringBuilder query = new StringBuilder("api-version=").append(p.path("api-version").asText());
        String body = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isContainerNode()) {
                body = substitute(e.getValue().toString());
            } else if (!PATH_PARAMS.contains(e.getKey())) {
                query.append('&').append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(e.getValue().asText(), StandardCharsets.UTF_8));
            }
        }
        return new Arm(dir + "/" + file, method, path, query.toString(), body);
    }

    static String substitute(String s) {
        return s.replace("{subscription-id}", SUB).replace("{subscriptionId}", SUB)
                .replace("00000000-0000-0000-0000-000000000000", SUB)
                .replace("{resourceGroup}", RG).replace("{resourceGroupName}", RG)
                .replace("{imageName}", "myImage").replace("{vmName}", "myVM").replace("{osSnapshotName}", "mySnapshot")
                .replace("{dataDiskName}", "myDataDisk0");
    }

    /** The classic request examples: a cloud service to create, an OS image to add. */
    record Classic(String name, String method, String path, String body) {
        Fuzz.Request request(String family) {
            Fuzz.Request r = new Fuzz.Request(Fuzz.Api.CLASSIC, family, method, path,
                    body == null ? null : Fuzz.utf8(body));
            r.header("x-ms-version", CLASSIC_VERSION);
            if (body != null) {
                r.header("Content-Type", "application/xml");
            }
            return r;
        }
    }

    static List<Classic> classic() {
        String sub = "/" + SUB;
        String hosted = text(CLASSIC + "CreateHostedService.request.xml");
        String image = text(CLASSIC + "AddOSImage.request.xml");
        String role = "<StartRoleOperation xmlns=\"http://schemas.microsoft.com/windowsazure\" "
                + "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><OperationType>StartRoleOperation"
                + "</OperationType></StartRoleOperation>";
        String cert = "<CertificateFile xmlns=\"http://schemas.microsoft.com/windowsazure\"><Data>AAAA</Data>"
                + "<CertificateFormat>pfx</CertificateFormat><Password>x</Password></CertificateFile>";
        return List.of(
                new Classic("CreateHostedService", "POST", sub + "/services/hostedservices", hosted),
                new Classic("AddOSImage", "POST", sub + "/services/images", image),
                new Classic("RoleOperation", "POST", sub + "/services/hostedservices/utsvc1ee3195f/deployments/dep1"
                        + "/roleinstances/role1/Operations", role),
                new Classic("AddCertificate", "POST", sub + "/services/hostedservices/utsvc1ee3195f/certificates", cert),
                new Classic("GetHostedService", "GET", sub + "/services/hostedservices/utsvc1ee3195f", null),
                new Classic("ListImages", "GET", sub + "/services/images", null),
                new Classic("GetImage", "GET", sub + "/services/images/utosimg71c61117", null),
                new Classic("GetOperation", "GET", sub + "/operations/0123456789abcdef0123456789abcdef", null));
    }

    /**
     * Creates what the examples need and sends every example once (twice, so that those depending on others find
     * them): resource groups, the VHDs they import, source disks and snapshots, VMs to capture and generalize, a
     * cloud service, an OS image, and the blobs the blob mutations address. Failures are ignored: a seed that
     * cannot be created is simply met as missing.
     */
    static void seed(TestServer server, List<Arm> arm) {
        Http http = server.http;
        for (String rg : List.of(RG, "rgcompute", "my-resource-group")) {
            http.put(TestServer.rg(rg) + "?api-version=2024-07-01", "{\"location\":\"westus\"}");
        }
        server.putVhd("mystorageaccount", "osimages", "osimage.vhd", 64L << 20);
        server.putVhd("mystorageaccount", "dataimages", "dataimage.vhd", 16L << 20);
        server.putVhd("storagename", "inputtestdatadonotdelete", "ubuntu.vhd", 16L << 20);
        Set<String> refs = new LinkedHashSet<>();
        for (Arm a : arm) {
            if (a.body() != null) {
                Matcher m = REFERENCE.matcher(a.body());
                while (m.find()) {
                    refs.add(m.group(1) + "/" + m.group(2));
                }
            }
        }
        refs.add("disks/myDisk");
        refs.add("disks/myManagedDisk");
        refs.add("snapshots/mySnapshot");
        for (String ref : refs) {
            String[] t = ref.split("/");
            source(http, t[0], t[1]);
        }
        vm(http, "myVM", true);
        vm(http, "myVMName", false);
        for (int pass = 0; pass < 2; pass++) {
            for (Arm a : arm) {
                if (!a.method().equals("DELETE") && !a.method().equals("POST")) {
                    sendQuietly(http, a.method(), a.path() + "?" + a.query(), a.body());
                }
            }
        }
        for (Classic c : classic()) {
            if (c.method().equals("POST")) {
                http.sendBody("POST", c.path(), java.net.http.HttpRequest.BodyPublishers.ofString(c.body()),
                        Map.of("x-ms-version", CLASSIC_VERSION, "Content-Type", "application/xml"));
            }
        }
        blob(server);
    }

    /** The blobs the blob mutations read and write: a page blob, and a small blob of bytes. */
    static void blob(TestServer server) {
        server.http.sendBody("PUT", BLOBS + "/page.vhd", java.net.http.HttpRequest.BodyPublishers.noBody(),
                Map.of("x-ms-blob-type", "PageBlob", "x-ms-blob-content-length", String.valueOf(PAGE_BLOB)));
        server.http.sendBody("PUT", BLOBS + "/bytes.bin", java.net.http.HttpRequest.BodyPublishers
                .ofByteArray(new byte[4096]), Map.of());
    }

    private static void sendQuietly(Http http, String method, String url, String body) {
        try {
            http.send(method, url, body);
        } catch (RuntimeException | AssertionError e) {
            // a seed that does not match its definition or cannot be created is met as missing
        }
    }

    private static void source(Http http, String type, String name) {
        String url = "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type + "/"
                + name + "?api-version=2024-03-02";
        String body = type.equals("disks")
                ? "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\",\"hyperVGeneration\":\"V1\","
                + "\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}"
                : "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\",\"creationData\":"
                + "{\"createOption\":\"Import\",\"sourceUri\":\"https://mystorageaccount.blob.core.windows.net/"
                + "osimages/osimage.vhd\"}}}";
        sendQuietly(http, "PUT", url, body);
    }

    private static void vm(Http http, String name, boolean generalize) {
        String vm = "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/virtualMachines/"
                + name + "?api-version=2024-03-01";
        sendQuietly(http, "PUT", vm, "{\"location\":\"westus\",\"properties\":{"
                + "\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},\"storageProfile\":{\"imageReference\":"
                + "{\"publisher\":\"Canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\","
                + "\"version\":\"latest\"}},\"osProfile\":{\"computerName\":\"myvm\",\"adminUsername\":\"azureuser\","
                + "\"adminPassword\":\"Example-Pass-1!\"}}}");
        if (generalize) {
            for (String action : List.of("deallocate", "generalize")) {
                sendQuietly(http, "POST", vm.replace("?", "/" + action + "?"), null);
            }
        }
    }

    static JsonNode read(String resource) {
        try {
            return Http.JSON.readTree(text(resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String resource) {
        try (InputStream in = Seeds.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(Seeds.class.getResource(EXAMPLES + dir).toURI()))) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().forEach(names::add);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list the examples of " + dir, e);
        }
        return names;
    }
}

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.templates.PlannedResource;
import io.azimuth.templates.Scope;
import io.azimuth.templates.Template;
import io.azimuth.templates.TemplateException;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The deployment benchmark (bench/deploy.sh): how long a template deployment of the tools' own templates takes
 * (packer 1.6.6's: public IP, virtual network, NIC, VM; az vm create's: the same and a security group), from the
 * PUT until its status says Succeeded, with no operation delay; against the baseline of the same resources, the
 * bodies the template evaluates to, PUT one after another by the client in the same run. Runs alternate between
 * the two sides, each in a fresh resource group. The server and its HTTP plumbing are {@link DiskBench}'s.
 */
public final class DeployBench {
    static final String SUB = DiskBench.SUB;
    static final String IMAGES = "/subscriptions/" + SUB + "/resourceGroups/deploybench-images";
    static final String SOURCE_IMAGE = IMAGES + "/providers/Microsoft.Compute/images/source";
    static final String BEGIN = "<!-- bench/deploy.sh results: begin -->";
    static final String END = "<!-- bench/deploy.sh results: end -->";
    static final String KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7laRyN4B3YZmVrDEZLZoIuUA72pQ0DpGuZBZWykCofIfCPrFZAJgF"
            + "vonKGgKJl8FGKIAmX1Ydi8bd6WcT0FlO5PZCmWyPhhAIN3xlYh6m9KS2c4DHsF0Z9Lfi2mU8FQVXaTvUJJd+U+Pc8nDJGi0E+tEWMl3ipL8q"
            + "68zmFRCj1oqVLtQ1H2XfPo4WRGwX3kXfFYPRxjh1f1MqZc2sHP3yOFVwbfkuHAwfB8i/uuq1hGm6eQIYfqFhPlLDgsuM7KsYuhdZc6HcIgM3"
            + "Br0wgY9i3EN5ouBHwkAg2IqDxB8z3KP1aW6G0mS3XfT9lHMK1mTBaFXrCawhY5f2hNt9Bvp9 bench@host";

    final boolean smoke = "1".equals(System.getenv("BENCH_SMOKE"));
    final int runs = Integer.parseInt(DiskBench.env("BENCH_DEPLOY_RUNS", smoke ? "2" : "30"));
    final int warmUps = Integer.parseInt(DiskBench.env("BENCH_DEPLOY_WARMUP", smoke ? "1" : "30"));
    final DiskBench server;

    DeployBench() throws Exception {
        server = new DiskBench();
    }

    public static void main(String[] args) throws Exception {
        DeployBench b = new DeployBench();
        try {
            b.run();
        } finally {
            b.server.stop();
            PerfBench.deleteTree(b.server.work);
        }
    }

    /** One of the tools' templates, its parameters, and how it names the group it deploys into. */
    record Case(String name, String template, String parameters, int resources) {
        /** The parameters with names of the run's own: packer's DNS label must be unique in the region. */
        String parameters(String run) {
            return parameters.replace("41ar9lwti6", run.toLowerCase(java.util.Locale.ROOT));
        }

        String template(String group) {
            String image = SOURCE_IMAGE.substring(("/subscriptions/" + SUB).length());
            return template.replace("/resourceGroups/azcli-rg/providers/Microsoft.Compute/images/azcli-image", image)
                    .replace("/resourceGroups/images-rg/providers/Microsoft.Compute/images/src-image", image)
                    .replace("azcli-rg", group)
                    .replace("\"keyData\": \"\"", "\"keyData\": \"" + KEY + "\"");
        }
    }

    void run() throws Exception {
        Path resources = Path.of("src/test/resources/templates");
        List<Case> cases = List.of(
                new Case("packer 1.6.6 (Linux, custom image, with a key)", Files.readString(resources.resolve(
                        "packer-1.6.6-linux.json")), Files.readString(resources.resolve(
                        "packer-1.6.6-linux.parameters.json")), 4),
                new Case("az vm create (2.45, custom image)", Files.readString(resources.resolve(
                        "az-2.45-vm-create.json")), Files.readString(resources.resolve(
                        "az-2.45-vm-create.parameters.json")), 5));
        ObjectNode report = DiskBench.JSON.createObjectNode();
        report.put("date", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        report.put("command", DiskBench.env("BENCH_COMMAND", "bench/deploy.sh"));
        report.put("revision", DiskBench.env("BENCH_REVISION", "unknown"));
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("smoke", smoke);
        report.put("runs", runs);
        server.start();
        sourceImage();
        ArrayNode results = report.putArray("templates");
        int n = 0;
        for (Case c : cases) {
            log("warming up %s: %d rounds", c.name(), warmUps);
            for (int i = 0; i < warmUps; i++) {
                deploy(c, "warm" + n++);
                direct(c, "warm" + n++);
            }
            List<Double> deployed = new ArrayList<>();
            List<Double> serverSide = new ArrayList<>();
            List<Double> directly = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                // alternate which side goes first, so neither always meets a warmer or a fuller store
                if (i % 2 == 0) {
                    double[] d = deploy(c, "run" + n++);
                    deployed.add(d[0]);
                    serverSide.add(d[1]);
                    directly.add(direct(c, "run" + n++));
                } else {
                    directly.add(direct(c, "run" + n++));
                    double[] d = deploy(c, "run" + n++);
                    deployed.add(d[0]);
                    serverSide.add(d[1]);
                }
            }
            ObjectNode r = results.addObject();
            r.put("template", c.name());
            r.put("resources", c.resources());
            r.put("deploymentMedianMs", DiskBench.median(deployed));
            r.put("deploymentServerMedianMs", DiskBench.median(serverSide));
            r.put("directPutsMedianMs", DiskBench.median(directly));
            r.put("ratio", DiskBench.median(deployed) / DiskBench.median(directly));
            log("%s: deployment %.1f ms (server %.1f ms), the same PUTs one by one %.1f ms", c.name(),
                    DiskBench.median(deployed), DiskBench.median(serverSide), DiskBench.median(directly));
        }
        server.stop();
        String markdown = markdown(report);
        System.out.println(markdown);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out = smoke ? Path.of("bench/target/results") : Path.of("bench/results");
        Files.createDirectories(out);
        Files.writeString(out.resolve("deploy-" + stamp + ".json"), DiskBench.JSON.writeValueAsString(report));
        Files.writeString(out.resolve("deploy-" + stamp + ".md"), markdown);
        if (!smoke) {
            DiskBench.writeSection(Path.of("docs/PERFORMANCE.md"), markdown, BEGIN, END);
        }
        log("wrote %s/deploy-%s.{md,json}", out, stamp);
    }

    /** A generalized Linux image made from a 1 GiB fixed VHD (zeros but for its footer), in westeurope. */
    void sourceImage() throws Exception {
        server.call("PUT", IMAGES + "?api-version=2021-04-01", "{\"location\":\"westeurope\"}", 200, 201);
        long size = 1L << 30;
        String blob = "/_azimuth/blobs/deploybench/vhds/source.vhd";
        server.call("PUT", blob, null, 201, 201, "x-ms-blob-type", "PageBlob", "x-ms-blob-content-length",
                String.valueOf(size + VhdFooter.SIZE));
        server.putPage(blob, size, VhdFooter.fixed(size));
        server.call("PUT", SOURCE_IMAGE + "?api-version=2024-03-01", "{\"location\":\"westeurope\",\"properties\":"
                + "{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":"
                + "\"https://deploybench.blob.core.windows.net/vhds/source.vhd\"}}}}", 200, 201);
    }

    static String group(String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + name;
    }

    /** A deployment in a fresh group: [ms from the PUT until its status reads Succeeded, the server's duration]. */
    double[] deploy(Case c, String name) throws Exception {
        String rg = group("deploybench-" + name);
        server.call("PUT", rg + "?api-version=2021-04-01", "{\"location\":\"westeurope\"}", 201, 201);
        String body = "{\"properties\":{\"mode\":\"Incremental\",\"template\":" + c.template("deploybench-" + name)
                + ",\"parameters\":" + c.parameters(name) + "}}";
        long t0 = System.nanoTime();
        HttpResponse<String> put = server.call("PUT", rg + "/providers/Microsoft.Resources/deployments/" + name
                + "?api-version=2019-10-01", body, 201, 201);
        String status = put.headers().firstValue("Azure-AsyncOperation").orElseThrow();
        status = status.substring(status.indexOf("/subscriptions/"));
        String state;
        while (true) {
            state = DiskBench.JSON.readTree(server.call("GET", status, null, 200, 200).body()).path("status").asText();
            if (!state.equals("Accepted") && !state.equals("Running")) {
                break;
            }
            Thread.sleep(1);
        }
        double ms = DiskBench.ms(t0);
        JsonNode d = DiskBench.JSON.readTree(server.call("GET", rg + "/providers/Microsoft.Resources/deployments/"
                + name + "?api-version=2019-10-01", null, 200, 200).body()).path("properties");
        PerfBench.check(state.equals("Succeeded"), "deployment " + name + " ended " + state + ": " + d);
        return new double[]{ms, seconds(d.path("duration").asText()) * 1000};
    }

    /** The same resources, the bodies the template evaluates to, PUT one by one in their order; ms in all. */
    double direct(Case c, String name) throws Exception {
        String groupName = "deploybench-" + name;
        String rg = group(groupName);
        server.call("PUT", rg + "?api-version=2021-04-01", "{\"location\":\"westeurope\"}", 201, 201);
        ObjectNode groupDoc = DiskBench.JSON.createObjectNode();
        groupDoc.put("id", rg).put("name", groupName).put("location", "westeurope")
                .put("type", "Microsoft.Resources/resourceGroups");
        Scope scope = new Scope() {
            @Override public String subscriptionId() { return SUB; }
            @Override public String tenantId() { return "72f988bf-0000-4000-8000-00000000a21e"; }
            @Override public ObjectNode resourceGroup() { return groupDoc.deepCopy(); }
            @Override public String deploymentName() { return name; }
            @Override public JsonNode reference(String id, String apiVersion, boolean full) {
                throw new TemplateException("InvalidTemplate", "the benchmark's templates read no resource");
            }
            @Override public JsonNode listKeys(String id, String apiVersion) {
                throw new TemplateException("InvalidTemplate", "the benchmark's templates list no keys");
            }
        };
        List<PlannedResource> planned = Template.of(DiskBench.JSON.readTree(c.template(groupName)))
                .prepare(DiskBench.JSON.readTree(c.parameters(name)), scope).resources();
        List<String> bodies = new ArrayList<>();
        for (PlannedResource r : planned) {
            bodies.add(DiskBench.JSON.writeValueAsString(r.body(scope)));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < planned.size(); i++) {
            PlannedResource r = planned.get(i);
            server.call("PUT", r.id() + "?api-version=" + r.apiVersion(), bodies.get(i), 200, 201);
        }
        return DiskBench.ms(t0);
    }

    /** An ISO-8601 duration as a deployment shows it ({@code PT0.043S}) in seconds. */
    static double seconds(String iso) {
        return java.time.Duration.parse(iso).toNanos() / 1e9;
    }

    String markdown(JsonNode report) {
        StringBuilder md = new StringBuilder();
        md.append("### Latest run\n\n");
        md.append(DiskBench.fmt("`%s` at %s (revision %s, %d CPUs, %d runs per side after %d warm-up rounds%s).%n%n",
                report.path("command").asText(), report.path("date").asText(), report.path("revision").asText(),
                report.path("cpus").asInt(), runs, warmUps, smoke ? "; smoke: not a measurement" : ""));
        md.append("| template | resources | deployment, PUT to Succeeded (median) | of which the server's run | "
                + "baseline: the same PUTs one by one | ratio | under 100 ms |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (JsonNode r : report.path("templates")) {
            md.append(DiskBench.fmt("| %s | %d | %.1f ms | %.1f ms | %.1f ms | %.2f | %s |%n", r.path("template").asText(),
                    r.path("resources").asInt(), r.path("deploymentMedianMs").asDouble(),
                    r.path("deploymentServerMedianMs").asDouble(), r.path("directPutsMedianMs").asDouble(),
                    r.path("ratio").asDouble(), r.path("deploymentMedianMs").asDouble() < 100 ? "yes" : "**no**"));
        }
        md.append("\nThe deployment side includes the client's polling of its `Azure-AsyncOperation` status (every "
                + "millisecond here; the tools wait the `Retry-After` of 1 s); the server's run is the deployment's own "
                + "`properties.duration`. The baseline sends the bodies the template evaluates to, in its order, one "
                + "request after the other.\n");
        return md.toString();
    }

    static void log(String format, Object... args) {
        System.err.println("[deploybench] " + DiskBench.fmt(format, args));
    }
}

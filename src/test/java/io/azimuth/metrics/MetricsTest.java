package io.azimuth.metrics;

import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /_azimuth/metrics: Prometheus' text format, each sample's family declared, and the counts moving with what
 * was done (requests by route template, method and status; operations; commits; the resource cache; the JVM).
 * (.ci/metrics.sh also has Prometheus' own promtool parse and lint a scrape of the jar.)
 */
class MetricsTest {
    static final String V = "?api-version=2025-04-01";
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( \\d+)?$");
    static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** The samples of a scrape; fails on a line that is neither a comment nor a well-formed sample. */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Set<String> typed = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                typed.add(line.split(" ")[2]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: " + line).isTrue();
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                int at = 0;
                while (l.find() && l.start() == at) {
                    labels.put(l.group(1), l.group(2));
                    at = l.end();
                }
                assertThat(at).as("labels of " + line).isEqualTo(m.group(3).length());
            }
            String name = m.group(1);
            String family = name.replaceAll("_(bucket|count|sum|total|max)$", "");
            assertThat(typed.contains(name) || typed.contains(family)).as("# TYPE before " + name).isTrue();
            samples.add(new Sample(name, labels, Double.parseDouble(m.group(4))));
        }
        return samples;
    }

    static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }

    @Test
    void theScrapeCountsRequestsOperationsCommitsAndTheJvm() throws Exception {
        try (TestServer s = TestServer.start(c -> c.withOperationDelay(30))) {
            Http.Response scrape = s.http.get("/_azimuth/metrics");
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.header("Content-Type")).startsWith("text/plain; version=0.0.4");
            List<Sample> before = parse(scrape.body());

            assertThat(s.http.put(rg("m") + V, "{\"location\":\"westus\"}").status()).isEqualTo(201);
            for (int i = 0; i < 3; i++) {
                assertThat(s.http.get(rg("m") + V).status()).isEqualTo(200);
            }
            assertThat(s.http.get(rg("absent") + V).status()).isEqualTo(404);
            String disk = "/subscriptions/" + SUB + "/resourceGroups/m/providers/Microsoft.Compute/disks/d1"
                    + "?api-version=2024-03-02";
            Http.Response created = s.http.put(disk, "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                    + "{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}");
            assertThat(created.status()).isEqualTo(202);
            assertThat(s.http.awaitOperation(created.header("Azure-AsyncOperation"), 10_000).path("status").asText())
                    .isEqualTo("Succeeded");
            assertThat(s.http.get(disk).status()).isEqualTo(200);
            assertThat(s.http.get(disk).status()).isEqualTo(200);

            List<Sample> after = parse(s.http.get("/_azimuth/metrics").body());
            Map<String, String> getGroup = Map.of("method", "GET", "status", "200");
            String groupRoute = after.stream().filter(x -> x.name().equals("azimuth_http_requests_seconds_count")
                    && x.labels().get("method").equals("PUT") && x.labels().get("status").equals("201"))
                    .map(x -> x.labels().get("route")).findFirst().orElseThrow();
            assertThat(groupRoute).as("the route template, not the path").containsIgnoringCase("{resourceGroupName}")
                    .doesNotContain("/m");
            Map<String, String> gets = new LinkedHashMap<>(getGroup);
            gets.put("route", groupRoute);
            assertThat(value(after, "azimuth_http_requests_seconds_count", gets)
                    - value(before, "azimuth_http_requests_seconds_count", gets)).isEqualTo(3);
            Map<String, String> missing = Map.of("method", "GET", "status", "404", "route", groupRoute);
            assertThat(value(after, "azimuth_http_requests_seconds_count", missing)).isEqualTo(1);
            Map<String, String> allGets = new LinkedHashMap<>(gets);
            allGets.put("le", "+Inf");
            assertThat(value(after, "azimuth_http_requests_seconds_bucket", allGets)).as("the histogram's last bucket")
                    .isEqualTo(3);
            assertThat(after.stream().filter(x -> x.name().equals("azimuth_http_requests_seconds_bucket")
                    && x.labels().get("route").equals(groupRoute)).map(x -> x.labels().get("le")).distinct().count())
                    .as("latency buckets").isGreaterThan(10);

            assertThat(value(after, "azimuth_operations_total", Map.of("kind", "Microsoft.Compute/disks/provision",
                    "outcome", "Succeeded"))).isEqualTo(1);
            assertThat(value(after, "azimuth_store_commit_seconds_count", Map.of())
                    - value(before, "azimuth_store_commit_seconds_count", Map.of())).isGreaterThanOrEqualTo(2);
            assertThat(value(after, "azimuth_store_batch_size_count", Map.of())).isGreaterThanOrEqualTo(2);
            assertThat(value(after, "azimuth_resource_cache_hits_total", Map.of())
                    + value(after, "azimuth_resource_cache_misses_total", Map.of())).as("the disk GETs")
                    .isGreaterThanOrEqualTo(2);
            assertThat(after).anyMatch(x -> x.name().equals("azimuth_blobs_stored_bytes"));
            assertThat(value(after, "jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
        }
    }
}

package io.azimuth.metrics;

import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Pipeline;
import io.azimuth.http.Route;
import io.azimuth.store.ResourceCache;
import io.azimuth.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /_azimuth/metrics} shows, in Prometheus' text format (Micrometer's Prometheus registry): requests
 * by route template, method and status with latency histograms; operations by kind and outcome; the store's commit
 * time and batch size; the blob store's bytes; the resource cache's hits and misses; the JVM's memory, threads,
 * classes and uptime (names
 * Prometheus' own linter, promtool, accepts). Told by the pipeline of every answer, by the store of every commit and by the operation engine of
 * every operation that ends; the rest is read when scraped.
 */
public final class Metrics implements Pipeline.Observer, Store.Observer {
    /** The latency buckets of the histograms, in seconds (Prometheus' {@code le}). */
    private static final Duration[] LATENCY = {Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<Key, Timer> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> operations = new ConcurrentHashMap<>();
    private final Timer commits;
    private final DistributionSummary batches;

    private record Key(Route route, String method, int status) {
    }

    public Metrics(Store store, VhdStore vhds) {
        commits = Timer.builder("azimuth.store.commit").description("Time to run and commit one batch of writes")
                .serviceLevelObjectives(LATENCY).register(registry);
        batches = DistributionSummary.builder("azimuth.store.batch.size").description("Units of work per commit")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
        ResourceCache cache = store.resourceCache();
        FunctionCounter.builder("azimuth.resource.cache.hits", cache, c -> c.stats().hits())
                .description("GETs answered from the resource cache").register(registry);
        FunctionCounter.builder("azimuth.resource.cache.misses", cache, c -> c.stats().misses())
                .description("GETs the resource cache could not answer").register(registry);
        Gauge.builder("azimuth.resource.cache.bytes", cache, c -> c.stats().bytes()).baseUnit("bytes")
                .description("Bytes the resource cache holds").register(registry);
        Gauge.builder("azimuth.blobs.stored", vhds, v -> v.stats().map(VhdStore.StorageStats::storedBytes).orElse(0L))
                .baseUnit("bytes").description("Bytes the embedded blob store keeps on disk (zeros and shared "
                        + "chunks not counted twice)").register(registry);
        Gauge.builder("azimuth.blobs", vhds, v -> v.stats().map(VhdStore.StorageStats::blobs).orElse(0L))
                .description("Blobs in the embedded blob store").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    @Override
    public void answered(ApiRequest request, int status, long nanos) {
        Route route = request.route();
        Key key = new Key(route, request.method().name(), status);
        Timer timer = requests.get(key);
        if (timer == null) {
            timer = requests.computeIfAbsent(key, k -> Timer.builder("azimuth.http.requests")
                    .description("Requests answered, by route template, method and status")
                    .tag("route", route == null ? "unmatched" : route.template()).tag("method", k.method())
                    .tag("status", String.valueOf(k.status())).serviceLevelObjectives(LATENCY).register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void committed(int units, long nanos) {
        commits.record(nanos, TimeUnit.NANOSECONDS);
        batches.record(units);
    }

    /** An operation ended: its kind ({@code Microsoft.Compute/images/provision}) and status. */
    public void operationEnded(String kind, String status) {
        String key = kind + "|" + status;
        Counter c = operations.get(key);
        if (c == null) {
            c = operations.computeIfAbsent(key, k -> Counter.builder("azimuth.operations")
                    .description("Long-running operations ended, by kind and outcome").tag("kind", kind)
                    .tag("outcome", status).register(registry));
        }
        c.increment();
    }

    /** The scrape: every meter in Prometheus' text exposition format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}

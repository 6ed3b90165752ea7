package io.azimuth.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.faults.FaultRule;
import io.azimuth.faults.FaultRules;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.metrics.Metrics;
import io.azimuth.server.Platform;
import io.azimuth.server.TlsMaterial;
import io.azimuth.state.StateArchive;
import io.azimuth.store.ResourceCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code GET /_azimuth/health}, {@code POST /_azimuth/reset}, {@code GET /_azimuth/cert} (PEM, or PKCS#12 with
 * {@code ?format=pkcs12}), the management certificates strict mode trusts ({@code /_azimuth/management-certificates}:
 * GET, POST a certificate, DELETE one by thumbprint; kept apart from the state a reset clears), the fault rules
 * ({@code /_azimuth/faults}: GET the list, POST a rule, DELETE one by id or all; a reset clears them too), and the
 * blob endpoints ({@link BlobRoutes}), and {@code GET /_azimuth/metrics} (Prometheus' text format, {@link Metrics}).
 */
public final class EmulatorRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorRoutes.class);

    private final Platform platform;
    private final TlsMaterial tls;
    private final String version;
    private final long startedAt = System.currentTimeMillis();

    private final FaultRules faults;
    private final Metrics metrics;
    private final StateArchive state;

    public EmulatorRoutes(Platform platform, TlsMaterial tls, String version, FaultRules faults, Metrics metrics,
                          StateArchive state) {
        this.state = state;
        this.metrics = metrics;
        this.platform = platform;
        this.tls = tls;
        this.version = version;
        this.faults = faults;
    }

    public void register(Router router, EmulatorEnvelope envelope) {
        router.own(path -> path.equals(EmulatorEnvelope.PREFIX) || path.startsWith(EmulatorEnvelope.PREFIX + "/"),
                envelope);
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/health", envelope).get(this::health));
        Dashboard dashboard = new Dashboard(platform.store(), this::healthBody, faults::render,
                platform.config().subscriptionId());
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/", envelope).get(dashboard::page)); // and /_azimuth itself
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/dashboard/data", envelope).get(dashboard::data));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/reset", envelope).post(this::reset));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/cert", envelope).get(this::cert));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/management-certificates", envelope)
                .get(this::managementCertificates).post(this::trustManagementCertificate));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/management-certificates/{thumbprint}", envelope)
                .delete(this::forgetManagementCertificate));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/state", envelope).get(this::exportState)
                .streaming(HttpMethod.PUT, this::importState));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/metrics", envelope)
                .get(r -> ApiResponse.text(200, metrics.scrape(), Metrics.CONTENT_TYPE)));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/faults", envelope).get(r -> ApiResponse.ok(faults.render()))
                .post(this::addFault).delete(r -> {
                    int n = faults.removeAll();
                    LOG.info("{} fault rule(s) deleted", n);
                    return ApiResponse.empty(200);
                }));
        router.add(Route.at(EmulatorEnvelope.PREFIX + "/faults/{id}", envelope)
                .get(r -> faults.find(r.param("id")).map(f -> ApiResponse.ok(f.render()))
                        .orElseThrow(() -> faultNotFound(r.param("id"))))
                .delete(r -> ApiResponse.empty(faults.remove(r.param("id")) ? 200 : 204)));
        new BlobRoutes(platform.vertx(), platform.vhds(), platform.copySources()).register(router, envelope);
    }

    private ApiResponse health(ApiRequest r) {
        return ApiResponse.ok(healthBody());
    }

    private ObjectNode healthBody() {
        ObjectNode body = Json.object();
        body.put("status", "healthy");
        body.put("version", version);
        body.put("store", platform.store().description());
        body.put("inMemory", platform.config().inMemory());
        body.put("operationDelayMillis", platform.operations().delayMillis());
        body.put("subscriptionId", platform.config().subscriptionId());
        body.put("uptimeMillis", System.currentTimeMillis() - startedAt);
        ResourceCache.Stats cache = platform.store().resourceCache().stats();
        ObjectNode cached = body.putObject("resourceCache");
        cached.put("entries", cache.entries());
        cached.put("bytes", cache.bytes());
        cached.put("budgetBytes", cache.budgetBytes());
        cached.put("hits", cache.hits());
        cached.put("misses", cache.misses());
        io.azimuth.store.Store.Counts counts = platform.store().counts();
        ObjectNode rows = body.putObject("storeCounts");
        rows.put("resourceReads", counts.resourceReads());
        rows.put("resourceWrites", counts.resourceWrites());
        rows.put("commits", counts.commits());
        platform.vhds().stats().ifPresent(stats -> {
            ObjectNode blobs = body.putObject("blobs");
            blobs.put("blobs", stats.blobs());
            blobs.put("contents", stats.contents());
            blobs.put("chunks", stats.chunks());
            blobs.put("storedBytes", stats.storedBytes());
        });
        return body;
    }

    /** {@code GET /_azimuth/management-certificates}: what the classic API trusts in strict mode. */
    private ApiResponse managementCertificates(ApiRequest r) {
        ObjectNode body = Json.object();
        com.fasterxml.jackson.databind.node.ArrayNode value = body.putArray("value");
        platform.auth().managementCertificates().all().forEach(c -> value.add(describe(c)));
        return ApiResponse.ok(body);
    }

    /** {@code POST /_azimuth/management-certificates} with a PEM or DER certificate: trusted from now on. */
    private ApiResponse trustManagementCertificate(ApiRequest r) {
        if (!r.hasBody()) {
            throw ApiException.badRequest("InvalidCertificate", "The body must hold a certificate (PEM or DER).", "body");
        }
        java.util.List<java.security.cert.X509Certificate> added;
        try {
            added = platform.auth().managementCertificates().trust(r.bodyBytes().getBytes());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidCertificate", e.getMessage(), "body");
        }
        ObjectNode body = Json.object();
        com.fasterxml.jackson.databind.node.ArrayNode value = body.putArray("value");
        added.forEach(c -> value.add(describe(c)));
        return ApiResponse.json(201, body);
    }

    private ApiResponse forgetManagementCertificate(ApiRequest r) {
        return ApiResponse.empty(platform.auth().managementCertificates().remove(r.param("thumbprint")) ? 200 : 204);
    }

    private static ObjectNode describe(java.security.cert.X509Certificate c) {
        ObjectNode o = Json.object();
        o.put("thumbprint", io.azimuth.auth.ManagementCertificates.thumbprint(c));
        o.put("subject", c.getSubjectX500Principal().getName());
        o.put("notAfter", c.getNotAfter().toInstant().toString());
        return o;
    }

    /** {@code POST /_azimuth/faults}: a rule (see {@link FaultRules}); 201 with its id, 400 naming a bad field. */
    private ApiResponse addFault(ApiRequest r) {
        if (!r.hasBody()) {
            throw ApiException.badRequest(FaultRule.INVALID, "The body must be a fault rule (JSON).", "body");
        }
        JsonNode body;
        try {
            body = Json.parse(r.bodyText());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("InvalidRequestContent", "The body is not valid JSON: "
                    + e.getOriginalMessage(), "body");
        }
        return ApiResponse.json(201, faults.add(body));
    }

    /**
     * {@code GET /_azimuth/state}: the whole state as a zip archive ({@link StateArchive}), written to a temporary
     * file first (its length is sent) and streamed from it.
     */
    private ApiResponse exportState(ApiRequest r) throws IOException {
        Path file = Files.createTempFile("azimuth-state", ".zip");
        try {
            StateArchive.Counts counts;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file),
                    1 << 20)) {
                counts = state.export(out);
            }
            FileChannel channel = FileChannel.open(file,
                    StandardOpenOption.READ);
            long size = channel.size();
            LOG.info("state exported: {} resources, {} operations, {} blobs, {} bytes", counts.resources(),
                    counts.operations(), counts.blobs(), size);
            return ApiResponse.stream(200, channel, size, StateArchive.CONTENT_TYPE)
                    .header("Content-Disposition", "attachment; filename=\"azimuth-state.zip\"");
        } finally {
            Files.deleteIfExists(file); // the open channel still reads it
        }
    }

    /**
     * {@code PUT /_azimuth/state} with an archive: the body is written to a temporary file, then checked whole and
     * imported (200 with the counts; 400 {@code InvalidStateArchive} changing nothing; 409 while operations run).
     */
    private Future<ApiResponse> importState(ApiRequest r, HttpServerRequest http) {
        Vertx vertx = platform.vertx();
        return vertx.<Path>executeBlocking(() -> Files.createTempFile("azimuth-import",
                ".zip"), false).compose(file -> vertx.fileSystem().open(file.toString(),
                        new OpenOptions().setWrite(true).setTruncateExisting(true))
                .compose(async -> http.pipeTo(async))
                .compose(v -> vertx.<ApiResponse>executeBlocking(() -> {
                    StateArchive.Counts counts = state.importFrom(file);
                    ObjectNode body = Json.object();
                    body.put("status", "imported");
                    body.put("resources", counts.resources());
                    body.put("operations", counts.operations());
                    body.put("blobs", counts.blobs());
                    body.put("chunks", counts.chunks());
                    body.put("dataBytes", counts.dataBytes());
                    return ApiResponse.ok(body);
                }, false))
                .andThen(ar -> vertx.executeBlocking(() -> Files.deleteIfExists(file), false)));
    }

    private static ApiException faultNotFound(String id) {
        return ApiException.notFound("FaultRuleNotFound", "There is no fault rule '" + id + "'.");
    }

    private ApiResponse reset(ApiRequest r) {
        platform.store().reset();
        faults.forget();
        platform.vhds().reset();
        LOG.info("all state was reset");
        return ApiResponse.empty(204);
    }

    private ApiResponse cert(ApiRequest r) {
        String format = r.query("format");
        if (format != null && (format.equalsIgnoreCase("pkcs12") || format.equalsIgnoreCase("p12"))) {
            return ApiResponse.bytes(200, tls.trustStorePkcs12(), "application/x-pkcs12")
                    .header("Content-Disposition", "attachment; filename=\"azimuth-truststore.p12\"");
        }
        return ApiResponse.text(200, tls.certificatePem(), "application/x-pem-file");
    }
}

package io.azimuth.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A raw HTTP client for tests: what SDKs hide (status codes, headers, error bodies) is asserted through it. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> TERMINAL = java.util.Set.of("Succeeded", "Failed", "Canceled");
    private final HttpClient client;
    private final String base;

    private Http(HttpClient client, String base) {
        this.client = client;
        this.base = base;
    }

    public static Http plain(String base) {
        return new Http(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), base);
    }

    /** An HTTPS client trusting exactly the given PEM certificate. */
    public static Http trusting(String base, String certificatePem) {
        return new Http(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(sslContext(certificatePem)).build(), base);
    }

    public static SSLContext sslContext(String certificatePem) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("azimuth", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String base() {
        return base;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    /**
     * Polls an operation's status URL ({@code Azure-AsyncOperation}) every 50 ms until its status is terminal
     * (Succeeded, Failed, Canceled; deployments say Accepted and Running before), or {@code timeoutMillis} have passed; answers the last status read.
     */
    public JsonNode awaitOperation(String statusUrl, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        JsonNode status = get(statusUrl).json();
        while (!TERMINAL.contains(status.path("status").asText()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            status = get(statusUrl).json();
        }
        return status;
    }

    public Response head(String path) {
        return send("HEAD", path, null);
    }

    /** A HEAD with the given headers only (no token). */
    public Response head(String path, Map<String, String> headers) {
        return sendBody("HEAD", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    public Response put(String path, String json) {
        return send("PUT", path, json);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json);
    }

    public Response post(String path, String json) {
        return send("POST", path, json);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /** With a bearer token, as every ARM client sends. */
    public Response send(String method, String path, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer test-token");
        return send(method, path, body, headers);
    }

    public Response send(String method, String path, String body, Map<String, String> headers) {
        URI uri = URI.create(path.startsWith("http") ? path : base + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            conformsToSpec(method, uri, r.statusCode(), r.body());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.regex.Pattern SPECIFIED = java.util.regex.Pattern.compile(
            "(?i)^/subscriptions/[^/]+(/resourceGroups/[^/]+)?/providers/Microsoft\\.Compute/(?:"
                    + "(?<type>images|disks|snapshots|virtualMachines)(/[^/]+)?"
                    + "(/(instanceView|start|powerOff|restart|deallocate|generalize|capture|reimage|beginGetAccess"
                    + "|endGetAccess))?"
                    + "|(?<gallery>galleries)(/[^/]+(/images(/[^/]+(/versions(/[^/]+)?)?)?)?)?)/?$");

    /**
     * Every answer for images, disks, snapshots, virtual machines and galleries (with their image definitions and
     * versions) that this client receives must match Azure's OpenAPI definition of its operation. The Disk RP's
     * definitions declare no error schema, so only their successes are checked; images, VMs and the Gallery RP
     * declare CloudError and are checked whatever the status.
     */
    private static void conformsToSpec(String method, URI uri, int status, String body) {
        java.util.regex.Matcher m = SPECIFIED.matcher(uri.getRawPath());
        if (method.equals("HEAD") || !m.matches()) {
            return;
        }
        boolean declaresErrors = m.group("gallery") != null || m.group("type").equalsIgnoreCase("images")
                || m.group("type").equalsIgnoreCase("virtualMachines");
        if (status < 300 || (declaresErrors && status != 405)) {
            OpenApi.assertValidResponse(method, uri.getRawPath(), status, body);
        }
    }

    /** Any body (bytes, a generated stream), no token added. */
    public Response sendBody(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers) {
        URI uri = URI.create(path.startsWith("http") ? path : base + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).method(method, body);
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response putBytes(String path, byte[] body) {
        return sendBody("PUT", path, HttpRequest.BodyPublishers.ofByteArray(body), Map.of());
    }

    /** A GET whose body is kept as bytes. */
    public Bytes getBytes(String path, Map<String, String> headers) {
        URI uri = URI.create(path.startsWith("http") ? path : base + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(b::header);
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Bytes(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Bytes(int status, HttpHeaders headers, byte[] body) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public record Response(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}

package io.azimuth.emulator;

import io.azimuth.server.TlsMaterial;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/** The emulator's own endpoints and the HTTPS listener. */
class EmulatorEndpointsTest {
    static final String V = "?api-version=2025-04-01";

    @Test
    void healthNeedsNoTokenAndDescribesTheStore() {
        try (TestServer s = TestServer.start()) {
            Http.Response r = s.http.send("GET", "/_azimuth/health", null, Map.of());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("status").asText()).isEqualTo("healthy");
            assertThat(r.json().path("store").asText()).startsWith("sqlite:");
            assertThat(r.header("x-ms-request-id")).isNotBlank();
            Http.Response unknown = s.http.send("GET", "/_azimuth/nothing", null, Map.of());
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.errorCode()).isEqualTo("NotFound");
            assertThat(s.http.send("POST", "/_azimuth/health", null, Map.of()).status()).isEqualTo(405);
        }
    }

    @Test
    void resetEmptiesAllState() {
        try (TestServer s = TestServer.start()) {
            s.http.put(rg("g") + V, "{\"location\":\"westus\"}");
            assertThat(s.http.send("POST", "/_azimuth/reset", null, Map.of()).status()).isEqualTo(204);
            assertThat(s.http.get(rg("g") + V).status()).isEqualTo(404);
            assertThat(s.http.get("/subscriptions/" + TestServer.SUB + "/resourcegroups" + V).json().path("value"))
                    .isEmpty();
        }
    }

    @Test
    void certificateIsServedWithLocalNamesAndReusedAcrossRestarts() throws Exception {
        String first;
        try (TestServer s = TestServer.start(c -> c.withInMemory(false))) {
            first = s.http.get("/_azimuth/cert").body();
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(first.getBytes(StandardCharsets.US_ASCII)));
            List<String> sans = cert.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList();
            assertThat(sans).contains("localhost", "127.0.0.1");
            cert.checkValidity();

            HttpResponse<byte[]> p12 = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(s.http.base() + "/_azimuth/cert?format=pkcs12")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(new ByteArrayInputStream(p12.body()), TlsMaterial.TRUSTSTORE_PASSWORD.toCharArray());
            assertThat(trust.getCertificate("azimuth")).isEqualTo(cert);

            // restart on the same data directory: same certificate
            s.server.close();
            try (var again = io.azimuth.server.AzimuthServer.start(s.server.config())) {
                String second = Http.plain("http://127.0.0.1:" + again.httpPort()).get("/_azimuth/cert").body();
                assertThat(second).isEqualTo(first);
            }
        }
    }

    @Test
    void ownCertificateAndKeyAreServedInsteadOfTheGeneratedOne() throws Exception {
        TlsMaterial own = TlsMaterial.generate();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("azimuth-own-cert");
        java.nio.file.Path cert = java.nio.file.Files.writeString(dir.resolve("own.pem"), own.certificatePem());
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("own.key"), own.keyPem());
        try (TestServer s = TestServer.start(c -> c.withCertificate(cert, key))) {
            assertThat(s.http.get("/_azimuth/cert").body()).isEqualTo(own.certificatePem());
            Http https = Http.trusting(s.httpsBase(), own.certificatePem());
            assertThat(https.get("/_azimuth/health").status()).isEqualTo(200);
            assertThat(s.dataDir.resolve(TlsMaterial.CERT_FILE)).as("nothing generated").doesNotExist();
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void httpsServesTheSameRoutesWithHttpsLinks() {
        try (TestServer s = TestServer.start(c -> c.withPageSize(1))) {
            Http https = s.https();
            Http.Response created = https.put(rg("secure") + V, "{\"location\":\"westus\"}");
            assertThat(created.status()).isEqualTo(201);
            https.put(rg("secure2") + V, "{\"location\":\"westus\"}");
            assertThat(s.http.get(rg("secure") + V).status()).as("one store behind both listeners").isEqualTo(200);
            Http.Response page = https.get("/subscriptions/" + TestServer.SUB + "/resourcegroups" + V);
            assertThat(page.json().path("nextLink").asText()).startsWith(s.httpsBase() + "/");
        }
    }
}

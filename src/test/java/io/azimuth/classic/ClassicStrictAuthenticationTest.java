package io.azimuth.classic;

import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import static io.azimuth.classic.ClassicFixture.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classic API in strict mode: only management certificates uploaded to {@code /_azimuth/management-certificates}
 * are trusted; any other certificate, and plain HTTP, get 403 AuthenticationFailed.
 */
class ClassicStrictAuthenticationTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(c -> c.withSignIn(new Config.SignIn(true, null, Duration.ofHours(1))));
    }

    @AfterAll
    static void stop() {
        TestServer.closeAll(server);
    }

    private HttpResponse<String> list(ClassicFixture.Cert cert) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(context(cert)).build();
        return client.send(HttpRequest.newBuilder(URI.create(server.httpsBase() + "/" + SUB + "/services/hostedservices"))
                .header("x-ms-version", "2015-04-01").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onlyUploadedManagementCertificatesAreTrusted() throws Exception {
        ClassicFixture.Cert uploaded = ClassicFixture.certificate("uploaded management certificate");
        ClassicFixture.Cert other = ClassicFixture.certificate("some other certificate");
        assertThat(list(uploaded).statusCode()).isEqualTo(403);

        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(uploaded.certificate()
                .getEncoded()) + "\n-----END CERTIFICATE-----\n";
        Http.Response added = server.http.sendBody("POST", "/_azimuth/management-certificates",
                HttpRequest.BodyPublishers.ofString(pem), java.util.Map.of("Content-Type", "application/x-pem-file"));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().path("value").get(0).path("thumbprint").asText()).isEqualTo(uploaded.thumbprint());

        HttpResponse<String> r = list(uploaded);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        r = list(other);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<Code>AuthenticationFailed</Code>");
        assertThat(ClassicFixture.get(server.http, "/services/hostedservices").status()).isEqualTo(403);

        assertThat(server.http.sendBody("POST", "/_azimuth/management-certificates",
                HttpRequest.BodyPublishers.ofString("not a certificate"), java.util.Map.of()).status()).isEqualTo(400);
        assertThat(server.http.delete("/_azimuth/management-certificates/" + uploaded.thumbprint()).status()).isEqualTo(200);
        assertThat(list(uploaded).statusCode()).isEqualTo(403);
    }

    private static SSLContext context(ClassicFixture.Cert cert) {
        return ClassicFixture.withClientCertificate(cert, server.http.get("/_azimuth/cert").body());
    }
}

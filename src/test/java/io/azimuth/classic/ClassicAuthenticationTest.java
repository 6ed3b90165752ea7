package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.azimuth.classic.ClassicFixture.SUB;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Management certificates: over HTTPS a classic call must present a TLS client certificate (any will do); plain
 * HTTP, for scripts, needs none; ARM clients, which present none, are unaffected.
 */
class ClassicAuthenticationTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();

    @Test
    void overHttpsWithoutAClientCertificateAClassicCallIsRefused() {
        Http.Response r = server.server().https().sendBody("GET", "/" + SUB + "/services/hostedservices",
                HttpRequest.BodyPublishers.noBody(), Map.of("x-ms-version", "2015-04-01"));
        assertError(r, 403, "AuthenticationFailed", "certificate");
    }

    @Test
    void overHttpsAnyClientCertificateIsAccepted() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(withClientCertificate(ClassicFixture.certificate("some management certificate")))
                .build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.server().httpsBase() + "/" + SUB
                        + "/services/hostedservices")).header("x-ms-version", "2015-04-01").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("<HostedServices xmlns=\"http://schemas.microsoft.com/windowsazure\"");
        assertThat(r.headers().firstValue("x-ms-request-id").orElse("")).matches("[0-9a-f]{32}");
    }

    @Test
    void plainHttpNeedsNoCertificate() {
        assertStatus(ClassicFixture.get(server.http(), "/services/hostedservices"), 200);
    }

    @Test
    void armClientsOverHttpsAreNotAskedForMoreThanTheirToken() {
        Http.Response r = server.server().https().get("/subscriptions/" + SUB + "/resourcegroups?api-version=2022-09-01");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static SSLContext withClientCertificate(ClassicFixture.Cert cert) {
        return ClassicFixture.withClientCertificate(cert, server.http().get("/_azimuth/cert").body());
    }
}

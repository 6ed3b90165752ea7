package io.azimuth.identity;

import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientCertificateCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.nimbusds.jwt.SignedJWT;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A service principal proving itself with a certificate: azure-identity's ClientCertificateCredential signs a client
 * assertion; strict mode with declared principals takes it only when the declared certificate's key signed it.
 */
class ClientAssertionTest {
    static TestServer server;
    static Path principals;
    static Pem declared;
    static Pem stranger;

    record Pem(String certificate, String keyAndCertificate) {
    }

    static Pem pem(String cn) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        String certPem = "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        String keyPem = "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        return new Pem(certPem, keyPem + certPem);
    }

    @BeforeAll
    static void start() throws Exception {
        declared = pem("cert-app");
        stranger = pem("someone else");
        principals = Files.createTempFile("principals", ".json");
        String escaped = declared.certificate().replace("\n", "\\n");
        Files.writeString(principals, """
                {"servicePrincipals": [{"clientId": "cert-app", "certificate": "%s"}],
                 "roleAssignments": [{"principal": "cert-app", "role": "Reader", "scope": "/subscriptions/%s"}]}
                """.formatted(escaped, TestServer.SUB));
        server = TestServer.start(c -> c.withSignIn(new Config.SignIn(true, principals, Duration.ofHours(1))));
    }

    @AfterAll
    static void stop() throws Exception {
        TestServer.closeAll(server);
        Files.deleteIfExists(principals);
    }

    static ClientCertificateCredential credential(Pem pem) {
        return new ClientCertificateCredentialBuilder().authorityHost(server.httpsBase()).tenantId(Config.DEFAULT_TENANT)
                .clientId("cert-app").pemCertificate(new ByteArrayInputStream(pem.keyAndCertificate()
                        .getBytes(StandardCharsets.US_ASCII)))
                .disableInstanceDiscovery().httpClient(Sdk.httpClient(server.http.get("/_azimuth/cert").body())).build();
    }

    @Test
    void theDeclaredCertificateSignsInAndAnotherDoesNot() throws Exception {
        String token = credential(declared).getTokenSync(new TokenRequestContext()
                .addScopes("https://management.azure.com/.default")).getToken();
        assertThat(SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("azp")).isEqualTo("cert-app");
        Http.Response groups = server.https().send("GET", "/subscriptions/" + TestServer.SUB
                + "/resourcegroups?api-version=2021-04-01", null, new LinkedHashMap<>(Map.of("Authorization", "Bearer " + token)));
        assertThat(groups.status()).as(groups.body()).isEqualTo(200);

        assertThatThrownBy(() -> credential(stranger).getTokenSync(new TokenRequestContext()
                .addScopes("https://management.azure.com/.default")))
                .hasStackTraceContaining("AADSTS700027");
    }
}

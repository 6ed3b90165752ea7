package io.azimuth.server;

import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTPS serves with key managers made from the PEM material directly (no PKCS#12 store): for the generated EC key,
 * for a user's RSA PKCS#8 key, and, through Vert.x's own PEM reading, for a key in another form (PKCS#1).
 */
class TlsKeyManagersTest {

    @Test
    void generatedMaterialHasKeyManagersHoldingItsKeyAndCertificate() throws Exception {
        TlsMaterial tls = TlsMaterial.generate();
        X509KeyManager manager = (X509KeyManager) tls.keyManagers().getKeyManagers()[0];
        String alias = manager.chooseServerAlias("EC", null, null);
        assertThat(alias).isNotNull();
        assertThat(manager.getCertificateChain(alias)[0]).isEqualTo(certificate(tls.certificatePem()));
        assertThat(manager.getPrivateKey(alias).getAlgorithm()).isEqualTo("EC");
        assertThat(manager.chooseServerAlias("RSA", null, null)).as("no RSA key to offer").isNull();
    }

    @Test
    void aUsersRsaKeyInPkcs8IsServedWithKeyManagers() throws Exception {
        String[] pem = rsaCertificateAndPkcs8Key();
        assertThat(loaded(pem[0], pem[1]).keyManagers()).isNotNull();
        assertServedOverHttps(pem[0], pem[1]);
    }

    @Test
    void aKeyInAnotherFormIsLeftToVertxAndStillServed() throws Exception {
        String[] pem = rsaCertificateAndPkcs8Key();
        byte[] pkcs8 = Base64.getMimeDecoder().decode(pem[1].replaceAll("-----[A-Z ]+-----", ""));
        byte[] pkcs1 = PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey().toASN1Primitive().getEncoded();
        String rsaPem = "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'})
                .encodeToString(pkcs1) + "\n-----END RSA PRIVATE KEY-----\n";
        assertThat(loaded(pem[0], rsaPem).keyManagers()).isNull();
        assertServedOverHttps(pem[0], rsaPem);
    }

    /** Starts a server on the certificate and key, and checks the certificate a TLS client is shown and a GET. */
    private static void assertServedOverHttps(String certificatePem, String keyPem) throws Exception {
        Path dir = Files.createTempDirectory("azimuth-tls-keys");
        Path cert = Files.writeString(dir.resolve("own.pem"), certificatePem);
        Path key = Files.writeString(dir.resolve("own.key"), keyPem);
        try (TestServer s = TestServer.start(c -> c.withCertificate(cert, key))) {
            assertThat(Http.trusting(s.httpsBase(), certificatePem).get("/_azimuth/health").status()).isEqualTo(200);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("own", certificate(certificatePem));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", s.server.httpsPort())) {
                socket.startHandshake();
                assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(certificate(certificatePem));
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    /** A self-signed RSA certificate for localhost and its key as PKCS#8 PEM. */
    private static String[] rsaCertificateAndPkcs8Key() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=localhost");
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                Date.from(now.plus(30, ChronoUnit.DAYS)), subject, pair.getPublic())
                .addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                        new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                                org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1")))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        return new String[]{pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded())};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Certificate certificate(String pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** TlsMaterial read from PEM text, through the files a user would give. */
    private static TlsMaterial loaded(String certificatePem, String keyPem) throws Exception {
        Path dir = Files.createTempDirectory("azimuth-tls-probe");
        try {
            return TlsMaterial.load(Files.writeString(dir.resolve("c.pem"), certificatePem),
                    Files.writeString(dir.resolve("k.pem"), keyPem));
        } finally {
            TestServer.deleteTree(dir);
        }
    }
}

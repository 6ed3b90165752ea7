package io.azimuth.server;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * The HTTPS identity: a certificate and key in PEM, either the user's ({@code --cert}/{@code --key}) or a
 * self-signed one (SAN {@code localhost}, {@code 127.0.0.1}, {@code ::1}) generated on first start into the data
 * directory and reused afterwards. Also offered as a PKCS#12 trust store for Java clients.
 */
public final class TlsMaterial {
    public static final String TRUSTSTORE_PASSWORD = "azimuth";
    public static final String CERT_FILE = "azimuth-cert.pem";
    public static final String KEY_FILE = "azimuth-key.pem";
    public static final String TRUSTSTORE_FILE = "azimuth-truststore.p12";
    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

    private final String certificatePem;
    private final String keyPem;
    /** Built when first asked for: its password-based encryption is slow enough to matter at start-up. */
    private volatile byte[] trustStore;
    private KeyManagerFactory keyManagers;
    private boolean keyManagersTried;

    private TlsMaterial(String certificatePem, String keyPem) {
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
    }

    public String certificatePem() {
        return certificatePem;
    }

    public String keyPem() {
        return keyPem;
    }

    /**
     * The key managers HTTPS serves with, made from the certificate chain and an unencrypted PKCS#8 key (EC or RSA)
     * in an in-memory JKS store; null for any other key, which Vert.x is then given as PEM. Vert.x's own PEM
     * handling puts the key in a PKCS#12 store, whose password-based encryption (a key derivation of 10,000 rounds)
     * was a noticeable part of start-up. Made once; the start-up thread that reads the material makes it.
     */
    public synchronized KeyManagerFactory keyManagers() {
        if (!keyManagersTried) {
            keyManagers = makeKeyManagers();
            keyManagersTried = true;
        }
        return keyManagers;
    }

    private KeyManagerFactory makeKeyManagers() {
        String key = keyPem.trim();
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        if (!key.startsWith(begin) || !key.endsWith(end)) {
            return null;
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(key.substring(begin.length(), key.length() - end.length()));
            PrivateKey privateKey = null;
            for (String algorithm : new String[]{"EC", "RSA"}) {
                try {
                    privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                    break;
                } catch (InvalidKeySpecException e) {
                    // another algorithm's key
                }
            }
            if (privateKey == null) {
                return null;
            }
            char[] password = TRUSTSTORE_PASSWORD.toCharArray(); // in memory only
            KeyStore store = KeyStore.getInstance("JKS");
            store.load(null, null);
            store.setKeyEntry("azimuth", privateKey, password, certificates(certificatePem).toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            LOG.debug("the TLS key is left to Vert.x to read: {}", e.toString());
            return null;
        }
    }

    /** A PKCS#12 trust store (password {@value #TRUSTSTORE_PASSWORD}) holding the certificate(s). */
    public byte[] trustStorePkcs12() {
        byte[] store = trustStore;
        if (store == null) {
            trustStore = store = pkcs12(certificatePem);
        }
        return store.clone();
    }

    /** The user's own certificate and key. */
    public static TlsMaterial load(Path cert, Path key) {
        try {
            String pem = Files.readString(cert);
            certificates(pem); // refused here, with a clear message, rather than by the listener
            return new TlsMaterial(pem, Files.readString(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS certificate or key: " + e.getMessage(), e);
        }
    }

    /** The certificate in {@code dir}, generated there first if it is not there yet. */
    public static TlsMaterial inDirectory(Path dir) {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        try {
            if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
                return load(cert, key);
            }
            Files.createDirectories(dir);
            TlsMaterial generated = generate();
            writeAtomically(key, generated.keyPem.getBytes(StandardCharsets.US_ASCII), true);
            writeAtomically(cert, generated.certificatePem.getBytes(StandardCharsets.US_ASCII), false);
            writeAtomically(dir.resolve(TRUSTSTORE_FILE), generated.trustStorePkcs12(), false);
            LOG.info("generated a self-signed certificate at {}", cert);
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLS certificate to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A fresh self-signed certificate (ECDSA P-256), valid for five years. */
    public static TlsMaterial generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=Azimuth local emulator,O=Azimuth");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(5 * 365))),
                    subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1")}));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new TlsMaterial(pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY",
                    pair.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a TLS certificate", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static List<Certificate> certificates(String certificatePem) {
        try {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII))));
            if (certs.isEmpty()) {
                throw new IllegalStateException("the TLS certificate is not a readable X.509 PEM: no certificate in it");
            }
            return certs;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the TLS certificate is not a readable X.509 PEM: " + e.getMessage(), e);
        }
    }

    private static byte[] pkcs12(String certificatePem) {
        try {
            List<Certificate> certs = certificates(certificatePem);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                store.setCertificateEntry("azimuth" + (i == 0 ? "" : "-" + i), certs.get(i));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, TRUSTSTORE_PASSWORD.toCharArray());
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the TLS certificate is not a readable X.509 PEM: " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path target, byte[] content, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own permissions apply
            }
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

package io.azimuth.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The management certificates the classic API trusts in strict mode: uploaded through the emulator's endpoint,
 * kept (as PEM) in the data directory, known by their SHA-1 thumbprint as Azure names them.
 */
public final class ManagementCertificates {
    static final String FILE_NAME = "management-certificates.pem";
    private final Path file;
    private final Map<String, X509Certificate> trusted = new LinkedHashMap<>();

    private ManagementCertificates(Path file) {
        this.file = file;
    }

    public static ManagementCertificates inMemory() {
        return new ManagementCertificates(null);
    }

    /** The certificates kept in {@code dataDir}, read now. */
    public static ManagementCertificates inDirectory(Path dataDir) {
        ManagementCertificates c = new ManagementCertificates(dataDir.resolve(FILE_NAME));
        if (Files.exists(c.file)) {
            try {
                for (X509Certificate cert : parse(Files.readAllBytes(c.file))) {
                    c.trusted.put(thumbprint(cert), cert);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + c.file, e);
            }
        }
        return c;
    }

    /**
     * Trusts the certificates in {@code encoded} (PEM, or one DER certificate, raw or base64).
     *
     * @return the certificates added
     * @throws IllegalArgumentException when it holds no certificate
     */
    public synchronized List<X509Certificate> trust(byte[] encoded) {
        List<X509Certificate> certs = parse(encoded);
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("the body holds no X.509 certificate (PEM or DER)");
        }
        for (X509Certificate cert : certs) {
            trusted.put(thumbprint(cert), cert);
        }
        save();
        return certs;
    }

    public synchronized boolean remove(String thumbprint) {
        boolean removed = trusted.remove(thumbprint.toUpperCase(java.util.Locale.ROOT)) != null;
        if (removed) {
            save();
        }
        return removed;
    }

    public synchronized boolean isTrusted(X509Certificate certificate) {
        return trusted.containsKey(thumbprint(certificate));
    }

    public synchronized Collection<X509Certificate> all() {
        return List.copyOf(trusted.values());
    }

    /** The SHA-1 thumbprint, upper-case hex, as the classic API and the portal show it. */
    public static String thumbprint(X509Certificate certificate) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> parse(byte[] encoded) {
        byte[] bytes = encoded;
        String text = new String(encoded, StandardCharsets.US_ASCII).trim();
        if (!text.contains("-----BEGIN") && text.matches("[A-Za-z0-9+/=\\s]+")) {
            try {
                bytes = Base64.getMimeDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                bytes = encoded;
            }
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the body is not an X.509 certificate (PEM or DER): " + e.getMessage());
        }
    }

    private void save() {
        if (file == null) {
            return;
        }
        StringBuilder pem = new StringBuilder();
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate cert : trusted.values()) {
            try {
                pem.append("-----BEGIN CERTIFICATE-----\n").append(mime.encodeToString(cert.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            DataFiles.replace(file, pem.toString().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}

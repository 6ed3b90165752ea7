package io.azimuth.classic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Service certificates of a cloud service: add (a {@code .cer} or a password-protected {@code .pfx}; only the
 * public certificate is kept, never the key or the password), list, get, delete. Their SHA-1 thumbprints are what
 * provisioning configurations (stored certificates, SSH keys) refer to.
 */
final class ServiceCertificates {
    private final Store store;
    private final ClassicOperations operations;

    ServiceCertificates(Store store, ClassicOperations operations) {
        this.store = store;
        this.operations = operations;
        operations.register("certificates/add", this::completeAdd);
        operations.register("certificates/delete", (tx, op) -> {
            ClassicRecords.delete(tx, op.target());
            return Completion.empty();
        });
    }

    static List<ObjectNode> inService(StoreTx tx, String subscription, String service) {
        return ClassicRecords.list(tx, subscription, ClassicRecords.CERTIFICATE,
                ClassicRecords.serviceId(subscription, service) + "/certificates/");
    }

    /** The service's thumbprints, upper-case. */
    static Set<String> thumbprints(StoreTx tx, String subscription, String service) {
        Set<String> out = new HashSet<>();
        for (ObjectNode cert : inService(tx, subscription, service)) {
            out.add(cert.path("Thumbprint").asText().toUpperCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(out);
    }

    StoredOperation add(ApiRequest r, String data, String format, String password) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        if (data == null || data.isBlank()) {
            throw Elements.missing("CertificateFile/Data");
        }
        if (format == null || format.isBlank()) {
            throw Elements.missing("CertificateFile/CertificateFormat");
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(data.strip());
        } catch (IllegalArgumentException e) {
            throw ClassicErrors.badRequest("The value of 'CertificateFile/Data' is not a base-64 encoded string.");
        }
        X509Certificate cert = switch (format.strip().toLowerCase(Locale.ROOT)) {
            case "pfx" -> fromPfx(bytes, password);
            case "cer" -> fromCer(bytes);
            default -> throw ClassicErrors.badRequest("The value '" + format + "' of 'CertificateFile/CertificateFormat' "
                    + "is not a certificate format: it is pfx or cer.");
        };
        String thumbprint = thumbprint(cert);
        byte[] der;
        try {
            der = cert.getEncoded();
        } catch (GeneralSecurityException e) {
            throw ClassicErrors.badRequest("The certificate in 'CertificateFile/Data' cannot be encoded.");
        }
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            String id = ClassicRecords.certificateId(sub, svc, thumbprint);
            if (ClassicRecords.get(tx, id).isPresent()) {
                throw ClassicErrors.conflict("The cloud service '" + svc + "' already has the certificate with "
                        + "thumbprint " + thumbprint + ".");
            }
            ObjectNode input = Json.object();
            input.put("service", svc);
            input.put("thumbprint", thumbprint);
            input.put("data", Base64.getEncoder().encodeToString(der));
            return operations.begin(tx, r, "certificates/add", ClassicRecords.key(id), input, false);
        });
        operations.track(op);
        return op;
    }

    private Completion completeAdd(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        String sub = op.subscription();
        String svc = in.path("service").asText();
        CloudServices.require(tx, sub, svc);
        ObjectNode doc = Json.object();
        doc.put("Thumbprint", in.path("thumbprint").asText());
        doc.put("ThumbprintAlgorithm", "sha1");
        doc.put("Data", in.path("data").asText());
        ClassicRecords.put(tx, ClassicRecords.certificateId(sub, svc, in.path("thumbprint").asText()), sub,
                ClassicRecords.CERTIFICATE, in.path("thumbprint").asText(), doc);
        return Completion.empty();
    }

    List<ObjectNode> list(String subscription, String service) {
        return store.read(tx -> {
            CloudServices.require(tx, subscription, service);
            return inService(tx, subscription, service);
        });
    }

    /** {@code name} is {@code {algorithm}-{thumbprint}}, as in the certificate URL. */
    ObjectNode get(String subscription, String service, String name) {
        String thumbprint = thumbprintOf(name);
        return store.read(tx -> {
            CloudServices.require(tx, subscription, service);
            return ClassicRecords.get(tx, ClassicRecords.certificateId(subscription, service, thumbprint))
                    .orElseThrow(() -> ClassicErrors.notFound("The certificate '" + name + "' does not exist in the "
                            + "cloud service '" + service + "'."));
        });
    }

    StoredOperation delete(ApiRequest r) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String name = r.param("certificate");
        String thumbprint = thumbprintOf(name);
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            String id = ClassicRecords.certificateId(sub, svc, thumbprint);
            if (ClassicRecords.get(tx, id).isEmpty()) {
                throw ClassicErrors.notFound("The certificate '" + name + "' does not exist in the cloud service '"
                        + svc + "'.");
            }
            return operations.begin(tx, r, "certificates/delete", ClassicRecords.key(id), null, false);
        });
        operations.track(op);
        return op;
    }

    private static String thumbprintOf(String name) {
        int dash = name.indexOf('-');
        if (dash <= 0 || !name.substring(0, dash).equalsIgnoreCase("sha1")) {
            throw ClassicErrors.badRequest("The certificate '" + name + "' is not named {algorithm}-{thumbprint} "
                    + "with the algorithm sha1.");
        }
        return name.substring(dash + 1).toUpperCase(Locale.ROOT);
    }

    static String thumbprint(X509Certificate cert) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    private static X509Certificate fromCer(byte[] bytes) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw ClassicErrors.badRequest("The value of 'CertificateFile/Data' is not an X.509 certificate (.cer).");
        }
    }

    private static X509Certificate fromPfx(byte[] bytes, String password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password == null ? new char[0] : password.toCharArray());
            X509Certificate any = null;
            for (String alias : Collections.list(store.aliases())) {
                Certificate c = store.getCertificate(alias);
                if (c instanceof X509Certificate x) {
                    if (store.isKeyEntry(alias)) {
                        return x;
                    }
                    any = any == null ? x : any;
                }
            }
            if (any == null) {
                throw ClassicErrors.badRequest("The PFX in 'CertificateFile/Data' holds no certificate.");
            }
            return any;
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw ClassicErrors.badRequest("The value of 'CertificateFile/Data' is not a PFX that opens with the "
                    + "given 'CertificateFile/Password'.");
        }
    }
}

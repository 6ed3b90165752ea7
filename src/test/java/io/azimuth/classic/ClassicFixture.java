package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import io.azimuth.support.Xml;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Raw classic calls for tests: XML bodies, x-ms-version, and a virtual machine ready to capture. */
final class ClassicFixture {
    static final String SUB = TestServer.SUB;
    static final String VERSION = "2015-04-01";
    static final String NS = "http://schemas.microsoft.com/windowsazure";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    static final String ROOT_ATTRS = " xmlns=\"" + NS + "\" xmlns:i=\"" + XSI + "\"";
    static final String ACCOUNT = "store1";
    static final String WINDOWS_PASSWORD = "Sup3r-Secret-Windows!";
    static final String LINUX_PASSWORD = "Sup3r-Secret-Linux!";
    static final long VHD_SIZE = 1024 * 1024;

    private ClassicFixture() {
    }

    // ---- calls ----

    static Http.Response call(Http http, String method, String path, String body) {
        return call(http, method, path, body, VERSION);
    }

    static Http.Response call(Http http, String method, String path, String body, String version) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (version != null) {
            headers.put("x-ms-version", version);
        }
        if (body != null) {
            headers.put("Content-Type", "application/xml");
        }
        return http.sendBody(method, path.startsWith("/" + SUB) || path.startsWith("http") ? path : "/" + SUB + path,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body), headers);
    }

    static Http.Response get(Http http, String path) {
        return call(http, "GET", path, null);
    }

    /** A success: the status, and the request id every classic answer carries. */
    static Http.Response assertStatus(Http.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("x-ms-request-id")).matches("[0-9a-f]{32}");
        return r;
    }

    /** A refusal: status, the classic error body in its namespace, the code, and what the message names. */
    static Xml assertError(Http.Response r, int status, String code, String... mentions) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("x-ms-request-id")).matches("[0-9a-f]{32}");
        assertThat(r.header("Content-Type")).startsWith("application/xml");
        Xml x = Xml.parse(r.body());
        assertThat(x.rootName()).isEqualTo("Error");
        assertThat(x.namespace()).isEqualTo(NS);
        assertThat(x.children("")).containsExactly("Code", "Message");
        assertThat(x.text("Code")).as(r.body()).isEqualTo(code);
        for (String m : mentions) {
            assertThat(x.text("Message")).as(r.body()).contains(m);
        }
        return x;
    }

    static Xml xml(Http.Response r) {
        assertStatus(r, 200);
        return Xml.parse(r.body());
    }

    // ---- paths ----

    static String service(String svc) {
        return "/services/hostedservices/" + svc;
    }

    static String deployment(String svc, String dep) {
        return service(svc) + "/deployments/" + dep;
    }

    static String role(String svc, String dep, String role) {
        return deployment(svc, dep) + "/roles/" + role;
    }

    static String operations(String svc, String dep, String role) {
        return deployment(svc, dep) + "/roleinstances/" + role + "/Operations";
    }

    static String media(String container, String blob) {
        return "https://" + ACCOUNT + ".blob.core.windows.net/" + container + "/" + blob;
    }

    // ---- cloud services and certificates ----

    static String createServiceXml(String name) {
        return "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>" + name + "</ServiceName><Label>"
                + Base64.getEncoder().encodeToString(name.getBytes()) + "</Label><Location>West US</Location>"
                + "</CreateHostedService>";
    }

    static void createService(Http http, String name) {
        assertStatus(call(http, "POST", "/services/hostedservices", createServiceXml(name)), 201);
    }

    /** A self-signed certificate: its DER and its SHA-1 thumbprint. */
    record Cert(X509Certificate certificate, KeyPair keys, String thumbprint) {
        String base64() {
            try {
                return Base64.getEncoder().encodeToString(certificate.getEncoded());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Cert certificate(String cn) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + cn);
            Instant now = Instant.now();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            String thumb = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(cert.getEncoded()));
            return new Cert(cert, pair, thumb);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS context presenting {@code cert} as the client certificate and trusting the server's {@code serverPem}. */
    static javax.net.ssl.SSLContext withClientCertificate(Cert cert, String serverPem) {
        try {
            java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("management", cert.keys().getPrivate(), "pw".toCharArray(),
                    new java.security.cert.Certificate[]{cert.certificate()});
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "pw".toCharArray());
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("azimuth", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(
                            serverPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String certificateFileXml(String data, String format, String password) {
        return "<CertificateFile" + ROOT_ATTRS + "><Data>" + data + "</Data><CertificateFormat>" + format
                + "</CertificateFormat>" + (password == null ? "" : "<Password>" + password + "</Password>")
                + "</CertificateFile>";
    }

    /** Adds a new certificate to the service; its thumbprint. */
    static String addCertificate(Http http, String svc) {
        Cert cert = certificate("svc-" + svc);
        assertStatus(call(http, "POST", service(svc) + "/certificates", certificateFileXml(cert.base64(), "cer",
                null)), 202);
        return cert.thumbprint();
    }

    // ---- images ----

    static String addImageXml(String name, String mediaLink, String os) {
        return "<OSImage" + ROOT_ATTRS + "><Label>" + name + " label</Label><MediaLink>" + mediaLink
                + "</MediaLink><Name>" + name + "</Name><OS>" + os + "</OS></OSImage>";
    }

    /** A VHD in the blob store and an OS image made of it. */
    static void addImage(TestServer server, String name, String os) {
        server.putVhd(ACCOUNT, "images", name + ".vhd", VHD_SIZE);
        assertStatus(call(server.http, "POST", "/services/images", addImageXml(name, media("images", name + ".vhd"),
                os)), 200);
    }

    static List<String> imageNames(Http http) {
        return xml(get(http, "/services/images")).texts("OSImage/Name");
    }

    static List<String> blobs(Http http, String container) {
        Http.Response r = http.get("/_azimuth/blobs/" + ACCOUNT + "/" + container);
        List<String> names = new ArrayList<>();
        r.json().path("value").forEach(b -> names.add(b.path("name").asText()));
        return names;
    }

    // ---- deployments ----

    static String roleXml(String root, String roleName, String configurationSets, String osDisk) {
        return "<" + root + (root.equals("PersistentVMRole") ? ROOT_ATTRS : "") + "><RoleName>" + roleName
                + "</RoleName><RoleType>PersistentVMRole</RoleType>"
                + (configurationSets == null ? "" : "<ConfigurationSets>" + configurationSets + "</ConfigurationSets>")
                + osDisk + "<RoleSize>Small</RoleSize></" + root + ">";
    }

    static String osDiskFromImage(String image, String mediaLink) {
        return "<OSVirtualHardDisk><HostCaching>ReadWrite</HostCaching><MediaLink>" + mediaLink
                + "</MediaLink><SourceImageName>" + image + "</SourceImageName></OSVirtualHardDisk>";
    }

    static String deploymentXml(String dep, String roleXml) {
        return "<Deployment" + ROOT_ATTRS + "><Name>" + dep + "</Name><DeploymentSlot>Production</DeploymentSlot>"
                + "<Label>" + dep + "</Label><RoleList>" + roleXml + "</RoleList></Deployment>";
    }

    static String network() {
        return "<ConfigurationSet i:type=\"NetworkConfigurationSet\"><ConfigurationSetType>NetworkConfiguration"
                + "</ConfigurationSetType><InputEndpoints><InputEndpoint><LocalPort>22</LocalPort><Name>SSH</Name>"
                + "<Port>22</Port><Protocol>tcp</Protocol></InputEndpoint></InputEndpoints></ConfigurationSet>";
    }

    /**
     * A cloud service {@code svc} with a deployment {@code dep} of one role {@code role} made from a new OS image
     * (Linux or Windows), its OS disk at {@code vhds/{svc}-{role}.vhd}; the request id of the deployment's creation.
     */
    static String createVm(TestServer server, String svc, String dep, String role, String os) {
        Http http = server.http;
        createService(http, svc);
        String image = "base-" + os.toLowerCase() + "-" + svc;
        addImage(server, image, os);
        ConfigSet set = os.equals("Windows") ? ConfigSet.windows() : ConfigSet.linux();
        String body = deploymentXml(dep, roleXml("Role", role, set.xml("ConfigurationSet") + network(),
                osDiskFromImage(image, media("vhds", svc + "-" + role + ".vhd"))));
        return assertStatus(call(http, "POST", service(svc) + "/deployments", body), 202).header("x-ms-request-id");
    }

    static String shutdownXml(String action) {
        return "<ShutdownRoleOperation" + ROOT_ATTRS + "><OperationType>ShutdownRoleOperation</OperationType>"
                + (action == null ? "" : "<PostShutdownAction>" + action + "</PostShutdownAction>")
                + "</ShutdownRoleOperation>";
    }

    static String startXml() {
        return "<StartRoleOperation" + ROOT_ATTRS + "><OperationType>StartRoleOperation</OperationType>"
                + "</StartRoleOperation>";
    }

    static void shutdown(Http http, String svc, String dep, String role, String action) {
        assertStatus(call(http, "POST", operations(svc, dep, role), shutdownXml(action)), 202);
    }

    static String captureXml(String action, String provisioning, String label, String name) {
        return "<CaptureRoleOperation" + ROOT_ATTRS + "><OperationType>CaptureRoleOperation</OperationType>"
                + (action == null ? "" : "<PostCaptureAction>" + action + "</PostCaptureAction>")
                + (provisioning == null ? "" : provisioning)
                + (label == null ? "" : "<TargetImageLabel>" + label + "</TargetImageLabel>")
                + (name == null ? "" : "<TargetImageName>" + name + "</TargetImageName>")
                + "</CaptureRoleOperation>";
    }

    static Xml deploymentXml(Http http, String svc, String dep) {
        return xml(get(http, deployment(svc, dep)));
    }

    static String instanceStatus(Http http, String svc, String dep) {
        return deploymentXml(http, svc, dep).text("RoleInstanceList/RoleInstance/InstanceStatus");
    }

    static Xml operation(Http http, String requestId) {
        return xml(get(http, "/operations/" + requestId));
    }

    /**
     * A provisioning configuration set as XML, its elements always written in documented order whatever order
     * they are set in.
     */
    static final class ConfigSet {
        static final List<String> WINDOWS = List.of("ConfigurationSetType", "ComputerName", "AdminPassword",
                "ResetPasswordOnFirstLogon", "EnableAutomaticUpdates", "TimeZone", "DomainJoin",
                "StoredCertificateSettings", "WinRM", "AdminUsername", "CustomData", "AdditionalUnattendContent");
        static final List<String> LINUX = List.of("ConfigurationSetType", "HostName", "UserName", "UserPassword",
                "DisableSshPasswordAuthentication", "SSH", "CustomData");

        private final List<String> order;
        private final String type;
        private final Map<String, String> values = new HashMap<>();

        private ConfigSet(List<String> order, String type) {
            this.order = order;
            this.type = type;
            values.put("ConfigurationSetType", type);
        }

        static ConfigSet windows() {
            return new ConfigSet(WINDOWS, "WindowsProvisioningConfiguration").set("ComputerName", "capvm")
                    .set("AdminPassword", WINDOWS_PASSWORD).set("AdminUsername", "azureuser");
        }

        static ConfigSet linux() {
            return new ConfigSet(LINUX, "LinuxProvisioningConfiguration").set("HostName", "caphost")
                    .set("UserName", "azureuser").set("UserPassword", LINUX_PASSWORD);
        }

        /** {@code content} is the element's inner XML, written as given. */
        ConfigSet set(String name, String content) {
            if (!order.contains(name)) {
                throw new IllegalArgumentException(name + " is not an element of a " + type + " set");
            }
            values.put(name, content);
            return this;
        }

        ConfigSet without(String name) {
            values.remove(name);
            return this;
        }

        String xml(String element) {
            StringBuilder b = new StringBuilder("<").append(element).append(" i:type=\"")
                    .append(type.replace("Configuration", "ConfigurationSet")).append("\">");
            for (String name : order) {
                if (values.containsKey(name)) {
                    b.append('<').append(name).append('>').append(values.get(name)).append("</").append(name)
                            .append('>');
                }
            }
            return b.append("</").append(element).append('>').toString();
        }

        /** As Capture Role's ProvisioningConfiguration. */
        String provisioning() {
            return xml("ProvisioningConfiguration");
        }
    }
}

package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Xml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Base64;

import static io.azimuth.classic.ClassicFixture.ROOT_ATTRS;
import static io.azimuth.classic.ClassicFixture.SUB;
import static io.azimuth.classic.ClassicFixture.addCertificate;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.certificate;
import static io.azimuth.classic.ClassicFixture.certificateFileXml;
import static io.azimuth.classic.ClassicFixture.createService;
import static io.azimuth.classic.ClassicFixture.createServiceXml;
import static io.azimuth.classic.ClassicFixture.get;
import static io.azimuth.classic.ClassicFixture.service;
import static io.azimuth.classic.ClassicFixture.xml;
import static org.assertj.core.api.Assertions.assertThat;

/** Cloud services and their service certificates, over raw HTTP, against the recorded payloads. */
class CloudServiceTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void reset() {
        server.reset();
    }

    // ---- cloud services ----

    @Test
    void theRecordedCreateRequestIsAnswered201WithLocation() {
        Http.Response r = assertStatus(call(server.http(), "POST", "/services/hostedservices",
                ClassicExamples.read("CreateHostedService.request.xml")), 201);
        assertThat(r.body()).isEmpty();
        assertThat(r.header("Location")).isEqualTo(server.http().base() + "/subscriptions/" + SUB + "/compute/utsvc1ee3195f");
    }

    @Test
    void getAnswersAsTheRecordedResponse() {
        assertStatus(call(server.http(), "POST", "/services/hostedservices",
                ClassicExamples.read("CreateHostedService.request.xml")), 201);
        Xml x = xml(get(server.http(), service("utsvc1ee3195f")));
        Xml recorded = ClassicExamples.xml("GetHostedService.response.xml");
        assertThat(x.children("")).isEqualTo(recorded.children(""));
        assertThat(x.children("HostedServiceProperties")).isEqualTo(recorded.children("HostedServiceProperties"));
        for (String path : new String[]{"ServiceName", "HostedServiceProperties/Description",
                "HostedServiceProperties/Location", "HostedServiceProperties/Label", "HostedServiceProperties/Status"}) {
            assertThat(x.text(path)).as(path).isEqualTo(recorded.text(path));
        }
        assertThat(x.texts("HostedServiceProperties/ExtendedProperties/ExtendedProperty/Name"))
                .isEqualTo(recorded.texts("HostedServiceProperties/ExtendedProperties/ExtendedProperty/Name"));
        assertThat(x.text("Url")).isEqualTo(server.http().base() + "/" + SUB + "/services/hostedservices/utsvc1ee3195f");
        assertThat(x.text("HostedServiceProperties/DateCreated")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(x.allInClassicNamespace()).isTrue();
    }

    @Test
    void namesAreCaseInsensitiveAndKeepTheirCasing() {
        createService(server.http(), "MixedCase");
        assertThat(xml(get(server.http(), service("mixedcase"))).text("ServiceName")).isEqualTo("MixedCase");
        assertError(call(server.http(), "POST", "/services/hostedservices", createServiceXml("MIXEDCASE")), 409,
                "ConflictError", "MIXEDCASE");
    }

    @Test
    void listHoldsEveryService() {
        createService(server.http(), "svc-a");
        createService(server.http(), "svc-b");
        Xml list = xml(get(server.http(), "/services/hostedservices"));
        assertThat(list.rootName()).isEqualTo("HostedServices");
        assertThat(list.texts("HostedService/ServiceName")).containsExactly("svc-a", "svc-b");
    }

    @Test
    void deleteAnswers200AndTheServiceIsGone() {
        createService(server.http(), "svc-del");
        String thumb = addCertificate(server.http(), "svc-del");
        Http.Response r = assertStatus(call(server.http(), "DELETE", service("svc-del"), null), 200);
        assertThat(ClassicFixture.operation(server.http(), r.header("x-ms-request-id")).text("Status")).isEqualTo("Succeeded");
        Http.Response gone = get(server.http(), service("svc-del"));
        assertError(gone, 404, "ResourceNotFound");
        assertThat(gone.body()).isEqualTo(ClassicExamples.read("Error_ResourceNotFound_HostedService.response.xml"));
        // its certificates went with it
        createService(server.http(), "svc-del");
        assertError(get(server.http(), service("svc-del") + "/certificates/sha1-" + thumb), 404, "ResourceNotFound");
    }

    @Test
    void aServiceWithADeploymentCannotBeDeleted() {
        ClassicFixture.createVm(server.server(), "svc-busy", "dep", "vm1", "Linux");
        assertError(call(server.http(), "DELETE", service("svc-busy"), null), 409, "ConflictError", "dep");
    }

    @Test
    void theNameIsADnsPrefix() {
        assertError(call(server.http(), "POST", "/services/hostedservices", createServiceXml("bad_name")), 400, "BadRequest",
                "CreateHostedService/ServiceName");
        assertError(call(server.http(), "POST", "/services/hostedservices", createServiceXml("-dash")), 400, "BadRequest");
    }

    @Test
    void theLabelIsBase64OfAtMost100Characters() {
        String notBase64 = createServiceXml("svc-l").replaceFirst("<Label>[^<]*</Label>", "<Label>not base64!</Label>");
        assertError(call(server.http(), "POST", "/services/hostedservices", notBase64), 400, "BadRequest",
                "CreateHostedService/Label");
        String long101 = Base64.getEncoder().encodeToString("x".repeat(101).getBytes());
        String tooLong = createServiceXml("svc-l").replaceFirst("<Label>[^<]*</Label>", "<Label>" + long101 + "</Label>");
        assertError(call(server.http(), "POST", "/services/hostedservices", tooLong), 400, "BadRequest", "100");
    }

    @Test
    void exactlyOneOfLocationAndAffinityGroup() {
        String both = "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>svc-x</ServiceName><Label>eA==</Label>"
                + "<Location>West US</Location><AffinityGroup>ag</AffinityGroup></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", both), 400, "BadRequest", "Location",
                "AffinityGroup");
        String neither = "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>svc-x</ServiceName><Label>eA==</Label>"
                + "</CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", neither), 400, "BadRequest", "Location");
        String affinity = "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>svc-x</ServiceName><Label>eA==</Label>"
                + "<AffinityGroup>ag</AffinityGroup></CreateHostedService>";
        assertStatus(call(server.http(), "POST", "/services/hostedservices", affinity), 201);
        assertThat(xml(get(server.http(), service("svc-x"))).text("HostedServiceProperties/AffinityGroup")).isEqualTo("ag");
    }

    @Test
    void embedDetailAddsTheDeployments() {
        ClassicFixture.createVm(server.server(), "svc-e", "dep-e", "vm1", "Linux");
        assertThat(xml(get(server.http(), service("svc-e"))).has("Deployments")).isFalse();
        Xml x = xml(get(server.http(), service("svc-e") + "?embed-detail=true"));
        assertThat(x.texts("Deployments/Deployment/Name")).containsExactly("dep-e");
        assertThat(x.texts("Deployments/Deployment/RoleList/Role/RoleName")).containsExactly("vm1");
    }

    // ---- service certificates ----

    @Test
    void aCerCertificateIsAddedListedAndFetchedByThumbprint() {
        createService(server.http(), "svc-c");
        ClassicFixture.Cert cert = certificate("cer");
        Http.Response added = assertStatus(call(server.http(), "POST", service("svc-c") + "/certificates",
                certificateFileXml(cert.base64(), "cer", null)), 202);
        assertThat(added.body()).isEmpty();
        Xml list = xml(get(server.http(), service("svc-c") + "/certificates"));
        assertThat(list.rootName()).isEqualTo("Certificates");
        assertThat(list.children("Certificate")).containsExactly("CertificateUrl", "Thumbprint", "ThumbprintAlgorithm",
                "Data");
        assertThat(list.text("Certificate/Thumbprint")).isEqualTo(cert.thumbprint());
        assertThat(list.text("Certificate/ThumbprintAlgorithm")).isEqualTo("sha1");
        assertThat(list.text("Certificate/CertificateUrl")).endsWith("/services/hostedservices/svc-c/certificates/sha1-"
                + cert.thumbprint());
        Xml one = xml(get(server.http(), service("svc-c") + "/certificates/sha1-" + cert.thumbprint().toLowerCase()));
        assertThat(one.rootName()).isEqualTo("Certificate");
        assertThat(one.text("Data")).isEqualTo(cert.base64());
    }

    @Test
    void aPfxIsOpenedWithItsPasswordAndOnlyItsCertificateIsKept() throws Exception {
        createService(server.http(), "svc-p");
        ClassicFixture.Cert cert = certificate("pfx");
        java.security.KeyStore pfx = java.security.KeyStore.getInstance("PKCS12");
        pfx.load(null, null);
        pfx.setKeyEntry("k", cert.keys().getPrivate(), "pfx-Passw0rd".toCharArray(),
                new java.security.cert.Certificate[]{cert.certificate()});
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        pfx.store(out, "pfx-Passw0rd".toCharArray());
        String data = Base64.getEncoder().encodeToString(out.toByteArray());

        assertError(call(server.http(), "POST", service("svc-p") + "/certificates", certificateFileXml(data, "pfx", "wrong")),
                400, "BadRequest", "CertificateFile/Password");
        assertStatus(call(server.http(), "POST", service("svc-p") + "/certificates", certificateFileXml(data, "pfx",
                "pfx-Passw0rd")), 202);
        Xml one = xml(get(server.http(), service("svc-p") + "/certificates/sha1-" + cert.thumbprint()));
        assertThat(one.text("Data")).isEqualTo(cert.base64());
        assertThat(get(server.http(), service("svc-p") + "/certificates").body()).doesNotContain("pfx-Passw0rd");
    }

    @Test
    void certificateRules() {
        createService(server.http(), "svc-r");
        assertError(call(server.http(), "POST", service("svc-r") + "/certificates", certificateFileXml("AAAA", "cer", null)),
                400, "BadRequest", "CertificateFile/Data");
        assertError(call(server.http(), "POST", service("svc-r") + "/certificates",
                certificateFileXml(certificate("f").base64(), "p7b", null)), 400, "BadRequest",
                "CertificateFile/CertificateFormat");
        assertError(call(server.http(), "POST", service("none") + "/certificates",
                certificateFileXml(certificate("f").base64(), "cer", null)), 404, "ResourceNotFound");
        ClassicFixture.Cert cert = certificate("twice");
        assertStatus(call(server.http(), "POST", service("svc-r") + "/certificates", certificateFileXml(cert.base64(), "cer",
                null)), 202);
        assertError(call(server.http(), "POST", service("svc-r") + "/certificates", certificateFileXml(cert.base64(), "cer",
                null)), 409, "ConflictError", cert.thumbprint());
        assertError(get(server.http(), service("svc-r") + "/certificates/sha1-00FF"), 404, "ResourceNotFound");
    }

    @Test
    void aCertificateIsDeleted() {
        createService(server.http(), "svc-d");
        String thumb = addCertificate(server.http(), "svc-d");
        assertStatus(call(server.http(), "DELETE", service("svc-d") + "/certificates/sha1-" + thumb, null), 202);
        assertThat(xml(get(server.http(), service("svc-d") + "/certificates")).all("Certificate")).isEmpty();
    }
}

package io.azimuth.classic;

import io.azimuth.server.AzimuthServer;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import io.azimuth.support.Xml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.certificate;
import static io.azimuth.classic.ClassicFixture.certificateFileXml;
import static io.azimuth.classic.ClassicFixture.createService;
import static io.azimuth.classic.ClassicFixture.createServiceXml;
import static io.azimuth.classic.ClassicFixture.get;
import static io.azimuth.classic.ClassicFixture.operation;
import static io.azimuth.classic.ClassicFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Get Operation Status: every mutating call is tracked under its request id, at once or under
 * {@code --operation-delay}, failures included, and across a restart.
 */
class ClassicOperationsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    @RegisterExtension
    static final ServerExtension delayed = ServerExtension.start(c -> c.withInMemory(false).withOperationDelay(700));

    static String dashed(String id) {
        return id.substring(0, 8) + "-" + id.substring(8, 12) + "-" + id.substring(12, 16) + "-" + id.substring(16, 20)
                + "-" + id.substring(20);
    }

    @Test
    void aSynchronousCallIsTrackedAsSucceededUnderItsRequestId() {
        Http.Response created = assertStatus(call(server.http(), "POST", "/services/hostedservices",
                createServiceXml("ops-sync")), 201);
        String id = created.header("x-ms-request-id");
        Xml op = operation(server.http(), id);
        assertThat(op.rootName()).isEqualTo("Operation");
        assertThat(op.children("")).isEqualTo(ClassicExamples.order("GetOperationStatus_Succeeded.response.xml", ""));
        assertThat(op.text("ID")).isEqualTo(dashed(id));
        assertThat(op.text("Status")).isEqualTo("Succeeded");
        assertThat(op.text("HttpStatusCode")).isEqualTo("200");
        assertThat(op.allInClassicNamespace()).isTrue();
        // the dashed form is accepted in the URL too
        assertThat(operation(server.http(), dashed(id)).text("ID")).isEqualTo(dashed(id));
    }

    @Test
    void unknownOperationsAreResourceNotFound() {
        assertError(get(server.http(), "/operations/" + UUID.randomUUID().toString().replace("-", "")), 404,
                "ResourceNotFound", "was not found");
        assertError(get(server.http(), "/operations/not-an-id"), 404, "ResourceNotFound");
    }

    @Test
    void anOperationIsOnlyVisibleInItsSubscription() {
        String id = assertStatus(call(server.http(), "POST", "/services/hostedservices", createServiceXml("ops-sub")), 201)
                .header("x-ms-request-id");
        String other = "/" + UUID.randomUUID() + "/operations/" + id;
        assertError(call(server.http(), "GET", other, null), 404, "ResourceNotFound");
    }

    @Test
    void underADelayAnOperationIsInProgressThenSucceeded() throws Exception {
        Http http = delayed.http();
        createService(http, "ops-delay");
        ClassicFixture.Cert cert = certificate("ops-delay");
        Http.Response added = assertStatus(call(http, "POST", service("ops-delay") + "/certificates",
                certificateFileXml(cert.base64(), "cer", null)), 202);
        String id = added.header("x-ms-request-id");
        Xml running = operation(http, id);
        assertThat(running.children("")).isEqualTo(
                ClassicExamples.order("GetOperationStatus_InProgress.response.xml", ""));
        assertThat(running.text("Status")).isEqualTo("InProgress");
        assertThat(running.has("HttpStatusCode")).isFalse();
        assertThat(ClassicFixture.xml(get(http, service("ops-delay") + "/certificates")).all("Certificate")).isEmpty();

        Xml done = awaitEnd(http, id);
        assertThat(done.text("Status")).isEqualTo("Succeeded");
        assertThat(done.text("HttpStatusCode")).isEqualTo("200");
        assertThat(ClassicFixture.xml(get(http, service("ops-delay") + "/certificates")).texts("Certificate/Thumbprint"))
                .containsExactly(cert.thumbprint());
    }

    @Test
    void aFailedOperationReportsItsError() throws Exception {
        Http http = delayed.http();
        createService(http, "ops-fail");
        ClassicFixture.Cert cert = certificate("ops-fail");
        String id = assertStatus(call(http, "POST", service("ops-fail") + "/certificates",
                certificateFileXml(cert.base64(), "cer", null)), 202).header("x-ms-request-id");
        // the service goes before the certificate could be added to it
        assertStatus(call(http, "DELETE", service("ops-fail"), null), 200);
        Xml failed = awaitEnd(http, id);
        assertThat(failed.text("Status")).isEqualTo("Failed");
        assertThat(failed.text("HttpStatusCode")).isEqualTo("404");
        assertThat(failed.children("")).containsExactly("ID", "Status", "HttpStatusCode", "Error");
        assertThat(failed.children("Error")).containsExactly("Code", "Message");
        assertThat(failed.text("Error/Code")).isEqualTo("ResourceNotFound");
        assertThat(failed.text("Error/Message")).isEqualTo("The hosted service does not exist.");
    }

    @Test
    void anOperationInProgressFinishesAfterARestart() throws Exception {
        Path dir = Files.createTempDirectory("azimuth-classic-restart");
        Config config = Config.forTests(dir).withInMemory(false).withOperationDelay(1500);
        String id;
        ClassicFixture.Cert cert = certificate("restart");
        try (AzimuthServer first = AzimuthServer.start(config)) {
            Http http = Http.plain("http://127.0.0.1:" + first.httpPort());
            createService(http, "ops-restart");
            id = assertStatus(call(http, "POST", service("ops-restart") + "/certificates",
                    certificateFileXml(cert.base64(), "cer", null)), 202).header("x-ms-request-id");
            assertThat(operation(http, id).text("Status")).isEqualTo("InProgress");
        }
        try (AzimuthServer second = AzimuthServer.start(config)) {
            Http http = Http.plain("http://127.0.0.1:" + second.httpPort());
            Xml done = awaitEnd(http, id);
            assertThat(done.text("Status")).isEqualTo("Succeeded");
            assertThat(ClassicFixture.xml(get(http, service("ops-restart") + "/certificates"))
                    .texts("Certificate/Thumbprint")).containsExactly(cert.thumbprint());
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    static Xml awaitEnd(Http http, String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            Xml op = operation(http, id);
            if (!op.text("Status").equals("InProgress") || System.currentTimeMillis() > deadline) {
                return op;
            }
            Thread.sleep(50);
        }
    }
}

package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Xml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static io.azimuth.classic.ClassicFixture.ConfigSet;
import static io.azimuth.classic.ClassicFixture.ROOT_ATTRS;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.blobs;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.captureXml;
import static io.azimuth.classic.ClassicFixture.createVm;
import static io.azimuth.classic.ClassicFixture.deployment;
import static io.azimuth.classic.ClassicFixture.get;
import static io.azimuth.classic.ClassicFixture.imageNames;
import static io.azimuth.classic.ClassicFixture.instanceStatus;
import static io.azimuth.classic.ClassicFixture.media;
import static io.azimuth.classic.ClassicFixture.operations;
import static io.azimuth.classic.ClassicFixture.osDiskFromImage;
import static io.azimuth.classic.ClassicFixture.roleXml;
import static io.azimuth.classic.ClassicFixture.shutdown;
import static io.azimuth.classic.ClassicFixture.xml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capture Role (seed 000) over raw HTTP: 202 with a request id; the role must be shut down; the OS VHD is copied
 * beside the OS disk and registered as a User image under a free name; Delete removes the VM, Reprovision
 * redeploys it from the image; every refusal changes nothing.
 */
class CaptureRoleTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    @RegisterExtension
    static final ServerExtension delayed = ServerExtension.start(c -> c.withInMemory(false).withOperationDelay(800));

    @BeforeEach
    void vm() {
        server.reset();
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
    }

    static Http.Response capture(String body) {
        return call(server.http(), "POST", operations("svc", "dep", "vm1"), body);
    }

    /** What a refused capture must leave as it was. */
    record State(List<String> vhds, List<String> images, String deployment) {
    }

    static State state() {
        Xml d = xml(get(server.http(), deployment("svc", "dep")));
        return new State(blobs(server.http(), "vhds"), imageNames(server.http()), d.text("RoleInstanceList/RoleInstance/InstanceStatus")
                + "/" + d.texts("RoleList/Role/RoleName") + "/" + d.text("RoleList/Role/OSVirtualHardDisk/SourceImageName"));
    }

    static void assertRefusedAndUnchanged(String body, int status, String code, String... mentions) {
        State before = state();
        assertError(capture(body), status, code, mentions);
        assertThat(state()).isEqualTo(before);
    }

    static String capturedBlob(String image) {
        return image + "-os-" + LocalDate.now(ZoneOffset.UTC) + ".vhd";
    }

    // ---- the answer ----

    @Test
    void aCaptureIsAnswered202WithARequestIdAndNoBody() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        Http.Response r = assertStatus(capture(captureXml("Delete", null, "My image", "captured")), 202);
        assertThat(r.body()).isEmpty();
        Xml op = ClassicFixture.operation(server.http(), r.header("x-ms-request-id"));
        assertThat(op.text("Status")).isEqualTo("Succeeded");
        assertThat(op.text("HttpStatusCode")).isEqualTo("200");
    }

    /**
     * A fault rule matched by the operation's element fails the capture after a delay: the operation ends Failed with
     * the chosen error in the classic API's own form, nothing was captured, and the role can be captured again.
     */
    @Test
    void aCaptureMadeToFailByAFaultRuleEndsFailedAndLeavesNothingCaptured() throws Exception {
        shutdown(server.http(), "svc", "dep", "vm1", null); // a ShutdownRoleOperation: not matched
        Http.Response rule = server.http().post("/_azimuth/faults", "{\"match\":{\"method\":\"POST\",\"operation\":"
                + "\"CaptureRoleOperation\"},\"effect\":{\"failOperationAfterMs\":300,\"code\":\"InternalError\","
                + "\"message\":\"The capture failed.\"},\"times\":1}");
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
        State before = state();
        Http.Response r = assertStatus(capture(captureXml("Delete", null, "l", "captured")), 202);
        String id = r.header("x-ms-request-id");
        assertThat(ClassicFixture.operation(server.http(), id).text("Status")).isEqualTo("InProgress");
        Xml op = ClassicFixture.operation(server.http(), id);
        for (int i = 0; i < 100 && op.text("Status").equals("InProgress"); i++) {
            Thread.sleep(50);
            op = ClassicFixture.operation(server.http(), id);
        }
        assertThat(op.text("Status")).isEqualTo("Failed");
        assertThat(op.text("HttpStatusCode")).isEqualTo("500");
        assertThat(op.text("Error/Code")).isEqualTo("InternalError");
        assertThat(op.text("Error/Message")).isEqualTo("The capture failed.");
        assertThat(state()).as("nothing captured, the role kept").isEqualTo(before);
        assertStatus(capture(captureXml("Delete", null, "l", "captured")), 202);
        assertThat(imageNames(server.http())).contains("captured");
    }

    // ---- the role must be shut down ----

    @Test
    void aRunningRoleIsRefusedWithAClearMessage() {
        assertRefusedAndUnchanged(captureXml("Delete", null, "l", "captured"), 409, "ConflictError",
                "'vm1' must be shut down before it is captured", "ReadyRole", "ShutdownRoleOperation");
    }

    @Test
    void aStoppedDeallocatedRoleCanBeCaptured() {
        shutdown(server.http(), "svc", "dep", "vm1", "StoppedDeallocated");
        assertStatus(capture(captureXml("Delete", null, "l", "captured")), 202);
        assertThat(imageNames(server.http())).contains("captured");
    }

    // ---- the copy and the image ----

    @Test
    void theOsVhdIsCopiedBesideTheOsDiskAndRegisteredAsAUserImage() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertStatus(capture(captureXml("Delete", null, "My captured image", "captured")), 202);
        String blob = capturedBlob("captured");
        assertThat(blobs(server.http(), "vhds")).contains(blob, "svc-vm1.vhd");
        Http.Response head = server.http().head("/_azimuth/blobs/" + ClassicFixture.ACCOUNT + "/vhds/" + blob);
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(ClassicFixture.VHD_SIZE + 512));
        Xml image = xml(get(server.http(), "/services/images/captured"));
        assertThat(image.text("Category")).isEqualTo("User");
        assertThat(image.text("Label")).isEqualTo("My captured image");
        assertThat(image.text("Name")).isEqualTo("captured");
        assertThat(image.text("OS")).isEqualTo("Linux");
        assertThat(image.text("MediaLink")).isEqualTo(media("vhds", blob));
        assertThat(image.text("Location")).isEqualTo("West US");
        assertThat(image.text("OSState")).isEqualTo("Generalized");
        assertThat(image.children("")).isEqualTo(ClassicExamples.order("GetOSImage.response.xml", ""));
        assertThat(imageNames(server.http())).containsExactly("base-linux-svc", "captured");
    }

    @Test
    void theTargetImageNameMustBeFree() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertRefusedAndUnchanged(captureXml("Delete", null, "l", "BASE-LINUX-SVC"), 409, "ConflictError",
                "BASE-LINUX-SVC", "CaptureRoleOperation/TargetImageName");
    }

    @Test
    void anImageUnderCaptureHoldsItsNameAndShowsOnceCaptured() throws Exception {
        Http slow = delayed.http();
        delayed.reset();
        ClassicOperationsTest.awaitEnd(slow, createVm(delayed.server(), "svc", "dep", "vm1", "Linux"));
        ClassicOperationsTest.awaitEnd(slow, shutdownRequest(slow));
        String id = assertStatus(call(slow, "POST", operations("svc", "dep", "vm1"),
                captureXml("Delete", null, "l", "slow-image")), 202).header("x-ms-request-id");
        assertThat(ClassicFixture.operation(slow, id).text("Status")).isEqualTo("InProgress");
        assertThat(ClassicFixture.imageNames(slow)).doesNotContain("slow-image");
        assertError(get(slow, "/services/images/slow-image"), 404, "ResourceNotFound");
        assertError(call(slow, "POST", "/services/images", ClassicFixture.addImageXml("slow-image",
                media("images", "base-linux-svc.vhd"), "Linux")), 409, "ConflictError", "slow-image");
        assertError(call(slow, "POST", operations("svc", "dep", "vm1"), ClassicFixture.startXml()), 409,
                "ConflictError", "exclusive access");
        assertThat(ClassicOperationsTest.awaitEnd(slow, id).text("Status")).isEqualTo("Succeeded");
        assertThat(ClassicFixture.imageNames(slow)).contains("slow-image");
        assertError(get(slow, deployment("svc", "dep")), 404, "ResourceNotFound");
    }

    private static String shutdownRequest(Http h) {
        return assertStatus(call(h, "POST", operations("svc", "dep", "vm1"), ClassicFixture.shutdownXml(null)), 202)
                .header("x-ms-request-id");
    }

    // ---- PostCaptureAction ----

    @Test
    void deleteRemovesTheVirtualMachine() {
        String second = roleXml("PersistentVMRole", "vm2", ConfigSet.linux().xml("ConfigurationSet"),
                osDiskFromImage("base-linux-svc", media("vhds", "vm2.vhd")));
        assertStatus(call(server.http(), "POST", deployment("svc", "dep") + "/roles", second), 202);
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertStatus(capture(captureXml("Delete", null, "l", "one")), 202);
        assertThat(xml(get(server.http(), deployment("svc", "dep"))).texts("RoleList/Role/RoleName")).containsExactly("vm2");
        assertError(get(server.http(), ClassicFixture.role("svc", "dep", "vm1")), 404, "ResourceNotFound");

        shutdown(server.http(), "svc", "dep", "vm2", null);
        assertStatus(call(server.http(), "POST", operations("svc", "dep", "vm2"), captureXml("Delete", null, "l", "two")), 202);
        // the deployment's last virtual machine went, and the deployment with it
        assertError(get(server.http(), deployment("svc", "dep")), 404, "ResourceNotFound");
        assertThat(imageNames(server.http())).contains("one", "two");
    }

    @Test
    void reprovisionRedeploysTheVirtualMachineFromTheCapturedImage() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        String set = ConfigSet.linux().set("HostName", "reborn").provisioning();
        assertStatus(capture(captureXml("Reprovision", set, "l", "golden")), 202);
        Xml d = xml(get(server.http(), deployment("svc", "dep")));
        assertThat(d.text("RoleInstanceList/RoleInstance/InstanceStatus")).isEqualTo("ReadyRole");
        assertThat(d.text("RoleInstanceList/RoleInstance/PowerState")).isEqualTo("Started");
        assertThat(d.text("RoleInstanceList/RoleInstance/HostName")).isEqualTo("reborn");
        assertThat(d.text("RoleList/Role/OSVirtualHardDisk/SourceImageName")).isEqualTo("golden");
        assertThat(d.text("RoleList/Role/OSVirtualHardDisk/MediaLink")).isEqualTo(media("vhds", "svc-vm1.vhd"));
        assertThat(imageNames(server.http())).contains("golden");
        // and it can be captured again once shut down
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertStatus(capture(captureXml("Delete", null, "l", "golden-2")), 202);
    }

    @Test
    void aProvisioningConfigurationIsOnlyAllowedWithReprovision() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertRefusedAndUnchanged(captureXml("Delete", ConfigSet.linux().provisioning(), "l", "x"), 400, "BadRequest",
                "CaptureRoleOperation/ProvisioningConfiguration", "Reprovision");
    }

    @Test
    void reprovisionNeedsAProvisioningConfiguration() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertRefusedAndUnchanged(captureXml("Reprovision", null, "l", "x"), 400, "BadRequest",
                "CaptureRoleOperation/ProvisioningConfiguration");
    }

    @Test
    void postCaptureActionIsDeleteOrReprovision() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertRefusedAndUnchanged(captureXml("delete", null, "l", "x"), 400, "BadRequest",
                "CaptureRoleOperation/PostCaptureAction");
        assertRefusedAndUnchanged(captureXml("Keep", null, "l", "x"), 400, "BadRequest",
                "CaptureRoleOperation/PostCaptureAction");
        assertRefusedAndUnchanged(captureXml(null, null, "l", "x"), 400, "BadRequest",
                "CaptureRoleOperation/PostCaptureAction");
    }

    @Test
    void targetImageNameAndLabelAreRequired() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertRefusedAndUnchanged(captureXml("Delete", null, "l", null), 400, "BadRequest",
                "CaptureRoleOperation/TargetImageName");
        assertRefusedAndUnchanged(captureXml("Delete", null, null, "x"), 400, "BadRequest",
                "CaptureRoleOperation/TargetImageLabel");
        assertRefusedAndUnchanged(captureXml("Delete", null, "l", "bad/name"), 400, "BadRequest",
                "CaptureRoleOperation/TargetImageName");
    }

    @Test
    void theProvisioningConfigurationMatchesTheRolesOs() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertRefusedAndUnchanged(captureXml("Reprovision", ConfigSet.windows().provisioning(), "l", "x"), 400,
                "BadRequest", "WindowsProvisioningConfiguration", "Linux");
        String network = "<ProvisioningConfiguration><ConfigurationSetType>NetworkConfiguration</ConfigurationSetType>"
                + "</ProvisioningConfiguration>";
        assertRefusedAndUnchanged(captureXml("Reprovision", network, "l", "x"), 400, "BadRequest",
                "CaptureRoleOperation/ProvisioningConfiguration");
        String untyped = "<ProvisioningConfiguration><HostName>h</HostName></ProvisioningConfiguration>";
        assertRefusedAndUnchanged(captureXml("Reprovision", untyped, "l", "x"), 400, "BadRequest",
                "ProvisioningConfiguration/ConfigurationSetType");
    }

    @Test
    void theOperationsElementsAreReadInTheirDocumentedOrder() {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        String swapped = "<CaptureRoleOperation" + ROOT_ATTRS + "><OperationType>CaptureRoleOperation</OperationType>"
                + "<PostCaptureAction>Delete</PostCaptureAction><TargetImageName>x</TargetImageName>"
                + "<TargetImageLabel>l</TargetImageLabel></CaptureRoleOperation>";
        assertRefusedAndUnchanged(swapped, 400, "InvalidXmlRequest", "CaptureRoleOperation/TargetImageLabel",
                "out of order");
        String late = ConfigSet.linux().provisioning().replace("<HostName>caphost</HostName>", "")
                .replace("</UserPassword>", "</UserPassword><HostName>caphost</HostName>");
        assertRefusedAndUnchanged(captureXml("Reprovision", late, "l", "x"), 400, "InvalidXmlRequest",
                "ProvisioningConfiguration/HostName");
        String noType = captureXml("Delete", null, "l", "x").replace("<OperationType>CaptureRoleOperation</OperationType>",
                "");
        assertRefusedAndUnchanged(noType, 400, "BadRequest", "CaptureRoleOperation/OperationType");
    }

    @Test
    void aMissingDeploymentOrRoleIsResourceNotFound() {
        assertError(call(server.http(), "POST", operations("svc", "nodep", "vm1"), captureXml("Delete", null, "l", "x")), 404,
                "ResourceNotFound", "nodep");
        assertError(call(server.http(), "POST", operations("svc", "dep", "novm"), captureXml("Delete", null, "l", "x")), 404,
                "ResourceNotFound", "novm");
        assertThat(imageNames(server.http())).containsExactly("base-linux-svc");
    }

    // ---- secrets ----

    @Test
    void passwordsAndCustomDataAreNeverStoredOrAnswered() throws IOException {
        shutdown(server.http(), "svc", "dep", "vm1", null);
        String marker = "CUSTOM-DATA-MARKER-4711";
        String set = ConfigSet.linux().set("UserPassword", "Never-Stored-Pa55word")
                .set("CustomData", Base64.getEncoder().encodeToString(marker.getBytes(StandardCharsets.UTF_8)))
                .provisioning();
        Http.Response r = assertStatus(capture(captureXml("Reprovision", set, "l", "secretive")), 202);
        Http.Response refused = capture(captureXml("Reprovision", ConfigSet.linux()
                .set("UserPassword", "Refused-Secret-Pa55word-" + "x".repeat(60)).provisioning(), "l", "again"));
        assertThat(refused.status()).isEqualTo(409);
        for (String body : new String[]{r.body(), refused.body(), get(server.http(), deployment("svc", "dep")).body(),
                get(server.http(), ClassicFixture.role("svc", "dep", "vm1")).body(),
                get(server.http(), "/operations/" + r.header("x-ms-request-id")).body()}) {
            assertThat(body).doesNotContain("Never-Stored-Pa55word", "Refused-Secret", marker,
                    Base64.getEncoder().encodeToString(marker.getBytes(StandardCharsets.UTF_8)));
        }
        try (Stream<Path> files = Files.walk(server.server().dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".blob")).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(content).as(f.toString()).doesNotContain("Never-Stored-Pa55word", marker,
                        Base64.getEncoder().encodeToString(marker.getBytes(StandardCharsets.UTF_8)),
                        ClassicFixture.LINUX_PASSWORD);
            }
        }
        assertThat(instanceStatus(server.http(), "svc", "dep")).isEqualTo("ReadyRole");
    }
}

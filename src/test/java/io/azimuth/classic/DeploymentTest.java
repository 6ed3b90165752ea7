package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Xml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.azimuth.classic.ClassicFixture.ConfigSet;
import static io.azimuth.classic.ClassicFixture.ROOT_ATTRS;
import static io.azimuth.classic.ClassicFixture.addImage;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.blobs;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.createService;
import static io.azimuth.classic.ClassicFixture.createVm;
import static io.azimuth.classic.ClassicFixture.deployment;
import static io.azimuth.classic.ClassicFixture.deploymentXml;
import static io.azimuth.classic.ClassicFixture.get;
import static io.azimuth.classic.ClassicFixture.instanceStatus;
import static io.azimuth.classic.ClassicFixture.media;
import static io.azimuth.classic.ClassicFixture.network;
import static io.azimuth.classic.ClassicFixture.operations;
import static io.azimuth.classic.ClassicFixture.osDiskFromImage;
import static io.azimuth.classic.ClassicFixture.role;
import static io.azimuth.classic.ClassicFixture.roleXml;
import static io.azimuth.classic.ClassicFixture.service;
import static io.azimuth.classic.ClassicFixture.shutdown;
import static io.azimuth.classic.ClassicFixture.shutdownXml;
import static io.azimuth.classic.ClassicFixture.startXml;
import static io.azimuth.classic.ClassicFixture.xml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Virtual-machine deployments and persistent VM roles over raw HTTP: create (one role, its OS disk copied from an
 * OS image or attached), get (as recorded), add and delete roles, delete deployments, and the role operations
 * Start and Shutdown.
 */
class DeploymentTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    @RegisterExtension
    static final ServerExtension delayed = ServerExtension.start(c -> c.withInMemory(false).withOperationDelay(800));

    @BeforeEach
    void reset() {
        server.reset();
        delayed.reset();
    }

    /** The elements both lists have come in the same order. */
    static void assertSameOrder(List<String> actual, List<String> recorded) {
        List<String> a = new ArrayList<>(actual);
        a.retainAll(recorded);
        List<String> r = new ArrayList<>(recorded);
        r.retainAll(actual);
        assertThat(a).as("in the recorded order " + recorded).isEqualTo(r);
    }

    static String linuxRole(String roleName, String image, String mediaBlob) {
        return roleXml("Role", roleName, ConfigSet.linux().xml("ConfigurationSet") + network(),
                osDiskFromImage(image, media("vhds", mediaBlob)));
    }

    // ---- create and get ----

    @Test
    void aDeploymentFromAnImageCopiesTheImagesVhdToTheMediaLink() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        Http.Response r = assertStatus(call(server.http(), "POST", service("svc") + "/deployments",
                deploymentXml("dep", linuxRole("vm1", "ubuntu", "svc-vm1.vhd"))), 202);
        assertThat(r.body()).isEmpty();
        assertThat(ClassicFixture.operation(server.http(), r.header("x-ms-request-id")).text("Status")).isEqualTo("Succeeded");
        assertThat(blobs(server.http(), "vhds")).containsExactly("svc-vm1.vhd");
        Xml d = ClassicFixture.deploymentXml(server.http(), "svc", "dep");
        assertThat(d.text("Status")).isEqualTo("Running");
        assertThat(d.text("RoleInstanceList/RoleInstance/InstanceStatus")).isEqualTo("ReadyRole");
        assertThat(d.text("RoleInstanceList/RoleInstance/PowerState")).isEqualTo("Started");
        assertThat(d.text("RoleInstanceList/RoleInstance/HostName")).isEqualTo("caphost");
        assertThat(d.text("RoleList/Role/OSVirtualHardDisk/SourceImageName")).isEqualTo("ubuntu");
        assertThat(d.text("RoleList/Role/OSVirtualHardDisk/MediaLink")).isEqualTo(media("vhds", "svc-vm1.vhd"));
        assertThat(d.text("RoleList/Role/OSVirtualHardDisk/OS")).isEqualTo("Linux");
        assertThat(d.text("RoleList/Role/OSVirtualHardDisk/DiskName")).startsWith("svc-vm1-0-");
    }

    @Test
    void getDeploymentAndGetRoleAnswerInTheRecordedShape() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        Xml d = ClassicFixture.deploymentXml(server.http(), "svc", "dep");
        Xml recorded = ClassicExamples.xml("GetDeployment_VM.response.xml");
        assertThat(d.allInClassicNamespace()).isTrue();
        assertSameOrder(d.children(""), recorded.children(""));
        assertThat(d.children("")).containsAll(List.of("Name", "DeploymentSlot", "PrivateID", "Status", "Label", "Url",
                "Configuration", "RoleInstanceList", "RoleList", "CreatedTime", "LastModifiedTime"));
        assertSameOrder(d.children("RoleInstanceList/RoleInstance"), recorded.children("RoleInstanceList/RoleInstance"));
        assertSameOrder(d.children("RoleList/Role"), recorded.children("RoleList/Role"));
        assertSameOrder(d.children("RoleList/Role/OSVirtualHardDisk"),
                recorded.children("RoleList/Role/OSVirtualHardDisk"));
        assertSameOrder(d.children("RoleList/Role/ConfigurationSets/ConfigurationSet/InputEndpoints/InputEndpoint"),
                recorded.children("RoleList/Role/ConfigurationSets/ConfigurationSet/InputEndpoints/InputEndpoint"));
        assertThat(d.all("RoleList/Role").get(0).getAttributeNS(ClassicFixture.XSI, "type"))
                .isEqualTo("PersistentVMRole");
        assertThat(d.text("Url")).isEqualTo("http://svc.cloudapp.net/");
        assertThat(d.text("DeploymentSlot")).isEqualTo("Production");
        assertThat(d.text("PrivateID")).matches("[0-9a-f]{32}");

        Xml role = xml(get(server.http(), role("svc", "dep", "vm1")));
        Xml recordedRole = ClassicExamples.xml("GetRole.response.xml");
        assertThat(role.rootName()).isEqualTo("PersistentVMRole");
        assertSameOrder(role.children(""), recordedRole.children(""));
        assertThat(role.children("")).containsExactly("RoleName", "OsVersion", "RoleType", "ConfigurationSets",
                "DataVirtualHardDisks", "OSVirtualHardDisk", "RoleSize");
        assertThat(role.texts("ConfigurationSets/ConfigurationSet/ConfigurationSetType"))
                .containsExactly("NetworkConfiguration");
        assertThat(role.text("ConfigurationSets/ConfigurationSet/InputEndpoints/InputEndpoint/Name")).isEqualTo("SSH");
        // provisioning sets, and their secrets, are never answered
        assertThat(get(server.http(), role("svc", "dep", "vm1")).body()).doesNotContain(ClassicFixture.LINUX_PASSWORD);
        assertThat(get(server.http(), deployment("svc", "dep")).body()).doesNotContain(ClassicFixture.LINUX_PASSWORD)
                .doesNotContain("LinuxProvisioningConfiguration");
    }

    @Test
    void theProductionSlotAnswersTheDeployment() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        assertThat(xml(get(server.http(), service("svc") + "/deploymentslots/Production")).text("Name")).isEqualTo("dep");
        assertError(get(server.http(), service("svc") + "/deploymentslots/Staging"), 404, "ResourceNotFound");
        assertError(get(server.http(), deployment("svc", "other")), 404, "ResourceNotFound", "other");
        assertError(get(server.http(), deployment("nosvc", "dep")), 404, "ResourceNotFound", "hosted service");
    }

    @Test
    void anExistingVhdIsAttachedAsItIs() {
        createService(server.http(), "svc");
        server.putVhd(ClassicFixture.ACCOUNT, "vhds", "special.vhd", ClassicFixture.VHD_SIZE);
        String disk = "<OSVirtualHardDisk><MediaLink>" + media("vhds", "special.vhd")
                + "</MediaLink><OS>Windows</OS></OSVirtualHardDisk>";
        assertStatus(call(server.http(), "POST", service("svc") + "/deployments",
                deploymentXml("dep", roleXml("Role", "vm1", network(), disk))), 202);
        assertThat(ClassicFixture.deploymentXml(server.http(), "svc", "dep").text("RoleList/Role/OSVirtualHardDisk/OS"))
                .isEqualTo("Windows");
        String missing = disk.replace("special.vhd", "missing.vhd");
        createService(server.http(), "svc2");
        assertError(call(server.http(), "POST", service("svc2") + "/deployments",
                deploymentXml("dep", roleXml("Role", "vm1", null, missing))), 400, "BadRequest", "missing.vhd");
        String noOs = "<OSVirtualHardDisk><MediaLink>" + media("vhds", "special.vhd") + "</MediaLink></OSVirtualHardDisk>";
        assertError(call(server.http(), "POST", service("svc2") + "/deployments",
                deploymentXml("dep", roleXml("Role", "vm1", null, noOs))), 400, "BadRequest", "OSVirtualHardDisk/OS");
    }

    @Test
    void anEmptyDataDiskIsCreatedBlank() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        String disks = "<DataVirtualHardDisks><DataVirtualHardDisk><Lun>0</Lun><LogicalDiskSizeInGB>1"
                + "</LogicalDiskSizeInGB><MediaLink>" + media("vhds", "data0.vhd")
                + "</MediaLink></DataVirtualHardDisk></DataVirtualHardDisks>";
        String role = linuxRole("vm1", "ubuntu", "os.vhd").replace("<OSVirtualHardDisk>", disks + "<OSVirtualHardDisk>");
        assertStatus(call(server.http(), "POST", service("svc") + "/deployments", deploymentXml("dep", role)), 202);
        assertThat(blobs(server.http(), "vhds")).containsExactly("data0.vhd", "os.vhd");
        Xml d = ClassicFixture.deploymentXml(server.http(), "svc", "dep");
        assertThat(d.text("RoleList/Role/DataVirtualHardDisks/DataVirtualHardDisk/LogicalDiskSizeInGB")).isEqualTo("1");
        assertThat(d.text("RoleList/Role/DataVirtualHardDisks/DataVirtualHardDisk/HostCaching")).isEqualTo("None");
    }

    // ---- creation rules: each refusal leaves nothing behind ----

    private void assertRefusedAndNothingCreated(String body, int status, String code, String... mentions) {
        assertError(call(server.http(), "POST", service("svc") + "/deployments", body), status, code, mentions);
        assertError(get(server.http(), deployment("svc", "dep")), 404, "ResourceNotFound");
        assertThat(blobs(server.http(), "vhds")).isEmpty();
    }

    @Test
    void onlyTheProductionSlot() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        assertRefusedAndNothingCreated(deploymentXml("dep", linuxRole("vm1", "ubuntu", "a.vhd"))
                .replace(">Production<", ">Staging<"), 400, "BadRequest", "Deployment/DeploymentSlot");
    }

    @Test
    void exactlyOneRole() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        assertRefusedAndNothingCreated(deploymentXml("dep", linuxRole("vm1", "ubuntu", "a.vhd")
                + linuxRole("vm2", "ubuntu", "b.vhd")), 400, "BadRequest", "exactly one role");
        assertRefusedAndNothingCreated("<Deployment" + ROOT_ATTRS + "><Name>dep</Name><DeploymentSlot>Production"
                + "</DeploymentSlot><Label>l</Label></Deployment>", 400, "BadRequest", "Deployment/RoleList/Role");
    }

    @Test
    void theRoleIsAPersistentVmRoleWithAnOsDisk() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        assertRefusedAndNothingCreated(deploymentXml("dep", linuxRole("vm1", "ubuntu", "a.vhd")
                .replace(">PersistentVMRole<", ">WebRole<")), 400, "BadRequest", "RoleType");
        assertRefusedAndNothingCreated(deploymentXml("dep", roleXml("Role", "vm1", network(), "")), 400,
                "BadRequest", "OSVirtualHardDisk");
        assertRefusedAndNothingCreated(deploymentXml("dep", roleXml("Role", "vm1", network(),
                "<OSVirtualHardDisk><SourceImageName>ubuntu</SourceImageName></OSVirtualHardDisk>")), 400,
                "BadRequest", "OSVirtualHardDisk/MediaLink");
    }

    @Test
    void theSourceImageMustExistAndTheMediaLinkMustBeFree() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        assertRefusedAndNothingCreated(deploymentXml("dep", linuxRole("vm1", "nosuchimage", "a.vhd")), 400,
                "BadRequest", "nosuchimage");
        server.putVhd(ClassicFixture.ACCOUNT, "vhds", "taken.vhd", ClassicFixture.VHD_SIZE);
        assertError(call(server.http(), "POST", service("svc") + "/deployments",
                deploymentXml("dep", linuxRole("vm1", "ubuntu", "taken.vhd"))), 409, "ConflictError", "taken.vhd");
        assertThat(blobs(server.http(), "vhds")).containsExactly("taken.vhd");
    }

    @Test
    void aRoleFromAnImageNeedsAProvisioningSetOfItsOs() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        assertRefusedAndNothingCreated(deploymentXml("dep", roleXml("Role", "vm1", network(),
                osDiskFromImage("ubuntu", media("vhds", "a.vhd")))), 400, "BadRequest",
                "LinuxProvisioningConfiguration");
        assertRefusedAndNothingCreated(deploymentXml("dep", roleXml("Role", "vm1",
                ConfigSet.windows().xml("ConfigurationSet"), osDiskFromImage("ubuntu", media("vhds", "a.vhd")))),
                400, "BadRequest", "WindowsProvisioningConfiguration", "Linux");
    }

    @Test
    void theProvisioningRulesApplyToNewRolesToo() {
        createService(server.http(), "svc");
        addImage(server.server(), "ubuntu", "Linux");
        assertRefusedAndNothingCreated(deploymentXml("dep", roleXml("Role", "vm1",
                ConfigSet.linux().set("HostName", "h".repeat(65)).xml("ConfigurationSet"),
                osDiskFromImage("ubuntu", media("vhds", "a.vhd")))), 400, "BadRequest",
                "ConfigurationSet[1]/HostName", "1 to 64");
    }

    @Test
    void vmImagesAreNotEmulated() {
        createService(server.http(), "svc");
        String role = "<Role><RoleName>vm1</RoleName><RoleType>PersistentVMRole</RoleType><VMImageName>img"
                + "</VMImageName></Role>";
        assertRefusedAndNothingCreated(deploymentXml("dep", role), 400, "BadRequest", "VMImageName");
    }

    @Test
    void aServiceHoldsOneDeployment() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        assertError(call(server.http(), "POST", service("svc") + "/deployments",
                deploymentXml("dep2", linuxRole("vm2", "base-linux-svc", "b.vhd"))), 409, "ConflictError",
                "Production");
        assertError(call(server.http(), "POST", service("nosvc") + "/deployments",
                deploymentXml("dep2", linuxRole("vm2", "base-linux-svc", "b.vhd"))), 404, "ResourceNotFound");
    }

    // ---- roles ----

    @Test
    void rolesAreAddedAndDeleted() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        String added = roleXml("PersistentVMRole", "vm2", ConfigSet.linux().xml("ConfigurationSet"),
                osDiskFromImage("base-linux-svc", media("vhds", "vm2.vhd")));
        assertStatus(call(server.http(), "POST", deployment("svc", "dep") + "/roles", added), 202);
        Xml d = ClassicFixture.deploymentXml(server.http(), "svc", "dep");
        assertThat(d.texts("RoleList/Role/RoleName")).containsExactly("vm1", "vm2");
        assertThat(d.texts("RoleInstanceList/RoleInstance/InstanceStatus")).containsExactly("ReadyRole", "ReadyRole");
        assertError(call(server.http(), "POST", deployment("svc", "dep") + "/roles", added), 409, "ConflictError", "vm2");

        assertStatus(call(server.http(), "DELETE", role("svc", "dep", "vm2") + "?comp=media", null), 202);
        assertThat(ClassicFixture.deploymentXml(server.http(), "svc", "dep").texts("RoleList/Role/RoleName"))
                .containsExactly("vm1");
        assertThat(blobs(server.http(), "vhds")).containsExactly("svc-vm1.vhd");
        assertError(get(server.http(), role("svc", "dep", "vm2")), 404, "ResourceNotFound", "vm2");
        assertError(call(server.http(), "DELETE", role("svc", "dep", "vm1"), null), 409, "ConflictError", "only role");
    }

    @Test
    void deletingADeploymentKeepsItsDisksUnlessCompMedia() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        assertStatus(call(server.http(), "DELETE", deployment("svc", "dep"), null), 202);
        assertError(get(server.http(), deployment("svc", "dep")), 404, "ResourceNotFound");
        assertThat(blobs(server.http(), "vhds")).containsExactly("svc-vm1.vhd");

        createVm(server.server(), "svc2", "dep", "vm1", "Linux");
        assertStatus(call(server.http(), "DELETE", deployment("svc2", "dep") + "?comp=media", null), 202);
        assertThat(blobs(server.http(), "vhds")).containsExactly("svc-vm1.vhd");
        assertStatus(call(server.http(), "DELETE", service("svc2"), null), 200);
    }

    // ---- role operations ----

    @Test
    void shutdownStopsAndStartStartsTheRole() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        Http.Response r = assertStatus(call(server.http(), "POST", operations("svc", "dep", "vm1"), shutdownXml(null)), 202);
        assertThat(r.body()).isEmpty();
        assertThat(instanceStatus(server.http(), "svc", "dep")).isEqualTo("StoppedVM");
        assertThat(ClassicFixture.deploymentXml(server.http(), "svc", "dep").text("RoleInstanceList/RoleInstance/PowerState"))
                .isEqualTo("Stopped");
        assertStatus(call(server.http(), "POST", operations("svc", "dep", "vm1"), startXml()), 202);
        assertThat(instanceStatus(server.http(), "svc", "dep")).isEqualTo("ReadyRole");
        shutdown(server.http(), "svc", "dep", "vm1", "StoppedDeallocated");
        assertThat(instanceStatus(server.http(), "svc", "dep")).isEqualTo("StoppedDeallocated");
        shutdown(server.http(), "svc", "dep", "vm1", "Stopped");
        assertThat(instanceStatus(server.http(), "svc", "dep")).isEqualTo("StoppedVM");
    }

    @Test
    void postShutdownActionHasTwoValuesFrom2013_06_01() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        assertError(call(server.http(), "POST", operations("svc", "dep", "vm1"), shutdownXml("Hibernated")), 400, "BadRequest",
                "PostShutdownAction");
        assertError(call(server.http(), "POST", operations("svc", "dep", "vm1"), shutdownXml("stoppeddeallocated")), 400,
                "BadRequest", "PostShutdownAction");
        assertError(call(server.http(), "POST", operations("svc", "dep", "vm1"), shutdownXml("Stopped"), "2013-03-01"), 400,
                "BadRequest", "2013-06-01");
        assertStatus(call(server.http(), "POST", operations("svc", "dep", "vm1"), shutdownXml(null), "2013-03-01"), 202);
        assertThat(instanceStatus(server.http(), "svc", "dep")).isEqualTo("StoppedVM");
    }

    @Test
    void roleOperationsDispatchOnTheRootElement() {
        createVm(server.server(), "svc", "dep", "vm1", "Linux");
        assertError(call(server.http(), "POST", operations("svc", "dep", "vm1"), "<ResizeRoleOperation" + ROOT_ATTRS + "/>"),
                400, "InvalidXmlRequest", "ResizeRoleOperation");
        String mismatched = shutdownXml(null).replace(">ShutdownRoleOperation</OperationType>",
                ">StartRoleOperation</OperationType>");
        assertError(call(server.http(), "POST", operations("svc", "dep", "vm1"), mismatched), 400, "BadRequest", "OperationType");
        assertError(call(server.http(), "POST", operations("svc", "dep", "nobody"), startXml()), 404, "ResourceNotFound",
                "nobody");
        String restart = "<RestartRoleOperation" + ROOT_ATTRS + "><OperationType>RestartRoleOperation</OperationType>"
                + "</RestartRoleOperation>";
        assertStatus(call(server.http(), "POST", operations("svc", "dep", "vm1"), restart), 202);
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertError(call(server.http(), "POST", operations("svc", "dep", "vm1"), restart), 409, "ConflictError", "not running");
    }

    @Test
    void underADelayTheDeploymentTakesOneOperationAtATime() throws Exception {
        Http slow = delayed.http();
        createService(slow, "svc");
        delayed.putVhd(ClassicFixture.ACCOUNT, "images", "ubuntu.vhd", ClassicFixture.VHD_SIZE);
        assertStatus(call(slow, "POST", "/services/images", ClassicFixture.addImageXml("ubuntu",
                media("images", "ubuntu.vhd"), "Linux")), 200);
        Http.Response created = assertStatus(call(slow, "POST", service("svc") + "/deployments",
                deploymentXml("dep", linuxRole("vm1", "ubuntu", "vm1.vhd"))), 202);
        Xml d = ClassicFixture.deploymentXml(slow, "svc", "dep");
        assertThat(d.text("Status")).isEqualTo("Deploying");
        assertThat(d.text("RoleInstanceList/RoleInstance/InstanceStatus")).isEqualTo("Provisioning");
        assertError(call(slow, "POST", operations("svc", "dep", "vm1"), shutdownXml(null)), 409, "ConflictError",
                "exclusive access", created.header("x-ms-request-id"));
        ClassicOperationsTest.awaitEnd(slow, created.header("x-ms-request-id"));
        assertThat(ClassicFixture.deploymentXml(slow, "svc", "dep").text("Status")).isEqualTo("Running");
        Http.Response stop = assertStatus(call(slow, "POST", operations("svc", "dep", "vm1"), shutdownXml(null)), 202);
        assertThat(instanceStatus(slow, "svc", "dep")).isEqualTo("StoppingVM");
        ClassicOperationsTest.awaitEnd(slow, stop.header("x-ms-request-id"));
        assertThat(instanceStatus(slow, "svc", "dep")).isEqualTo("StoppedVM");
    }
}

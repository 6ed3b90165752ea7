package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.azimuth.compute.vms.VmFixture.act;
import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/** Power actions, generalize and capture, answered at once (no operation delay). */
class VmActionsTest {
    static final String CAPTURE = "{\"vhdPrefix\":\"pfx\",\"destinationContainerName\":\"images\",\"overwriteVhds\":%s}";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
    }

    // ---- power state ----

    @Test
    void powerActionsAnswer200AndMoveThePowerState() {
        create(server.http(), "vm1", linux("vm1"));
        assertThat(statuses(server.http(), "vm1")).containsExactly("ProvisioningState/succeeded", "PowerState/running");
        act(server.http(), "vm1", "powerOff");
        assertThat(statuses(server.http(), "vm1")).contains("PowerState/stopped").doesNotContain("PowerState/running");
        act(server.http(), "vm1", "start");
        assertThat(statuses(server.http(), "vm1")).contains("PowerState/running");
        act(server.http(), "vm1", "restart");
        assertThat(statuses(server.http(), "vm1")).contains("PowerState/running");
        act(server.http(), "vm1", "deallocate");
        assertThat(statuses(server.http(), "vm1")).contains("PowerState/deallocated");
        JsonNode expanded = server.http().get(VmFixture.vmUrl("vm1") + "&$expand=instanceView").json();
        assertThat(expanded.path("properties").path("instanceView").path("statuses").findValuesAsText("code"))
                .contains("PowerState/deallocated");
        assertThat(expanded.path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        act(server.http(), "vm1", "start");
        assertThat(statuses(server.http(), "vm1")).contains("PowerState/running");
    }

    @Test
    void restartOfAStoppedVmIsAConflict() {
        create(server.http(), "vm1", linux("vm1"));
        act(server.http(), "vm1", "powerOff");
        assertRefused(server.http().post(action("vm1", "restart"), null), 409, "OperationNotAllowed", null);
        act(server.http(), "vm1", "deallocate");
        assertRefused(server.http().post(action("vm1", "restart"), null), 409, "OperationNotAllowed", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "powerOff", "restart", "deallocate", "generalize", "reimage"})
    void actionsOnAMissingVmAreNotFound(String name) {
        assertRefused(server.http().post(action("nothing", name), null), 404, "ResourceNotFound", null);
    }

    @Test
    void captureOfAMissingVmIsNotFound() {
        assertRefused(server.http().post(action("nothing", "capture"), String.format(CAPTURE, false)), 404, "ResourceNotFound",
                null);
    }

    // ---- generalize ----

    @Test
    void generalizeOfARunningVmIsAConflict() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(server.http().post(action("vm1", "generalize"), null), 409, "OperationNotAllowed", null);
        assertThat(statuses(server.http(), "vm1")).doesNotContain("OSState/generalized");
    }

    @Test
    void generalizeAnswers200AndTheVmCannotStartAgain() {
        create(server.http(), "vm1", linux("vm1"));
        act(server.http(), "vm1", "powerOff");
        Http.Response r = act(server.http(), "vm1", "generalize");
        assertThat(r.header("Azure-AsyncOperation")).isNull();
        assertThat(statuses(server.http(), "vm1")).contains("OSState/generalized", "PowerState/stopped");
        assertRefused(server.http().post(action("vm1", "start"), null), 409, "OperationNotAllowed", null);
        act(server.http(), "vm1", "deallocate");
        assertThat(statuses(server.http(), "vm1")).contains("OSState/generalized", "PowerState/deallocated");
    }

    @Test
    void anEphemeralVmCannotBeGeneralized() {
        create(server.http(), "vm1", VmFixture.ephemeral("vm1"));
        act(server.http(), "vm1", "deallocate");
        assertRefused(server.http().post(action("vm1", "generalize"), null), 409, "OperationNotAllowed", null);
    }

    // ---- capture ----

    /** A deallocated, generalized VM whose OS disk is an unmanaged VHD. */
    private static void capturable(String name) {
        create(server.http(), name, VmFixture.unmanaged(name, VmFixture.newVhd(name + "-os")));
        act(server.http(), name, "deallocate");
        act(server.http(), name, "generalize");
    }

    @Test
    void captureOfAManagedDiskVmIsAConflict() {
        create(server.http(), "vm1", linux("vm1"));
        act(server.http(), "vm1", "deallocate");
        act(server.http(), "vm1", "generalize");
        assertRefused(server.http().post(action("vm1", "capture"), String.format(CAPTURE, false)), 409, "OperationNotAllowed",
                null);
    }

    @Test
    void captureOfAVmNotGeneralizedIsAConflict() {
        create(server.http(), "vm1", VmFixture.unmanaged("vm1", VmFixture.newVhd("vm1-os")));
        act(server.http(), "vm1", "deallocate");
        assertRefused(server.http().post(action("vm1", "capture"), String.format(CAPTURE, false)), 409, "OperationNotAllowed",
                null);
    }

    @Test
    void captureNeedsItsParameters() {
        capturable("vm1");
        assertRefused(server.http().post(action("vm1", "capture"), null), 400, "InvalidParameter", "parameters");
        assertRefused(server.http().post(action("vm1", "capture"), "{\"destinationContainerName\":\"images\","
                + "\"overwriteVhds\":false}"), 400, "InvalidParameter", "vhdPrefix");
        assertRefused(server.http().post(action("vm1", "capture"), "{\"vhdPrefix\":\"pfx\",\"overwriteVhds\":false}"), 400,
                "InvalidParameter", "destinationContainerName");
        assertRefused(server.http().post(action("vm1", "capture"), "{\"vhdPrefix\":\"pfx\",\"destinationContainerName\":"
                + "\"images\"}"), 400, "InvalidParameter", "overwriteVhds");
    }

    @Test
    void captureAnswersATemplateAndWritesTheVhd() {
        capturable("vm1");
        Http.Response r = server.http().post(action("vm1", "capture"), String.format(CAPTURE, false));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode template = r.json();
        assertThat(template.path("$schema").asText()).isNotBlank();
        assertThat(template.path("contentVersion").asText()).isEqualTo("1.0.0.0");
        assertThat(template.path("parameters").isObject()).isTrue();
        assertThat(template.path("resources").isArray()).isTrue();
        JsonNode vm = template.path("resources").get(0);
        assertThat(vm.path("type").asText()).isEqualTo("Microsoft.Compute/virtualMachines");
        String image = vm.path("properties").path("storageProfile").path("osDisk").path("image").path("uri").asText();
        assertThat(image).startsWith("https://acct1.blob.core.windows.net/system/Microsoft.Compute/Images/images/pfx-osDisk.");

        assertRefused(server.http().post(action("vm1", "capture"), String.format(CAPTURE, false)), 409, "BlobAlreadyExists",
                null);
        Http.Response again = server.http().post(action("vm1", "capture"), String.format(CAPTURE, true));
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().path("resources").get(0).path("properties").path("storageProfile").path("osDisk")
                .path("image").path("uri").asText()).isEqualTo(image);
        assertThat(statuses(server.http(), "vm1")).contains("ProvisioningState/succeeded", "OSState/generalized",
                "PowerState/deallocated");
        Http.Response fromCapture = server.http().put(VmFixture.imageUrl("captured"), "{\"location\":\"westus\",\"properties\":"
                + "{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":\""
                + image + "\"}}}}");
        assertThat(fromCapture.status()).as("the captured VHD is a blob: " + fromCapture).isEqualTo(201);
    }
}

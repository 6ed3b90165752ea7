package io.azimuth.compute.vms;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A VM action whose operation fails (here made to, by a fault rule) leaves the VM Failed with its power state as it
 * was, never stuck Updating: the next action is taken; a failed group delete leaves the group as it was.
 */
class VmFailedActionTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c);

    @Test
    void aFailedActionLeavesTheVmFailedAndTheNextActionIsTaken() throws Exception {
        Http http = server.http();
        http.put(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
        assertThat(VmFixture.put(http, "vm1", linux("vm1")).status()).isIn(200, 201);
        assertThat(http.post("/_azimuth/faults", "{\"match\":{\"operation\":\"deallocate\"},\"effect\":"
                + "{\"failOperationAfterMs\":100,\"code\":\"AllocationFailed\"},\"times\":1}").status()).isEqualTo(201);
        Http.Response accepted = http.post(action("vm1", "deallocate"), null);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(http.awaitOperation(accepted.header("Azure-AsyncOperation"), 10_000).path("error").path("code")
                .asText()).isEqualTo("AllocationFailed");
        assertThat(statuses(http, "vm1")).contains("ProvisioningState/failed", "PowerState/running");
        Http.Response again = http.post(action("vm1", "deallocate"), null);
        assertThat(again.status()).as("not refused as busy: " + again).isEqualTo(200);
        assertThat(statuses(http, "vm1")).contains("ProvisioningState/succeeded", "PowerState/deallocated");

        assertThat(http.post("/_azimuth/faults", "{\"match\":{\"method\":\"DELETE\",\"resourceType\":"
                + "\"Microsoft.Resources/resourceGroups\"},\"effect\":{\"failOperationAfterMs\":100},\"times\":1}")
                .status()).isEqualTo(201);
        Http.Response deleting = http.delete(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01");
        assertThat(deleting.status()).isEqualTo(202);
        assertThat(http.awaitOperation(deleting.header("Azure-AsyncOperation"), 10_000).path("status").asText())
                .isEqualTo("Failed");
        Http.Response group = http.get(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01");
        assertThat(group.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(http.get(VmFixture.vmUrl("vm1")).status()).as("nothing was deleted").isEqualTo(200);
    }
}

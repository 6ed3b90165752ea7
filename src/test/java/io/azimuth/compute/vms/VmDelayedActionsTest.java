package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.vms.VmFixture.action;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.statuses;
import static org.assertj.core.api.Assertions.assertThat;

/** VM actions under --operation-delay: 202 and polling, conflicts while one runs, generalize still 200 at once. */
class VmDelayedActionsTest {
    static final long DELAY = 2000;
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false).withOperationDelay(DELAY));

    @BeforeAll
    static void start() {
        server.http().put(TestServer.rg(VmFixture.RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}");
    }

    @Test
    void actionsAreAcceptedOneAtATimeAndGeneralizeIsAnsweredAtOnce() throws Exception {
        Http.Response created = VmFixture.put(server.http(), "vm1", linux("vm1"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("properties").path("provisioningState").asText()).isEqualTo("Creating");
        assertRefused(server.http().post(action("vm1", "start"), null), 409, "OperationNotAllowed", null);
        assertThat(server.http().awaitOperation(created.header("Azure-AsyncOperation"), DELAY + 10_000)
                .path("status").asText()).isEqualTo("Succeeded");

        Http.Response deallocating = server.http().post(action("vm1", "deallocate"), null);
        assertThat(deallocating.status()).as(deallocating.toString()).isEqualTo(202);
        assertThat(deallocating.header("Azure-AsyncOperation")).startsWith(server.http().base() + "/subscriptions/");
        assertThat(deallocating.header("Location")).startsWith(server.http().base() + "/subscriptions/");
        assertThat(deallocating.header("Retry-After")).matches("[1-9][0-9]*");
        assertRefused(server.http().post(action("vm1", "powerOff"), null), 409, "OperationNotAllowed", null);
        assertRefused(server.http().post(action("vm1", "generalize"), null), 409, "OperationNotAllowed", null);
        assertThat(server.http().awaitOperation(deallocating.header("Azure-AsyncOperation"), DELAY + 10_000)
                .path("status").asText()).isEqualTo("Succeeded");
        assertThat(statuses(server.http(), "vm1")).contains("PowerState/deallocated");

        long before = System.currentTimeMillis();
        Http.Response generalized = server.http().post(action("vm1", "generalize"), null);
        assertThat(generalized.status()).as(generalized.toString()).isEqualTo(200);
        assertThat(System.currentTimeMillis() - before).as("not delayed").isLessThan(DELAY);
        assertThat(generalized.header("Azure-AsyncOperation")).isNull();
        assertThat(statuses(server.http(), "vm1")).contains("ProvisioningState/succeeded", "OSState/generalized");
    }
}

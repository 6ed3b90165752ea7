package io.azimuth.faults;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.models.Disk;
import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java fluent SDK over HTTPS, driven into each kind of injected fault: what its retry policy and its poller do
 * with them is what a user's code would meet on Azure.
 */
class FaultsSdkTest {
    static final String RG = "sdk-faults";
    static TestServer server;
    static ComputeManager compute;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        compute = ComputeManager.configure().withHttpClient(Sdk.httpClient(server.http.get("/_azimuth/cert").body()))
                .authenticate(Sdk.anyToken(), Sdk.profile(server.httpsBase(), TestServer.SUB));
        compute.resourceManager().resourceGroups().define(RG).withRegion(Region.US_WEST).create();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void noRules() {
        server.http.delete("/_azimuth/faults");
    }

    private static String add(String rule) {
        Http.Response r = server.http.post("/_azimuth/faults", rule);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static JsonNode rule(String id) {
        return server.http.get("/_azimuth/faults/" + id).json();
    }

    private static Disk disk(String name) {
        return compute.disks().define(name).withRegion(Region.US_WEST).withExistingResourceGroup(RG).withData()
                .withSizeInGB(1).create();
    }

    @Test
    void aThrottledCreateIsRetriedAfterRetryAfter() {
        String id = add("{\"match\":{\"method\":\"PUT\",\"resourceType\":\"Microsoft.Compute/disks\"},\"effect\":"
                + "{\"status\":429,\"code\":\"TooManyRequests\",\"retryAfter\":2},\"times\":1}");
        long start = System.nanoTime();
        Disk d = disk("throttled");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(d.sizeInGB()).isEqualTo(1);
        assertThat(rule(id).path("fired").asInt()).as("refused once, then retried").isEqualTo(1);
        assertThat(millis).as("the retry waited for Retry-After").isGreaterThanOrEqualTo(2000);
    }

    @Test
    void aPassingServerErrorAndADroppedConnectionAreRetried() {
        Disk d = disk("flaky");
        String error = add("{\"match\":{\"method\":\"GET\",\"name\":\"flaky\"},\"effect\":{\"status\":500},"
                + "\"times\":1}");
        assertThat(compute.disks().getById(d.id()).name()).isEqualTo("flaky");
        assertThat(rule(error).path("fired").asInt()).isEqualTo(1);
        String drop = add("{\"match\":{\"method\":\"GET\",\"name\":\"flaky\"},\"effect\":{\"drop\":true},"
                + "\"times\":1}");
        assertThat(compute.disks().getById(d.id()).name()).isEqualTo("flaky");
        assertThat(rule(drop).path("fired").asInt()).isEqualTo(1);
    }

    @Test
    void anErrorThatIsNotRetriedReachesTheCallerWithItsCode() {
        Disk d = disk("locked");
        for (String method : new String[] {"PUT", "PATCH"}) { // whichever the SDK's update sends
            add("{\"match\":{\"method\":\"" + method + "\",\"resourceType\":\"Microsoft.Compute/disks\"},\"effect\":"
                    + "{\"status\":409,\"code\":\"ScopeLocked\",\"message\":\"The scope is locked.\"}}");
        }
        assertThatThrownBy(() -> d.update().withSizeInGB(2).apply()).isInstanceOfSatisfying(ManagementException.class,
                e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(409);
                    assertThat(e.getValue().getCode()).isEqualTo("ScopeLocked");
                    assertThat(e.getValue().getMessage()).isEqualTo("The scope is locked.");
                });
        assertThat(compute.disks().getById(d.id()).sizeInGB()).as("nothing changed").isEqualTo(1);
    }

    @Test
    void aFailedOperationIsSurfacedByThePollerWithItsCode() {
        add("{\"match\":{\"method\":\"PUT\",\"name\":\"doomed\"},\"effect\":{\"failOperationAfterMs\":200,"
                + "\"code\":\"OSProvisioningTimedOut\",\"message\":\"The disk did not come up in time.\"},\"times\":1}");
        assertThatThrownBy(() -> disk("doomed")).isInstanceOfSatisfying(ManagementException.class, e -> {
            assertThat(e.getValue().getCode()).isEqualTo("OSProvisioningTimedOut");
            assertThat(e.getValue().getMessage()).isEqualTo("The disk did not come up in time.");
        });
        assertThat(compute.disks().getByResourceGroup(RG, "doomed").innerModel().provisioningState())
                .isEqualTo("Failed");
        assertThat(disk("doomed").innerModel().provisioningState()).as("created again once the rule is used up")
                .isEqualTo("Succeeded");
    }

    @Test
    void latencySlowsTheCallDown() {
        Disk d = disk("slow");
        add("{\"match\":{\"method\":\"GET\",\"name\":\"slow\"},\"effect\":{\"latencyMs\":700}}");
        long start = System.nanoTime();
        assertThat(compute.disks().getById(d.id()).name()).isEqualTo("slow");
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(700);
    }
}

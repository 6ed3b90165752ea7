package io.azimuth.arm;

import com.azure.core.management.Region;
import com.azure.resourcemanager.resources.ResourceManager;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/** ARM's request budgets: counted in the headers Azure sends, and with --throttle enforced as Azure enforces them. */
class ArmThrottleTest {
    static final String V = "?api-version=2025-04-01";
    static final String VM = "/subscriptions/" + SUB + "/resourceGroups/t/providers/Microsoft.Compute/virtualMachines/vm1"
            + "?api-version=2024-07-01";

    private static long header(Http.Response r, String name) {
        String value = r.header(name);
        assertThat(value).as(name + " on " + r).isNotNull();
        return Long.parseLong(value);
    }

    @Test
    void everySubscriptionRequestShowsWhatIsLeftOfItsBudget() {
        try (TestServer s = TestServer.start()) {
            long start = System.nanoTime();
            Http.Response write = s.http.put(rg("t") + V, "{\"location\":\"westus\"}");
            assertThat(header(write, "x-ms-ratelimit-remaining-subscription-writes")).isEqualTo(199);
            assertThat(header(write, "x-ms-ratelimit-remaining-subscription-global-writes")).isEqualTo(2999);
            assertThat(write.header("x-ms-ratelimit-remaining-subscription-reads")).isNull();
            long reads = 0;
            for (int i = 0; i < 100; i++) {
                reads = header(s.http.get(rg("t") + V), "x-ms-ratelimit-remaining-subscription-reads");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(reads).as("250 less 100 reads, plus 25 a second back").isLessThanOrEqualTo(
                    (long) (150 + 25 * seconds) + 1).isGreaterThanOrEqualTo(149);
            Http.Response delete = s.http.delete(rg("nothing") + V);
            assertThat(header(delete, "x-ms-ratelimit-remaining-subscription-deletes")).isEqualTo(199);
            assertThat(header(delete, "x-ms-ratelimit-remaining-subscription-global-deletes")).isEqualTo(2999);

            // Compute's own policies for a virtual machine, on every answer (here a 404 and a 400)
            assertThat(s.http.get(VM).header("x-ms-ratelimit-remaining-resource"))
                    .isEqualTo("Microsoft.Compute/LowCostGet3Min;3999,Microsoft.Compute/LowCostGet30Min;31999");
            assertThat(s.http.put(VM, "{}").header("x-ms-ratelimit-remaining-resource"))
                    .isEqualTo("Microsoft.Compute/PutVM3Min;239,Microsoft.Compute/PutVM30Min;1199");
            assertThat(s.http.delete(VM).header("x-ms-ratelimit-remaining-resource"))
                    .isEqualTo("Microsoft.Compute/DeleteVM3Min;239,Microsoft.Compute/DeleteVM30Min;1199");
            assertThat(s.http.get(VM).header("x-ms-ratelimit-remaining-resource"))
                    .startsWith("Microsoft.Compute/LowCostGet3Min;3998,");

            // without --throttle a spent budget only shows as 0
            long last = -1;
            for (int i = 0; i < 400; i++) {
                Http.Response r = s.http.patch(rg("t") + V, "{\"tags\":{\"n\":\"" + i + "\"}}");
                assertThat(r.status()).isEqualTo(200);
                last = Math.min(last < 0 ? Long.MAX_VALUE : last,
                        header(r, "x-ms-ratelimit-remaining-subscription-writes"));
            }
            assertThat(last).as("the lowest count seen").isLessThan(20);
        }
    }

    @Test
    void whenEnforcedASpentBudgetIsRefusedWithRetryAfterAndTheSdkWaitsItOut() throws Exception {
        try (TestServer s = TestServer.start(c -> c.withTesting(new Config.Testing(null, null, true)))) {
            assertThat(s.http.put(rg("t") + V, "{\"location\":\"westus\"}").status()).isEqualTo(201);
            Http.Response refused = null;
            String acknowledged = null;
            for (int i = 0; i < 5000 && refused == null; i++) {
                Http.Response r = s.http.patch(rg("t") + V, "{\"tags\":{\"n\":\"" + i + "\"}}");
                if (r.status() == 429) {
                    refused = r;
                } else {
                    assertThat(r.status()).isEqualTo(200);
                    acknowledged = String.valueOf(i);
                }
            }
            assertThat(refused).as("the write budget ran out").isNotNull();
            assertThat(refused.errorCode()).isEqualTo("SubscriptionRequestsThrottled");
            assertThat(refused.json().path("error").path("message").asText()).contains("'write' requests")
                    .contains(SUB);
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 2L);
            assertThat(s.http.get(rg("t") + V).json().path("tags").path("n").asText())
                    .as("the refused write changed nothing").isEqualTo(acknowledged);
            assertThat(s.http.get(rg("t") + V).status()).as("reads have their own budget").isEqualTo(200);

            // the SDK's retry policy honours Retry-After: its write goes through once tokens are back
            for (int i = 0; i < 300; i++) {
                s.http.patch(rg("t") + V, "{\"tags\":{\"drain\":\"" + i + "\"}}");
            }
            ResourceManager arm = ResourceManager.configure()
                    .withHttpClient(Sdk.httpClient(s.http.get("/_azimuth/cert").body()))
                    .authenticate(Sdk.anyToken(), Sdk.profile(s.httpsBase(), SUB)).withSubscription(SUB);
            arm.resourceGroups().define("after-throttle").withRegion(Region.US_WEST).create();
            assertThat(s.http.get(rg("after-throttle") + V).status()).isEqualTo(200);
        }
    }
}

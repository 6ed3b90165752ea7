package io.azimuth.arm;

import io.azimuth.http.ApiRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The action and scope strict mode derives from a request, as ARM names them. */
class ArmAccessTest {
    static final String SUB = "/subscriptions/6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";

    static ArmAccess.Action action(HttpMethod method, String path) {
        return ArmAccess.action(new ApiRequest(method, path, path, MultiMap.caseInsensitiveMultiMap(),
                MultiMap.caseInsensitiveMultiMap(), "https://localhost", "r", "c"));
    }

    @Test
    void actionsAndScopesFollowThePath() {
        String image = SUB + "/resourceGroups/rg/providers/Microsoft.Compute/images/img";
        assertThat(action(HttpMethod.PUT, image)).isEqualTo(new ArmAccess.Action("Microsoft.Compute/images/write", image));
        assertThat(action(HttpMethod.PATCH, image).name()).isEqualTo("Microsoft.Compute/images/write");
        assertThat(action(HttpMethod.GET, image).name()).isEqualTo("Microsoft.Compute/images/read");
        assertThat(action(HttpMethod.DELETE, image).name()).isEqualTo("Microsoft.Compute/images/delete");
        assertThat(action(HttpMethod.GET, SUB + "/resourceGroups/rg/providers/Microsoft.Compute/images"))
                .isEqualTo(new ArmAccess.Action("Microsoft.Compute/images/read", SUB + "/resourceGroups/rg"));
        String vm = SUB + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm";
        assertThat(action(HttpMethod.POST, vm + "/capture"))
                .isEqualTo(new ArmAccess.Action("Microsoft.Compute/virtualMachines/capture/action", vm));
        assertThat(action(HttpMethod.PUT, SUB + "/resourcegroups/rg"))
                .isEqualTo(new ArmAccess.Action("Microsoft.Resources/subscriptions/resourcegroups/write",
                        SUB + "/resourcegroups/rg"));
        assertThat(action(HttpMethod.GET, SUB + "/resourcegroups").scope()).isEqualTo(SUB);
        String assignment = image + "/providers/Microsoft.Authorization/roleAssignments/0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3";
        assertThat(action(HttpMethod.PUT, assignment))
                .isEqualTo(new ArmAccess.Action("Microsoft.Authorization/roleAssignments/write", assignment));
        assertThat(action(HttpMethod.POST, SUB + "/providers/Microsoft.Compute/register").name())
                .isEqualTo("Microsoft.Compute/register/action");
    }

    @Test
    void listingSubscriptionsAndPollingOperationsNeedNoRole() {
        assertThat(action(HttpMethod.GET, "/subscriptions")).isNull();
        assertThat(action(HttpMethod.GET, "/tenants")).isNull();
        assertThat(action(HttpMethod.GET, SUB + "/providers/Microsoft.Compute/locations/westus/operations/abc")).isNull();
        assertThat(action(HttpMethod.GET, SUB + "/providers/Microsoft.Compute/locations/westus/operationResults/abc"))
                .isNull();
        assertThat(action(HttpMethod.GET, SUB)).isNotNull();
    }
}

package io.azimuth.arm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceIdTest {
    static final String SUB = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";

    @Test
    void parsesSegmentWordsInAnyCasingAndKeepsNames() {
        ResourceId id = ResourceId.parse("/SUBSCRIPTIONS/" + SUB + "/resourcegroups/My-RG/PROVIDERS/Microsoft.Compute/images/Img1");
        assertThat(id.subscriptionId()).isEqualTo(SUB);
        assertThat(id.resourceGroup()).isEqualTo("My-RG");
        assertThat(id.namespace()).isEqualTo("Microsoft.Compute");
        assertThat(id.fullType()).isEqualTo("Microsoft.Compute/images");
        assertThat(id.name()).isEqualTo("Img1");
        assertThat(id.toString()).isEqualTo("/subscriptions/" + SUB + "/resourceGroups/My-RG/providers/Microsoft.Compute/images/Img1");
        assertThat(id).isEqualTo(ResourceId.parse(id.toString().toLowerCase()));
        assertThat(id.key()).isEqualTo(id.toString().toLowerCase());
    }

    @Test
    void childResourcesAndParents() {
        ResourceId vm = ResourceId.resource(SUB, "rg", "Microsoft.Compute", "virtualMachines", "vm1");
        ResourceId ext = vm.child("extensions", "e1");
        assertThat(ext.fullType()).isEqualTo("Microsoft.Compute/virtualMachines/extensions");
        assertThat(ResourceId.parse(ext.toString())).isEqualTo(ext);
        assertThat(ext.parent()).isEqualTo(vm);
        assertThat(vm.parent()).isEqualTo(ResourceId.resourceGroup(SUB, "rg"));
        assertThat(vm.parent().parent()).isEqualTo(ResourceId.subscription(SUB));
    }

    @Test
    void refusesMalformedIds() {
        for (String bad : new String[]{null, "", "/", "//", "subscriptions/" + SUB, "/subscriptions/not-a-guid",
                "/subscriptions/" + SUB + "/groups/x", "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Compute/images",
                "/subscriptions/" + SUB + "//resourceGroups/rg"}) {
            assertThatThrownBy(() -> ResourceId.parse(bad)).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

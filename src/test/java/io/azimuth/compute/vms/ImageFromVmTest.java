package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.compute.vms.VmFixture.act;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.dataDisks;
import static io.azimuth.compute.vms.VmFixture.id;
import static io.azimuth.compute.vms.VmFixture.imageUrl;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.osDisk;
import static org.assertj.core.api.Assertions.assertThat;

/** Images made from a VM (properties.sourceVirtualMachine): only a deallocated, generalized one. */
class ImageFromVmTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
    }

    private static Http.Response image(String vm) {
        return server.http().put(imageUrl("img"), "{\"location\":\"westus\",\"properties\":{\"sourceVirtualMachine\":{\"id\":\""
                + id("virtualMachines", vm) + "\"}}}");
    }

    @Test
    void aRunningVmIsAConflict() {
        create(server.http(), "vm1", linux("vm1"));
        assertRefused(image("vm1"), 409, "OperationNotAllowed", null);
    }

    @Test
    void aVmNotGeneralizedIsAConflict() {
        create(server.http(), "vm1", linux("vm1"));
        act(server.http(), "vm1", "deallocate");
        assertRefused(image("vm1"), 409, "OperationNotAllowed", null);
    }

    @Test
    void aStoppedButNotDeallocatedVmIsAConflict() {
        create(server.http(), "vm1", linux("vm1"));
        act(server.http(), "vm1", "powerOff");
        act(server.http(), "vm1", "generalize");
        assertRefused(image("vm1"), 409, "OperationNotAllowed", null);
    }

    @Test
    void aMissingVmIsNotFound() {
        assertRefused(image("nothing"), 404, "NotFound", "properties.sourceVirtualMachine.id");
    }

    @Test
    void aDeallocatedGeneralizedVmMakesAnImageOfItsDisks() {
        ObjectNode body = linux("vm1");
        dataDisks(body).addObject().put("lun", 2).put("createOption", "Empty").put("diskSizeGB", 16);
        JsonNode vm = create(server.http(), "vm1", body);
        act(server.http(), "vm1", "deallocate");
        act(server.http(), "vm1", "generalize");

        Http.Response r = image("vm1");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode props = r.json().path("properties");
        assertThat(props.path("sourceVirtualMachine").path("id").asText()).isEqualTo(id("virtualMachines", "vm1"));
        JsonNode os = props.path("storageProfile").path("osDisk");
        assertThat(os.path("osType").asText()).isEqualTo("Linux");
        assertThat(os.path("osState").asText()).isEqualTo("Generalized");
        assertThat(os.path("managedDisk").path("id").asText()).isEqualTo(osDisk(vm).path("managedDisk").path("id").asText());
        assertThat(os.path("diskSizeGB").asInt()).isEqualTo(osDisk(vm).path("diskSizeGB").asInt());
        JsonNode data = props.path("storageProfile").path("dataDisks");
        assertThat(data).hasSize(1);
        assertThat(data.get(0).path("lun").asInt()).isEqualTo(2);
        assertThat(data.get(0).path("diskSizeGB").asInt()).isEqualTo(16);
        assertThat(data.get(0).path("managedDisk").path("id").asText()).isEqualTo(vm.path("properties")
                .path("storageProfile").path("dataDisks").get(0).path("managedDisk").path("id").asText());
        assertThat(props.path("hyperVGeneration").asText()).isEqualTo("V1");
        assertThat(server.http().get(imageUrl("img")).json().path("properties").path("sourceVirtualMachine").path("id").asText())
                .isEqualTo(id("virtualMachines", "vm1"));

        JsonNode copy = create(server.http(), "vm2", VmFixture.fromCustomImage("vm2", "img"));
        assertThat(osDisk(copy).path("osType").asText()).isEqualTo("Linux");
        assertThat(copy.path("properties").path("storageProfile").path("imageReference").path("id").asText())
                .isEqualTo(id("images", "img"));
    }

    @Test
    void anUnmanagedVmMakesAnImageOfItsBlob() {
        String uri = VmFixture.newVhd("vm1-os");
        create(server.http(), "vm1", VmFixture.unmanaged("vm1", uri));
        act(server.http(), "vm1", "deallocate");
        act(server.http(), "vm1", "generalize");
        Http.Response r = image("vm1");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("properties").path("storageProfile").path("osDisk").path("blobUri").asText())
                .isEqualTo(uri);
    }
}

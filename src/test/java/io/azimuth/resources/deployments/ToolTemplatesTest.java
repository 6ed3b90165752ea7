package io.azimuth.resources.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The templates the real tools submit (test resources, see templates/SOURCE.md) deployed over HTTP with the
 * api-versions those tools use: {@code az vm create}'s and packer 1.6.6's, each making a network and a VM from a
 * custom image through the same providers a direct PUT reaches, then cleaned up as the tools clean up.
 */
class ToolTemplatesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();
    static final String SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7laRyN4B3YZmVrDEZLZoIuUA72pQ0DpGuZBZWykCofIf"
            + "CPrFZAJgFvonKGgKJl8FGKIAmX1Ydi8bd6WcT0FlO5PZCmWyPhhAIN3xlYh6m9KS2c4DHsF0Z9Lfi2mU8FQVXaTvUJJd+U+Pc8nDJGi0E+tEWM"
            + "l3ipL8q68zmFRCj1oqVLtQ1H2XfPo4WRGwX3kXfFYPRxjh1f1MqZc2sHP3yOFVwbfkuHAwfB8i/uuq1hGm6eQIYfqFhPlLDgsuM7KsYuhdZc6"
            + "HcIgM3Br0wgY9i3EN5ouBHwkAg2IqDxB8z3KP1aW6G0mS3XfT9lHMK1mTBaFXrCawhY5f2hNt9Bvp9 user@host";

    static String resource(String name) {
        try (InputStream in = ToolTemplatesTest.class.getResourceAsStream("/templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Http http() {
        return server.http();
    }

    /** A group in westeurope with a generalized Linux image made from a VHD. */
    void groupWithImage(String group, String image) {
        assertThat(http().put(rg(group) + "?api-version=2019-10-01", "{\"location\":\"westeurope\"}").status())
                .isIn(200, 201);
        server.putVhd("tooltemplates", "vhds", group + ".vhd", 30L << 30);
        Http.Response r = http().put(rg(group) + "/providers/Microsoft.Compute/images/" + image
                + "?api-version=2020-06-01", "{\"location\":\"westeurope\",\"properties\":{\"storageProfile\":{"
                + "\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":"
                + "\"https://tooltemplates.blob.core.windows.net/vhds/" + group + ".vhd\"}}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    JsonNode deploy(String group, String name, String apiVersion, String template, String parameters)
            throws InterruptedException {
        String url = rg(group) + "/providers/Microsoft.Resources/deployments/" + name + "?api-version=" + apiVersion;
        Http.Response put = http().put(url, "{\"properties\":{\"mode\":\"Incremental\",\"template\":" + template
                + ",\"parameters\":" + parameters + "}}");
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        String status = put.header("Azure-AsyncOperation");
        JsonNode done = http().awaitOperation(status.substring(status.indexOf("/subscriptions/")), 30_000);
        assertThat(done.path("status").asText()).isIn("Succeeded", "Failed");
        JsonNode d = http().get(url).json();
        // az declares its password a securestring and never sees it again; packer declares its own a plain string,
        // which Azure, as here, then shows among the deployment's parameters
        assertThat(d.toString()).doesNotContain("Tmpl-Test-Passw0rd!");
        return d;
    }

    List<String> operations(String group, String name, String apiVersion, String state) {
        JsonNode ops = http().get(rg(group) + "/providers/Microsoft.Resources/deployments/" + name
                + "/operations?api-version=" + apiVersion).json().path("value");
        List<String> types = new ArrayList<>();
        for (JsonNode op : ops) {
            JsonNode p = op.path("properties");
            if (p.path("provisioningState").asText().equals(state)) {
                types.add(p.path("targetResource").path("resourceType").asText() + "/"
                        + p.path("targetResource").path("resourceName").asText());
            }
        }
        return types;
    }

    void deleteGroup(String group) throws InterruptedException {
        Http.Response del = http().delete(rg(group) + "?api-version=2019-10-01");
        assertThat(del.status()).as(del.body()).isIn(200, 202);
        long deadline = System.currentTimeMillis() + 30_000;
        while (http().get(rg(group) + "?api-version=2019-10-01").status() != 404
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(http().get(rg(group) + "?api-version=2019-10-01").status()).isEqualTo(404);
    }

    @Test
    void azVmCreatesTemplateDeploysItsNetworkAndVmAndTheGroupCleansUp() throws Exception {
        groupWithImage("azcli-rg", "azcli-image");
        JsonNode d = deploy("azcli-rg", "vm_deploy_tool", "2019-10-01", resource("az-2.45-vm-create.json"),
                resource("az-2.45-vm-create.parameters.json"));
        assertThat(d.path("properties").path("provisioningState").asText()).as(d.toString()).isEqualTo("Succeeded");
        assertThat(operations("azcli-rg", "vm_deploy_tool", "2019-10-01", "Succeeded")).containsExactlyInAnyOrder(
                "Microsoft.Network/virtualNetworks/azvm1VNET", "Microsoft.Network/networkSecurityGroups/azvm1NSG",
                "Microsoft.Network/publicIPAddresses/azvm1PublicIP", "Microsoft.Network/networkInterfaces/azvm1VMNic",
                "Microsoft.Compute/virtualMachines/azvm1");
        JsonNode vm = http().get(rg("azcli-rg") + "/providers/Microsoft.Compute/virtualMachines/azvm1"
                + "?api-version=2020-06-01&$expand=instanceView").json();
        assertThat(vm.path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(vm.toString()).doesNotContain("Tmpl-Test-Passw0rd!");
        JsonNode nic = http().get(rg("azcli-rg") + "/providers/Microsoft.Network/networkInterfaces/azvm1VMNic"
                + "?api-version=2022-07-01").json();
        JsonNode ip = nic.path("properties").path("ipConfigurations").get(0).path("properties");
        assertThat(ip.path("privateIPAddress").asText()).isEqualTo("10.0.0.4");
        assertThat(nic.path("properties").path("virtualMachine").path("id").asText()).endsWithIgnoringCase("/azvm1");
        deleteGroup("azcli-rg");
    }

    @Test
    void packersTemplateIsRefusedAsAzureRefusesItsEmptyKeyAndDeploysWithAKey() throws Exception {
        groupWithImage("images-rg", "src-image");
        String template = resource("packer-1.6.6-linux.json");
        String parameters = resource("packer-1.6.6-linux.parameters.json");

        // as packer 1.6.6 sends it for communicator "none": the network is made, the VM refused
        assertThat(http().put(rg("pkr-Resource-Group-a") + "?api-version=2018-02-01", "{\"location\":\"westeurope\"}")
                .status()).isEqualTo(201);
        JsonNode failed = deploy("pkr-Resource-Group-a", "pkrdpa", "2018-02-01", template, parameters);
        JsonNode error = failed.path("properties").path("error");
        assertThat(error.path("code").asText()).as(failed.toString()).isEqualTo("DeploymentFailed");
        assertThat(error.path("details").get(0).path("code").asText()).isEqualTo("InvalidParameter");
        assertThat(error.path("details").get(0).path("target").asText())
                .isEqualTo("linuxConfiguration.ssh.publicKeys.keyData");
        assertThat(operations("pkr-Resource-Group-a", "pkrdpa", "2018-02-01", "Failed")).singleElement().asString()
                .startsWith("Microsoft.Compute/virtualMachines/pkrvm");
        assertThat(operations("pkr-Resource-Group-a", "pkrdpa", "2018-02-01", "Succeeded")).hasSize(3);
        deleteGroup("pkr-Resource-Group-a");

        // with the key a later packer makes, the same template builds its VM
        assertThat(template).contains("\"keyData\": \"\"");
        String keyed = template.replace("\"keyData\": \"\"", "\"keyData\": \"" + SSH_KEY + "\"");
        assertThat(http().put(rg("pkr-Resource-Group-b") + "?api-version=2018-02-01", "{\"location\":\"westeurope\"}")
                .status()).isEqualTo(201);
        JsonNode ok = deploy("pkr-Resource-Group-b", "pkrdpb", "2018-02-01", keyed, parameters);
        assertThat(ok.path("properties").path("provisioningState").asText()).as(ok.toString()).isEqualTo("Succeeded");
        List<String> made = operations("pkr-Resource-Group-b", "pkrdpb", "2018-02-01", "Succeeded");
        assertThat(made).hasSize(4);
        String vm = made.stream().filter(t -> t.startsWith("Microsoft.Compute/virtualMachines/")).findFirst()
                .orElseThrow().substring("Microsoft.Compute/virtualMachines/".length());
        JsonNode v = http().get(rg("pkr-Resource-Group-b") + "/providers/Microsoft.Compute/virtualMachines/" + vm
                + "?api-version=2018-04-01").json();
        assertThat(v.path("properties").path("storageProfile").path("osDisk").path("managedDisk").path("id").asText())
                .isNotEmpty();
        assertThat(http().delete(rg("pkr-Resource-Group-b") + "/providers/Microsoft.Resources/deployments/pkrdpb"
                + "?api-version=2018-02-01").status()).isIn(202, 204);
        deleteGroup("pkr-Resource-Group-b");
    }
}

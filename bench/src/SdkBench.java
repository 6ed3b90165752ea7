import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.Region;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskDeleteOptionTypes;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.ImageReference;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.compute.models.NetworkProfile;
import com.azure.resourcemanager.compute.models.OSDisk;
import com.azure.resourcemanager.compute.models.OSProfile;
import com.azure.resourcemanager.compute.models.OperatingSystemStateTypes;
import com.azure.resourcemanager.compute.models.StorageProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.core.publisher.Mono;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wall time of Azure SDK for Java calls against a running emulator, end to end (client serialisation, HTTPS,
 * the emulator, long-running-operation handling in the SDK): an image {@code define(...).create()} and a VM
 * reimage. Run by bench/run.sh on the project's test class path (the SDK artifacts are test-scoped).
 *
 * <p>{@code SdkBench <https-base-url> <certificate-pem-file> <runs>}; prints one JSON line on stdout:
 * {@code {"imageCreateMs":[...],"reimageMs":[...],"firstImageCreateMs":..,"firstReimageMs":..,"vmCreateMs":..}}
 * where the first call of each kind (class loading and connection set-up in the client) is reported apart and
 * the lists hold the calls after it.
 */
public final class SdkBench {
    static final String SUB = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    static final String TENANT = "72f988bf-0000-4000-8000-00000000a21e";
    static final String RG = "sdk-bench";
    static final String VHD = "https://sdkbench.blob.core.windows.net/vhds/os.vhd";

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String certificate = Files.readString(Path.of(args[1]));
        int runs = Integer.parseInt(args[2]);

        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", endpoint + "/");
        endpoints.put("managementEndpointUrl", endpoint + "/");
        AzureProfile profile = new AzureProfile(TENANT, SUB, new AzureEnvironment(endpoints));
        TokenCredential anyToken = request -> Mono.just(new AccessToken("bench", OffsetDateTime.now().plusHours(1)));
        ComputeManager compute = ComputeManager.configure().withHttpClient(httpClient(certificate))
                .authenticate(anyToken, profile);
        compute.resourceManager().resourceGroups().define(RG).withRegion(Region.US_WEST).create();
        // the VM's NIC must exist: a virtual network and the NIC, PUT through the SDK's own pipeline
        String rg = endpoint + "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Network";
        put(compute, rg + "/virtualNetworks/vnet?api-version=2023-09-01", "{\"location\":\"westus\",\"properties\":"
                + "{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},\"subnets\":[{\"name\":\"default\","
                + "\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}");
        put(compute, rg + "/networkInterfaces/nic1?api-version=2023-09-01", "{\"location\":\"westus\",\"properties\":"
                + "{\"ipConfigurations\":[{\"name\":\"ip\",\"properties\":{\"subnet\":{\"id\":\"/subscriptions/" + SUB
                + "/resourceGroups/" + RG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default\"}}}]}}");

        List<Double> images = new ArrayList<>();
        double firstImage = 0;
        for (int i = 0; i <= runs; i++) {
            long t0 = System.nanoTime();
            compute.virtualMachineCustomImages().define("sdk-image-" + i).withRegion(Region.US_WEST)
                    .withExistingResourceGroup(RG).withLinuxFromVhd(VHD, OperatingSystemStateTypes.GENERALIZED)
                    .create();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (i == 0) {
                firstImage = ms;
            } else {
                images.add(ms);
            }
        }

        VirtualMachinesClient vms = compute.serviceClient().getVirtualMachines();
        long v0 = System.nanoTime();
        vms.createOrUpdate(RG, "sdk-vm", vm());
        double vmCreate = (System.nanoTime() - v0) / 1e6;
        List<Double> reimages = new ArrayList<>();
        double firstReimage = 0;
        for (int i = 0; i <= runs; i++) {
            long t0 = System.nanoTime();
            vms.reimage(RG, "sdk-vm");
            double ms = (System.nanoTime() - t0) / 1e6;
            if (i == 0) {
                firstReimage = ms;
            } else {
                reimages.add(ms);
            }
        }
        System.out.printf(java.util.Locale.ROOT, "{\"imageCreateMs\":%s,\"reimageMs\":%s,\"firstImageCreateMs\":%.3f,"
                        + "\"firstReimageMs\":%.3f,\"vmCreateMs\":%.3f}%n", list(images), list(reimages), firstImage,
                firstReimage, vmCreate);
        System.out.flush();
        System.exit(0); // the SDK's HTTP client keeps non-daemon threads
    }

    private static String list(List<Double> values) {
        return values.stream().map(v -> String.format(java.util.Locale.ROOT, "%.3f", v))
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static void put(ComputeManager compute, String url, String body) {
        com.azure.core.http.HttpResponse r = compute.serviceClient().getHttpPipeline().send(
                new com.azure.core.http.HttpRequest(com.azure.core.http.HttpMethod.PUT, url)
                        .setHeader("Content-Type", "application/json").setBody(body)).block();
        if (r == null || r.getStatusCode() >= 300) {
            throw new IllegalStateException("PUT " + url + ": " + (r == null ? "no answer" : r.getStatusCode()));
        }
    }

    /** A Linux VM from the Ubuntu 22.04 platform image whose OS disk is deleted when replaced by a reimage. */
    private static VirtualMachineInner vm() {
        return new VirtualMachineInner().withLocation("westus")
                .withHardwareProfile(new HardwareProfile().withVmSize(VirtualMachineSizeTypes.STANDARD_D2S_V3))
                .withStorageProfile(new StorageProfile()
                        .withImageReference(new ImageReference().withPublisher("Canonical")
                                .withOffer("0001-com-ubuntu-server-jammy").withSku("22_04-lts-gen2")
                                .withVersion("latest"))
                        .withOsDisk(new OSDisk().withCreateOption(DiskCreateOptionTypes.FROM_IMAGE)
                                .withDeleteOption(DiskDeleteOptionTypes.DELETE)))
                .withOsProfile(new OSProfile().withComputerName("sdkvm").withAdminUsername("azureuser")
                        .withAdminPassword("Bench-Pass-9!"))
                .withNetworkProfile(new NetworkProfile().withNetworkInterfaces(List.of(new NetworkInterfaceReference()
                        .withId("/subscriptions/" + SUB + "/resourceGroups/" + RG
                                + "/providers/Microsoft.Network/networkInterfaces/nic1").withPrimary(true))));
    }

    /** An HTTP client trusting the emulator's certificate, as the project's own SDK tests build it. */
    private static HttpClient httpClient(String certificatePem) throws Exception {
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
        SslContext ssl = SslContextBuilder.forClient().trustManager(cert).build();
        return new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
                .secure(spec -> spec.sslContext(ssl))).build();
    }
}

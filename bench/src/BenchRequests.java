import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests the benchmark sends: the subscription, resource groups and API versions it uses, the bodies of an
 * image and of a VM, and a source of each measured kind of request ({@link Load.RequestSource}) over the images
 * stored so far.
 */
final class BenchRequests {
    static final String SUB = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    static final String RG = "bench-rg";
    static final String VM_RG = "bench-vms";
    static final String V = "2024-03-01";
    static final String RG_V = "2025-04-01";
    static final String IMAGES = "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/images";
    static final String VMS = "/subscriptions/" + SUB + "/resourceGroups/" + VM_RG
            + "/providers/Microsoft.Compute/virtualMachines";
    static final byte[] IMAGE_BODY = ("{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":"
            + "{\"osType\":\"Linux\",\"osState\":\"Generalized\","
            + "\"blobUri\":\"https://acct1.blob.core.windows.net/vhds/os.vhd\"}}}}").getBytes(StandardCharsets.UTF_8);

    /** The number of the next image to create: images 0 to one less than it exist. */
    final AtomicInteger nextImage = new AtomicInteger();
    private final BenchSettings settings;

    BenchRequests(BenchSettings settings) {
        this.settings = settings;
    }

    static String image(int n) {
        return IMAGES + String.format(Locale.ROOT, "/img-%07d", n) + "?api-version=" + V;
    }

    private int existing() {
        return Math.max(1, Math.min(nextImage.get(), settings.topLevel()));
    }

    Load.Req imageGet(int worker, long n) {
        return new Load.Req("GET", image(ThreadLocalRandom.current().nextInt(existing())), null, 200);
    }

    Load.Req imageUpdate(int worker, long n) {
        return new Load.Req("PUT", image(ThreadLocalRandom.current().nextInt(existing())), IMAGE_BODY, 200);
    }

    Load.Req imageCreate(int worker, long n) {
        return new Load.Req("PUT", image(nextImage.getAndIncrement()), IMAGE_BODY, 201);
    }

    Load.Req listFirst(int worker, long n) {
        return new Load.Req("GET", IMAGES + "?api-version=" + V, null, 200);
    }

    /** The page after the image at 90% of those stored: at 100,000 images, page 900 of 1,000. */
    Load.Req listDeep(int worker, long n) {
        String key = (IMAGES + String.format(Locale.ROOT, "/img-%07d", (int) (existing() * 0.9)))
                .toLowerCase(Locale.ROOT);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
        return new Load.Req("GET", IMAGES + "?api-version=" + V + "&$skiptoken=" + token, null, 200);
    }

    /** Each worker its own VM, deallocated and started in turn (both answered 200 at once with no delay). */
    Load.Req vmAction(int worker, long n) {
        return new Load.Req("POST", VMS + "/vm-" + worker + "/" + (n % 2 == 0 ? "deallocate" : "start")
                + "?api-version=" + V, null, 200);
    }

    static final String NETWORK = "/subscriptions/" + SUB + "/resourceGroups/" + VM_RG + "/providers/Microsoft.Network";

    /** The virtual network the VMs' NICs sit in. */
    static byte[] vnetBody() {
        return ("{\"location\":\"westus\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},"
                + "\"subnets\":[{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"10.0.0.0/22\"}}]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Worker {@code w}'s NIC (a VM's NIC must exist, and serve no other VM). */
    static byte[] nicBody() {
        return ("{\"location\":\"westus\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ip\",\"properties\":"
                + "{\"subnet\":{\"id\":\"" + NETWORK + "/virtualNetworks/vnet/subnets/default\"}}}]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] vmBody(int w) {
        return ("{\"location\":\"westus\",\"properties\":{\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},"
                + "\"storageProfile\":{\"imageReference\":{\"publisher\":\"Canonical\","
                + "\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\",\"version\":\"latest\"},"
                + "\"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{\"storageAccountType\":\"Standard_LRS\"}}},"
                + "\"osProfile\":{\"computerName\":\"vm" + w + "\",\"adminUsername\":\"azureuser\","
                + "\"adminPassword\":\"Bench-Pass1\"},\"networkProfile\":{\"networkInterfaces\":[{\"id\":"
                + "\"/subscriptions/" + SUB + "/resourceGroups/" + VM_RG
                + "/providers/Microsoft.Network/networkInterfaces/nic-" + w + "\"}]}}}").getBytes(StandardCharsets.UTF_8);
    }
}

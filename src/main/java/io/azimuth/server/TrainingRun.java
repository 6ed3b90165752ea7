package io.azimuth.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code --training-run}: starts an instance in memory on free ports, sends it the requests a typical session
 * begins with (health, a resource group, an image, a VM and its actions, lists, an error, one request over HTTPS),
 * and stops. The build runs it under {@code -XX:ArchiveClassesAtExit} to write {@code target/azimuth.jsa}, a
 * class-data sharing archive of every class that start-up and those requests load; started with
 * {@code -XX:SharedArchiveFile=target/azimuth.jsa}, the JVM maps them instead of loading and verifying them again.
 */
public final class TrainingRun {
    private static final String SUBSCRIPTION = Config.DEFAULT_SUBSCRIPTION;

    private TrainingRun() {
    }

    /** Runs it; the exit status: 0 when every request was answered as expected. */
    public static int run(Config base) throws Exception {
        Path dir = Files.createTempDirectory("azimuth-training");
        Config config = new Config("127.0.0.1", 0, 0, dir, true, 0, null, null, false, SUBSCRIPTION,
                base.tenantId(), base.pageSize(), base.maxBodyBytes(), true);
        try (AzimuthServer server = AzimuthServer.start(config)) {
            String http = "http://127.0.0.1:" + server.httpPort();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            String group = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/training";
            String compute = group + "/providers/Microsoft.Compute";
            String v = "?api-version=2024-03-01";
            expect(client, http, "GET", "/_azimuth/health", null, 200);
            expect(client, http, "PUT", group + "?api-version=2025-04-01", "{\"location\":\"westus\"}", 201);
            String image = "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":"
                    + "\"Linux\",\"osState\":\"Generalized\",\"blobUri\":"
                    + "\"https://training.blob.core.windows.net/vhds/os.vhd\"}}}}";
            expect(client, http, "PUT", compute + "/images/image1" + v, image, 201);
            expect(client, http, "PUT", compute + "/images/image1" + v, image, 200);
            expect(client, http, "GET", compute + "/images/image1" + v, null, 200);
            expect(client, http, "GET", compute + "/images" + v, null, 200);
            expect(client, http, "GET", compute + "/images/missing" + v, null, 404);
            String network = group + "/providers/Microsoft.Network";
            String nv = "?api-version=2023-09-01";
            expect(client, http, "PUT", network + "/virtualNetworks/vnet1" + nv, "{\"location\":\"westus\","
                    + "\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},\"subnets\":"
                    + "[{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}", 201);
            expect(client, http, "PUT", network + "/networkInterfaces/nic1" + nv, "{\"location\":\"westus\","
                    + "\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":{\"subnet\":"
                    + "{\"id\":\"" + network + "/virtualNetworks/vnet1/subnets/default\"}}}]}}", 201);
            expect(client, http, "GET", network + "/networkInterfaces/nic1" + nv, null, 200);
            String vm = "{\"location\":\"westus\",\"properties\":{\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},"
                    + "\"storageProfile\":{\"imageReference\":{\"publisher\":\"Canonical\","
                    + "\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\",\"version\":\"latest\"},"
                    + "\"osDisk\":{\"createOption\":\"FromImage\"}},\"osProfile\":{\"computerName\":\"vm1\","
                    + "\"adminUsername\":\"azureuser\",\"adminPassword\":\"Training-Pass1\"},\"networkProfile\":"
                    + "{\"networkInterfaces\":[{\"id\":\"" + group
                    + "/providers/Microsoft.Network/networkInterfaces/nic1\"}]}}}";
            expect(client, http, "PUT", compute + "/virtualMachines/vm1" + v, vm, 201);
            expect(client, http, "POST", compute + "/virtualMachines/vm1/deallocate" + v, null, 200);
            expect(client, http, "POST", compute + "/virtualMachines/vm1/start" + v, null, 200);
            expect(client, http, "GET", compute + "/virtualMachines/vm1" + v + "&$expand=instanceView", null, 200);
            expect(client, http, "GET", compute + "/disks" + v, null, 200);

            String pem = client.send(HttpRequest.newBuilder(URI.create(http + "/_azimuth/cert")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            HttpClient tls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(pem))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            expect(tls, "https://127.0.0.1:" + server.httpsPort(), "GET", compute + "/images/image1" + v, null, 200);
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // a temporary directory
            }
        }
    }

    private static void expect(HttpClient client, String base, String method, String path, String body, int status)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer training").timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != status) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ", not "
                    + status + ": " + response.body());
        }
    }

    private static SSLContext trusting(String certificatePem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("azimuth", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}

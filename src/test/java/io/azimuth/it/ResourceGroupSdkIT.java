package io.azimuth.it;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.resources.ResourceManager;
import com.azure.resourcemanager.resources.models.ResourceGroup;
import com.azure.resourcemanager.resources.models.ResourceGroupPatchable;
import io.azimuth.support.JarProcess;
import io.azimuth.support.Sdk;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Java fluent SDK (azure-resourcemanager-resources) against the running jar over HTTPS, trusting the
 * generated certificate. Deletes are long-running operations here (--operation-delay 1s), so the SDK's poller
 * follows Azure-AsyncOperation and Location as it does against Azure.
 */
class ResourceGroupSdkIT {
    static Path dataDir;
    static JarProcess azimuth;
    static ResourceManager resources;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-sdk-it");
        azimuth = JarProcess.start(dataDir, "--operation-delay", "1s", "--page-size", "2");
        resources = ResourceManager.configure()
                .withHttpClient(Sdk.httpClient(azimuth.certificatePem()))
                .authenticate(Sdk.anyToken(), Sdk.profile(azimuth.httpsBase(), TestServer.SUB))
                .withDefaultSubscription();
    }

    @AfterAll
    static void stop() {
        azimuth.close();
        TestServer.deleteTree(dataDir);
    }

    @Test
    void createGetListUpdateAndDeleteResourceGroups() {
        ResourceGroup created = resources.resourceGroups().define("sdk-images-rg")
                .withRegion(Region.US_WEST)
                .withTag("team", "images")
                .create();
        assertThat(created.name()).isEqualTo("sdk-images-rg");
        assertThat(created.regionName()).isEqualTo("westus");
        assertThat(created.provisioningState()).isEqualTo("Succeeded");
        assertThat(created.id()).isEqualTo("/subscriptions/" + TestServer.SUB + "/resourceGroups/sdk-images-rg");
        assertThat(created.tags()).containsEntry("team", "images");

        ResourceGroup fetched = resources.resourceGroups().getByName("SDK-IMAGES-RG");
        assertThat(fetched.name()).isEqualTo("sdk-images-rg");
        assertThat(resources.resourceGroups().contain("sdk-images-rg")).isTrue();
        assertThat(resources.resourceGroups().contain("no-such-rg")).isFalse();

        for (String n : new String[]{"sdk-a", "sdk-b", "sdk-c"}) {
            resources.resourceGroups().define(n).withRegion(Region.EUROPE_NORTH).create();
        }
        assertThat(resources.resourceGroups().list().stream().map(ResourceGroup::name).collect(Collectors.toList()))
                .as("four groups over pages of two").contains("sdk-images-rg", "sdk-a", "sdk-b", "sdk-c")
                .doesNotHaveDuplicates();

        ResourceGroup updated = fetched.update().withTag("stage", "capture").apply();
        assertThat(updated.tags()).containsEntry("stage", "capture").containsEntry("team", "images");
        assertThat(resources.resourceGroups().getByName("sdk-images-rg").tags()).containsEntry("stage", "capture");

        resources.serviceClient().getResourceGroups().update("sdk-images-rg",
                new ResourceGroupPatchable().withTags(Map.of("only", "this")));
        assertThat(resources.resourceGroups().getByName("sdk-images-rg").tags()).containsOnlyKeys("only");

        long started = System.nanoTime();
        resources.resourceGroups().deleteByName("sdk-images-rg");
        assertThat((System.nanoTime() - started) / 1_000_000).as("the poller waited for the operation")
                .isGreaterThanOrEqualTo(900);
        assertThat(resources.resourceGroups().contain("sdk-images-rg")).isFalse();
        assertThatThrownBy(() -> resources.resourceGroups().getByName("sdk-images-rg"))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(404);
                    assertThat(e.getValue().getCode()).isEqualTo("ResourceGroupNotFound");
                });
    }

    @Test
    void errorsSurfaceWithTheirArmCodes() {
        assertThatThrownBy(() -> resources.resourceGroups().define("bad name!").withRegion(Region.US_WEST).create())
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(400);
                    assertThat(e.getValue().getCode()).isEqualTo("InvalidResourceGroup");
                });
        resources.resourceGroups().define("pinned").withRegion(Region.US_EAST).create();
        assertThatThrownBy(() -> resources.resourceGroups().define("pinned").withRegion(Region.US_WEST).create())
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("InvalidResourceGroupLocation"));
    }

    @Test
    void theReadmeWayTrustStoreSystemPropertiesAndTheDefaultHttpClient() throws Exception {
        Path trustStore = dataDir.resolve("downloaded-truststore.p12");
        java.net.http.HttpResponse<Path> download = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + azimuth.httpPort
                        + "/_azimuth/cert?format=pkcs12")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofFile(trustStore));
        assertThat(download.statusCode()).isEqualTo(200);
        // a fresh JVM, as a user's program: JDK trust-store flags and the SDK's default HTTP client
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=azimuth",
                "-Djavax.net.ssl.trustStoreType=PKCS12", "-cp", System.getProperty("java.class.path"),
                ReadmeClient.class.getName(), azimuth.httpsBase(), TestServer.SUB, "readme-way")
                .redirectErrorStream(true).start();
        String output = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(client.waitFor()).as(output).isZero();
        assertThat(output).contains("created readme-way in westus");
        assertThat(resources.resourceGroups().contain("readme-way")).isTrue();
    }

    @Test
    void theDefaultSubscriptionIsDiscoveredWhenTheProfileHasNone() {
        ResourceManager discovered = ResourceManager.configure()
                .withHttpClient(Sdk.httpClient(azimuth.certificatePem()))
                .authenticate(Sdk.anyToken(), Sdk.profile(azimuth.httpsBase(), null))
                .withDefaultSubscription();
        assertThat(discovered.subscriptionId()).isEqualTo(TestServer.SUB);
        discovered.resourceGroups().define("discovered").withRegion(Region.US_WEST).create();
        assertThat(resources.resourceGroups().contain("discovered")).isTrue();
    }
}

package io.azimuth.it;

import com.microsoft.windowsazure.core.OperationResponse;
import com.microsoft.windowsazure.core.OperationStatus;
import com.microsoft.windowsazure.core.OperationStatusResponse;
import com.microsoft.windowsazure.core.utils.KeyStoreType;
import com.microsoft.windowsazure.exception.ServiceException;
import com.microsoft.windowsazure.management.compute.ComputeManagementClient;
import com.microsoft.windowsazure.management.compute.ComputeManagementClientImpl;
import com.microsoft.windowsazure.management.compute.ComputeManagementService;
import com.microsoft.windowsazure.management.compute.models.CertificateFormat;
import com.microsoft.windowsazure.management.compute.models.ConfigurationSet;
import com.microsoft.windowsazure.management.compute.models.ConfigurationSetTypes;
import com.microsoft.windowsazure.management.compute.models.DeploymentGetResponse;
import com.microsoft.windowsazure.management.compute.models.DeploymentSlot;
import com.microsoft.windowsazure.management.compute.models.HostedServiceCreateParameters;
import com.microsoft.windowsazure.management.compute.models.HostedServiceGetResponse;
import com.microsoft.windowsazure.management.compute.models.InputEndpoint;
import com.microsoft.windowsazure.management.compute.models.OSVirtualHardDisk;
import com.microsoft.windowsazure.management.compute.models.PostCaptureAction;
import com.microsoft.windowsazure.management.compute.models.PostShutdownAction;
import com.microsoft.windowsazure.management.compute.models.Role;
import com.microsoft.windowsazure.management.compute.models.RoleInstancePowerState;
import com.microsoft.windowsazure.management.compute.models.ServiceCertificateCreateParameters;
import com.microsoft.windowsazure.management.compute.models.SshSettingPublicKey;
import com.microsoft.windowsazure.management.compute.models.SshSettings;
import com.microsoft.windowsazure.management.compute.models.VirtualMachineCaptureOSImageParameters;
import com.microsoft.windowsazure.management.compute.models.VirtualMachineCreateDeploymentParameters;
import com.microsoft.windowsazure.management.compute.models.VirtualMachineOSImageCreateParameters;
import com.microsoft.windowsazure.management.compute.models.VirtualMachineOSImageListResponse;
import com.microsoft.windowsazure.management.compute.models.VirtualMachineRoleType;
import com.microsoft.windowsazure.management.compute.models.VirtualMachineShutdownParameters;
import com.microsoft.windowsazure.management.configuration.ManagementConfiguration;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.TestServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The classic Service Management SDK for Java ({@code azure-svc-mgmt-compute} 0.9.7) against the running jar, as
 * its users point it at {@code management.core.windows.net}: over HTTPS, authenticated by a management
 * certificate from a PKCS#12 key store (made here), with operations taking a moment ({@code --operation-delay})
 * that the SDK polls through Get Operation Status. Its long-running-operation waits are set to 0 so it does not
 * sleep 30 s between polls.
 */
class ClassicSdkIT {
    static final String SUB = TestServer.SUB;
    static final String SVC = "sdk-capture";
    static final String DEP = "sdk-dep";
    static final String VM = "sdk-vm";
    static final long VHD_SIZE = 1024 * 1024;

    static Path dataDir;
    static JarProcess azimuth;
    static ComputeManagementClient client;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-classic-it");
        azimuth = JarProcess.start(dataDir, "--operation-delay", "300ms");
        Path keyStore = managementCertificate(dataDir.resolve("management.p12"), "classic-Passw0rd");
        client = ComputeManagementService.create(ManagementConfiguration.configure(
                URI.create(azimuth.httpsBase() + "/"), SUB, keyStore.toString(), "classic-Passw0rd",
                KeyStoreType.pkcs12));
        ComputeManagementClientImpl impl = (ComputeManagementClientImpl) client;
        impl.setLongRunningOperationInitialTimeout(0);
        impl.setLongRunningOperationRetryTimeout(0);
        // the VHD the OS image is made of, uploaded as users do
        byte[] vhd = new byte[(int) VHD_SIZE + 512];
        System.arraycopy(VhdFooter.fixed(VHD_SIZE), 0, vhd, (int) VHD_SIZE, 512);
        assertThat(azimuth.http().putBytes("/_azimuth/blobs/sdkstore/images/base.vhd", vhd).status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (azimuth != null) {
            azimuth.close();
        }
        TestServer.deleteTree(dataDir);
    }

    /** A self-signed RSA management certificate and its key in a password-protected PKCS#12 file. */
    static Path managementCertificate(Path file, String password) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        X500Name name = new X500Name("CN=Azimuth classic SDK test");
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("management", pair.getPrivate(), password.toCharArray(), new Certificate[]{cert});
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    static ConfigurationSet linux(String hostName, String fingerprint) {
        ConfigurationSet set = new ConfigurationSet();
        set.setConfigurationSetType(ConfigurationSetTypes.LINUXPROVISIONINGCONFIGURATION);
        set.setHostName(hostName);
        set.setUserName("azureuser");
        set.setUserPassword("Classic-Pa55word");
        set.setDisableSshPasswordAuthentication(false);
        SshSettings ssh = new SshSettings();
        ArrayList<SshSettingPublicKey> keys = new ArrayList<>();
        keys.add(new SshSettingPublicKey(fingerprint, "/home/azureuser/.ssh/authorized_keys"));
        ssh.setPublicKeys(keys);
        set.setSshSettings(ssh);
        return set;
    }

    @Test
    void createShutDownCaptureWithReprovisionAndDeleteAndPoll() throws Exception {
        // a cloud service, answered 201
        HostedServiceCreateParameters service = new HostedServiceCreateParameters();
        service.setServiceName(SVC);
        service.setLabel("classic capture");
        service.setLocation("West US");
        assertThat(client.getHostedServicesOperations().create(service).getStatusCode()).isEqualTo(201);
        HostedServiceGetResponse fetched = client.getHostedServicesOperations().get(SVC);
        assertThat(fetched.getProperties().getLabel()).isEqualTo("classic capture");

        // a service certificate, whose thumbprint the SSH key refers to
        X509Certificate sshCert = sshCertificate();
        ServiceCertificateCreateParameters certificate = new ServiceCertificateCreateParameters();
        certificate.setData(sshCert.getEncoded());
        certificate.setCertificateFormat(CertificateFormat.Cer);
        OperationStatusResponse added = client.getServiceCertificatesOperations().create(SVC, certificate);
        assertThat(added.getStatus()).isEqualTo(OperationStatus.Succeeded);
        String fingerprint = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1")
                .digest(sshCert.getEncoded()));

        // an OS image from the uploaded VHD
        VirtualMachineOSImageCreateParameters image = new VirtualMachineOSImageCreateParameters();
        image.setName("sdk-base");
        image.setLabel("SDK base image");
        image.setMediaLinkUri(URI.create("https://sdkstore.blob.core.windows.net/images/base.vhd"));
        image.setOperatingSystemType("Linux");
        assertThat(client.getVirtualMachineOSImagesOperations().create(image).getName()).isEqualTo("sdk-base");

        // a VM deployment of one role from it
        Role role = new Role();
        role.setRoleName(VM);
        role.setRoleType(VirtualMachineRoleType.PersistentVMRole.toString());
        role.setRoleSize("Small");
        ArrayList<ConfigurationSet> sets = new ArrayList<>();
        sets.add(linux("sdkhost", fingerprint));
        ConfigurationSet network = new ConfigurationSet();
        network.setConfigurationSetType(ConfigurationSetTypes.NETWORKCONFIGURATION);
        InputEndpoint ssh = new InputEndpoint();
        ssh.setName("SSH");
        ssh.setProtocol("tcp");
        ssh.setPort(22);
        ssh.setLocalPort(22);
        ArrayList<InputEndpoint> endpoints = new ArrayList<>();
        endpoints.add(ssh);
        network.setInputEndpoints(endpoints);
        sets.add(network);
        role.setConfigurationSets(sets);
        OSVirtualHardDisk osDisk = new OSVirtualHardDisk();
        osDisk.setHostCaching("ReadWrite");
        osDisk.setSourceImageName("sdk-base");
        osDisk.setMediaLink(URI.create("https://sdkstore.blob.core.windows.net/vhds/sdk-vm.vhd"));
        role.setOSVirtualHardDisk(osDisk);
        VirtualMachineCreateDeploymentParameters deployment = new VirtualMachineCreateDeploymentParameters();
        deployment.setName(DEP);
        deployment.setDeploymentSlot(DeploymentSlot.Production);
        deployment.setLabel(Base64.getEncoder().encodeToString("classic deployment".getBytes()));
        ArrayList<Role> roles = new ArrayList<>();
        roles.add(role);
        deployment.setRoles(roles);
        assertThat(client.getVirtualMachinesOperations().createDeployment(SVC, deployment).getStatus())
                .isEqualTo(OperationStatus.Succeeded);
        DeploymentGetResponse running = client.getDeploymentsOperations().getByName(SVC, DEP);
        assertThat(running.getRoleInstances()).hasSize(1);
        assertThat(running.getRoleInstances().get(0).getInstanceStatus()).isEqualTo("ReadyRole");
        assertThat(running.getRoleInstances().get(0).getPowerState()).isEqualTo(RoleInstancePowerState.Started);
        assertThat(running.getRoles().get(0).getOSVirtualHardDisk().getSourceImageName()).isEqualTo("sdk-base");

        // capturing a running role is refused, and the SDK surfaces the classic error
        try {
            client.getVirtualMachinesOperations().captureOSImage(SVC, DEP, VM, new VirtualMachineCaptureOSImageParameters(
                    PostCaptureAction.Delete, "refused", "refused"));
            fail("a running role was captured");
        } catch (Exception e) {
            ServiceException se = serviceException(e);
            assertThat(se.getError().getCode()).isEqualTo("ConflictError");
            assertThat(se.getError().getMessage()).contains("must be shut down");
        }

        // shut down, polling Get Operation Status by hand: in progress, then succeeded
        VirtualMachineShutdownParameters shutdown = new VirtualMachineShutdownParameters();
        shutdown.setPostShutdownAction(PostShutdownAction.StoppedDeallocated);
        OperationResponse begun = client.getVirtualMachinesOperations().beginShutdown(SVC, DEP, VM, shutdown);
        assertThat(begun.getStatusCode()).isEqualTo(202);
        assertThat(begun.getRequestId()).matches("[0-9a-f]{32}");
        OperationStatusResponse status = client.getOperationStatus(begun.getRequestId());
        assertThat(status.getStatus()).isEqualTo(OperationStatus.InProgress);
        assertThat(status.getId().replace("-", "")).isEqualTo(begun.getRequestId());
        long deadline = System.currentTimeMillis() + 20_000;
        while (status.getStatus() == OperationStatus.InProgress && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            status = client.getOperationStatus(begun.getRequestId());
        }
        assertThat(status.getStatus()).isEqualTo(OperationStatus.Succeeded);
        assertThat(status.getHttpStatusCode()).isEqualTo(200);
        assertThat(client.getDeploymentsOperations().getByName(SVC, DEP).getRoleInstances().get(0).getInstanceStatus())
                .isEqualTo("StoppedDeallocated");

        // capture with Reprovision: the image is registered and the VM redeployed from it
        VirtualMachineCaptureOSImageParameters reprovision = new VirtualMachineCaptureOSImageParameters(
                PostCaptureAction.Reprovision, "SDK golden image", "sdk-golden");
        reprovision.setProvisioningConfiguration(linux("reborn", fingerprint));
        long started = System.nanoTime();
        OperationStatusResponse captured = client.getVirtualMachinesOperations().captureOSImage(SVC, DEP, VM,
                reprovision);
        assertThat(captured.getStatus()).isEqualTo(OperationStatus.Succeeded);
        assertThat((System.nanoTime() - started) / 1_000_000).as("the SDK polled without its 30 s waits")
                .isLessThan(10_000);
        DeploymentGetResponse reborn = client.getDeploymentsOperations().getByName(SVC, DEP);
        assertThat(reborn.getRoleInstances().get(0).getInstanceStatus()).isEqualTo("ReadyRole");
        assertThat(reborn.getRoleInstances().get(0).getHostName()).isEqualTo("reborn");
        assertThat(reborn.getRoles().get(0).getOSVirtualHardDisk().getSourceImageName()).isEqualTo("sdk-golden");
        assertThat(imageNames()).contains("sdk-golden");

        // capture with Delete: the image is registered and the VM (here the whole deployment) is gone
        client.getVirtualMachinesOperations().shutdown(SVC, DEP, VM, new VirtualMachineShutdownParameters());
        OperationStatusResponse deleted = client.getVirtualMachinesOperations().captureOSImage(SVC, DEP, VM,
                new VirtualMachineCaptureOSImageParameters(PostCaptureAction.Delete, "SDK final image", "sdk-final"));
        assertThat(deleted.getStatus()).isEqualTo(OperationStatus.Succeeded);
        try {
            client.getDeploymentsOperations().getByName(SVC, DEP);
            fail("the deployment outlived its only virtual machine");
        } catch (Exception e) {
            assertThat(serviceException(e).getHttpStatusCode()).isEqualTo(404);
        }

        // the OS image list shows both captures as user images, beside the OS disk's blob
        VirtualMachineOSImageListResponse list = client.getVirtualMachineOSImagesOperations().list();
        List<VirtualMachineOSImageListResponse.VirtualMachineOSImage> captures = list.getImages().stream()
                .filter(i -> i.getName().startsWith("sdk-golden") || i.getName().equals("sdk-final")).toList();
        assertThat(captures).extracting(VirtualMachineOSImageListResponse.VirtualMachineOSImage::getName)
                .containsExactlyInAnyOrder("sdk-golden", "sdk-final");
        for (var captureImage : captures) {
            assertThat(captureImage.getCategory()).isEqualTo("User");
            assertThat(captureImage.getOperatingSystemType()).isEqualTo("Linux");
            assertThat(captureImage.getMediaLinkUri().toString()).startsWith("https://sdkstore.blob.core.windows.net/vhds/");
        }
        Http.Response blobs = azimuth.http().get("/_azimuth/blobs/sdkstore/vhds");
        assertThat(blobs.json().path("value").findValuesAsText("name")).hasSize(3);
    }

    static List<String> imageNames() throws Exception {
        return client.getVirtualMachineOSImagesOperations().list().getImages().stream()
                .map(VirtualMachineOSImageListResponse.VirtualMachineOSImage::getName).toList();
    }

    static ServiceException serviceException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ServiceException se) {
                return se;
            }
        }
        throw new AssertionError("not a ServiceException", e);
    }

    static X509Certificate sshCertificate() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        X500Name name = new X500Name("CN=sdk ssh key");
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))),
                name, pair.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    }
}

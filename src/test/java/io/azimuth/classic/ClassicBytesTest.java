package io.azimuth.classic;

import io.azimuth.support.ServerExtension;
import io.azimuth.support.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.LocalDate;
import java.time.ZoneOffset;

import static io.azimuth.classic.ClassicFixture.ConfigSet;
import static io.azimuth.classic.ClassicFixture.addImageXml;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.captureXml;
import static io.azimuth.classic.ClassicFixture.createService;
import static io.azimuth.classic.ClassicFixture.deployment;
import static io.azimuth.classic.ClassicFixture.deploymentXml;
import static io.azimuth.classic.ClassicFixture.get;
import static io.azimuth.classic.ClassicFixture.media;
import static io.azimuth.classic.ClassicFixture.network;
import static io.azimuth.classic.ClassicFixture.operations;
import static io.azimuth.classic.ClassicFixture.osDiskFromImage;
import static io.azimuth.classic.ClassicFixture.roleXml;
import static io.azimuth.classic.ClassicFixture.service;
import static io.azimuth.classic.ClassicFixture.shutdown;
import static io.azimuth.classic.ClassicFixture.xml;
import static io.azimuth.support.Vhds.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classic API's VHD bytes end to end: an OS image's VHD becomes a role's OS disk; Capture Role copies the OS
 * disk's bytes (as the VM left them) into the captured image's VHD; a role made from that image, and the reprovisioned
 * role, hold those bytes.
 */
class ClassicBytesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @Test
    void anImagesBytesBecomeARolesAndACapturesBytesBecomeTheNextRoles() {
        byte[] golden = Vhds.random(2 * MIB, 1999);
        Vhds.upload(server.http(), media("images", "golden.vhd"), golden);
        assertStatus(call(server.http(), "POST", "/services/images", addImageXml("golden", media("images", "golden.vhd"),
                "Linux")), 200);
        createService(server.http(), "svc");
        String os = media("vhds", "svc-vm1.vhd");
        assertStatus(call(server.http(), "POST", service("svc") + "/deployments", deploymentXml("dep", roleXml("Role", "vm1",
                ConfigSet.linux().xml("ConfigurationSet") + network(), osDiskFromImage("golden", os)))), 202);
        Vhds.assertSameDisk(Vhds.blob(server.http(), os), golden);

        byte[] written = Vhds.random(2 * MIB, 2000); // what the VM wrote to its disk
        Vhds.upload(server.http(), os, written);
        shutdown(server.http(), "svc", "dep", "vm1", null);
        assertStatus(call(server.http(), "POST", operations("svc", "dep", "vm1"), captureXml("Reprovision",
                ConfigSet.linux().set("HostName", "reborn").provisioning(), "captured", "captured")), 202);
        String captured = media("vhds", "captured-os-" + LocalDate.now(ZoneOffset.UTC) + ".vhd");
        assertThat(xml(get(server.http(), "/services/images/captured")).text("MediaLink")).isEqualTo(captured);
        Vhds.assertSameDisk(Vhds.blob(server.http(), captured), written);
        Vhds.assertSameDisk(Vhds.blob(server.http(), os), written);

        String second = media("vhds", "svc-vm2.vhd");
        assertStatus(call(server.http(), "POST", deployment("svc", "dep") + "/roles", roleXml("PersistentVMRole", "vm2",
                ConfigSet.linux().xml("ConfigurationSet"), osDiskFromImage("captured", second))), 202);
        Vhds.assertSameDisk(Vhds.blob(server.http(), second), written);
        Vhds.assertSameDisk(Vhds.blob(server.http(), media("images", "golden.vhd")), golden);
    }
}

package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;

import static io.azimuth.compute.vms.VmFixture.OSP;
import static io.azimuth.compute.vms.VmFixture.SSH_KEY;
import static io.azimuth.compute.vms.VmFixture.assertRefused;
import static io.azimuth.compute.vms.VmFixture.create;
import static io.azimuth.compute.vms.VmFixture.linux;
import static io.azimuth.compute.vms.VmFixture.obj;
import static io.azimuth.compute.vms.VmFixture.put;
import static io.azimuth.compute.vms.VmFixture.windows;
import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/** The OS profile: computer name, user, password and custom data rules; secrets are never answered. */
class OsProfileRulesTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void sources() {
        server.reset();
        VmFixture.sources(server.server());
    }

    /** A password of {@code length} characters with lower- and upper-case letters and digits. */
    static String password(int length) {
        return "Aa1" + "x".repeat(length - 3);
    }

    private static ObjectNode vm(String os, String password) {
        ObjectNode body = os.equals("Windows") ? windows("vm1") : linux("vm1");
        obj(body, OSP).put("adminPassword", password);
        return body;
    }

    // ---- computer name and user ----

    @Test
    void computerNameIsRequired() {
        ObjectNode body = linux("vm1");
        obj(body, OSP).remove("computerName");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP + ".computerName");
    }

    @Test
    void windowsComputerNamesAreAtMost15CharactersAndNotOnlyDigits() {
        assertRefused(put(server.http(), "vm1", windows("a".repeat(16))), 400, "InvalidParameter", OSP + ".computerName");
        assertRefused(put(server.http(), "vm1", windows("12345")), 400, "InvalidParameter", OSP + ".computerName");
        JsonNode vm = create(server.http(), "vm1", windows("a".repeat(15)));
        assertThat(vm.path("properties").path("osProfile").path("computerName").asText()).isEqualTo("a".repeat(15));
    }

    @Test
    void linuxComputerNamesAreAtMost64Characters() {
        assertRefused(put(server.http(), "vm1", linux("a".repeat(65))), 400, "InvalidParameter", OSP + ".computerName");
        create(server.http(), "vm1", linux("a".repeat(64)));
        create(server.http(), "vm2", linux("12345"));
    }

    @Test
    void adminUsernameIsRequired() {
        ObjectNode body = linux("vm1");
        obj(body, OSP).remove("adminUsername");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP + ".adminUsername");
        ObjectNode win = windows("vm1");
        obj(win, OSP).put("adminUsername", "");
        assertRefused(put(server.http(), "vm1", win), 400, "InvalidParameter", OSP + ".adminUsername");
    }

    @Test
    void windowsNeedsAPassword() {
        ObjectNode body = windows("vm1");
        obj(body, OSP).remove("adminPassword");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP + ".adminPassword");
    }

    // ---- Linux SSH ----

    private static ObjectNode sshOnly() {
        ObjectNode body = linux("vm1");
        ObjectNode profile = obj(body, OSP);
        profile.remove("adminPassword");
        ObjectNode lin = profile.putObject("linuxConfiguration");
        lin.put("disablePasswordAuthentication", true);
        lin.putObject("ssh").putArray("publicKeys").addObject().put("path", "/home/azureuser/.ssh/authorized_keys")
                .put("keyData", SSH_KEY);
        return body;
    }

    @Test
    void linuxWithoutPasswordAuthenticationTakesSshKeys() {
        JsonNode lin = create(server.http(), "vm1", sshOnly()).path("properties").path("osProfile").path("linuxConfiguration");
        assertThat(lin.path("disablePasswordAuthentication").asBoolean()).isTrue();
        assertThat(lin.path("ssh").path("publicKeys").get(0).path("keyData").asText()).isEqualTo(SSH_KEY);
    }

    @Test
    void linuxWithoutPasswordAuthenticationNeedsAKey() {
        ObjectNode body = sshOnly();
        obj(body, OSP + ".linuxConfiguration").remove("ssh");
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP + ".linuxConfiguration.ssh.publicKeys");
    }

    @Test
    void linuxWithoutPasswordAuthenticationRefusesAPassword() {
        ObjectNode body = sshOnly();
        obj(body, OSP).put("adminPassword", VmFixture.LINUX_PASSWORD);
        assertRefused(put(server.http(), "vm1", body), 400, "InvalidParameter", OSP + ".adminPassword");
    }

    // ---- passwords ----

    @ParameterizedTest(name = "{0} password of {1} characters: accepted {2}")
    @CsvSource({
            "Windows, 7, false", "Windows, 8, true", "Windows, 123, true", "Windows, 124, false",
            "Linux, 5, false", "Linux, 6, true", "Linux, 72, true", "Linux, 73, false"})
    void passwordLengths(String os, int length, boolean accepted) {
        Http.Response r = put(server.http(), "vm1", vm(os, password(length)));
        if (accepted) {
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        } else {
            assertRefused(r, 400, "InvalidParameter", OSP + ".adminPassword");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abcdefgh", "abcdefg1", "ABCDEFG!", "12345678!", "abcdEFGH"})
    void passwordsOfOneOrTwoCharacterClassesAreRefused(String password) {
        assertRefused(put(server.http(), "vm1", vm("Linux", password)), 400, "InvalidParameter", OSP + ".adminPassword");
        assertRefused(put(server.http(), "vm1", vm("Windows", password)), 400, "InvalidParameter", OSP + ".adminPassword");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abcdEF1x", "abcdef1!", "ABCDEF1!", "abcDEF!x", "Aa1!Aa1!"})
    void passwordsOfThreeOrFourCharacterClassesAreAccepted(String password) {
        Http.Response r = put(server.http(), "vm1", vm("Windows", password));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc@123", "P@$$w0rd", "P@ssw0rd", "P@ssword123", "Pa$$word", "pass@word1", "Password!",
            "Password1", "Password22", "iloveyou!"})
    void disallowedPasswordsAreRefused(String password) {
        assertRefused(put(server.http(), "vm1", vm("Linux", password)), 400, "InvalidParameter", OSP + ".adminPassword");
        assertThat(server.http().get(VmFixture.vmUrl("vm1")).status()).isEqualTo(404);
        create(server.http(), "vm1", vm("Linux", password + "Zz9"));
    }

    // ---- custom data ----

    private static ObjectNode withCustomData(String data) {
        ObjectNode body = linux("vm1");
        obj(body, OSP).put("customData", data);
        return body;
    }

    private static String base64Of(int bytes) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        return Base64.getEncoder().encodeToString(data);
    }

    @Test
    void customDataMustBeBase64() {
        assertRefused(put(server.http(), "vm1", withCustomData("#!/bin/sh not base64")), 400, "InvalidParameter",
                OSP + ".customData");
    }

    @Test
    void customDataDecodesToAtMost65535Bytes() {
        assertRefused(put(server.http(), "vm1", withCustomData(base64Of(65_536))), 400, "InvalidParameter", OSP + ".customData");
        create(server.http(), "vm1", withCustomData(base64Of(65_535)));
    }

    // ---- secrets are never answered ----

    @Test
    void thePasswordAndCustomDataAreNeverAnswered() {
        String password = "Secret-Pass-4217";
        String customData = Base64.getEncoder().encodeToString("#cloud-config\nruncmd: [marker-7731]".getBytes());
        ObjectNode body = linux("vm1");
        obj(body, OSP).put("adminPassword", password).put("customData", customData);
        Http.Response created = put(server.http(), "vm1", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String group = VmFixture.url("virtualMachines", null, VmFixture.V);
        String[] urls = {
                VmFixture.vmUrl("vm1"),
                VmFixture.vmUrl("vm1") + "&$expand=instanceView",
                VmFixture.action("vm1", "instanceView"),
                group,
                "/subscriptions/" + SUB + "/providers/Microsoft.Compute/virtualMachines?api-version=" + VmFixture.V};
        for (Http.Response r : new Http.Response[]{created, server.http().get(urls[0]), server.http().get(urls[1]), server.http().get(urls[2]),
                server.http().get(urls[3]), server.http().get(urls[4])}) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200 + (r == created ? 1 : 0));
            assertThat(r.body()).doesNotContain(password).doesNotContain(customData).doesNotContain("marker-7731")
                    .doesNotContain("adminPassword").doesNotContain("customData");
        }
        assertThat(server.http().get(urls[3]).json().path("value")).hasSize(1);
        assertThat(server.http().get(urls[1]).json().path("properties").path("instanceView").path("statuses").size())
                .isPositive();
    }
}

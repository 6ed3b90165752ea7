package io.azimuth.classic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What is kept of a provisioning set once its rules passed: the documented defaults made explicit, and no secret.
 */
class ProvisioningRulesUnitTest {
    static ObjectNode parse(ClassicFixture.ConfigSet set) {
        String xml = set.provisioning().replace("<ProvisioningConfiguration ",
                "<ProvisioningConfiguration xmlns=\"" + ClassicFixture.NS + "\" xmlns:i=\"" + ClassicFixture.XSI + "\" ");
        return ConfigurationSets.provisioning(SafeXml.parse(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static ObjectNode checkedAndKept(ClassicFixture.ConfigSet set) {
        ObjectNode parsed = parse(set);
        ProvisioningRules.check(parsed, new ProvisioningRules.Context("2015-04-01", Set.of("AB12"), "P"));
        return ProvisioningRules.kept(parsed);
    }

    @Test
    void enableAutomaticUpdatesDefaultsToTrue() {
        assertThat(checkedAndKept(ClassicFixture.ConfigSet.windows()).path("EnableAutomaticUpdates").asBoolean())
                .isTrue();
        assertThat(checkedAndKept(ClassicFixture.ConfigSet.windows().set("EnableAutomaticUpdates", "false"))
                .path("EnableAutomaticUpdates").asBoolean()).isFalse();
    }

    @Test
    void disableSshPasswordAuthenticationDefaultsToTrue() {
        assertThat(checkedAndKept(ClassicFixture.ConfigSet.linux()).path("DisableSshPasswordAuthentication")
                .asBoolean()).isTrue();
        assertThat(checkedAndKept(ClassicFixture.ConfigSet.linux().set("DisableSshPasswordAuthentication", "false"))
                .path("DisableSshPasswordAuthentication").asBoolean()).isFalse();
    }

    @Test
    void timeZonesAreKeptAsWindowsSpellsThem() {
        assertThat(checkedAndKept(ClassicFixture.ConfigSet.windows().set("TimeZone", "pacific standard time"))
                .path("TimeZone").asText()).isEqualTo("Pacific Standard Time");
        assertThat(WindowsTimeZones.all()).hasSizeGreaterThan(130).contains("UTC", "W. Europe Standard Time",
                "Tokyo Standard Time", "Pacific Standard Time (Mexico)");
    }

    @Test
    void noSecretIsKept() {
        String content = Base64.getEncoder().encodeToString(
                "<AutoLogon><Password><Value>Auto-Pa55</Value></Password></AutoLogon>".getBytes(StandardCharsets.UTF_8));
        ObjectNode windows = checkedAndKept(ClassicFixture.ConfigSet.windows()
                .set("DomainJoin", "<Credentials><Username>u</Username><Password>Join-Pa55</Password></Credentials>"
                        + "<Provisioning><AccountData>BLOB-SECRET</AccountData></Provisioning>")
                .set("CustomData", Base64.getEncoder().encodeToString("DATA".getBytes(StandardCharsets.UTF_8)))
                .set("AdditionalUnattendContent", "<Passes><UnattendPass><PassName>oobeSystem</PassName><Components>"
                        + "<UnattendComponent><ComponentName>Microsoft-Windows-Shell-Setup</ComponentName>"
                        + "<ComponentSettings><ComponentSetting><SettingName>AutoLogon</SettingName><Content>" + content
                        + "</Content></ComponentSetting></ComponentSettings></UnattendComponent></Components>"
                        + "</UnattendPass></Passes>"));
        assertThat(windows.toString()).doesNotContain(ClassicFixture.WINDOWS_PASSWORD, "Join-Pa55", "BLOB-SECRET",
                content, Base64.getEncoder().encodeToString("DATA".getBytes(StandardCharsets.UTF_8)));
        assertThat(windows.path("AdminUsername").asText()).isEqualTo("azureuser");
        assertThat(windows.path("DomainJoin").path("Credentials").path("Username").asText()).isEqualTo("u");
        assertThat(windows.path("CustomDataProvided").asBoolean()).isTrue();
        ObjectNode linux = checkedAndKept(ClassicFixture.ConfigSet.linux());
        assertThat(linux.toString()).doesNotContain(ClassicFixture.LINUX_PASSWORD);
        assertThat(linux.path("UserName").asText()).isEqualTo("azureuser");
    }
}

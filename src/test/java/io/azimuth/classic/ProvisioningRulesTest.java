package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.azimuth.classic.ClassicFixture.ConfigSet;
import static io.azimuth.classic.ClassicFixture.addCertificate;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.blobs;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.captureXml;
import static io.azimuth.classic.ClassicFixture.createVm;
import static io.azimuth.classic.ClassicFixture.imageNames;
import static io.azimuth.classic.ClassicFixture.operations;
import static io.azimuth.classic.ClassicFixture.shutdown;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule of the Capture Role document's provisioning configuration, each in its own test, over raw HTTP: a
 * Reprovision capture of a shut-down Windows ("win") or Linux ("lin") virtual machine, refused with a 400 naming
 * the element and changing nothing, or accepted (after which the machine is shut down again for the next one).
 */
class ProvisioningRulesTest {
    static final String P = "CaptureRoleOperation/ProvisioningConfiguration/";
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));
    static String winThumbprint;
    static String linThumbprint;
    static final AtomicInteger images = new AtomicInteger();

    @BeforeAll
    static void start() {
        createVm(server.server(), "win", "dep", "vm", "Windows");
        createVm(server.server(), "lin", "dep", "vm", "Linux");
        winThumbprint = addCertificate(server.http(), "win");
        linThumbprint = addCertificate(server.http(), "lin");
        shutdown(server.http(), "win", "dep", "vm", null);
        shutdown(server.http(), "lin", "dep", "vm", null);
    }

    static Http.Response reprovision(String svc, ConfigSet set, String version) {
        return call(server.http(), "POST", operations(svc, "dep", "vm"), captureXml("Reprovision", set.provisioning(), "label",
                "img-" + images.incrementAndGet()), version);
    }

    /** Refused with a 400 whose message names {@code element}; no image, no blob. */
    static void refusedWith(String svc, ConfigSet set, String version, String code, String element,
                            String... mentions) {
        List<String> imagesBefore = imageNames(server.http());
        List<String> blobsBefore = blobs(server.http(), "vhds");
        Http.Response r = reprovision(svc, set, version);
        assertError(r, 400, code, P + element);
        assertError(r, 400, code, mentions);
        assertThat(imageNames(server.http())).isEqualTo(imagesBefore);
        assertThat(blobs(server.http(), "vhds")).isEqualTo(blobsBefore);
    }

    static void refused(String svc, ConfigSet set, String element, String... mentions) {
        refusedWith(svc, set, ClassicFixture.VERSION, "BadRequest", element, mentions);
    }

    static void accepted(String svc, ConfigSet set, String version) {
        assertStatus(reprovision(svc, set, version), 202);
        shutdown(server.http(), svc, "dep", "vm", null);
    }

    static void accepted(String svc, ConfigSet set) {
        accepted(svc, set, ClassicFixture.VERSION);
    }

    static ConfigSet win() {
        return ConfigSet.windows();
    }

    static ConfigSet lin() {
        return ConfigSet.linux();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- Windows ----

    @Test
    void computerNameIs1To15Characters() {
        refused("win", win().set("ComputerName", "a".repeat(16)), "ComputerName", "1 to 15");
        refused("win", win().set("ComputerName", ""), "ComputerName", "1 to 15");
        accepted("win", win().set("ComputerName", "a".repeat(15)));
    }

    @Test
    void computerNameMayBeLeftToTheService() {
        accepted("win", win().without("ComputerName"));
        assertThat(ClassicFixture.deploymentXml(server.http(), "win", "dep").text("RoleInstanceList/RoleInstance/HostName"))
                .isEqualTo("vm");
    }

    @Test
    void adminPasswordIsRequired() {
        refused("win", win().without("AdminPassword"), "AdminPassword", "required");
        refused("win", win().set("AdminPassword", ""), "AdminPassword", "required");
    }

    @Test
    void adminUsernameIsRequiredForVersionsAfter2013_03_01() {
        refused("win", win().without("AdminUsername"), "AdminUsername", "2013-03-01");
        refusedWith("win", win().without("AdminUsername"), "2013-03-02", "BadRequest", "AdminUsername");
        accepted("win", win().without("AdminUsername"), "2013-03-01");
    }

    @Test
    void enableAutomaticUpdatesIsABooleanDefaultingToTrue() {
        refused("win", win().set("EnableAutomaticUpdates", "yes"), "EnableAutomaticUpdates", "true or false");
        accepted("win", win().set("EnableAutomaticUpdates", "false"));
        accepted("win", win().without("EnableAutomaticUpdates"));
        // the default itself is kept where the role's provisioning is stored: see ProvisioningRulesUnitTest
    }

    @Test
    void timeZoneIsAKnownWindowsTimeZoneId() {
        refused("win", win().set("TimeZone", "Mars Standard Time"), "TimeZone", "Windows time-zone id");
        refused("win", win().set("TimeZone", "Europe/Paris"), "TimeZone", "Windows time-zone id");
        accepted("win", win().set("TimeZone", "Pacific Standard Time"));
        accepted("win", win().set("TimeZone", "w. europe standard time"));
        accepted("win", win().set("TimeZone", "UTC"));
    }

    @Test
    void domainJoinCredentialsNeedAUsername() {
        refused("win", win().set("DomainJoin", "<Credentials><Domain>corp</Domain><Password>pw</Password>"
                + "</Credentials><JoinDomain>corp.example.com</JoinDomain>"), "DomainJoin/Credentials/Username",
                "required");
    }

    @Test
    void domainJoinCredentialsNeedAPassword() {
        refused("win", win().set("DomainJoin", "<Credentials><Domain>corp</Domain><Username>joiner</Username>"
                + "</Credentials><JoinDomain>corp.example.com</JoinDomain>"), "DomainJoin/Credentials/Password",
                "required");
        accepted("win", win().set("DomainJoin", "<Credentials><Domain>corp</Domain><Username>joiner</Username>"
                + "<Password>Join-Pa55</Password></Credentials><JoinDomain>corp.example.com</JoinDomain>"
                + "<MachineObjectOU>OU=vms,DC=corp</MachineObjectOU>"));
    }

    static String storedCertificate(String location, String store, String thumbprint) {
        return "<CertificateSetting>" + (location == null ? "" : "<StoreLocation>" + location + "</StoreLocation>")
                + (store == null ? "" : "<StoreName>" + store + "</StoreName>")
                + (thumbprint == null ? "" : "<Thumbprint>" + thumbprint + "</Thumbprint>") + "</CertificateSetting>";
    }

    @Test
    void storedCertificateStoreLocationIsOnlyLocalMachine() {
        refused("win", win().set("StoredCertificateSettings", storedCertificate("CurrentUser", "My", winThumbprint)),
                "StoredCertificateSettings/CertificateSetting[1]/StoreLocation", "LocalMachine");
        refused("win", win().set("StoredCertificateSettings", storedCertificate("localmachine", "My", winThumbprint)),
                "StoredCertificateSettings/CertificateSetting[1]/StoreLocation", "LocalMachine");
        refused("win", win().set("StoredCertificateSettings", storedCertificate(null, "My", winThumbprint)),
                "StoredCertificateSettings/CertificateSetting[1]/StoreLocation", "required");
        refused("win", win().set("StoredCertificateSettings", storedCertificate("LocalMachine", null, winThumbprint)),
                "StoredCertificateSettings/CertificateSetting[1]/StoreName", "required");
    }

    @Test
    void storedCertificateThumbprintMustBeAServiceCertificate() {
        refused("win", win().set("StoredCertificateSettings", storedCertificate("LocalMachine", "My",
                "0000000000000000000000000000000000000000")), "StoredCertificateSettings/CertificateSetting[1]/Thumbprint",
                "Add Service Certificate");
        // a certificate of another cloud service does not count
        refused("win", win().set("StoredCertificateSettings", storedCertificate("LocalMachine", "My", linThumbprint)),
                "StoredCertificateSettings/CertificateSetting[1]/Thumbprint");
        refused("win", win().set("StoredCertificateSettings", storedCertificate("LocalMachine", "My", null)),
                "StoredCertificateSettings/CertificateSetting[1]/Thumbprint", "required");
        accepted("win", win().set("StoredCertificateSettings", storedCertificate("LocalMachine", "My",
                winThumbprint.toLowerCase())));
    }

    static String listener(String protocol, String thumbprint) {
        return "<Listeners><Listener>" + (protocol == null ? "" : "<Protocol>" + protocol + "</Protocol>")
                + (thumbprint == null ? "" : "<CertificateThumbprint>" + thumbprint + "</CertificateThumbprint>")
                + "</Listener></Listeners>";
    }

    @Test
    void winRmListenerProtocolIsExactlyHttpOrHttps() {
        for (String wrong : new String[]{"http", "HTTPS", "https", "Tcp"}) {
            refused("win", win().set("WinRM", listener(wrong, null)), "WinRM/Listeners/Listener[1]/Protocol",
                    "Http or Https", "case-sensitive");
        }
        refused("win", win().set("WinRM", listener(null, null)), "WinRM/Listeners/Listener[1]/Protocol", "required");
        refused("win", win().set("WinRM", "<Listeners/>"), "WinRM/Listeners/Listener", "required");
        accepted("win", win().set("WinRM", listener("Http", null)));
        accepted("win", win().set("WinRM", listener("Https", winThumbprint)));
    }

    @Test
    void winRmListenersMayCarryTheThumbprintFirstAsTheClassicSdkWritesIt() {
        accepted("win", win().set("WinRM", "<Listeners><Listener><CertificateThumbprint>" + winThumbprint
                + "</CertificateThumbprint><Protocol>Https</Protocol></Listener></Listeners>"));
    }

    @Test
    void customDataIsBase64OfAtMost65535Bytes() {
        byte[] big = new byte[65_536];
        refused("win", win().set("CustomData", Base64.getEncoder().encodeToString(big)), "CustomData", "65535");
        refused("win", win().set("CustomData", "not base64 !"), "CustomData", "base-64");
        accepted("win", win().set("CustomData", Base64.getEncoder().encodeToString(new byte[65_535])));
    }

    @Test
    void customDataNeedsVersion2013_10_01() {
        refusedWith("win", win().set("CustomData", b64("echo hi")), "2013-08-01", "BadRequest", "CustomData",
                "2013-10-01");
        accepted("win", win().set("CustomData", b64("echo hi")), "2013-10-01");
    }

    static final String FIRST_LOGON = "<FirstLogonCommands><SynchronousCommand><CommandLine>cmd /c echo hi"
            + "</CommandLine><Order>1</Order></SynchronousCommand></FirstLogonCommands>";

    static String unattend(String pass, String component, String setting, String content) {
        return "<Passes><UnattendPass>" + (pass == null ? "" : "<PassName>" + pass + "</PassName>")
                + "<Components><UnattendComponent>"
                + (component == null ? "" : "<ComponentName>" + component + "</ComponentName>")
                + "<ComponentSettings><ComponentSetting>"
                + (setting == null ? "" : "<SettingName>" + setting + "</SettingName>")
                + (content == null ? "" : "<Content>" + content + "</Content>")
                + "</ComponentSetting></ComponentSettings></UnattendComponent></Components></UnattendPass></Passes>";
    }

    static String unattendOk() {
        return unattend("oobeSystem", "Microsoft-Windows-Shell-Setup", "FirstLogonCommands", b64(FIRST_LOGON));
    }

    static final String SETTING = "AdditionalUnattendContent/Passes/UnattendPass[1]/Components/UnattendComponent[1]";

    @Test
    void additionalUnattendContentNeedsVersion2014_04_01() {
        refusedWith("win", win().set("AdditionalUnattendContent", unattendOk()), "2014-01-01", "BadRequest",
                "AdditionalUnattendContent", "2014-04-01");
        accepted("win", win().set("AdditionalUnattendContent", unattendOk()), "2014-04-01");
    }

    @Test
    void unattendPassNameIsOnlyOobeSystem() {
        refused("win", win().set("AdditionalUnattendContent", unattend("specialize", "Microsoft-Windows-Shell-Setup",
                "FirstLogonCommands", b64(FIRST_LOGON))), "AdditionalUnattendContent/Passes/UnattendPass[1]/PassName",
                "oobeSystem");
        refused("win", win().set("AdditionalUnattendContent", unattend(null, "Microsoft-Windows-Shell-Setup",
                "FirstLogonCommands", b64(FIRST_LOGON))), "AdditionalUnattendContent/Passes/UnattendPass[1]/PassName",
                "required");
    }

    @Test
    void unattendComponentNameIsOnlyMicrosoftWindowsShellSetup() {
        refused("win", win().set("AdditionalUnattendContent", unattend("oobeSystem", "Microsoft-Windows-Setup",
                "FirstLogonCommands", b64(FIRST_LOGON))), SETTING + "/ComponentName", "Microsoft-Windows-Shell-Setup");
    }

    @Test
    void unattendSettingNameIsFirstLogonCommandsOrAutoLogon() {
        refused("win", win().set("AdditionalUnattendContent", unattend("oobeSystem", "Microsoft-Windows-Shell-Setup",
                "LogonCommands", b64("<LogonCommands/>"))), SETTING + "/ComponentSettings/ComponentSetting[1]/SettingName",
                "FirstLogonCommands or AutoLogon");
        accepted("win", win().set("AdditionalUnattendContent", unattend("oobeSystem", "Microsoft-Windows-Shell-Setup",
                "AutoLogon", b64("<AutoLogon><Enabled>true</Enabled><LogonCount>1</LogonCount></AutoLogon>"))));
    }

    static final String CONTENT = SETTING + "/ComponentSettings/ComponentSetting[1]/Content";

    static ConfigSet withContent(String content) {
        return win().set("AdditionalUnattendContent", unattend("oobeSystem", "Microsoft-Windows-Shell-Setup",
                "FirstLogonCommands", content));
    }

    @Test
    void unattendContentIsBase64() {
        refused("win", withContent("FirstLogonCommands: not base64!"), CONTENT, "base-64");
        // XML written into the element instead of encoded is no value at all
        refusedWith("win", withContent("<FirstLogonCommands/>"), ClassicFixture.VERSION, "InvalidXmlRequest",
                "AdditionalUnattendContent/Passes/UnattendPass/Components/UnattendComponent/ComponentSettings/"
                        + "ComponentSetting/Content", "holds a value");
        refused("win", withContent(null), CONTENT, "required");
    }

    @Test
    void unattendContentIsLessThan4Kb() {
        String padded = "<FirstLogonCommands>" + "<!-- padding -->".repeat(300) + "</FirstLogonCommands>";
        assertThat(padded.length()).isGreaterThanOrEqualTo(4096);
        refused("win", withContent(b64(padded)), CONTENT, "4 KB");
        String justUnder = "<FirstLogonCommands>" + " ".repeat(4095 - "<FirstLogonCommands></FirstLogonCommands>"
                .length()) + "</FirstLogonCommands>";
        assertThat(justUnder.length()).isEqualTo(4095);
        accepted("win", withContent(b64(justUnder)));
    }

    @Test
    void unattendContentIsXmlWithTheSettingsRootElement() {
        refused("win", withContent(b64("cmd /c echo not xml")), CONTENT, "root element");
        refused("win", withContent(b64("<SynchronousCommand/>")), CONTENT, "FirstLogonCommands");
        refused("win", withContent(b64("<FirstLogonCommands>")), CONTENT, "not well-formed");
        accepted("win", withContent(b64(FIRST_LOGON)));
    }

    @Test
    void unattendContentIsReadWithTheSafeParser() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE FirstLogonCommands [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<FirstLogonCommands>&x;</FirstLogonCommands>";
        refused("win", withContent(b64(xxe)), CONTENT, "DTD");
    }

    @Test
    void aWindowsSetHoldsNoLinuxElements() {
        String set = win().provisioning().replace("</AdminUsername>", "</AdminUsername>")
                .replace("<AdminPassword>", "<HostName>h</HostName><AdminPassword>");
        Http.Response r = call(server.http(), "POST", operations("win", "dep", "vm"), captureXml("Reprovision", set, "l", "x"));
        assertError(r, 400, "InvalidXmlRequest", P + "HostName");
    }

    // ---- Linux ----

    @Test
    void hostNameIsRequiredAnd1To64Characters() {
        refused("lin", lin().without("HostName"), "HostName", "required");
        refused("lin", lin().set("HostName", "h".repeat(65)), "HostName", "1 to 64");
        refused("lin", lin().set("HostName", ""), "HostName", "1 to 64");
        accepted("lin", lin().set("HostName", "h".repeat(64)));
    }

    @Test
    void userNameIsRequiredAnd1To32Characters() {
        refused("lin", lin().without("UserName"), "UserName", "required");
        refused("lin", lin().set("UserName", "u".repeat(33)), "UserName", "1 to 32");
        accepted("lin", lin().set("UserName", "u".repeat(32)));
    }

    @Test
    void userPasswordIsRequiredAnd6To72Characters() {
        refused("lin", lin().without("UserPassword"), "UserPassword", "required");
        refused("lin", lin().set("UserPassword", "12345"), "UserPassword", "6 to 72");
        refused("lin", lin().set("UserPassword", "p".repeat(73)), "UserPassword", "6 to 72");
        accepted("lin", lin().set("UserPassword", "123456"));
        accepted("lin", lin().set("UserPassword", "p".repeat(72)));
    }

    @Test
    void disableSshPasswordAuthenticationIsABooleanDefaultingToTrue() {
        refused("lin", lin().set("DisableSshPasswordAuthentication", "maybe"), "DisableSshPasswordAuthentication",
                "true or false");
        accepted("lin", lin().without("DisableSshPasswordAuthentication"));
        accepted("lin", lin().set("DisableSshPasswordAuthentication", "false"));
    }

    static String publicKeys(String fingerprint, String path) {
        return "<PublicKeys><PublicKey>" + (fingerprint == null ? "" : "<Fingerprint>" + fingerprint + "</Fingerprint>")
                + (path == null ? "" : "<Path>" + path + "</Path>") + "</PublicKey></PublicKeys>";
    }

    static String keyPairs(String fingerprint, String path) {
        return "<KeyPairs><KeyPair>" + (fingerprint == null ? "" : "<Fingerprint>" + fingerprint + "</Fingerprint>")
                + (path == null ? "" : "<Path>" + path + "</Path>") + "</KeyPair></KeyPairs>";
    }

    @Test
    void sshPublicKeysHaveAFingerprintAndAPath() {
        refused("lin", lin().set("SSH", publicKeys(null, "/home/azureuser/.ssh/authorized_keys")),
                "SSH/PublicKeys/PublicKey[1]/Fingerprint", "required");
        refused("lin", lin().set("SSH", publicKeys(linThumbprint, null)), "SSH/PublicKeys/PublicKey[1]/Path",
                "required");
        refused("lin", lin().set("SSH", publicKeys("ABCDEF", "/home/azureuser/.ssh/authorized_keys")),
                "SSH/PublicKeys/PublicKey[1]/Fingerprint", "certificate of the cloud service");
        accepted("lin", lin().set("SSH", publicKeys(linThumbprint, "/home/azureuser/.ssh/authorized_keys")));
    }

    @Test
    void sshKeyPairsHaveAFingerprintAndAPath() {
        refused("lin", lin().set("SSH", keyPairs(null, "/home/azureuser/.ssh/id_rsa")),
                "SSH/KeyPairs/KeyPair[1]/Fingerprint", "required");
        refused("lin", lin().set("SSH", keyPairs(linThumbprint, null)), "SSH/KeyPairs/KeyPair[1]/Path", "required");
        accepted("lin", lin().set("SSH", publicKeys(linThumbprint, "/home/azureuser/.ssh/authorized_keys")
                + keyPairs(linThumbprint, "/home/azureuser/.ssh/id_rsa")));
    }

    @Test
    void emptySshListsAreReadAsNoneAsTheClassicSdkWritesThem() {
        accepted("lin", lin().set("SSH", publicKeys(linThumbprint, "/home/azureuser/.ssh/authorized_keys")
                + "<KeyPairs/>"));
        accepted("lin", lin().set("SSH", "<PublicKeys/><KeyPairs/>"));
    }

    @Test
    void linuxCustomDataFollowsTheSameRules() {
        refused("lin", lin().set("CustomData", Base64.getEncoder().encodeToString(new byte[65_536])), "CustomData",
                "65535");
        refusedWith("lin", lin().set("CustomData", b64("#!/bin/sh")), "2013-06-01", "BadRequest", "CustomData",
                "2013-10-01");
        accepted("lin", lin().set("CustomData", b64("#!/bin/sh\necho hi")));
    }

    @Test
    void emptyCollectionsOfOtherKindsOfSetAreReadAsAbsentAsTheClassicSdkWritesThem() {
        String sdkLike = lin().provisioning().replace("<HostName>",
                "<InputEndpoints/><SubnetNames/><PublicIPs/><NetworkInterfaces/><StoredCertificateSettings/><HostName>");
        assertStatus(call(server.http(), "POST", operations("lin", "dep", "vm"), captureXml("Reprovision", sdkLike, "l",
                "img-" + images.incrementAndGet())), 202);
        shutdown(server.http(), "lin", "dep", "vm", null);
        String notEmpty = lin().provisioning().replace("<HostName>",
                "<SubnetNames><SubnetName>s</SubnetName></SubnetNames><HostName>");
        assertError(call(server.http(), "POST", operations("lin", "dep", "vm"), captureXml("Reprovision", notEmpty, "l", "x")),
                400, "InvalidXmlRequest", P + "SubnetNames");
    }

    @Test
    void aLinuxSetHoldsNoWindowsElements() {
        String set = lin().provisioning().replace("<HostName>", "<AdminPassword>x</AdminPassword><HostName>");
        Http.Response r = call(server.http(), "POST", operations("lin", "dep", "vm"), captureXml("Reprovision", set, "l", "x"));
        assertError(r, 400, "InvalidXmlRequest", P + "AdminPassword");
        String unattended = lin().provisioning().replace("</ProvisioningConfiguration>",
                "<AdditionalUnattendContent/></ProvisioningConfiguration>");
        assertError(call(server.http(), "POST", operations("lin", "dep", "vm"), captureXml("Reprovision", unattended, "l", "x")),
                400, "InvalidXmlRequest", P + "AdditionalUnattendContent");
    }
}

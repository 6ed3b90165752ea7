package io.azimuth.blobs.azure;

import io.azimuth.blobs.BlobRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The --storage-account syntax and its defaults. */
class StorageAccountsTest {
    static final String KEY = "a2V5LWZvci10ZXN0cy1vbmx5LW5vdC1hLXJlYWwta2V5LW5vdC1hLXJlYWwta2V5LTEyMzQ1Ng==";

    @Test
    void byDefaultOnlyAzuritesDevelopmentAccountIsRemote() {
        StorageAccounts d = StorageAccounts.parse(null, List.of());
        assertThat(d).isEqualTo(StorageAccounts.defaults());
        StorageAccount dev = d.get("devstoreaccount1").orElseThrow();
        assertThat(dev.endpoint()).isEqualTo("http://127.0.0.1:10000/devstoreaccount1");
        assertThat(dev.key()).isEqualTo(StorageAccount.DEVELOPMENT_KEY);
        assertThat(dev.pathStyle()).isTrue();
        assertThat(d.all()).hasSize(1);
        assertThat(d.contains("acct1")).isFalse();
    }

    @Test
    void aConnectionString() {
        StorageAccount a = StorageAccount.parse("prod1=DefaultEndpointsProtocol=https;AccountName=prod1;AccountKey="
                + KEY + ";EndpointSuffix=core.usgovcloudapi.net");
        assertThat(a.name()).isEqualTo("prod1");
        assertThat(a.endpoint()).isEqualTo("https://prod1.blob.core.usgovcloudapi.net");
        assertThat(a.key()).isEqualTo(KEY);
        assertThat(a.pathStyle()).isFalse();
        assertThat(a.blob("vhds", "d.vhd").uri()).isEqualTo("https://prod1.blob.core.usgovcloudapi.net/vhds/d.vhd");
    }

    @Test
    void aConnectionStringWithABlobEndpointAndASas() {
        StorageAccount a = StorageAccount.parse("devstoreaccount1=BlobEndpoint=http://azurite:10000/devstoreaccount1/;"
                + "SharedAccessSignature=sv=2024-08-04&ss=b&sig=abc%3D");
        assertThat(a.endpoint()).isEqualTo("http://azurite:10000/devstoreaccount1");
        assertThat(a.key()).isNull();
        assertThat(a.sasToken()).isEqualTo("sv=2024-08-04&ss=b&sig=abc%3D");
        assertThat(a.blob("vhds", "d.vhd").uri()).isEqualTo("http://azurite:10000/devstoreaccount1/vhds/d.vhd");
        assertThat(BlobRef.parse(a.blob("vhds", "d.vhd").uri()).account()).isEqualTo("devstoreaccount1");
    }

    @Test
    void useDevelopmentStorage() {
        StorageAccount a = StorageAccount.parse("devstoreaccount1=UseDevelopmentStorage=true");
        assertThat(a).isEqualTo(StorageAccount.development());
    }

    @Test
    void anEndpointAndAKeyOrASasOrNeither() {
        StorageAccount a = StorageAccount.parse("acct2=https://acct2.blob.core.windows.net/;" + KEY);
        assertThat(a.endpoint()).isEqualTo("https://acct2.blob.core.windows.net");
        assertThat(a.key()).isEqualTo(KEY);
        StorageAccount sas = StorageAccount.parse("acct2=https://acct2.blob.core.windows.net?sv=1&sig=x");
        assertThat(sas.sasToken()).isEqualTo("sv=1&sig=x");
        assertThat(sas.key()).isNull();
        StorageAccount anonymous = StorageAccount.parse("acct2=https://acct2.blob.core.windows.net");
        assertThat(anonymous.authentication()).isEqualTo("anonymous");
    }

    @Test
    void azuritesAccountGetsItsWellKnownKeyAndItsNameInThePath() {
        StorageAccount a = StorageAccount.parse("devstoreaccount1=http://127.0.0.1:12345");
        assertThat(a.endpoint()).isEqualTo("http://127.0.0.1:12345/devstoreaccount1");
        assertThat(a.key()).isEqualTo(StorageAccount.DEVELOPMENT_KEY);
        assertThat(a.blob("vhds", "a/b.vhd")).isEqualTo(BlobRef.parse("http://127.0.0.1:12345/devstoreaccount1/vhds/a/b.vhd"));
    }

    @Test
    void aKeyAloneIsTheAccountInAzurePublicCloud() {
        StorageAccount a = StorageAccount.parse("Acct3=" + KEY);
        assertThat(a.name()).isEqualTo("acct3");
        assertThat(a.endpoint()).isEqualTo("https://acct3.blob.core.windows.net");
        assertThat(a.blob("c1c", "d.vhd").uri()).isEqualTo("https://acct3.blob.core.windows.net/c1c/d.vhd");
    }

    @Test
    void theEnvironmentComesFirstThenTheFlagsAndEmbeddedRemovesAnAccount() {
        StorageAccounts a = StorageAccounts.parse(" acct2=" + KEY + "\n devstoreaccount1=http://127.0.0.1:1 ",
                List.of("devstoreaccount1=http://127.0.0.1:2", "acct4=" + KEY, "acct2=embedded"));
        assertThat(a.get("devstoreaccount1").orElseThrow().endpoint()).isEqualTo("http://127.0.0.1:2/devstoreaccount1");
        assertThat(a.contains("acct2")).isFalse();
        assertThat(a.contains("acct4")).isTrue();
        assertThat(StorageAccounts.parse(null, List.of("devstoreaccount1=embedded")).isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"acct1", "=x", "a=" + KEY, "acct1=", "acct1=not base64!",
            "acct1=AccountName=other;AccountKey=" + KEY, "acct1=ftp://acct1.blob.core.windows.net;" + KEY,
            "acct1=http://127.0.0.1:10000/other;" + KEY, "acct1=https://acct1.blob.core.windows.net/x;" + KEY,
            "acct1=DefaultEndpointsProtocol=gopher;AccountKey=" + KEY, "acct1=UseDevelopmentStorage=true",
            "acct1=https://acct1.blob.core.windows.net?sv=1;" + KEY})
    void malformedAccountsAreRefused(String spec) {
        assertThatThrownBy(() -> StorageAccounts.parse(null, List.of(spec))).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }

    @Test
    void secretsStayOutOfItsDescription() {
        StorageAccount a = StorageAccount.parse("acct2=https://acct2.blob.core.windows.net;" + KEY);
        assertThat(a.toString()).contains("acct2", "https://acct2.blob.core.windows.net", "shared key")
                .doesNotContain(KEY);
        assertThat(StorageAccount.parse("acct2=https://acct2.blob.core.windows.net?sig=secret").toString())
                .doesNotContain("secret");
    }
}

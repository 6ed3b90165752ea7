package io.azimuth.blobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Blob URIs, host-style as Azure names blobs and path-style as Azurite does. */
class BlobRefTest {
    @Test
    void aHostStyleUriKeepsItsSuffix() {
        BlobRef b = BlobRef.parse("https://Acct1.blob.core.chinacloudapi.cn/VHDs/dir/Disk.vhd");
        assertThat(b.account()).isEqualTo("acct1");
        assertThat(b.container()).isEqualTo("vhds");
        assertThat(b.path()).isEqualTo("dir/Disk.vhd");
        assertThat(b.suffix()).isEqualTo("core.chinacloudapi.cn");
        assertThat(b.isPathStyle()).isFalse();
        assertThat(b.endpoint()).isNull();
        assertThat(b.uri()).isEqualTo("https://acct1.blob.core.chinacloudapi.cn/vhds/dir/Disk.vhd");
        assertThat(b).isEqualTo(BlobRef.parse(b.uri())).isEqualTo(new BlobRef("acct1", "vhds", "dir/Disk.vhd",
                "core.chinacloudapi.cn"));
    }

    @Test
    void aHostStyleUriWithAPortIsStillHostStyle() {
        BlobRef b = BlobRef.parse("https://acct1.blob.core.windows.net:443/vhds/disk.vhd");
        assertThat(b.isPathStyle()).isFalse();
        assertThat(b.account()).isEqualTo("acct1");
    }

    @Test
    void anAzuriteUriIsPathStyleAndRendersAsItWasNamed() {
        BlobRef b = BlobRef.parse("http://127.0.0.1:10000/devstoreaccount1/vhds/dir/disk.vhd");
        assertThat(b.account()).isEqualTo("devstoreaccount1");
        assertThat(b.container()).isEqualTo("vhds");
        assertThat(b.path()).isEqualTo("dir/disk.vhd");
        assertThat(b.isPathStyle()).isTrue();
        assertThat(b.endpoint()).isEqualTo("http://127.0.0.1:10000");
        assertThat(b.uri()).isEqualTo("http://127.0.0.1:10000/devstoreaccount1/vhds/dir/disk.vhd");
        assertThat(BlobRef.parse(b.uri())).isEqualTo(b);
        assertThat(b.key()).isEqualTo(BlobRef.parse("https://devstoreaccount1.blob.core.windows.net/vhds/dir/disk.vhd")
                .key());
        assertThat(BlobRef.pathStyle("http://127.0.0.1:10000/", "devstoreaccount1", "vhds", "dir/disk.vhd"))
                .isEqualTo(b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/devstoreaccount1/vhds/d.vhd", "https://azurite:10000/devstoreaccount1/vhds/d.vhd",
            "http://10.1.2.3/devstoreaccount1/vhds/d.vhd", "http://[::1]:10000/devstoreaccount1/vhds/d.vhd",
            "HTTP://LOCALHOST:10000/DevStoreAccount1/vhds/d.vhd"})
    void emulatorHostsArePathStyle(String uri) {
        BlobRef b = BlobRef.parse(uri);
        assertThat(b.isPathStyle()).isTrue();
        assertThat(b.account()).isEqualTo("devstoreaccount1");
        assertThat(b.container()).isEqualTo("vhds");
        assertThat(b.path()).isEqualTo("d.vhd");
        assertThat(BlobRef.parse(b.uri())).isEqualTo(b);
    }

    @Test
    void aBlobNamedBesideAPathStyleOneWithTheOldConstructorIsHostStyleOfTheSameAccount() {
        BlobRef os = BlobRef.parse("http://127.0.0.1:10000/devstoreaccount1/vhds/os.vhd");
        BlobRef beside = new BlobRef(os.account(), "system", "captured.vhd", os.suffix());
        assertThat(beside.uri()).isEqualTo("https://devstoreaccount1.blob.core.windows.net/system/captured.vhd");
        assertThat(BlobRef.parse(beside.uri()).account()).isEqualTo("devstoreaccount1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/vhds/disk.vhd", "ftp://acct1.blob.core.windows.net/vhds/d.vhd",
            "https://acct1.blob.core.windows.net/vhds", "https://acct1.blob.core.windows.net/vhds/",
            "http://127.0.0.1:10000/devstoreaccount1/vhds", "http://127.0.0.1:10000/devstoreaccount1",
            "http://127.0.0.1:10000/", "http://127.0.0.1:10000/x/vhds/d.vhd", "http://127.0.0.1:10000/acct/v/d.vhd",
            "not a uri", ""})
    void otherUrisAreRefused(String uri) {
        assertThatThrownBy(() -> BlobRef.parse(uri)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void managedContentIsNeverPathStyle() {
        BlobRef m = BlobRef.managed("disks", "abc");
        assertThat(m.isManaged()).isTrue();
        assertThat(m.isPathStyle()).isFalse();
    }
}

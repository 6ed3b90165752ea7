package io.azimuth.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import io.azimuth.support.Vhds;

import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/** Disks and snapshots over raw HTTP for the tests that follow their bytes: URLs, creation, access grants. */
final class DiskFixture {
    static final String RG = "bytes-rg";
    static final String V = "2024-03-02";
    /** The blob the tests import from, uploaded by {@link #group}. */
    static final String SOURCE = "https://acct1.blob.core.windows.net/vhds/source.vhd";

    private DiskFixture() {
    }

    /** A fresh group {@link #RG} and {@code vhd} uploaded to {@link #SOURCE}. */
    static void group(TestServer server, byte[] vhd) {
        server.reset();
        assertThat(server.http.put(TestServer.rg(RG) + "?api-version=2025-04-01", "{\"location\":\"westus\"}")
                .status()).isIn(200, 201);
        Vhds.upload(server.http, SOURCE, vhd);
    }

    static String url(String type, String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type
                + (name == null ? "" : "/" + name) + "?api-version=" + V;
    }

    static String action(String type, String name, String action) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type + "/" + name
                + "/" + action + "?api-version=" + V;
    }

    static String id(String type, String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.Compute/" + type + "/" + name;
    }

    /** PUT of a disk or snapshot with these properties, answered 200 at once. */
    static JsonNode put(Http http, String type, String name, String properties) {
        Http.Response r = http.put(url(type, name), "{\"location\":\"westus\",\"properties\":" + properties + "}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** A Linux disk or snapshot imported from {@link #SOURCE}. */
    static JsonNode imported(Http http, String type, String name) {
        return put(http, type, name, "{\"osType\":\"Linux\",\"creationData\":{\"createOption\":\"Import\","
                + "\"sourceUri\":\"" + SOURCE + "\"}}");
    }

    static JsonNode copied(Http http, String type, String name, String sourceType, String source) {
        return put(http, type, name, "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\""
                + id(sourceType, source) + "\"}}");
    }

    /** beginGetAccess for reading, answered at once; the SAS URL. */
    static String grant(Http http, String type, String name, int seconds) {
        Http.Response r = http.post(action(type, name, "beginGetAccess"), "{\"access\":\"Read\","
                + "\"durationInSeconds\":" + seconds + "}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String sas = r.json().path("accessSAS").asText();
        assertThat(sas).startsWith(http.base() + "/_azimuth/exports/").contains("se=").contains("sig=");
        return sas;
    }

    static void revoke(Http http, String type, String name) {
        Http.Response r = http.post(action(type, name, "endGetAccess"), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /** The whole content of a disk or snapshot, through a grant revoked afterwards. */
    static byte[] bytes(Http http, String type, String name) {
        String sas = grant(http, type, name, 300);
        byte[] b = Vhds.download(http, sas);
        revoke(http, type, name);
        return b;
    }

    static String diskState(Http http, String type, String name) {
        Http.Response r = http.get(url(type, name));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("properties").path("diskState").asText();
    }
}

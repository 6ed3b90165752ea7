package io.azimuth.support;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.core.publisher.Mono;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

/** Points the official Azure SDK for Java at an Azimuth endpoint, as the README tells users to. */
public final class Sdk {
    public static final String TENANT = io.azimuth.server.Config.DEFAULT_TENANT;

    private Sdk() {
    }

    /** Any token will do: Azimuth accepts every bearer token by default. */
    public static TokenCredential anyToken() {
        return request -> Mono.just(new AccessToken("azimuth-test-token", OffsetDateTime.now().plusHours(1)));
    }

    public static AzureProfile profile(String endpoint, String subscriptionId) {
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", endpoint + "/");
        endpoints.put("managementEndpointUrl", endpoint + "/");
        return new AzureProfile(TENANT, subscriptionId, new AzureEnvironment(endpoints));
    }

    /** An HTTP client trusting the emulator's certificate (and nothing else). */
    public static HttpClient httpClient(String certificatePem) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
            SslContext ssl = SslContextBuilder.forClient().trustManager(cert).build();
            return new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
                    .secure(spec -> spec.sslContext(ssl))).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

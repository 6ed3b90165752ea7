package io.azimuth.fuzz;

import io.azimuth.support.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;

import static io.azimuth.support.TestServer.SUB;
import static org.assertj.core.api.Assertions.assertThat;

/** Requests the fuzzing campaign found answered badly (or not at all), each answered as it should be now. */
class FuzzRegressionsTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start();

    private static RawHttp.Answer send(String request) {
        return new RawHttp(server.server().server.httpPort(), 5000)
                .exchange(request.getBytes(StandardCharsets.UTF_8), false);
    }

    private static String get(String target, String... headers) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n";
    }

    @Test
    void aMalformedPercentEscapeInTheQueryIsABadRequestOfEachApi() {
        RawHttp.Answer arm = send(get("/subscriptions/" + SUB + "/providers/Microsoft.Compute/images?api-version=%ZZ",
                "Authorization: Bearer test-token"));
        assertThat(arm.outcome()).isEqualTo(RawHttp.Outcome.ANSWERED);
        assertThat(arm.status()).as(arm.describe()).isEqualTo(400);
        assertThat(arm.bodyText()).contains("\"code\":\"InvalidQueryParameterValue\"");

        RawHttp.Answer classic = send(get("/" + SUB + "/services/images?x=%E", "x-ms-version: 2015-04-01"));
        assertThat(classic.status()).as(classic.describe()).isEqualTo(400);
        assertThat(classic.bodyText()).contains("<Code>BadRequest</Code>");

        RawHttp.Answer blob = send("PUT /_azimuth/blobs/acct/c/b?comp=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\nContent-Length: 512\r\n\r\n" + "x".repeat(512));
        assertThat(blob.status()).as(blob.describe()).isEqualTo(400);
    }
}

package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Xml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.azimuth.classic.ClassicFixture.NS;
import static io.azimuth.classic.ClassicFixture.ROOT_ATTRS;
import static io.azimuth.classic.ClassicFixture.SUB;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.createServiceXml;
import static io.azimuth.classic.ClassicFixture.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classic envelope over raw HTTP: x-ms-version, request ids, the XML error body, namespaces, element order,
 * and the safe XML parser (no DTD, so neither XXE nor billion laughs).
 */
class ClassicEnvelopeTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void reset() {
        server.reset();
    }

    // ---- x-ms-version ----

    @Test
    void aMissingVersionHeaderIsRefused() {
        assertError(call(server.http(), "GET", "/services/hostedservices", null, null), 400,
                "MissingOrIncorrectVersionHeader", "x-ms-version");
    }

    @Test
    void aMalformedVersionIsRefused() {
        assertError(call(server.http(), "GET", "/services/hostedservices", null, "latest"), 400,
                "MissingOrIncorrectVersionHeader", "'latest'");
        assertError(call(server.http(), "GET", "/services/hostedservices", null, "2015-13-01"), 400,
                "MissingOrIncorrectVersionHeader");
    }

    @Test
    void aVersionOlderThanTheOperationIsRefused() {
        // List OS Images has x-ms-version 2013-03-01 and later
        assertError(call(server.http(), "GET", "/services/images", null, "2012-08-01"), 400,
                "MissingOrIncorrectVersionHeader", "2013-03-01");
        assertStatus(call(server.http(), "GET", "/services/images", null, "2013-03-01"), 200);
        // Capture Role and the other role operations have 2012-03-01 and later
        assertError(call(server.http(), "POST", ClassicFixture.operations("s", "d", "r"),
                ClassicFixture.captureXml("Delete", null, "l", "n"), "2011-08-01"), 400,
                "MissingOrIncorrectVersionHeader", "2012-03-01");
    }

    @Test
    void theVersionIsCheckedOnEveryCallEvenOperationStatus() {
        assertError(call(server.http(), "GET", "/operations/0123456789abcdef0123456789abcdef", null, null), 400,
                "MissingOrIncorrectVersionHeader");
    }

    // ---- request ids, error body ----

    @Test
    void everyAnswerCarriesA32HexRequestId() {
        Http.Response ok = assertStatus(get(server.http(), "/services/hostedservices"), 200);
        Http.Response refused = call(server.http(), "GET", "/services/hostedservices/none", null);
        Http.Response noRoute = call(server.http(), "GET", "/no/such/path", null);
        Http.Response noVersion = call(server.http(), "GET", "/services/hostedservices", null, null);
        for (Http.Response r : new Http.Response[]{ok, refused, noRoute, noVersion}) {
            assertThat(r.header("x-ms-request-id")).as(r.toString()).matches("^[0-9a-f]{32}$");
        }
        assertThat(ok.header("x-ms-request-id")).isNotEqualTo(refused.header("x-ms-request-id"));
        assertThat(ok.header("Content-Type")).isEqualTo("application/xml; charset=utf-8");
    }

    @Test
    void errorsAreTheClassicErrorDocument() {
        Http.Response r = call(server.http(), "GET", "/services/hostedservices/none", null);
        Xml x = assertError(r, 404, "ResourceNotFound", "The hosted service does not exist.");
        assertThat(x.allInClassicNamespace()).isTrue();
        // byte for byte as the service answers it (recorded: Error_ResourceNotFound_HostedService.response.xml)
        assertThat(r.body()).isEqualTo(ClassicExamples.read("Error_ResourceNotFound_HostedService.response.xml"));
    }

    @Test
    void unknownClassicPathsAreResourceNotFoundAndWrongVerbsInvalidHttpVerb() {
        assertError(call(server.http(), "GET", "/services/nothing-here", null), 404, "ResourceNotFound");
        Http.Response verb = call(server.http(), "PUT", "/services/hostedservices", "<x/>");
        assertError(verb, 400, "InvalidHttpVerb", "PUT");
        assertThat(verb.header("Allow")).contains("GET", "POST");
    }

    @Test
    void armPathsKeepTheirOwnEnvelope() {
        Http.Response arm = server.http().send("GET", "/subscriptions/" + SUB + "/resourcegroups?api-version=2022-09-01", null,
                Map.of());
        assertThat(arm.status()).isEqualTo(401);
        assertThat(arm.errorCode()).isEqualTo("AuthenticationFailed");
        assertThat(arm.header("x-ms-request-id")).contains("-");
    }

    @Test
    void aSubscriptionIdThatIsNoGuidIsNotClassic() {
        Http.Response r = server.http().sendBody("GET", "/not-a-guid/services/hostedservices",
                java.net.http.HttpRequest.BodyPublishers.noBody(), Map.of("x-ms-version", "2015-04-01"));
        assertThat(r.status()).isEqualTo(404);
    }

    // ---- XML in ----

    @Test
    void malformedXmlIsInvalidXmlRequest() {
        assertError(call(server.http(), "POST", "/services/hostedservices", "<CreateHostedService" + ROOT_ATTRS
                + "><ServiceName>x</ServiceName>"), 400, "InvalidXmlRequest", "not well-formed");
        assertError(call(server.http(), "POST", "/services/hostedservices", "not xml at all"), 400, "InvalidXmlRequest");
        assertError(call(server.http(), "POST", "/services/hostedservices", null), 400, "InvalidXmlRequest", "required");
    }

    @Test
    void anXxePayloadIsNotResolved() throws Exception {
        Path secret = Files.createTempFile("azimuth-xxe", ".txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        try {
            String xxe = "<?xml version=\"1.0\"?><!DOCTYPE CreateHostedService [<!ENTITY xxe SYSTEM \""
                    + secret.toUri() + "\">]><CreateHostedService" + ROOT_ATTRS + "><ServiceName>&xxe;</ServiceName>"
                    + "<Label>eA==</Label><Location>West US</Location></CreateHostedService>";
            Http.Response r = call(server.http(), "POST", "/services/hostedservices", xxe);
            assertError(r, 400, "InvalidXmlRequest", "DTD");
            assertThat(r.body()).doesNotContain("TOP-SECRET-CONTENT");
            Http.Response list = get(server.http(), "/services/hostedservices");
            assertThat(list.body()).doesNotContain("TOP-SECRET-CONTENT");
            assertThat(Xml.parse(list.body()).all("HostedService")).isEmpty();
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void aBillionLaughsPayloadIsRefusedQuickly() {
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        dtd.append("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">");
        for (int i = 2; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"");
            for (int j = 0; j < 10; j++) {
                dtd.append("&lol").append(i - 1).append(';');
            }
            dtd.append("\">");
        }
        dtd.append("]><CreateHostedService").append(ROOT_ATTRS).append("><ServiceName>&lol9;</ServiceName>")
                .append("</CreateHostedService>");
        long started = System.nanoTime();
        Http.Response r = call(server.http(), "POST", "/services/hostedservices", dtd.toString());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertError(r, 400, "InvalidXmlRequest", "DTD");
        assertThat(millis).as("refused before any expansion").isLessThan(2000);
        assertThat(r.body().length()).isLessThan(1000);
    }

    @Test
    void aBodyOverThePipelinesLimitIsRefusedInTheClassicShape() {
        String huge = "<CreateHostedService" + ROOT_ATTRS + "><Description>" + "x".repeat(5 * 1024 * 1024)
                + "</Description></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", huge), 413, "BadRequest", "larger than");
    }

    @Test
    void deeplyNestedDocumentsAreRefused() {
        String deep = "<a>".repeat(200) + "</a>".repeat(200);
        assertError(call(server.http(), "POST", "/services/hostedservices", deep), 400, "InvalidXmlRequest", "deeper");
    }

    @Test
    void theHttpsSpellingOfTheNamespaceIsAcceptedOnInput() {
        String body = createServiceXml("https-ns").replace("xmlns=\"http://", "xmlns=\"https://");
        assertThat(body).contains("xmlns=\"https://schemas.microsoft.com/windowsazure\"");
        assertStatus(call(server.http(), "POST", "/services/hostedservices", body), 201);
        // and answers use the http spelling
        Xml x = ClassicFixture.xml(get(server.http(), "/services/hostedservices/https-ns"));
        assertThat(x.namespace()).isEqualTo(NS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " xmlns=\"http://schemas.microsoft.com/windowsazure/other\"",
            " xmlns=\"urn:something-else\""})
    void otherNamespacesAreRefused(String ns) {
        String body = "<CreateHostedService" + ns + "><ServiceName>n</ServiceName><Label>eA==</Label>"
                + "<Location>West US</Location></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", body), 400, "InvalidXmlRequest", "namespace");
    }

    @Test
    void aWrongRootElementIsRefused() {
        assertError(call(server.http(), "POST", "/services/hostedservices", "<CreateStorageService" + ROOT_ATTRS + "/>"), 400,
                "InvalidXmlRequest", "CreateHostedService");
    }

    @Test
    void elementsOutOfTheirDocumentedOrderAreRefusedByName() {
        String body = "<CreateHostedService" + ROOT_ATTRS + "><Label>eA==</Label><ServiceName>n</ServiceName>"
                + "<Location>West US</Location></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", body), 400, "InvalidXmlRequest",
                "CreateHostedService/ServiceName", "out of order");
    }

    @Test
    void unknownAndRepeatedElementsAreRefusedByName() {
        String unknown = "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>n</ServiceName><Label>eA==</Label>"
                + "<Colour>blue</Colour><Location>West US</Location></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", unknown), 400, "InvalidXmlRequest",
                "CreateHostedService/Colour");
        String wrongCase = unknown.replace("<Colour>blue</Colour>", "<description>d</description>");
        assertError(call(server.http(), "POST", "/services/hostedservices", wrongCase), 400, "InvalidXmlRequest",
                "case-sensitive");
        String twice = "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>n</ServiceName><ServiceName>m"
                + "</ServiceName><Label>eA==</Label><Location>West US</Location></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", twice), 400, "InvalidXmlRequest", "more than once");
    }

    @Test
    void aMissingRequiredElementIsABadRequestNamingIt() {
        String body = "<CreateHostedService" + ROOT_ATTRS + "><ServiceName>n</ServiceName>"
                + "<Location>West US</Location></CreateHostedService>";
        assertError(call(server.http(), "POST", "/services/hostedservices", body), 400, "BadRequest",
                "CreateHostedService/Label");
    }

    @Test
    void anyXmlContentTypeIsAccepted() {
        for (String type : new String[]{"application/xml", "text/xml",
                "application/atom+xml;type=entry;charset=utf-8"}) {
            String name = "ct" + Integer.toHexString(type.hashCode());
            Http.Response r = server.http().sendBody("POST", "/" + SUB + "/services/hostedservices",
                    java.net.http.HttpRequest.BodyPublishers.ofString(createServiceXml(name)),
                    Map.of("x-ms-version", "2015-04-01", "Content-Type", type));
            assertStatus(r, 201);
        }
    }
}

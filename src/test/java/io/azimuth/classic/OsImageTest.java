package io.azimuth.classic;

import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.azimuth.support.Xml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.azimuth.classic.ClassicFixture.ROOT_ATTRS;
import static io.azimuth.classic.ClassicFixture.addImage;
import static io.azimuth.classic.ClassicFixture.addImageXml;
import static io.azimuth.classic.ClassicFixture.assertError;
import static io.azimuth.classic.ClassicFixture.assertStatus;
import static io.azimuth.classic.ClassicFixture.call;
import static io.azimuth.classic.ClassicFixture.get;
import static io.azimuth.classic.ClassicFixture.imageNames;
import static io.azimuth.classic.ClassicFixture.media;
import static io.azimuth.classic.ClassicFixture.xml;
import static org.assertj.core.api.Assertions.assertThat;

/** The OS image repository over raw HTTP, against the recorded payloads. */
class OsImageTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c.withInMemory(false));

    @BeforeEach
    void reset() {
        server.reset();
    }

    private static void recordedBlob() {
        server.putVhd("storagename", "inputtestdatadonotdelete", "ubuntu.vhd", 30L << 30);
    }

    @Test
    void theRecordedAddRequestIsAnsweredWithTheImageAsRecorded() {
        recordedBlob();
        Http.Response r = assertStatus(call(server.http(), "POST", "/services/images",
                ClassicExamples.read("AddOSImage.request.xml")), 200);
        // the same document the service answered, element for element (the recording is of a 30 GB VHD too)
        assertThat(r.body()).isEqualTo(ClassicExamples.read("AddOSImage.response.xml"));
        assertThat(ClassicFixture.operation(server.http(), r.header("x-ms-request-id")).text("Status")).isEqualTo("Succeeded");
    }

    @Test
    void getAndListAnswerTheImage() {
        recordedBlob();
        assertStatus(call(server.http(), "POST", "/services/images", ClassicExamples.read("AddOSImage.request.xml")), 200);
        Xml one = xml(get(server.http(), "/services/images/utosimg71c61117"));
        assertThat(one.children("")).isEqualTo(ClassicExamples.order("GetOSImage.response.xml", ""));
        assertThat(one.text("Category")).isEqualTo("User");
        Xml list = xml(get(server.http(), "/services/images"));
        assertThat(list.rootName()).isEqualTo("Images");
        assertThat(list.texts("OSImage/Name")).containsExactly("utosimg71c61117");
        assertThat(list.children("OSImage")).isEqualTo(one.children(""));
    }

    @Test
    void anUnknownImageIsAnsweredAsRecorded() {
        Http.Response r = get(server.http(), "/services/images/utosimg71c61117");
        assertError(r, 404, "ResourceNotFound");
        assertThat(r.body()).isEqualTo(ClassicExamples.read("Error_ResourceNotFound_OSImage.response.xml"));
        assertError(call(server.http(), "DELETE", "/services/images/nothing", null), 404, "ResourceNotFound");
    }

    @Test
    void deleteKeepsTheBlobUnlessCompMedia() {
        addImage(server.server(), "img-a", "Linux");
        addImage(server.server(), "img-b", "Windows");
        Http.Response r = assertStatus(call(server.http(), "DELETE", "/services/images/img-a", null), 200);
        assertThat(r.body()).isEmpty();
        assertThat(ClassicFixture.operation(server.http(), r.header("x-ms-request-id")).text("Status")).isEqualTo("Succeeded");
        assertThat(imageNames(server.http())).containsExactly("img-b");
        assertThat(ClassicFixture.blobs(server.http(), "images")).contains("img-a.vhd");
        assertError(call(server.http(), "DELETE", "/services/images/img-b?comp=media", null, "2012-03-01"), 400,
                "MissingOrIncorrectVersionHeader", "2012-08-01");
        assertStatus(call(server.http(), "DELETE", "/services/images/img-b?comp=media", null), 200);
        assertThat(imageNames(server.http())).isEmpty();
        assertThat(ClassicFixture.blobs(server.http(), "images")).containsExactly("img-a.vhd");
    }

    @Test
    void theNameMustBeFree() {
        addImage(server.server(), "img", "Linux");
        assertError(call(server.http(), "POST", "/services/images", addImageXml("IMG", media("images", "img.vhd"), "Linux")),
                409, "ConflictError", "IMG");
    }

    @Test
    void labelMediaLinkNameAndOsAreRequired() {
        server.putVhd(ClassicFixture.ACCOUNT, "images", "x.vhd", ClassicFixture.VHD_SIZE);
        String ok = addImageXml("x", media("images", "x.vhd"), "Linux");
        for (String element : new String[]{"Label", "MediaLink", "Name", "OS"}) {
            String without = ok.replaceFirst("<" + element + ">[^<]*</" + element + ">", "");
            assertError(call(server.http(), "POST", "/services/images", without), 400, "BadRequest", "OSImage/" + element);
        }
        assertError(call(server.http(), "POST", "/services/images", ok.replace("<OS>Linux</OS>", "<OS>BeOS</OS>")), 400,
                "BadRequest", "OSImage/OS");
    }

    @Test
    void theMediaLinkMustBeAVhdInTheStore() {
        assertError(call(server.http(), "POST", "/services/images", addImageXml("x", media("images", "missing.vhd"), "Linux")),
                400, "BadRequest", "missing.vhd");
        assertError(call(server.http(), "POST", "/services/images", addImageXml("x", "ftp://nowhere/x.vhd", "Linux")),
                400, "BadRequest", "OSImage/MediaLink");
        assertThat(imageNames(server.http())).isEmpty();
    }

    @Test
    void theClassicSdksOrderOfOptionalElementsIsReadToo() {
        server.putVhd(ClassicFixture.ACCOUNT, "images", "o.vhd", ClassicFixture.VHD_SIZE);
        // as the classic Java SDK writes it: PublishedDate, IsPremium, ShowInGui, then PrivacyUri, IconUri
        String sdk = "<OSImage" + ROOT_ATTRS + "><Label>l</Label><MediaLink>" + media("images", "o.vhd")
                + "</MediaLink><Name>o</Name><OS>Linux</OS><Eula>e</Eula><Description>d</Description>"
                + "<ImageFamily>f</ImageFamily><PublishedDate>2015-01-01T00:00:00.0000000Z</PublishedDate>"
                + "<IsPremium>false</IsPremium><ShowInGui>true</ShowInGui><PrivacyUri>http://p</PrivacyUri>"
                + "<IconUri>i.png</IconUri><RecommendedVMSize>Small</RecommendedVMSize><SmallIconUri>s.png"
                + "</SmallIconUri><Language>en</Language></OSImage>";
        Xml added = Xml.parse(assertStatus(call(server.http(), "POST", "/services/images", sdk), 200).body());
        assertThat(added.children("")).containsExactly("Category", "Label", "Location", "LogicalSizeInGB",
                "MediaLink", "Name", "OS", "Eula", "Description", "ImageFamily", "ShowInGui", "PublishedDate",
                "IsPremium", "IconUri", "PrivacyUri", "RecommendedVMSize", "SmallIconUri", "Language", "OSState",
                "IOType");
        String outOfOrder = sdk.replace("<Label>l</Label>", "").replace("<Name>o</Name>", "<Name>o</Name><Label>l</Label>");
        assertError(call(server.http(), "POST", "/services/images", outOfOrder.replace("<Name>o</Name>", "<Name>o2</Name>")),
                400, "InvalidXmlRequest", "OSImage/Label");
    }
}

package io.azimuth.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored documents: private state kept last, and cut out of the stored text exactly as a parse would leave it out. */
class ResourceRecordsTest {

    private static ObjectNode doc(String json) {
        return Json.readObject(json);
    }

    /** What clients must see: the document parsed, without its private state, written again. */
    private static String parsedView(String body) {
        ObjectNode d = doc(body);
        d.remove(ResourceRecords.PRIVATE_STATE);
        return Json.write(d);
    }

    @Test
    void privateStateIsStoredLastWhereverItWasPut() {
        ObjectNode d = doc("{\"name\":\"a\"}");
        d.putObject("azimuthState").put("content", "images/x/osDisk");
        d.put("location", "westus");
        d.putObject("properties").put("provisioningState", "Succeeded");
        String body = ResourceRecords.body(d);
        assertThat(body).endsWith(",\"azimuthState\":{\"content\":\"images/x/osDisk\"}}");
        assertThat(doc(body)).isEqualTo(d);
    }

    @Test
    void theStoredTextWithoutPrivateStateIsWhatAParseWouldGive() {
        ObjectNode d = doc("{\"name\":\"a\",\"tags\":{\"k\":\"v } ] \\\" {\"},\"properties\":{\"x\":[1,{\"y\":2}]}}");
        d.putObject("azimuthState").put("odd", "a } \" { ] [ \\ ,\"azimuthState\":").putArray("list").add("}");
        String body = ResourceRecords.body(d);
        String wire = ResourceRecords.withoutPrivateState(body);
        assertThat(wire).isNotNull().isEqualTo(parsedView(body));
        assertThat(wire).doesNotContain("azimuthState");
    }

    @Test
    void aDocumentWithoutPrivateStateIsAnsweredAsStored() {
        String body = "{\"name\":\"a\",\"properties\":{}}";
        assertThat(ResourceRecords.withoutPrivateState(body)).isSameAs(body);
    }

    @Test
    void textThatIsNotSoIsLeftToTheParser() {
        // private state not last (written before it was kept last)
        assertThat(ResourceRecords.withoutPrivateState("{\"name\":\"a\",\"azimuthState\":{},\"location\":\"w\"}")).isNull();
        // the only occurrence is a tag named so, in the last member
        assertThat(ResourceRecords.withoutPrivateState("{\"name\":\"a\",\"tags\":{\"azimuthState\":{}}}")).isNull();
        // the private state alone, first
        assertThat(ResourceRecords.withoutPrivateState("{\"azimuthState\":{}}")).isNull();
        // not an object
        assertThat(ResourceRecords.withoutPrivateState("{\"name\":\"a\",\"azimuthState\":\"x\"}")).isNull();
    }

    @Test
    void aTagNamedLikeThePrivateStateBeforeTheRealOneIsKept() {
        ObjectNode d = doc("{\"name\":\"a\",\"tags\":{\"azimuthState\":\"user's own\"}}");
        d.putObject("azimuthState").put("content", "disks/1");
        String body = ResourceRecords.body(d);
        assertThat(ResourceRecords.withoutPrivateState(body)).isEqualTo(parsedView(body))
                .contains("\"tags\":{\"azimuthState\":\"user's own\"}");
    }
}

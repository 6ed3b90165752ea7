package io.azimuth.classic;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The classic API's XML parser on its own: what it reads, and what it refuses before reading it. */
class SafeXmlTest {
    static XmlElement parse(String xml) {
        return SafeXml.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsElementsTextNamespacesAndPredefinedEntities() {
        XmlElement root = parse("<?xml version=\"1.0\" encoding=\"utf-8\"?><!-- c --><a xmlns=\"urn:x\" k=\"v\">"
                + "<b>1 &amp; 2 &lt; 3 &#65;</b><c><![CDATA[<raw>]]></c></a>");
        assertThat(root.name()).isEqualTo("a");
        assertThat(root.namespace()).isEqualTo("urn:x");
        assertThat(root.attributes()).containsEntry("k", "v");
        assertThat(root.children()).extracting(XmlElement::name).containsExactly("b", "c");
        assertThat(root.children().get(0).text()).isEqualTo("1 & 2 < 3 A");
        assertThat(root.children().get(1).text()).isEqualTo("<raw>");
        assertThat(root.children().get(1).path()).isEqualTo("a/c");
    }

    @Test
    void anyDtdIsRefusedSoNoEntityIsEverExpanded() {
        assertThatThrownBy(() -> parse("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>"))
                .isInstanceOf(SafeXml.Malformed.class).hasMessageContaining("DTD");
        assertThatThrownBy(() -> parse("<!DOCTYPE a SYSTEM \"http://127.0.0.1:1/evil.dtd\"><a/>"))
                .isInstanceOf(SafeXml.Malformed.class).hasMessageContaining("DTD");
        assertThatThrownBy(() -> parse("<a>&undeclared;</a>")).isInstanceOf(SafeXml.Malformed.class);
    }

    @Test
    void aBillionLaughsIsRefusedInMilliseconds() {
        StringBuilder b = new StringBuilder("<!DOCTYPE l [<!ENTITY l0 \"lol\">");
        for (int i = 1; i <= 12; i++) {
            b.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
        }
        b.append("]><a>&l12;</a>");
        long started = System.nanoTime();
        assertThatThrownBy(() -> parse(b.toString())).isInstanceOf(SafeXml.Malformed.class);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(500);
    }

    @Test
    void sizeDepthCountAndAttributesAreBounded() {
        assertThatThrownBy(() -> SafeXml.parse(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> SafeXml.parse(new byte[SafeXml.MAX_BYTES + 1])).hasMessageContaining("larger");
        assertThat(parse("<a>".repeat(SafeXml.MAX_DEPTH) + "</a>".repeat(SafeXml.MAX_DEPTH)).name()).isEqualTo("a");
        assertThatThrownBy(() -> parse("<a>".repeat(SafeXml.MAX_DEPTH + 1) + "</a>".repeat(SafeXml.MAX_DEPTH + 1)))
                .hasMessageContaining("deeper");
        assertThatThrownBy(() -> parse("<a>" + "<b/>".repeat(SafeXml.MAX_ELEMENTS) + "</a>"))
                .hasMessageContaining("elements");
        StringBuilder attrs = new StringBuilder("<a");
        for (int i = 0; i <= SafeXml.MAX_ATTRIBUTES; i++) {
            attrs.append(" a").append(i).append("=\"v\"");
        }
        assertThatThrownBy(() -> parse(attrs + "/>")).hasMessageContaining("attributes");
    }

    @Test
    void notWellFormedDocumentsAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> parse("<a><b></a>")).isInstanceOf(SafeXml.Malformed.class)
                .hasMessageContaining("not well-formed");
        assertThatThrownBy(() -> parse("just text")).isInstanceOf(SafeXml.Malformed.class);
    }
}

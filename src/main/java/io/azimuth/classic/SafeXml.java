package io.azimuth.classic;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one XML parser of the classic API, for request bodies and for XML carried inside them (unattend content).
 * The JDK's own StAX implementation (never one found on the class path), configured so that a document cannot
 * make it do anything but read its own bytes: no DTD (a document declaring one is refused before any declaration
 * in it is read, so neither internal entities, as in "billion laughs", nor external ones, as in XXE, are ever
 * expanded), no external entities or DTDs even if a DTD were read, a resolver that refuses every lookup, and the
 * JDK's processing limits. Documents are bounded in size, element depth, element count and attributes.
 */
public final class SafeXml {
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    public static final int MAX_DEPTH = 32;
    public static final int MAX_ELEMENTS = 20_000;
    public static final int MAX_ATTRIBUTES = 32;

    private static final XMLInputFactory FACTORY = factory();

    private SafeXml() {
    }

    /** Why a document was refused; the message never repeats its content. */
    public static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are not read");
        });
        optional(f, XMLConstants.ACCESS_EXTERNAL_DTD, "");
        // small but not 0, which the JDK reads as "no limit"
        optional(f, "jdk.xml.entityExpansionLimit", "16");
        optional(f, "jdk.xml.maxGeneralEntitySizeLimit", "1024");
        optional(f, "jdk.xml.maxParameterEntitySizeLimit", "1024");
        optional(f, "jdk.xml.totalEntitySizeLimit", "4096");
        optional(f, "jdk.xml.maxElementDepth", String.valueOf(MAX_DEPTH + 1));
        return f;
    }

    private static void optional(XMLInputFactory f, String property, Object value) {
        try {
            f.setProperty(property, value);
        } catch (IllegalArgumentException e) {
            // not supported by this JDK: the DTD refusal and the bounds below still apply
        }
    }

    /**
     * Parses a whole document into its root element.
     *
     * @throws Malformed when it is empty, too large, too deep, not well-formed, or declares a DTD
     */
    public static XmlElement parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw new Malformed("The document is empty.");
        }
        if (bytes.length > MAX_BYTES) {
            throw new Malformed("The document is larger than " + MAX_BYTES + " bytes.");
        }
        XMLStreamReader reader = null;
        try {
            reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(bytes));
            Deque<XmlElement> open = new ArrayDeque<>();
            XmlElement root = null;
            int elements = 0;
            while (reader.hasNext()) {
                int event = reader.next();
                switch (event) {
                    case XMLStreamConstants.DTD ->
                            throw new Malformed("Document type declarations (DTDs) are not allowed.");
                    case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION,
                         XMLStreamConstants.NOTATION_DECLARATION ->
                            throw new Malformed("Entity references other than the predefined ones are not allowed.");
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (++elements > MAX_ELEMENTS) {
                            throw new Malformed("The document has more than " + MAX_ELEMENTS + " elements.");
                        }
                        if (open.size() >= MAX_DEPTH) {
                            throw new Malformed("The document nests elements deeper than " + MAX_DEPTH + " levels.");
                        }
                        if (reader.getAttributeCount() > MAX_ATTRIBUTES) {
                            throw new Malformed("The element '" + reader.getLocalName() + "' has more than "
                                    + MAX_ATTRIBUTES + " attributes.");
                        }
                        Map<String, String> attributes = new LinkedHashMap<>();
                        for (int i = 0; i < reader.getAttributeCount(); i++) {
                            String prefix = reader.getAttributePrefix(i);
                            String key = prefix == null || prefix.isEmpty() ? reader.getAttributeLocalName(i)
                                    : prefix + ":" + reader.getAttributeLocalName(i);
                            attributes.put(key, reader.getAttributeValue(i));
                        }
                        String name = reader.getLocalName();
                        XmlElement parent = open.peek();
                        XmlElement element = new XmlElement(reader.getNamespaceURI(), name,
                                parent == null ? name : parent.path() + "/" + name, attributes);
                        if (parent == null) {
                            root = element;
                        } else {
                            parent.add(element);
                        }
                        open.push(element);
                    }
                    case XMLStreamConstants.END_ELEMENT -> open.pop();
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (!open.isEmpty()) {
                            open.peek().appendText(reader.getText());
                        }
                    }
                    default -> {
                        // comments, processing instructions, the XML declaration: nothing to keep
                    }
                }
            }
            if (root == null) {
                throw new Malformed("The document has no root element.");
            }
            return root;
        } catch (XMLStreamException e) {
            throw new Malformed("The document is not well-formed XML: " + reason(e));
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // nothing held
                }
            }
        }
    }

    /** The parser's complaint without its location preamble. */
    private static String reason(XMLStreamException e) {
        String message = String.valueOf(e.getMessage());
        int at = message.indexOf("Message: ");
        String reason = at >= 0 ? message.substring(at + 9) : message;
        reason = reason.strip();
        if (e.getLocation() != null && e.getLocation().getLineNumber() > 0) {
            reason = reason + " (line " + e.getLocation().getLineNumber() + ", column "
                    + e.getLocation().getColumnNumber() + ")";
        }
        return reason.length() > 300 ? reason.substring(0, 300) + "..." : reason;
    }
}

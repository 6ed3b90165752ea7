package io.azimuth.classic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One element of a parsed request body: namespace, local name, attributes, child elements and its text (the
 * concatenated character data directly inside it). Built only by {@link SafeXml}, never from a DTD.
 */
public final class XmlElement {
    private final String namespace;
    private final String name;
    private final String path;
    private final Map<String, String> attributes;
    private final List<XmlElement> children = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();

    XmlElement(String namespace, String name, String path, Map<String, String> attributes) {
        this.namespace = namespace == null ? "" : namespace;
        this.name = name;
        this.path = path;
        this.attributes = Map.copyOf(attributes);
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    /** Where the element is, for messages: {@code CaptureRoleOperation/ProvisioningConfiguration/ComputerName}. */
    public String path() {
        return path;
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    public List<XmlElement> children() {
        return Collections.unmodifiableList(children);
    }

    /** The element's own text, as sent (not trimmed). */
    public String text() {
        return text.toString();
    }

    void add(XmlElement child) {
        children.add(child);
    }

    void appendText(String chars) {
        text.append(chars);
    }

    @Override
    public String toString() {
        return path;
    }
}

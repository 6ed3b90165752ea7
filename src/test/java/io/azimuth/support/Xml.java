package io.azimuth.support;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads XML answers in tests: a namespace-aware DOM (DTDs refused) with small helpers to walk it by element names,
 * {@code "RoleList/Role/OSVirtualHardDisk/MediaLink"}, and to see the order of an element's children.
 */
public final class Xml {
    public static final String NS = "http://schemas.microsoft.com/windowsazure";

    private final Element root;

    private Xml(Element root) {
        this.root = root;
    }

    public static Xml parse(String text) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            return new Xml(doc.getDocumentElement());
        } catch (Exception e) {
            throw new IllegalStateException("not XML: " + text, e);
        }
    }

    public Element root() {
        return root;
    }

    public String rootName() {
        return root.getLocalName();
    }

    public String namespace() {
        return root.getNamespaceURI();
    }

    /** The text of the first element at {@code path} below the root, or null. */
    public String text(String path) {
        Element e = first(root, path);
        return e == null ? null : e.getTextContent();
    }

    public boolean has(String path) {
        return first(root, path) != null;
    }

    /** Every element at {@code path} (the last step may match several). */
    public List<Element> all(String path) {
        List<Element> out = new ArrayList<>();
        collect(root, path.split("/"), 0, out);
        return out;
    }

    /** The texts of every element at {@code path}. */
    public List<String> texts(String path) {
        return all(path).stream().map(Node::getTextContent).toList();
    }

    /** The local names of the children of the element at {@code path} ("" for the root), in document order. */
    public List<String> children(String path) {
        Element e = path.isEmpty() ? root : first(root, path);
        List<String> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.add(c.getLocalName());
            }
        }
        return out;
    }

    /** Whether every element of the document is in the classic namespace. */
    public boolean allInClassicNamespace() {
        return allIn(root);
    }

    private static boolean allIn(Element e) {
        if (!NS.equals(e.getNamespaceURI())) {
            return false;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && !allIn(c)) {
                return false;
            }
        }
        return true;
    }

    private static Element first(Element from, String path) {
        List<Element> out = new ArrayList<>();
        collect(from, path.split("/"), 0, out);
        return out.isEmpty() ? null : out.get(0);
    }

    private static void collect(Element e, String[] steps, int i, List<Element> out) {
        if (i == steps.length) {
            out.add(e);
            return;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && steps[i].equals(c.getLocalName())) {
                collect(c, steps, i + 1, out);
            }
        }
    }
}

package io.azimuth.classic;

import io.azimuth.support.Xml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The recorded classic payloads under {@code spec/classic/examples/} (see {@code spec/SOURCES.md}). */
final class ClassicExamples {
    private ClassicExamples() {
    }

    static String read(String name) {
        try (InputStream in = ClassicExamples.class.getResourceAsStream("/spec/classic/examples/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no recorded example " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Xml xml(String name) {
        return Xml.parse(read(name));
    }

    /** The element names of a recorded example's element at {@code path}, in order. */
    static List<String> order(String name, String path) {
        return xml(name).children(path);
    }
}

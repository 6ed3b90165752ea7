package io.azimuth.support;

import io.azimuth.server.Config;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.function.UnaryOperator;

/**
 * A {@link TestServer} for the tests of one class, registered as a static {@code @RegisterExtension} field: started
 * with the class's config before all its tests, closed after them.
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<Config> tweak;
    private final java.util.List<io.azimuth.server.Provider> extra;
    private TestServer server;
    private ExtensionContext owner;

    private ServerExtension(UnaryOperator<Config> tweak, java.util.List<io.azimuth.server.Provider> extra) {
        this.tweak = tweak;
        this.extra = extra;
    }

    public static ServerExtension start() {
        return start(c -> c);
    }

    public static ServerExtension start(UnaryOperator<Config> tweak) {
        return new ServerExtension(tweak, java.util.List.of());
    }

    /** A server that also serves {@code extra} providers (resource types of a test's own). */
    public static ServerExtension start(UnaryOperator<Config> tweak, io.azimuth.server.Provider... extra) {
        return new ServerExtension(tweak, java.util.List.of(extra));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (server == null) {
            server = TestServer.start(tweak, extra);
            owner = context;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context == owner && server != null) {
            server.close();
            server = null;
            owner = null;
        }
    }

    public TestServer server() {
        if (server == null) {
            throw new IllegalStateException("the server runs only while the class's tests do");
        }
        return server;
    }

    public Http http() {
        return server().http;
    }

    public void reset() {
        server().reset();
    }

    public void putVhd(String account, String container, String path, long virtualSize) {
        server().putVhd(account, container, path, virtualSize);
    }
}

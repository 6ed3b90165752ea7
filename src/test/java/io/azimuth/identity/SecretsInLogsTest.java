package io.azimuth.identity;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.azimuth.server.Config;
import io.azimuth.support.Http;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Client secrets, passwords and tokens never reach the log, even at DEBUG (one line per request). */
class SecretsInLogsTest {
    static final String SECRET = "Zq8-client-secret-never-logged";
    static final String PASSWORD = "Pw7-password-never-logged";

    @Test
    void signInsLogNoSecret() throws Exception {
        Logger azimuth = (Logger) LoggerFactory.getLogger("io.azimuth");
        Level before = azimuth.getLevel();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        azimuth.addAppender(events);
        azimuth.setLevel(Level.DEBUG);
        try (TestServer server = TestServer.start(c -> c.withSignIn(Config.SignIn.DEFAULT))) {
            String path = "/" + Config.DEFAULT_TENANT + "/oauth2/v2.0/token";
            Http.Response ok = SignInTest.token(server, path, SignInTest.form("grant_type", "client_credentials",
                    "client_id", "app", "client_secret", SECRET, "scope", "https://management.azure.com/.default"));
            assertThat(ok.status()).isEqualTo(200);
            String token = ok.json().path("access_token").asText();
            SignInTest.token(server, path, SignInTest.form("grant_type", "password", "client_id", "app",
                    "username", "u@contoso.com", "password", PASSWORD, "scope", "https://management.azure.com/.default"));
            SignInTest.token(server, path, SignInTest.form("grant_type", "bogus", "client_secret", SECRET));
            SignInTest.arm(server, "GET", "/subscriptions?api-version=2022-12-01", token, null);
            List<String> lines = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).as("the requests were logged").anyMatch(l -> l.contains("/oauth2/v2.0/token"));
            assertThat(lines).noneMatch(l -> l.contains(SECRET) || l.contains(PASSWORD) || l.contains(token));
            assertThat(ok.body()).doesNotContain(SECRET);
        } finally {
            azimuth.detachAppender(events);
            azimuth.setLevel(before);
        }
    }
}

package io.azimuth.http;

import io.azimuth.emulator.EmulatorEnvelope;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Template matching, including the trailing catch-all parameter, and routes with streaming handlers. */
class RouterTest {
    final Envelope envelope = new EmulatorEnvelope();
    final Handler ok = r -> ApiResponse.empty(204);

    @Test
    void aCatchAllTakesTheRestOfThePathSlashesIncluded() {
        Router router = new Router(envelope);
        Route blob = Route.at("/blobs/{account}/{container}/{*path}", envelope).get(ok);
        router.add(blob);

        Router.Match m = router.match("/Blobs/acct/vhds/dir/sub/disk.vhd");
        assertThat(m.route()).isSameAs(blob);
        assertThat(m.params()).containsExactly(entry("account", "acct"), entry("container", "vhds"),
                entry("path", "dir/sub/disk.vhd"));
        assertThat(router.match("/blobs/acct/vhds/one").params().get("path")).isEqualTo("one");
        assertThat(router.match("/blobs/acct/vhds/a//b/").params().get("path"))
                .as("kept as sent, inner and trailing slashes included").isEqualTo("a//b/");
        assertThat(router.match("/blobs/acct/vhds")).as("a catch-all takes at least one segment").isNull();
        assertThat(router.match("/blobs/acct/vhds/")).isNull();
    }

    @Test
    void literalsAndParametersWinOverACatchAll() {
        Router router = new Router(envelope);
        Route list = Route.at("/blobs/{account}/{container}", envelope).get(ok);
        Route rest = Route.at("/blobs/{account}/{*path}", envelope).get(ok);
        Route literal = Route.at("/blobs/{account}/special", envelope).get(ok);
        router.add(list).add(rest).add(literal);

        assertThat(router.match("/blobs/a/c").route()).isSameAs(list);
        assertThat(router.match("/blobs/a/SPECIAL").route()).isSameAs(literal);
        assertThat(router.match("/blobs/a/c/d").route()).isSameAs(rest);
        assertThat(router.match("/blobs/a/c/d").params().get("path")).isEqualTo("c/d");
        assertThat(router.match("/blobs/a/special/d").params().get("path")).isEqualTo("special/d");
    }

    @Test
    void aCatchAllMustEndTheTemplate() {
        Router router = new Router(envelope);
        assertThatThrownBy(() -> router.add(Route.at("/blobs/{*path}/meta", envelope).get(ok)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end");
    }

    @Test
    void aMethodHasEitherAPlainOrAStreamingHandler() {
        StreamingHandler upload = (request, http) -> Future.succeededFuture(ApiResponse.empty(201));
        Route route = Route.at("/blobs/{*path}", envelope).get(ok).streaming(HttpMethod.PUT, upload);
        assertThat(route.methods()).containsExactly(HttpMethod.GET, HttpMethod.PUT);
        assertThat(route.handler(HttpMethod.PUT)).isNull();
        assertThat(route.streamingHandler(HttpMethod.PUT)).isSameAs(upload);
        route.put(ok);
        assertThat(route.streamingHandler(HttpMethod.PUT)).as("replaced").isNull();
        assertThat(route.handler(HttpMethod.PUT)).isSameAs(ok);
    }
}

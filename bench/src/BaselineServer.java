import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of every comparison in bench/run.sh: a Vert.x HTTP server (one instance, default options, HTTP/1.1
 * as the emulator's plain listener) that does no work but answer static bytes, with the header names and value
 * lengths the emulator sends. It lives in a JVM of its own, started like the emulator.
 *
 * <p>{@code BaselineServer <port> [<path>=<status>:<body-file> ...]}: a request whose path is one of the given
 * paths is answered with that status and file's bytes, once its body (if any) has been read; every other request
 * with 200 and one small static JSON body (what start-up is measured against).
 */
public final class BaselineServer {
    record Answer(int status, Buffer body) {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Map<String, Answer> answers = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            int colon = args[i].indexOf(':', eq);
            answers.put(args[i].substring(0, eq), new Answer(Integer.parseInt(args[i].substring(eq + 1, colon)),
                    Buffer.buffer(Files.readAllBytes(Path.of(args[i].substring(colon + 1))))));
        }
        Answer fallback = new Answer(200, Buffer.buffer("{\"status\":\"healthy\"}"));
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                        .setHttp2ClearTextEnabled(false))
                .requestHandler(req -> {
                    Answer a = answers.getOrDefault(req.path(), fallback);
                    if (req.isEnded()) {
                        answer(req, a);
                    } else {
                        req.endHandler(v -> answer(req, a));
                    }
                })
                .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("Baseline listening on http://127.0.0.1:" + server.actualPort());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static void answer(HttpServerRequest req, Answer a) {
        req.response().setStatusCode(a.status())
                // the header names and value lengths the emulator sends, so that the wire size matches
                .putHeader("x-ms-request-id", "00000000-0000-4000-8000-000000000001")
                .putHeader("x-ms-correlation-request-id", "00000000-0000-4000-8000-000000000002")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(a.body());
    }
}

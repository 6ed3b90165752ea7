package io.azimuth.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The one request path every API family goes through:
 * context (ids, base URL) → bounded body → route match → authentication → admission (request budgets) → injected
 * faults → version check → handler (on a worker,
 * unless a {@link FastHandler} answers at once on the event loop) → serialisation, with every failure rendered by
 * the route's envelope. Nothing a handler throws escapes as anything but an envelope error. A method with a
 * {@link StreamingHandler} skips the body step: the checks run first and the handler reads the body itself,
 * unbounded. Streamed response bodies are read on a worker and written with back-pressure. Failures of the layers
 * below the API (the blob store's refusals) reach the envelope through the translation the server gives, as the
 * {@link ApiException} they stand for; anything else is a 500 with the request id. Faults injected on purpose
 * ({@link Faults}) come after authentication and route matching, before the version check and the handler.
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final int STREAM_CHUNK = 256 * 1024;
    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.\\-]+(:\\d{1,5})?$|^\\[[0-9A-Fa-f:.]+](:\\d{1,5})?$");

    private final Vertx vertx;
    private final Router router;
    private final long maxBodyBytes;
    private final Function<RuntimeException, ApiException> translation;
    /**
     * Where changes (every method but GET and HEAD) run: apart from reads, so that requests waiting to read the
     * store never hold the threads a write needs (reads run on Vert.x's own worker pool).
     */
    private final io.vertx.core.WorkerExecutor changes;
    private final Faults faults;
    private volatile Observer observer;

    /** Told of every answer written: the request (its route, when one matched), the status and the time taken. */
    @FunctionalInterface
    public interface Observer {
        void answered(ApiRequest request, int status, long nanos);
    }

    /** Sets the one observer of answers (none by default). */
    public void observe(Observer observer) {
        this.observer = observer;
    }

    /**
     * @param translation the API error a failure of a lower layer stands for, or null for one it does not know
     *                    (which is then an internal error)
     */
    public Pipeline(Vertx vertx, Router router, long maxBodyBytes,
                    Function<RuntimeException, ApiException> translation) {
        this(vertx, router, maxBodyBytes, translation, Faults.NONE);
    }

    /** @param faults the faults to inject into matched requests */
    public Pipeline(Vertx vertx, Router router, long maxBodyBytes,
                    Function<RuntimeException, ApiException> translation, Faults faults) {
        this.faults = faults;
        this.vertx = vertx;
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
        this.translation = translation;
        this.changes = vertx.createSharedWorkerExecutor("azimuth-changes", 20);
    }

    /** The API error {@code failure} is, when it is a known one; null otherwise. */
    private ApiException known(Throwable failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        return failure instanceof RuntimeException e ? translation.apply(e) : null;
    }

    public void handle(HttpServerRequest http) {
        long started = System.nanoTime();
        String path = http.path();
        if (path.indexOf('%') >= 0) { // '+' is not a space in a path: only percent-escapes are decoded
            try {
                path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                path = http.path();
            }
        }
        Router.Match match = router.match(path);
        Envelope envelope = match != null ? match.route().envelope() : router.envelopeFor(path);
        String requestId = envelope.newRequestId();
        String correlation = http.getHeader("x-ms-correlation-request-id");
        if (correlation == null || correlation.isBlank() || correlation.length() > 200) {
            correlation = Ids.uuid();
        }
        MultiMap query;
        ApiException badQuery = null;
        try {
            query = http.params();
        } catch (IllegalArgumentException e) { // a '%' not followed by two hex digits, or escaping no UTF-8
            query = MultiMap.caseInsensitiveMultiMap();
            badQuery = new ApiException(400, "InvalidQueryParameterValue", "The query string of the request URI is "
                    + "malformed: every '%' in it begins a percent-escape of two hexadecimal digits.");
        }
        ApiRequest request = new ApiRequest(http.method(), path, http.path(), query, http.headers(), baseUrl(http),
                requestId, correlation);
        request.transport(http.isSSL(), () -> clientCertificates(http));
        if (badQuery != null) {
            // answered at once; the body, if any, is read and dropped so that the client sees the answer
            http.handler(chunk -> { });
            http.exceptionHandler(e -> LOG.debug("request {} failed while draining: {}", requestId, e.toString()));
            http.endHandler(v -> { });
            respondError(http, request, envelope, badQuery, started);
            return;
        }
        if (match != null) {
            request.matched(match.route(), match.params());
            StreamingHandler streaming = match.route().streamingHandler(http.method());
            if (streaming != null) {
                http.pause();
                stream(http, request, envelope, match.route(), streaming, started);
                return;
            }
        }

        Buffer body = Buffer.buffer();
        long[] size = {0};
        boolean[] refused = {false};
        http.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            size[0] += chunk.length();
            if (size[0] > maxBodyBytes) {
                refused[0] = true;
                respondError(http, request, envelope, new ApiException(413, "RequestEntityTooLarge",
                        "The request body is larger than " + maxBodyBytes + " bytes."), started);
                return; // the rest of the body is read and dropped, so the client sees the answer
            }
            body.appendBuffer(chunk);
        });
        http.exceptionHandler(e -> LOG.debug("request {} failed while reading: {}", requestId, e.toString()));
        http.endHandler(v -> {
            if (refused[0]) {
                return;
            }
            request.body(body);
            dispatch(http, request, envelope, match, started);
        });
    }

    private void dispatch(HttpServerRequest http, ApiRequest request, Envelope envelope, Router.Match match,
                          long started) {
        Handler handler;
        Faults.Injection injection;
        try {
            envelope.authenticate(request);
            if (match == null) {
                throw envelope.notFound(request);
            }
            HttpMethod method = http.method();
            handler = match.route().handler(method);
            if (handler == null && method == HttpMethod.HEAD) {
                handler = match.route().handler(HttpMethod.GET); // respond() leaves the body out
            }
            if (handler == null) {
                ApiResponse refusal = envelope.renderError(request, envelope.methodNotAllowed(request));
                refusal.header("Allow", String.join(", ", match.route().methods().stream().map(HttpMethod::name).toList()));
                respond(http, request, envelope, refusal, started);
                return;
            }
            envelope.admit(request, match.route());
            injection = faults.inject(request, match.route());
        } catch (RuntimeException e) {
            ApiException known = known(e);
            respondError(http, request, envelope, known != null ? known : internal(request, e), started);
            return;
        }
        Handler chosen = handler;
        if (injection == null) {
            run(http, request, envelope, match.route(), chosen, started);
            return;
        }
        injected(http, injection, () -> {
            if (injection.error() != null) {
                respondError(http, request, envelope, injection.error(), started);
                return;
            }
            if (injection.failure() != null) {
                request.plan(injection.failure());
            }
            run(http, request, envelope, match.route(), chosen, started);
        });
    }

    /** An injected fault's latency, then its dropped connection or {@code then}. */
    private void injected(HttpServerRequest http, Faults.Injection injection, Runnable then) {
        Runnable act = () -> {
            if (injection.drop()) {
                http.connection().close();
            } else {
                then.run();
            }
        };
        if (injection.latencyMillis() > 0) {
            vertx.setTimer(injection.latencyMillis(), t -> act.run());
        } else {
            act.run();
        }
    }

    /** The version check, then the handler: at once when it is a fast one that can answer now, else on a worker. */
    private void run(HttpServerRequest http, ApiRequest request, Envelope envelope, Route route, Handler handler,
                     long started) {
        ApiResponse now = null;
        try {
            envelope.checkVersion(request, route);
            if (handler instanceof FastHandler fast) {
                now = fast.tryNow(request);
            }
        } catch (RuntimeException e) {
            ApiException known = known(e);
            respondError(http, request, envelope, known != null ? known : internal(request, e), started);
            return;
        }
        if (now != null) {
            respond(http, request, envelope, now, started);
            return;
        }
        boolean read = http.method() == HttpMethod.GET || http.method() == HttpMethod.HEAD;
        (read ? vertx.<ApiResponse>executeBlocking(() -> handler.handle(request), false)
                : changes.<ApiResponse>executeBlocking(() -> handler.handle(request), false))
                .onComplete(ar -> answer(http, request, envelope, ar, started));
    }

    /** A streaming route: checks first, then the handler reads the (paused) body itself; see {@link StreamingHandler}. */
    private void stream(HttpServerRequest http, ApiRequest request, Envelope envelope, Route route,
                        StreamingHandler handler, long started) {
        Faults.Injection injection;
        try {
            envelope.authenticate(request);
            envelope.admit(request, route);
            envelope.checkVersion(request, route);
            injection = faults.inject(request, route);
        } catch (RuntimeException e) {
            streamed(http, request, envelope, Future.failedFuture(e), started);
            return;
        }
        if (injection == null) {
            streamBody(http, request, route, handler, envelope, started);
            return;
        }
        injected(http, injection, () -> {
            if (injection.error() != null) {
                streamed(http, request, envelope, Future.failedFuture(injection.error()), started);
            } else {
                request.plan(injection.failure());
                streamBody(http, request, route, handler, envelope, started);
            }
        });
    }

    private void streamBody(HttpServerRequest http, ApiRequest request, Route route, StreamingHandler handler,
                            Envelope envelope, long started) {
        Future<ApiResponse> answer;
        try {
            if ("100-continue".equalsIgnoreCase(http.getHeader("Expect"))) {
                http.response().writeContinue();
            }
            answer = handler.handle(request, http);
            if (answer == null) {
                throw new IllegalStateException("the streaming handler of " + route.template() + " returned no future");
            }
        } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
        }
        streamed(http, request, envelope, answer, started);
    }

    /** Answers a streaming route once its handler's future ends, draining what is left of the body. */
    private void streamed(HttpServerRequest http, ApiRequest request, Envelope envelope, Future<ApiResponse> answer,
                          long started) {
        Context context = vertx.getOrCreateContext();
        answer.onComplete(ar -> {
            Runnable finish = () -> {
                if (ar.failed() && http.response().closed()) {
                    LOG.debug("request {} {} {}: the client went away ({})", request.requestId(), request.method(),
                            request.path(), ar.cause().toString());
                    return;
                }
                if (!http.isEnded()) { // refused or failed before the end of the body: read and drop the rest
                    http.handler(chunk -> { });
                    http.exceptionHandler(e -> LOG.debug("request {} failed while draining: {}", request.requestId(),
                            e.toString()));
                    http.endHandler(v -> { });
                    http.resume();
                }
                answer(http, request, envelope, ar, started);
            };
            if (Vertx.currentContext() == context && Context.isOnEventLoopThread()) {
                finish.run();
            } else {
                context.runOnContext(v -> finish.run());
            }
        });
    }

    private void answer(HttpServerRequest http, ApiRequest request, Envelope envelope, AsyncResult<ApiResponse> ar,
                        long started) {
        if (ar.succeeded()) {
            respond(http, request, envelope, ar.result(), started);
            return;
        }
        ApiException known = known(ar.cause());
        respondError(http, request, envelope, known != null ? known : internal(request, ar.cause()), started);
    }

    private static ApiException internal(ApiRequest request, Throwable cause) {
        LOG.error("request {} {} {} failed", request.requestId(), request.method(), request.path(), cause);
        return new ApiException(500, "InternalServerError",
                "The server encountered an internal error. Request id: " + request.requestId() + ".");
    }

    private void respondError(HttpServerRequest http, ApiRequest request, Envelope envelope, ApiException error,
                              long started) {
        ApiResponse response;
        try {
            response = envelope.renderError(request, error);
            error.headers().forEach(response::header);
        } catch (RuntimeException e) {
            LOG.error("error rendering failed for request {}", request.requestId(), e);
            response = ApiResponse.empty(500);
        }
        respond(http, request, envelope, response, started);
    }

    private void respond(HttpServerRequest http, ApiRequest request, Envelope envelope, ApiResponse response,
                         long started) {
        HttpServerResponse out = http.response();
        if (out.ended() || out.closed()) {
            release(response.stream());
            return;
        }
        try {
            envelope.decorate(http, request, response);
            request.answerHeaders().forEach(response::header);
        } catch (RuntimeException e) {
            LOG.error("decorating the response of request {} failed", request.requestId(), e);
        }
        out.setStatusCode(response.status());
        response.headers().forEach(out::putHeader);
        Buffer body = response.body();
        ReadableByteChannel stream = response.stream();
        boolean bodiless = http.method() == HttpMethod.HEAD || response.status() == 204 || response.status() == 304;
        if ((body != null || stream != null) && response.contentType() != null) {
            out.putHeader("Content-Type", response.contentType());
        }
        if (stream != null) {
            out.putHeader("Content-Length", String.valueOf(response.streamLength()));
            if (bodiless || response.streamLength() == 0) {
                release(stream);
                out.end();
            } else {
                AtomicBoolean released = new AtomicBoolean();
                Runnable release = () -> {
                    if (released.compareAndSet(false, true)) {
                        release(stream);
                    }
                };
                out.closeHandler(v -> release.run());
                pump(out, request, stream, response.streamLength(), release);
            }
        } else if (bodiless || body == null) {
            if (http.method() == HttpMethod.HEAD && body != null) {
                out.putHeader("Content-Length", String.valueOf(body.length()));
            }
            out.end();
        } else {
            out.end(body);
        }
        Observer told = observer;
        if (told != null) {
            try {
                told.answered(request, response.status(), System.nanoTime() - started);
            } catch (RuntimeException e) {
                LOG.warn("the observer of answers failed: {}", e.toString());
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {} in {} ms [{}]", http.method(), http.path(), response.status(),
                    (System.nanoTime() - started) / 1_000_000, request.requestId());
        }
    }

    /** Sends {@code remaining} bytes of {@code in}: one chunk read on a worker at a time, waiting for the socket to drain. */
    private void pump(HttpServerResponse out, ApiRequest request, ReadableByteChannel in, long remaining,
                      Runnable release) {
        if (out.closed()) {
            release.run();
            return;
        }
        int want = (int) Math.min(STREAM_CHUNK, remaining);
        vertx.<Buffer>executeBlocking(() -> read(in, want), false).onComplete(ar -> {
            if (out.closed()) {
                release.run();
                return;
            }
            if (ar.failed() || ar.result() == null) {
                // the status line is gone: all that can be said is that the body is incomplete
                LOG.warn("request {}: the response body could not be read: {}", request.requestId(),
                        ar.failed() ? ar.cause().toString() : "it ended early");
                release.run();
                out.reset();
                return;
            }
            long left = remaining - want;
            if (left == 0) {
                out.end(ar.result());
                release.run();
                return;
            }
            out.write(ar.result());
            if (out.writeQueueFull()) {
                out.drainHandler(v -> pump(out, request, in, left, release));
            } else {
                pump(out, request, in, left, release);
            }
        });
    }

    /** Exactly {@code n} bytes of {@code in}, or null when it ends first. */
    private static Buffer read(ReadableByteChannel in, int n) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(n);
        while (bytes.hasRemaining()) {
            if (in.read(bytes) < 0) {
                return null;
            }
        }
        return Buffer.buffer(bytes.array());
    }

    /** Closes a streamed body's channel on a worker (closing may block for other stores than files). */
    private void release(ReadableByteChannel channel) {
        if (channel != null) {
            vertx.executeBlocking(() -> {
                channel.close();
                return null;
            }, false).onFailure(e -> LOG.debug("closing a response body failed: {}", e.toString()));
        }
    }

    /** The X.509 chain a TLS client presented (listeners that request client certificates), else none. */
    private static List<X509Certificate> clientCertificates(HttpServerRequest http) {
        if (!http.isSSL()) {
            return List.of();
        }
        try {
            SSLSession session = http.sslSession();
            if (session == null) {
                return List.of();
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** The last {@code Host} header found well-formed: clients send the same one request after request. */
    private volatile String knownHost = "";

    /** The scheme and authority the caller used, for absolute links in headers and bodies. */
    private String baseUrl(HttpServerRequest http) {
        String scheme = http.isSSL() ? "https" : "http";
        String host = http.getHeader("Host");
        if (host != null && host.equals(knownHost)) {
            return scheme + "://" + host;
        }
        if (host != null && HOST.matcher(host).matches()) {
            knownHost = host;
        } else {
            SocketAddress local = http.localAddress();
            String addr = local.host();
            if (addr.contains(":")) {
                addr = "[" + addr + "]";
            }
            host = addr + ":" + local.port();
        }
        return scheme + "://" + host;
    }
}

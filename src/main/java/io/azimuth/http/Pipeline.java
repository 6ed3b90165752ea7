package io.azimuth.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The one request path every API family goes through:
 * context (ids, base URL) → bounded body → route match → authentication → version check → handler (on a worker)
 * → serialisation, with every failure rendered by the route's envelope. Nothing a handler throws escapes as
 * anything but an envelope error.
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.\\-]+(:\\d{1,5})?$|^\\[[0-9A-Fa-f:.]+](:\\d{1,5})?$");

    private final Vertx vertx;
    private final Router router;
    private final long maxBodyBytes;

    public Pipeline(Vertx vertx, Router router, long maxBodyBytes) {
        this.vertx = vertx;
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void handle(HttpServerRequest http) {
        long started = System.nanoTime();
        String path;
        try {
            path = URLDecoder.decode(http.path().replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            path = http.path();
        }
        Router.Match match = router.match(path);
        Envelope envelope = match != null ? match.route().envelope() : router.envelopeFor(path);
        String requestId = envelope.newRequestId();
        String correlation = http.getHeader("x-ms-correlation-request-id");
        if (correlation == null || correlation.isBlank() || correlation.length() > 200) {
            correlation = java.util.UUID.randomUUID().toString();
        }
        ApiRequest request = new ApiRequest(http.method(), path, http.path(), http.params(), http.headers(), baseUrl(http),
                requestId, correlation);
        if (match != null) {
            request.matched(match.route(), match.params());
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
        try {
            envelope.authenticate(request);
            if (match == null) {
                throw envelope.notFound(request);
            }
            HttpMethod method = http.method();
            handler = match.route().handler(method);
            if (handler == null && method == HttpMethod.HEAD) {
                Handler get = match.route().handler(HttpMethod.GET);
                handler = get == null ? null : r -> get.handle(r);
            }
            if (handler == null) {
                ApiResponse refusal = envelope.renderError(request, envelope.methodNotAllowed(request));
                refusal.header("Allow", String.join(", ", match.route().methods().stream().map(HttpMethod::name).toList()));
                respond(http, request, envelope, refusal, started);
                return;
            }
            envelope.checkVersion(request, match.route());
        } catch (ApiException e) {
            respondError(http, request, envelope, e, started);
            return;
        } catch (RuntimeException e) {
            respondError(http, request, envelope, internal(request, e), started);
            return;
        }
        Handler chosen = handler;
        vertx.<ApiResponse>executeBlocking(() -> chosen.handle(request), false).onComplete(ar -> {
            if (ar.succeeded()) {
                respond(http, request, envelope, ar.result(), started);
            } else if (ar.cause() instanceof ApiException e) {
                respondError(http, request, envelope, e, started);
            } else {
                respondError(http, request, envelope, internal(request, ar.cause()), started);
            }
        });
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
            return;
        }
        try {
            envelope.decorate(http, request, response);
        } catch (RuntimeException e) {
            LOG.error("decorating the response of request {} failed", request.requestId(), e);
        }
        out.setStatusCode(response.status());
        response.headers().forEach(out::putHeader);
        Buffer body = response.body();
        boolean bodiless = http.method() == HttpMethod.HEAD || response.status() == 204 || response.status() == 304;
        if (body != null && response.contentType() != null) {
            out.putHeader("Content-Type", response.contentType());
        }
        if (bodiless || body == null) {
            if (http.method() == HttpMethod.HEAD && body != null) {
                out.putHeader("Content-Length", String.valueOf(body.length()));
            }
            out.end();
        } else {
            out.end(body);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {} in {} ms [{}]", http.method(), http.path(), response.status(),
                    (System.nanoTime() - started) / 1_000_000, request.requestId());
        }
    }

    /** The scheme and authority the caller used, for absolute links in headers and bodies. */
    private static String baseUrl(HttpServerRequest http) {
        String scheme = http.isSSL() ? "https" : "http";
        String host = http.getHeader("Host");
        if (host == null || !HOST.matcher(host).matches()) {
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

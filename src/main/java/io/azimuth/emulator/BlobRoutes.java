package io.azimuth.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The blob endpoints through which VHDs get into the VHD store, under {@code /_azimuth/blobs}:
 * {@code PUT|GET|HEAD|DELETE /_azimuth/blobs/{account}/{container}/{blob...}} and
 * {@code GET /_azimuth/blobs/{account}/{container}[?prefix=]} (the listing).
 *
 * <p>Uploads are streamed: the body is cut into {@value #SEGMENT}-byte segments at their offsets, each written on
 * a worker while the next fills; the request is paused while {@value #MAX_QUEUED} segments wait, so at most a few
 * MiB of one upload are in memory. Of every segment only the {@value #BLOCK}-byte blocks holding a non-zero byte
 * are written, so that a mostly empty VHD stays sparse; the blob's length is set when the body ends, and only then
 * does the blob appear (replacing any blob of that name). An upload that fails or is cut off leaves nothing.
 */
public final class BlobRoutes {
    static final String OCTETS = "application/octet-stream";
    static final int SEGMENT = 1 << 20;
    static final int BLOCK = 4096;
    static final int MAX_QUEUED = 2;
    private static final byte[] ZEROS = new byte[BLOCK];
    private static final Pattern BYTE_RANGE = Pattern.compile("(\\d*)-(\\d*)");

    private final Vertx vertx;
    private final VhdStore vhds;

    public BlobRoutes(Vertx vertx, VhdStore vhds) {
        this.vertx = vertx;
        this.vhds = vhds;
    }

    public void register(Router router, EmulatorEnvelope envelope) {
        String container = EmulatorEnvelope.PREFIX + "/blobs/{account}/{container}";
        router.add(Route.at(container, envelope).get(this::list));
        router.add(Route.at(container + "/{*blob}", envelope)
                .streaming(HttpMethod.PUT, this::upload)
                .get(this::download)
                .head(this::properties)
                .delete(this::delete));
    }

    // ---- names

    private static String account(ApiRequest r) {
        try {
            return BlobRef.checkAccount(r.param("account"));
        } catch (IllegalArgumentException e) {
            throw invalidName("account", e);
        }
    }

    private static String container(ApiRequest r) {
        try {
            return BlobRef.checkContainer(r.param("container"));
        } catch (IllegalArgumentException e) {
            throw invalidName("container", e);
        }
    }

    private static BlobRef blob(ApiRequest r) {
        String account = account(r);
        String container = container(r);
        String path = r.param("blob");
        try {
            BlobRef.checkPath(path);
        } catch (IllegalArgumentException e) {
            throw invalidName("blob", e);
        }
        return BlobRef.of(account, container, path);
    }

    private static ApiException invalidName(String part, IllegalArgumentException e) {
        String reason = e.getMessage();
        return new ApiException(400, "InvalidResourceName",
                Character.toUpperCase(reason.charAt(0)) + reason.substring(1) + ".", part);
    }

    private static ApiException notFound(BlobRef blob) {
        return new ApiException(404, "BlobNotFound", "The blob '" + blob.uri() + "' does not exist.");
    }

    // ---- upload

    private Future<ApiResponse> upload(ApiRequest r, HttpServerRequest http) {
        BlobRef blob = blob(r);
        return vertx.executeBlocking(() -> vhds.openWrite(blob), false)
                .compose(writer -> new Upload(writer, http).start())
                .compose(size -> vertx.executeBlocking(() -> created(blob, size), false));
    }

    private ApiResponse created(BlobRef blob, long size) throws IOException {
        ObjectNode body = describe(blob, size);
        ObjectNode vhd = body.putObject("vhd");
        Optional<SeekableByteChannel> bytes = vhds.openRead(blob);
        if (bytes.isEmpty()) {
            vhd.put("valid", false);
            vhd.put("reason", "the blob was deleted while it was being checked");
        } else {
            try (SeekableByteChannel c = bytes.get()) {
                long virtualSize = VhdFooter.check(c);
                vhd.put("valid", true);
                vhd.put("virtualSize", virtualSize);
            } catch (IllegalArgumentException e) {
                vhd.put("valid", false);
                vhd.put("reason", e.getMessage());
            }
        }
        return ApiResponse.json(201, body);
    }

    /**
     * One upload in progress. Its state is touched on the request's event loop only; the writer is called on
     * workers, one call at a time.
     */
    private final class Upload {
        private final BlobWriter writer;
        private final HttpServerRequest http;
        private final Promise<Long> done = Promise.promise();
        private final Deque<Segment> queued = new ArrayDeque<>();
        private final Deque<byte[]> spare = new ArrayDeque<>();
        private byte[] current = new byte[SEGMENT];
        private int filled;
        private long offset;
        private boolean writing;
        private boolean paused;
        private boolean ended;
        private boolean settled;
        private Throwable failure;

        Upload(BlobWriter writer, HttpServerRequest http) {
            this.writer = writer;
            this.http = http;
        }

        Future<Long> start() {
            http.handler(this::received);
            http.endHandler(v -> {
                ended = true;
                seal();
                next();
            });
            http.exceptionHandler(this::abort);
            http.resume();
            return done.future();
        }

        private void received(Buffer chunk) {
            if (failure != null) {
                return;
            }
            int at = 0;
            while (at < chunk.length()) {
                int take = Math.min(chunk.length() - at, SEGMENT - filled);
                chunk.getBytes(at, at + take, current, filled);
                filled += take;
                at += take;
                if (filled == SEGMENT) {
                    seal();
                }
            }
            if (queued.size() >= MAX_QUEUED && !paused) {
                paused = true;
                http.pause();
            }
            next();
        }

        /** Queues the segment being filled for writing and starts the next one. */
        private void seal() {
            if (filled == 0) {
                return;
            }
            queued.add(new Segment(offset, current, filled));
            offset += filled;
            current = spare.isEmpty() ? new byte[SEGMENT] : spare.pop();
            filled = 0;
        }

        /** Writes the next queued segment, or commits once the body has ended and everything is written. */
        private void next() {
            if (writing || settled) {
                return;
            }
            if (failure != null) {
                discard();
                return;
            }
            Segment segment = queued.poll();
            if (segment == null) {
                if (ended) {
                    commit();
                }
                return;
            }
            writing = true;
            vertx.executeBlocking(() -> {
                writeNonZeroBlocks(writer, segment.offset(), segment.bytes(), segment.length());
                return null;
            }, false).onComplete(ar -> {
                writing = false;
                if (ar.failed() && failure == null) {
                    failure = ar.cause();
                }
                spare.push(segment.bytes());
                if (paused && failure == null && queued.size() < MAX_QUEUED) {
                    paused = false;
                    http.resume();
                }
                next();
            });
        }

        private void abort(Throwable cause) {
            if (failure == null && !settled) {
                failure = cause;
                next();
            }
        }

        private void commit() {
            settled = true;
            long size = offset;
            vertx.executeBlocking(() -> {
                try (writer) {
                    writer.commit(size);
                }
                return size;
            }, false).onComplete(done);
        }

        private void discard() {
            settled = true;
            queued.clear();
            vertx.executeBlocking(() -> {
                writer.close();
                return null;
            }, false).onComplete(v -> done.fail(failure));
        }
    }

    private record Segment(long offset, byte[] bytes, int length) {
    }

    /** Writes the runs of {@value #BLOCK}-byte blocks holding a non-zero byte, each at its offset. */
    static void writeNonZeroBlocks(BlobWriter writer, long offset, byte[] bytes, int length) throws IOException {
        int run = -1;
        for (int at = 0; at < length; at += BLOCK) {
            int end = Math.min(at + BLOCK, length);
            boolean zero = Arrays.mismatch(bytes, at, end, ZEROS, 0, end - at) < 0;
            if (!zero && run < 0) {
                run = at;
            } else if (zero && run >= 0) {
                writer.write(offset + run, ByteBuffer.wrap(bytes, run, at - run));
                run = -1;
            }
        }
        if (run >= 0) {
            writer.write(offset + run, ByteBuffer.wrap(bytes, run, length - run));
        }
    }

    // ---- reading, listing, deleting

    private ApiResponse download(ApiRequest r) throws IOException {
        BlobRef blob = blob(r);
        SeekableByteChannel c = vhds.openRead(blob).orElseThrow(() -> notFound(blob));
        try {
            long size = c.size();
            String header = r.header("Range");
            Span span = header == null ? null : Span.parse(header, size);
            if (span == null) {
                return ApiResponse.stream(200, c, size, OCTETS).header("Accept-Ranges", "bytes");
            }
            if (span == Span.UNSATISFIABLE) {
                c.close();
                ApiException refusal = new ApiException(416, "InvalidRange", "The range '" + header
                        + "' is not satisfiable for the blob's " + size + " bytes.");
                return r.route().envelope().renderError(r, refusal).header("Content-Range", "bytes */" + size);
            }
            c.position(span.first());
            return ApiResponse.stream(206, c, span.last() - span.first() + 1, OCTETS)
                    .header("Content-Range", "bytes " + span.first() + "-" + span.last() + "/" + size)
                    .header("Accept-Ranges", "bytes");
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private ApiResponse properties(ApiRequest r) {
        BlobRef blob = blob(r);
        long size = vhds.size(blob).orElseThrow(() -> notFound(blob));
        return ApiResponse.empty(200)
                .header("Content-Length", String.valueOf(size))
                .header("Content-Type", OCTETS)
                .header("Accept-Ranges", "bytes");
    }

    private ApiResponse delete(ApiRequest r) {
        BlobRef blob = blob(r);
        if (!vhds.delete(blob)) {
            throw notFound(blob);
        }
        return ApiResponse.empty(204);
    }

    private ApiResponse list(ApiRequest r) {
        String account = account(r);
        String container = container(r);
        String prefix = r.query("prefix");
        ArrayNode value = Json.array();
        for (BlobRef blob : vhds.list(account, container, prefix == null ? "" : prefix)) {
            vhds.size(blob).ifPresent(size -> {
                ObjectNode item = value.addObject();
                item.put("uri", blob.uri());
                item.put("name", blob.path());
                item.put("size", size);
            });
        }
        ObjectNode body = Json.object();
        body.set("value", value);
        return ApiResponse.ok(body);
    }

    private static ObjectNode describe(BlobRef blob, long size) {
        ObjectNode body = Json.object();
        body.put("uri", blob.uri());
        body.put("account", blob.account());
        body.put("container", blob.container());
        body.put("name", blob.path());
        body.put("size", size);
        return body;
    }

    /**
     * The byte span of a single-range {@code Range: bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}
     * header, last byte included.
     */
    record Span(long first, long last) {
        static final Span UNSATISFIABLE = new Span(-1, -1);

        /** The span asked for, {@link #UNSATISFIABLE}, or null when the header is to be ignored (whole blob). */
        static Span parse(String header, long size) {
            String h = header.trim();
            if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
                return null; // another unit
            }
            Matcher m = BYTE_RANGE.matcher(h.substring(6).trim());
            if (!m.matches()) {
                return null; // malformed, or several ranges: served whole, as HTTP allows
            }
            String first = m.group(1);
            String last = m.group(2);
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = number(last);
                return suffix == 0 || size == 0 ? UNSATISFIABLE : new Span(Math.max(0, size - suffix), size - 1);
            }
            long from = number(first);
            long to = last.isEmpty() ? Long.MAX_VALUE : number(last);
            if (to < from) {
                return null;
            }
            return from >= size ? UNSATISFIABLE : new Span(from, Math.min(to, size - 1));
        }

        private static long number(String digits) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return Long.MAX_VALUE;
            }
        }
    }
}

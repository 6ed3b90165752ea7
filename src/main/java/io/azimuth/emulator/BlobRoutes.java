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
 * <p>Besides a whole blob in the body, a PUT takes what Azure page blob clients send, so that a sparse VHD can be
 * uploaded without its zeros: {@code x-ms-blob-type: PageBlob} with {@code x-ms-blob-content-length} and no body
 * creates (or replaces) a blob of that many zeros; {@code ?comp=page} with {@code x-ms-page-write: update|clear}
 * and {@code x-ms-range} (or {@code Range}) writes or zeroes 512-byte aligned pages of an existing blob (at most
 * 4 MiB in one update), changing a copy of the blob's bytes that replaces them when complete. A PUT with
 * {@code x-ms-copy-source} (a blob URI) copies a blob ({@code If-None-Match: *}: only when the target does not
 * exist).
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
    static final long PAGE = 512;
    static final int MAX_PAGE_UPDATE = 4 * 1024 * 1024;
    private static final Pattern PAGE_RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{1,18})");
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
        String comp = r.query("comp");
        if (comp != null) {
            if (!comp.equals("page")) {
                throw new ApiException(400, "InvalidQueryParameterValue", "The value '" + comp
                        + "' of the query parameter 'comp' is not supported here; only 'page' is.", "comp");
            }
            return putPage(r, http, blob);
        }
        String source = r.header("x-ms-copy-source");
        if (source != null) {
            return copy(r, blob, source);
        }
        String type = r.header("x-ms-blob-type");
        if (type != null && type.equalsIgnoreCase("PageBlob")) {
            return createPageBlob(r, blob);
        }
        if (type != null && !type.equalsIgnoreCase("BlockBlob")) {
            throw new ApiException(400, "InvalidHeaderValue", "The value '" + type
                    + "' of 'x-ms-blob-type' is not PageBlob or BlockBlob.", "x-ms-blob-type");
        }
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

    // ---- page blobs

    /** {@code x-ms-blob-type: PageBlob}: a blob of {@code x-ms-blob-content-length} zeros. */
    private Future<ApiResponse> createPageBlob(ApiRequest r, BlobRef blob) {
        String header = "x-ms-blob-content-length";
        long size = number(r, header);
        if (size % PAGE != 0) {
            throw new ApiException(400, "InvalidHeaderValue", "The value of '" + header + "' (" + size
                    + ") is not a multiple of 512: a page blob is made of 512-byte pages.", header);
        }
        if (bodyLength(r) > 0) {
            throw new ApiException(400, "InvalidHeaderValue", "A page blob is created empty: its pages are written "
                    + "with '?comp=page'.", "Content-Length");
        }
        return vertx.executeBlocking(() -> {
            try (BlobWriter writer = vhds.openWrite(blob)) {
                writer.commit(size);
            }
            return created(blob, size).header("x-ms-blob-type", "PageBlob");
        }, false);
    }

    /** {@code ?comp=page}: writes ({@code update}) or zeroes ({@code clear}) a range of pages. */
    private Future<ApiResponse> putPage(ApiRequest r, HttpServerRequest http, BlobRef blob) {
        String mode = r.header("x-ms-page-write");
        if (mode == null) {
            throw new ApiException(400, "MissingRequiredHeader", "The header 'x-ms-page-write' (update or clear) is "
                    + "required.", "x-ms-page-write");
        }
        boolean clear = mode.equalsIgnoreCase("clear");
        if (!clear && !mode.equalsIgnoreCase("update")) {
            throw new ApiException(400, "InvalidHeaderValue", "The value '" + mode + "' of 'x-ms-page-write' is not "
                    + "update or clear.", "x-ms-page-write");
        }
        String rangeHeader = r.header("x-ms-range") != null ? "x-ms-range" : "Range";
        String range = r.header(rangeHeader);
        if (range == null) {
            throw new ApiException(400, "MissingRequiredHeader", "The header 'x-ms-range' (or 'Range') naming the "
                    + "pages is required.", "x-ms-range");
        }
        Matcher m = PAGE_RANGE.matcher(range.trim());
        if (!m.matches()) {
            throw new ApiException(400, "InvalidHeaderValue", "The value '" + range + "' of '" + rangeHeader
                    + "' is not 'bytes=start-end'.", rangeHeader);
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (last < first || first % PAGE != 0 || (last + 1) % PAGE != 0) {
            throw invalidPageRange(range + " is not a range of whole 512-byte pages");
        }
        long length = last - first + 1;
        long body = bodyLength(r);
        if (clear && body > 0) {
            throw new ApiException(400, "InvalidHeaderValue", "A page clear has no body.", "Content-Length");
        }
        if (!clear && length > MAX_PAGE_UPDATE) {
            throw new ApiException(413, "RequestBodyTooLarge", "A page update writes at most 4 MiB; the range "
                    + range + " is " + length + " bytes.");
        }
        if (!clear && body >= 0 && body != length) {
            throw new ApiException(400, "InvalidHeaderValue", "The body of " + body + " bytes is not the size of "
                    + "the range " + range + " (" + length + " bytes).", "Content-Length");
        }
        return vertx.executeBlocking(() -> {
            long size = vhds.size(blob).orElseThrow(() -> notFound(blob));
            if (size % PAGE != 0) {
                throw new ApiException(409, "InvalidBlobType", "The blob '" + blob.uri() + "' of " + size
                        + " bytes is not a page blob.");
            }
            if (last >= size) {
                throw invalidPageRange("the range " + range + " ends beyond the blob's " + size + " bytes");
            }
            return size;
        }, false).compose(size -> (clear ? Future.succeededFuture((byte[]) null) : readBody(http, (int) length))
                .compose(bytes -> vertx.executeBlocking(() -> {
                    try (BlobWriter writer = vhds.openEdit(blob)) {
                        if (clear) {
                            writer.zero(first, length);
                        } else {
                            writer.write(first, ByteBuffer.wrap(bytes));
                        }
                        writer.commit(size);
                    }
                    return ApiResponse.empty(201).header("x-ms-blob-type", "PageBlob");
                }, false)));
    }

    private static ApiException invalidPageRange(String why) {
        return new ApiException(416, "InvalidPageRange", "The page range is invalid: " + why + ".");
    }

    /** Exactly {@code length} bytes of body. */
    private static Future<byte[]> readBody(HttpServerRequest http, int length) {
        Promise<byte[]> read = Promise.promise();
        byte[] body = new byte[length];
        int[] filled = {0};
        http.handler(chunk -> {
            if (read.future().isComplete()) {
                return;
            }
            if (filled[0] + chunk.length() > length) {
                read.tryFail(new ApiException(400, "InvalidHeaderValue", "The body is longer than the range of "
                        + length + " bytes.", "Content-Length"));
                return;
            }
            chunk.getBytes(0, chunk.length(), body, filled[0]);
            filled[0] += chunk.length();
        });
        http.endHandler(v -> {
            if (filled[0] != length) {
                read.tryFail(new ApiException(400, "InvalidHeaderValue", "The body of " + filled[0]
                        + " bytes is not the size of the range (" + length + " bytes).", "Content-Length"));
            } else {
                read.tryComplete(body);
            }
        });
        http.exceptionHandler(read::tryFail);
        http.resume();
        return read.future();
    }

    /** {@code x-ms-copy-source}: the target becomes a copy of the source blob. */
    private Future<ApiResponse> copy(ApiRequest r, BlobRef target, String source) {
        BlobRef from;
        try {
            from = BlobRef.parse(source);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "InvalidHeaderValue", "The value of 'x-ms-copy-source' is not a blob URI: "
                    + e.getMessage() + ".", "x-ms-copy-source");
        }
        if (bodyLength(r) > 0) {
            throw new ApiException(400, "InvalidHeaderValue", "A copy has no body.", "Content-Length");
        }
        boolean overwrite = !"*".equals(r.header("If-None-Match"));
        return vertx.executeBlocking(() -> {
            if (vhds.size(from).isEmpty()) {
                throw new ApiException(404, "CannotVerifyCopySource", "The source blob '" + from.uri()
                        + "' does not exist.");
            }
            vhds.copy(from, target, overwrite);
            return ApiResponse.empty(202).header("x-ms-copy-status", "success")
                    .header("x-ms-copy-id", java.util.UUID.randomUUID().toString());
        }, false);
    }

    /** A required whole number header. */
    private static long number(ApiRequest r, String header) {
        String value = r.header(header);
        if (value == null) {
            throw new ApiException(400, "MissingRequiredHeader", "The header '" + header + "' is required.", header);
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ApiException(400, "InvalidHeaderValue", "The value '" + value + "' of '" + header
                + "' is not a whole number of bytes.", header);
    }

    /** The declared body length: -1 when not declared (chunked). */
    private static long bodyLength(ApiRequest r) {
        String value = r.header("Content-Length");
        if (value == null) {
            return r.header("Transfer-Encoding") == null ? 0 : -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Azure's type for a blob: page blobs are whole 512-byte pages (as every VHD is). */
    static String blobType(long size) {
        return size % PAGE == 0 ? "PageBlob" : "BlockBlob";
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
                return ApiResponse.stream(200, c, size, OCTETS).header("Accept-Ranges", "bytes")
                        .header("x-ms-blob-type", blobType(size));
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
                    .header("Accept-Ranges", "bytes")
                    .header("x-ms-blob-type", blobType(size));
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
                .header("Accept-Ranges", "bytes")
                .header("x-ms-blob-type", blobType(size));
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

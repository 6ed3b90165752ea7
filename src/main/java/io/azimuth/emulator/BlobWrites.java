package io.azimuth.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.azimuth.emulator.BlobRequests.PAGE;
import static io.azimuth.emulator.BlobRequests.blob;
import static io.azimuth.emulator.BlobRequests.bodyLength;
import static io.azimuth.emulator.BlobRequests.describe;
import static io.azimuth.emulator.BlobRequests.notFound;
import static io.azimuth.emulator.BlobRequests.number;

/**
 * The blob endpoints' writes, {@code PUT /_azimuth/blobs/{account}/{container}/{blob}}: a whole blob streamed in
 * ({@link BlobUpload}), a page blob of zeros ({@code x-ms-blob-type: PageBlob}), a page update or clear
 * ({@code ?comp=page}), a copy ({@code x-ms-copy-source}); each answered with what the blob now is.
 */
final class BlobWrites {
    static final int MAX_PAGE_UPDATE = 4 * 1024 * 1024;
    private static final Pattern PAGE_RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{1,18})");

    private final Vertx vertx;
    private final VhdStore vhds;
    private final io.azimuth.blobs.CopySources copySources;

    BlobWrites(Vertx vertx, VhdStore vhds, io.azimuth.blobs.CopySources copySources) {
        this.vertx = vertx;
        this.vhds = vhds;
        this.copySources = copySources;
    }

    Future<ApiResponse> upload(ApiRequest r, HttpServerRequest http) {
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
                .compose(writer -> new BlobUpload(vertx, writer, http).start())
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

    /**
     * {@code x-ms-copy-source}: the target becomes a copy of the source blob, named by its URI or by a URL a
     * provider serves its bytes at (a disk's access URL).
     */
    private Future<ApiResponse> copy(ApiRequest r, BlobRef target, String source) {
        BlobRef from = copySources.resolve(source).orElse(null);
        if (from == null) {
            try {
                from = BlobRef.parse(source);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "InvalidHeaderValue", "The value of 'x-ms-copy-source' is not a blob "
                        + "URI: " + e.getMessage() + ".", "x-ms-copy-source");
            }
        }
        BlobRef copied = from;
        if (bodyLength(r) > 0) {
            throw new ApiException(400, "InvalidHeaderValue", "A copy has no body.", "Content-Length");
        }
        boolean overwrite = !"*".equals(r.header("If-None-Match"));
        return vertx.executeBlocking(() -> {
            if (vhds.size(copied).isEmpty()) {
                throw new ApiException(404, "CannotVerifyCopySource", "The source blob '" + copied.uri()
                        + "' does not exist.");
            }
            vhds.copy(copied, target, overwrite);
            return ApiResponse.empty(202).header("x-ms-copy-status", "success")
                    .header("x-ms-copy-id", java.util.UUID.randomUUID().toString());
        }, false);
    }

}

package io.azimuth.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;

import static io.azimuth.emulator.BlobRequests.OCTETS;
import static io.azimuth.emulator.BlobRequests.account;
import static io.azimuth.emulator.BlobRequests.blob;
import static io.azimuth.emulator.BlobRequests.blobType;
import static io.azimuth.emulator.BlobRequests.container;
import static io.azimuth.emulator.BlobRequests.notFound;

/** The blob endpoints' reads: a blob's bytes (whole or a {@code Range}), its properties, the listing; and delete. */
final class BlobReads {
    private final VhdStore vhds;

    BlobReads(VhdStore vhds) {
        this.vhds = vhds;
    }

    ApiResponse download(ApiRequest r) throws IOException {
        BlobRef blob = blob(r);
        SeekableByteChannel c = vhds.openRead(blob).orElseThrow(() -> notFound(blob));
        try {
            long size = c.size();
            String header = r.header("Range");
            BlobRequests.Span span = header == null ? null : BlobRequests.Span.parse(header, size);
            if (span == null) {
                return ApiResponse.stream(200, c, size, OCTETS).header("Accept-Ranges", "bytes")
                        .header("x-ms-blob-type", blobType(size));
            }
            if (span == BlobRequests.Span.UNSATISFIABLE) {
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

    ApiResponse properties(ApiRequest r) {
        BlobRef blob = blob(r);
        long size = vhds.size(blob).orElseThrow(() -> notFound(blob));
        return ApiResponse.empty(200)
                .header("Content-Length", String.valueOf(size))
                .header("Content-Type", OCTETS)
                .header("Accept-Ranges", "bytes")
                .header("x-ms-blob-type", blobType(size));
    }

    ApiResponse delete(ApiRequest r) {
        BlobRef blob = blob(r);
        if (!vhds.delete(blob)) {
            throw notFound(blob);
        }
        return ApiResponse.empty(204);
    }

    ApiResponse list(ApiRequest r) {
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

}

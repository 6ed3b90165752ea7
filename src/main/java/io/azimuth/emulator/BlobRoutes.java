package io.azimuth.emulator;

import io.azimuth.blobs.VhdStore;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

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
 * <p>Uploads are streamed: the body is cut into {@value BlobUpload#SEGMENT}-byte segments at their offsets, each written on
 * a worker while the next fills; the request is paused while {@value BlobUpload#MAX_QUEUED} segments wait, so at most a few
 * MiB of one upload are in memory. Of every segment only the {@value BlobUpload#BLOCK}-byte blocks holding a non-zero byte
 * are written, so that a mostly empty VHD stays sparse; the blob's length is set when the body ends, and only then
 * does the blob appear (replacing any blob of that name). An upload that fails or is cut off leaves nothing.
 */
public final class BlobRoutes {
    private final BlobWrites writes;
    private final BlobReads reads;

    public BlobRoutes(Vertx vertx, VhdStore vhds, io.azimuth.blobs.CopySources copySources) {
        this.writes = new BlobWrites(vertx, vhds, copySources);
        this.reads = new BlobReads(vhds);
    }

    public void register(Router router, EmulatorEnvelope envelope) {
        String container = EmulatorEnvelope.PREFIX + "/blobs/{account}/{container}";
        router.add(Route.at(container, envelope).get(reads::list));
        router.add(Route.at(container + "/{*blob}", envelope)
                .streaming(HttpMethod.PUT, writes::upload)
                .get(reads::download)
                .head(reads::properties)
                .delete(reads::delete));
    }
}

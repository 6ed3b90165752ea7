package io.azimuth.emulator;

import io.azimuth.blobs.BlobWriter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * One streamed upload in progress: the body cut into {@value #SEGMENT}-byte segments at their offsets, each
 * written on a worker while the next fills, the request paused while {@value #MAX_QUEUED} wait; of every segment
 * only the {@value #BLOCK}-byte blocks holding a non-zero byte are written. Its state is touched on the request's
 * event loop only; the writer is called on workers, one call at a time.
 */
final class BlobUpload {
    static final int SEGMENT = 1 << 20;
    static final int BLOCK = 4096;
    static final int MAX_QUEUED = 2;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final Vertx vertx;
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

    BlobUpload(Vertx vertx, BlobWriter writer, HttpServerRequest http) {
        this.vertx = vertx;
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
}

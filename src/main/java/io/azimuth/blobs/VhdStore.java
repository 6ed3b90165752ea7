package io.azimuth.blobs;

import io.azimuth.http.ApiException;

import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where VHD blobs live. The embedded implementation keeps them as sparse files under the data directory; an
 * Azure Storage one can stand behind the same interface.
 */
public interface VhdStore extends AutoCloseable {
    /** The blob's size in bytes, or empty when there is no such blob. */
    OptionalLong size(BlobRef blob);

    /**
     * The blob as a fixed VHD.
     *
     * @param field the request field that named it, for the error's target
     * @throws ApiException 404 when the blob does not exist, 400 when it is not a valid fixed VHD
     */
    Vhd vhd(BlobRef blob, String field);

    /** Copies a blob; the target is replaced when {@code overwrite}, else a 409 if it exists. */
    void copy(BlobRef source, BlobRef target, boolean overwrite);

    /**
     * Opens the blob for reading, positioned at its start; the caller closes the channel. It keeps reading the
     * bytes the blob had when opened, even if the blob is replaced or deleted meanwhile.
     *
     * @return empty when there is no such blob
     */
    Optional<SeekableByteChannel> openRead(BlobRef blob);

    /**
     * Starts writing a blob (creating or, on commit, replacing it); nothing is visible until
     * {@link BlobWriter#commit}.
     */
    BlobWriter openWrite(BlobRef blob);

    boolean delete(BlobRef blob);

    /** Creates a blank fixed VHD of {@code virtualSize} bytes (zeros, then the footer). */
    void createBlank(BlobRef blob, long virtualSize);

    /** Blobs of a container whose names start with {@code prefix} (may be empty), in name order. */
    List<BlobRef> list(String account, String container, String prefix);

    /** Removes every blob (and every upload in progress). */
    void reset();

    @Override
    void close();
}

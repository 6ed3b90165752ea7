package io.azimuth.blobs.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.blob.models.BlobBeginCopySourceRequestConditions;
import com.azure.storage.blob.models.BlobCopyInfo;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobType;
import com.azure.storage.blob.models.CopyStatusType;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.PageRangeItem;
import com.azure.storage.blob.options.BlobBeginCopyOptions;
import com.azure.storage.blob.options.ListPageRangesOptions;
import com.azure.storage.blob.specialized.BlobClientBase;
import com.azure.storage.blob.specialized.PageBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.VhdFooter;
import io.azimuth.blobs.SparseReads;
import io.azimuth.blobs.VhdStore;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.ConnectionProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The blobs of one Azure Storage account (or Azurite), through the azure-storage-blob SDK. VHDs are page blobs, as
 * Azure requires: reads are ranged GETs, writes are Put Page calls of at most 4 MiB at 512-byte-aligned offsets, and
 * copies inside the account are server-side copies.
 *
 * <p>Where Azure Storage differs from the embedded store:
 * <ul>
 *   <li>A writer stages its bytes in a temporary page blob {@value #STAGING}{uuid} of the target's container and
 *       publishes it on commit with a server-side copy (Azure has no rename); a process that dies while writing
 *       leaves that blob behind. Staging blobs are never listed.</li>
 *   <li>A reader is pinned to the blob's ETag: if the blob is replaced while being read, the next read fails with
 *       a 409 instead of going on with the old bytes (Azure keeps no old bytes without snapshots).</li>
 *   <li>{@link #reset} deletes nothing: the account's blobs belong to its owner, not to the emulator.</li>
 *   <li>A blob written here must be a whole number of 512-byte pages.</li>
 * </ul>
 * Every call has a time limit (connect 5 s, response 60 s, three tries), so that an unreachable account is a 502
 * after seconds, never a hang.
 */
public final class AzureBlobStore implements VhdStore, SparseReads {
    /** Where writers stage their bytes, below the container of the blob being written. */
    static final String STAGING = ".azimuth-staging/";
    static final Duration CALL = Duration.ofMinutes(2);
    static final Duration COPY = Duration.ofMinutes(30);
    static final int READ_CHUNK = 4 << 20;
    /**
     * The service version asked for: one Azurite 3.35 serves without {@code --skipApiVersionCheck} (the SDK's own
     * default is newer); Azure serves every version, and nothing used here is newer than 2019.
     */
    static final BlobServiceVersion SERVICE_VERSION = BlobServiceVersion.V2025_11_05;
    private static final Logger LOG = LoggerFactory.getLogger(AzureBlobStore.class);

    private final StorageAccount account;
    /** Bytes downloaded so far, for tests to see what a copy transferred. */
    final LongAdder downloaded = new LongAdder();
    private final ConnectionProvider connections;
    private final BlobServiceClient service;

    private AzureBlobStore(StorageAccount account) {
        this.account = account;
        this.connections = ConnectionProvider.builder("azimuth-" + account.name()).maxConnections(32)
                .pendingAcquireTimeout(Duration.ofSeconds(60)).maxIdleTime(Duration.ofSeconds(30)).build();
        HttpClient http = new NettyAsyncHttpClientBuilder().connectionProvider(connections)
                .connectTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(60))
                .responseTimeout(Duration.ofSeconds(60)).readTimeout(Duration.ofSeconds(60)).build();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().endpoint(account.endpoint()).httpClient(http)
                .serviceVersion(SERVICE_VERSION)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, Duration.ofSeconds(90),
                        Duration.ofMillis(200), Duration.ofSeconds(2), null));
        if (account.key() != null) {
            builder.credential(new StorageSharedKeyCredential(account.name(), account.key()));
        } else if (account.sasToken() != null) {
            builder.sasToken(account.sasToken());
        }
        this.service = builder.buildClient();
    }

    /** A store for the account; no request is sent until a blob is used. */
    public static VhdStore open(StorageAccount account) {
        quietSdkLogging();
        AzureBlobStore store = new AzureBlobStore(account);
        LOG.info("Blobs of storage account {} are served by Azure Storage at {} ({})", account.name(),
                account.endpoint(), account.authentication());
        return store;
    }

    /**
     * The SDK logs every failed try of a call as an ERROR, retries that then succeed included; the emulator answers
     * (and logs) the failures that matter itself. So its loggers are off, or at WARN with {@code --log-level DEBUG},
     * unless a logging configuration gives them a level.
     */
    private static void quietSdkLogging() {
        boolean debug = LoggerFactory.getLogger("io.azimuth").isDebugEnabled();
        for (String name : new String[]{"com.azure", "reactor.netty"}) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger && logger.getLevel() == null) {
                logger.setLevel(debug ? ch.qos.logback.classic.Level.WARN : ch.qos.logback.classic.Level.OFF);
            }
        }
    }

    public StorageAccount account() {
        return account;
    }

    // ---- clients and calls

    BlobClient client(BlobRef blob) {
        if (!blob.account().equals(account.name())) {
            throw new IllegalArgumentException(blob.uri() + " is not a blob of storage account " + account.name());
        }
        return service.getBlobContainerClient(blob.container()).getBlobClient(blob.path());
    }

    /** A source URL for a server-side copy: the blob's URL, with the SAS token when that is how we authenticate. */
    String copySource(BlobClientBase client) {
        return client.getBlobUrl() + (account.sasToken() != null ? "?" + account.sasToken() : "");
    }

    /** Runs a call, answering its failure as {@link AzureErrors#map} does. */
    <T> T call(BlobRef blob, String doing, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw AzureErrors.map(account, blob, doing, e);
        }
    }

    /**
     * Runs a call that writes below a container, creating the container first when it does not exist (as Azure
     * creates the containers that VM captures write to); its other failures are thrown as they are.
     */
    <T> T creatingContainer(BlobRef blob, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            if (!AzureErrors.isContainerNotFound(e)) {
                throw e;
            }
        }
        service.getBlobContainerClient(blob.container()).createIfNotExistsWithResponse(null, CALL, Context.NONE);
        return work.get();
    }

    /** The blob's properties, or empty when it does not exist. */
    Optional<BlobProperties> properties(BlobRef blob) {
        BlobClient client = client(blob);
        try {
            return Optional.of(client.getPropertiesWithResponse(null, CALL, Context.NONE).getValue());
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw AzureErrors.map(account, blob, "reading the properties of", e);
        }
    }

    /**
     * Reads {@code length} bytes at {@code offset} into {@code into} (from its start), as long as the blob still
     * has the ETag {@code etag} (any when null).
     */
    void download(BlobClientBase client, BlobRef blob, long offset, int length, String etag, byte[] into) {
        OutputStream out = new OutputStream() {
            int at;

            @Override
            public void write(int b) {
                into[at++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (at + len > length) {
                    throw new IllegalStateException("Azure Storage answered more bytes than were asked for");
                }
                System.arraycopy(b, off, into, at, len);
                at += len;
            }
        };
        call(blob, "reading", () -> client.downloadStreamWithResponse(out, new BlobRange(offset, (long) length), null,
                etag == null ? null : new BlobRequestConditions().setIfMatch(etag), false, CALL, Context.NONE));
        downloaded.add(length);
    }

    private static String kind(BlobType type) {
        return type == null ? "blob of unknown type" : switch (type.toString()) {
            case "BlockBlob" -> "block blob";
            case "AppendBlob" -> "append blob";
            default -> type.toString();
        };
    }

    // ---- VhdStore

    @Override
    public OptionalLong size(BlobRef blob) {
        return properties(blob).map(p -> OptionalLong.of(p.getBlobSize())).orElse(OptionalLong.empty());
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        BlobProperties p = properties(blob).orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '"
                + blob.uri() + "' given in '" + field + "' does not exist.", field));
        if (p.getBlobType() != BlobType.PAGE_BLOB) {
            throw new BlobException(Reason.INVALID, "The blob '" + blob.uri() + "' given in '" + field
                    + "' is a " + kind(p.getBlobType()) + ": a VHD must be a page blob.", field);
        }
        long size = p.getBlobSize();
        byte[] footer = new byte[VhdFooter.SIZE];
        if (size >= VhdFooter.SIZE && size % VhdFooter.SIZE == 0) {
            download(client(blob), blob, size - VhdFooter.SIZE, VhdFooter.SIZE, p.getETag(), footer);
        }
        try {
            return new Vhd(blob, VhdFooter.validate(footer, size));
        } catch (IllegalArgumentException e) {
            throw new BlobException(Reason.INVALID, "The blob '" + blob.uri() + "' given in '" + field
                    + "' is not a valid fixed VHD: " + e.getMessage() + ".", field);
        }
    }

    /** A server-side copy inside this account; {@link RoutingVhdStore} streams copies between stores. */
    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        BlobProperties from = properties(source).orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '"
                + source.uri() + "' does not exist."));
        if (!overwrite && properties(target).isPresent()) {
            throw new BlobException(Reason.ALREADY_EXISTS, "The blob '" + target.uri() + "' already exists.");
        }
        serverCopy(client(source), from.getETag(), target, overwrite);
    }

    /**
     * Copies {@code source} (as long as it has ETag {@code etag}) over {@code target} inside the account and waits
     * until the copy is done. An existing target of another blob type is deleted first (Azure copies only over a
     * blob of the same type); without {@code overwrite} an existing target is a 409.
     */
    void serverCopy(BlobClientBase source, String etag, BlobRef target, boolean overwrite) {
        BlobClient to = client(target);
        BlobBeginCopyOptions options = new BlobBeginCopyOptions(copySource(source))
                .setPollInterval(Duration.ofMillis(250))
                .setSourceRequestConditions(etag == null ? null : new BlobBeginCopySourceRequestConditions().setIfMatch(etag))
                .setDestinationRequestConditions(overwrite ? null : new BlobRequestConditions().setIfNoneMatch("*"));
        SyncPoller<BlobCopyInfo, Void> poller;
        try {
            poller = creatingContainer(target, () -> to.beginCopy(options));
        } catch (RuntimeException e) {
            if (!overwrite && (AzureErrors.is(e, 409, BlobErrorCode.BLOB_ALREADY_EXISTS) || AzureErrors.is(e, 412, null))) {
                throw new BlobException(Reason.ALREADY_EXISTS, "The blob '" + target.uri() + "' already exists.");
            }
            if (!overwrite || !AzureErrors.is(e, 409, BlobErrorCode.INVALID_BLOB_TYPE)) {
                throw AzureErrors.map(account, target, "copying to", e);
            }
            call(target, "deleting", () -> to.deleteIfExistsWithResponse(DeleteSnapshotsOptionType.INCLUDE, null,
                    CALL, Context.NONE));
            poller = call(target, "copying to", () -> to.beginCopy(options));
        }
        SyncPoller<BlobCopyInfo, Void> copying = poller;
        PollResponse<BlobCopyInfo> done = call(target, "copying to", () -> copying.waitForCompletion(COPY));
        BlobCopyInfo info = done.getValue();
        if (done.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED
                || info == null || info.getCopyStatus() != CopyStatusType.SUCCESS) {
            throw new BlobException(Reason.ACCOUNT_ERROR, "Azure Storage did not copy " + source.getBlobUrl()
                    + " to '" + target.uri() + "': " + (info == null ? done.getStatus()
                    : info.getCopyStatus() + (info.getError() == null ? "" : " (" + info.getError() + ")")) + ".");
        }
    }

    @Override
    public Optional<SeekableByteChannel> openRead(BlobRef blob) {
        return properties(blob).map(p -> new RangedReadChannel(this, client(blob), blob, p.getBlobSize(), p.getETag(),
                READ_CHUNK));
    }

    @Override
    public Optional<SparseRead> openSparse(BlobRef blob) {
        Optional<BlobProperties> found = properties(blob);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BlobProperties p = found.get();
        long size = p.getBlobSize();
        List<Range> ranges = new ArrayList<>();
        if (p.getBlobType() == BlobType.PAGE_BLOB && size > 0) {
            PageBlobClient pages = client(blob).getPageBlobClient();
            ListPageRangesOptions options = new ListPageRangesOptions(new BlobRange(0, size))
                    .setRequestConditions(new BlobRequestConditions().setIfMatch(p.getETag()));
            call(blob, "listing the page ranges of", () -> {
                for (PageRangeItem item : pages.listPageRanges(options, CALL, Context.NONE)) {
                    if (item.isClear()) {
                        continue;
                    }
                    long start = item.getRange().getOffset();
                    long length = item.getRange().getLength();
                    Range last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                    if (last != null && last.end() == start) {
                        ranges.set(ranges.size() - 1, new Range(last.offset(), last.length() + length));
                    } else {
                        ranges.add(new Range(start, length));
                    }
                }
                return null;
            });
        } else if (size > 0) {
            ranges.add(new Range(0, size));
        }
        return Optional.of(new SparseRead(new RangedReadChannel(this, client(blob), blob, size, p.getETag(), 0), ranges));
    }

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        return new PageBlobWriter(this, blob, staging(blob), false, 0);
    }

    @Override
    public BlobWriter openEdit(BlobRef blob) {
        BlobProperties p = properties(blob).orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '"
                + blob.uri() + "' does not exist."));
        if (p.getBlobType() != BlobType.PAGE_BLOB) {
            throw new BlobException(Reason.INVALID, "The blob '" + blob.uri() + "' is a "
                    + kind(p.getBlobType()) + ": only page blobs can be changed in place.");
        }
        BlobRef temp = staging(blob);
        serverCopy(client(blob), p.getETag(), temp, true);
        return new PageBlobWriter(this, blob, temp, true, p.getBlobSize());
    }

    /** A new staging blob's name beside {@code blob}. */
    private static BlobRef staging(BlobRef blob) {
        return new BlobRef(blob.account(), blob.container(), STAGING + UUID.randomUUID(), blob.suffix(),
                blob.endpoint());
    }

    @Override
    public boolean delete(BlobRef blob) {
        BlobClient client = client(blob);
        try {
            return client.deleteIfExistsWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, CALL, Context.NONE)
                    .getValue();
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) {
                return false;
            }
            throw AzureErrors.map(account, blob, "deleting", e);
        }
    }

    @Override
    public void createBlank(BlobRef blob, long virtualSize) {
        try (BlobWriter w = openWrite(blob)) {
            w.write(virtualSize, ByteBuffer.wrap(VhdFooter.fixed(virtualSize)));
            w.commit(virtualSize + VhdFooter.SIZE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob " + blob.uri(), e);
        }
    }

    @Override
    public List<BlobRef> list(String accountName, String container, String prefix) {
        if (!accountName.equals(account.name())) {
            return List.of();
        }
        BlobContainerClient c = service.getBlobContainerClient(container);
        ListBlobsOptions options = new ListBlobsOptions();
        if (prefix != null && !prefix.isEmpty()) {
            options.setPrefix(prefix);
        }
        List<BlobRef> out = new ArrayList<>();
        try {
            for (BlobItem item : c.listBlobs(options, CALL)) {
                String name = item.getName();
                if (name.startsWith(STAGING) || Boolean.TRUE.equals(item.isDeleted()) || item.getSnapshot() != null) {
                    continue;
                }
                try {
                    out.add(account.blob(container, name));
                } catch (IllegalArgumentException e) {
                    LOG.debug("blob {} of container {} is not a name the emulator takes: {}", name, container,
                            e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) {
                return List.of();
            }
            throw AzureErrors.map(account, null, "listing container '" + container + "' of account '"
                    + account.name() + "'", e);
        }
        out.sort(Comparator.comparing(BlobRef::path));
        return out;
    }

    /** Nothing: the account's blobs are its owner's, and the emulator keeps no state about them. */
    @Override
    public void reset() {
    }

    @Override
    public void close() {
        try {
            connections.disposeLater().block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("closing the connections to {} failed: {}", account.endpoint(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "Azure Storage account " + account;
    }
}

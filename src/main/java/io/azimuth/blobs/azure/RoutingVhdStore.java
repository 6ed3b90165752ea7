package io.azimuth.blobs.azure;

import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.SparseReads;
import io.azimuth.blobs.VhdStore;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Blobs by account: those of the configured storage accounts live in Azure Storage (one store per account, opened
 * on first use, so that the Azure SDK is not even loaded while no such blob is named); all others, and managed
 * content ({@link BlobRef#MANAGED_ACCOUNT}), in the embedded store.
 *
 * <p>A copy inside one store is that store's own (a server-side copy inside an Azure account); a copy between
 * stores streams the bytes, reading only the source's data ranges when it knows them (a page blob's page ranges,
 * see {@link SparseReads}) and writing only non-zero {@value #BLOCK}-byte blocks, so that sparse disks stay sparse
 * and empty ranges never cross the network. {@link #reset} and {@link #stats} concern the embedded store only.
 */
public final class RoutingVhdStore implements VhdStore {
    static final int CHUNK = 4 << 20;
    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[BLOCK];
    private static final Logger LOG = LoggerFactory.getLogger(RoutingVhdStore.class);

    private final VhdStore embedded;
    private final StorageAccounts accounts;
    private final Function<StorageAccount, VhdStore> opener;
    private final Map<String, VhdStore> remote = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public RoutingVhdStore(VhdStore embedded, StorageAccounts accounts) {
        this(embedded, accounts, RoutingVhdStore::openAzure);
    }

    /** With {@code opener} making the store of a configured account (tests use other stores). */
    RoutingVhdStore(VhdStore embedded, StorageAccounts accounts, Function<StorageAccount, VhdStore> opener) {
        this.embedded = embedded;
        this.accounts = accounts;
        this.opener = opener;
    }

    /** Kept apart so that the Azure store's class is only resolved when a configured account is first used. */
    private static VhdStore openAzure(StorageAccount account) {
        return AzureBlobStore.open(account);
    }

    public StorageAccounts accounts() {
        return accounts;
    }

    /** The store holding the blobs of {@code account}. */
    VhdStore storeFor(String account) {
        Optional<StorageAccount> configured = accounts.get(account);
        if (configured.isEmpty()) {
            return embedded;
        }
        if (closed) {
            throw new IllegalStateException("the blob store is closed");
        }
        return remote.computeIfAbsent(account, name -> opener.apply(configured.get()));
    }

    private VhdStore storeFor(BlobRef blob) {
        return storeFor(blob.account());
    }

    @Override
    public OptionalLong size(BlobRef blob) {
        return storeFor(blob).size(blob);
    }

    @Override
    public Vhd vhd(BlobRef blob, String field) {
        return storeFor(blob).vhd(blob, field);
    }

    @Override
    public void copy(BlobRef source, BlobRef target, boolean overwrite) {
        VhdStore from = storeFor(source);
        VhdStore to = storeFor(target);
        if (from == to) {
            from.copy(source, target, overwrite);
        } else {
            stream(from, source, to, target, overwrite);
        }
    }

    /** Copies between two stores: the source's data ranges, without their blocks of zeros. */
    static void stream(VhdStore from, BlobRef source, VhdStore to, BlobRef target, boolean overwrite) {
        Optional<SparseReads.SparseRead> opened = from instanceof SparseReads sparse ? sparse.openSparse(source)
                : from.openRead(source).map(RoutingVhdStore::whole);
        SparseReads.SparseRead read = opened.orElseThrow(() -> new BlobException(Reason.NOT_FOUND, "The blob '"
                + source.uri() + "' does not exist."));
        long started = System.nanoTime();
        long sent = 0;
        try (read) {
            if (!overwrite && to.size(target).isPresent()) {
                throw new BlobException(Reason.ALREADY_EXISTS, "The blob '" + target.uri() + "' already exists.");
            }
            SeekableByteChannel in = read.channel();
            long size = in.size();
            byte[] chunk = new byte[CHUNK];
            try (BlobWriter out = to.openWrite(target)) {
                for (SparseReads.Range range : read.ranges()) {
                    long end = Math.min(range.end(), size);
                    for (long at = range.offset(); at < end; ) {
                        int n = (int) Math.min(CHUNK, end - at);
                        readFully(in, at, chunk, n);
                        sent += writeNonZero(out, at, chunk, n);
                        at += n;
                    }
                }
                out.commit(size);
            }
            LOG.debug("copied {} to {}: {} of {} bytes held data, {} ms", source.uri(), target.uri(), sent, size,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source.uri() + " to " + target.uri(), e);
        }
    }

    private static SparseReads.SparseRead whole(SeekableByteChannel channel) {
        try {
            long size = channel.size();
            return new SparseReads.SparseRead(channel, size == 0 ? List.of() : List.of(new SparseReads.Range(0, size)));
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new UncheckedIOException(e);
        }
    }

    private static void readFully(SeekableByteChannel in, long at, byte[] into, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into, 0, n);
        in.position(at);
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                throw new EOFException("the blob ended at " + (at + b.position()) + " bytes, before its size");
            }
        }
    }

    /** Writes the runs of non-zero blocks of {@code bytes[0, n)}, which belong at {@code at}; the bytes written. */
    static long writeNonZero(BlobWriter out, long at, byte[] bytes, int n) throws IOException {
        long written = 0;
        int run = -1;
        for (int i = 0; i < n; i += BLOCK) {
            int len = Math.min(BLOCK, n - i);
            boolean zero = Arrays.mismatch(bytes, i, i + len, ZEROS, 0, len) < 0;
            if (!zero && run < 0) {
                run = i;
            } else if (zero && run >= 0) {
                out.write(at + run, ByteBuffer.wrap(bytes, run, i - run));
                written += i - run;
                run = -1;
            }
        }
        if (run >= 0) {
            out.write(at + run, ByteBuffer.wrap(bytes, run, n - run));
            written += n - run;
        }
        return written;
    }

    @Override
    public Optional<SeekableByteChannel> openRead(BlobRef blob) {
        return storeFor(blob).openRead(blob);
    }

    @Override
    public BlobWriter openWrite(BlobRef blob) {
        return storeFor(blob).openWrite(blob);
    }

    @Override
    public BlobWriter openEdit(BlobRef blob) {
        return storeFor(blob).openEdit(blob);
    }

    @Override
    public void resize(BlobRef blob, long newVirtualSize) {
        storeFor(blob).resize(blob, newVirtualSize);
    }

    /** As the store the blob's account is in: an account in Azure Storage never joins a transaction. */
    @Override
    public boolean joinsTransaction(BlobRef blob) {
        return !accounts.contains(blob.account()) && embedded.joinsTransaction(blob);
    }

    @Override
    public boolean delete(BlobRef blob) {
        return storeFor(blob).delete(blob);
    }

    @Override
    public void createBlank(BlobRef blob, long virtualSize) {
        storeFor(blob).createBlank(blob, virtualSize);
    }

    @Override
    public List<BlobRef> list(String account, String container, String prefix) {
        return storeFor(account).list(account, container, prefix);
    }

    /** The embedded store's: remote accounts are not counted. */
    @Override
    public Optional<StorageStats> stats() {
        return embedded.stats();
    }

    /** Empties the embedded store; the blobs of configured accounts are their owners' and stay. */
    @Override
    public void reset() {
        embedded.reset();
    }

    @Override
    public void close() {
        closed = true;
        for (VhdStore store : remote.values()) {
            try {
                store.close();
            } catch (RuntimeException e) {
                LOG.debug("closing {} failed: {}", store, e.toString());
            }
        }
        remote.clear();
        embedded.close();
    }
}

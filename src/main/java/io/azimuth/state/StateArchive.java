package io.azimuth.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWriter;
import io.azimuth.blobs.ChunkedVhdStore;
import io.azimuth.blobs.SparseReads;
import io.azimuth.http.ApiException;
import io.azimuth.http.Json;
import io.azimuth.store.Store;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The whole state as one zip archive: every resource row (of every provider, the fault rules' included), every
 * operation, and the embedded blob store's blobs (managed content included) as their data ranges, each range's bytes
 * stored once under its SHA-256 ({@code chunks/<sha256>}), so that copies, which share bytes in the store, share them
 * in the archive too and zeros are not in it. Entries: {@code azimuth-state.json} (format, version, counts),
 * {@code resources.jsonl}, {@code operations.jsonl}, {@code blobs.jsonl}, {@code chunks/...}.
 *
 * <p>Importing checks the whole archive first (every line, field, name, range and chunk digest) and changes nothing
 * when anything is wrong (400 {@code InvalidStateArchive} saying what); it is refused (409) while operations run;
 * then it replaces the state: the store and the blob store emptied, the blobs written, the rows put in one write.
 */
public final class StateArchive {
    private static final Logger LOG = LoggerFactory.getLogger(StateArchive.class);
    public static final String CONTENT_TYPE = "application/zip";
    static final String FORMAT = "azimuth-state";
    static final int VERSION = 1;
    private static final int PIECE = 1 << 20;

    private final Store store;
    private final ChunkedVhdStore blobs;
    /** What else must forget the old state and read the new one (the fault rules, the resource cache...). */
    private final Runnable replaced;
    /** Told of each operation in progress that an archive brought (to complete it when due). */
    private final Consumer<StoredOperation> resume;
    /** Checks a resource row the server itself reads back (the fault rules'): throws IllegalArgumentException. */
    private final Consumer<StoredResource> rowCheck;

    public StateArchive(Store store, ChunkedVhdStore blobs, Runnable replaced, Consumer<StoredOperation> resume,
                        Consumer<StoredResource> rowCheck) {
        this.rowCheck = rowCheck;
        this.store = store;
        this.blobs = blobs;
        this.replaced = replaced;
        this.resume = resume;
    }

    /** What an export or import held. */
    public record Counts(int resources, int operations, int blobs, int chunks, long dataBytes) {
        ObjectNode json() {
            ObjectNode o = Json.object();
            o.put("resources", resources);
            o.put("operations", operations);
            o.put("blobs", blobs);
            o.put("chunks", chunks);
            o.put("dataBytes", dataBytes);
            return o;
        }
    }

    // ---- export ----

    /** Writes the state to {@code out} as a zip archive. */
    public Counts export(OutputStream out) throws IOException {
        List<StoredResource> resources = new ArrayList<>();
        List<StoredOperation> operations = store.read(tx -> { // one snapshot of both
            resources.addAll(tx.allResources());
            return tx.allOperations();
        });
        int blobCount = 0;
        long data = 0;
        Set<String> written = new HashSet<>();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(1);
            zip.putNextEntry(new ZipEntry("resources.jsonl"));
            for (StoredResource r : resources) {
                ObjectNode o = Json.object();
                o.put("key", r.key());
                o.put("id", r.id());
                o.put("subscription", r.subscription());
                o.put("resourceGroup", r.resourceGroup());
                o.put("type", r.type());
                o.put("name", r.name());
                o.put("body", r.body());
                o.put("createdAt", r.createdAt());
                o.put("updatedAt", r.updatedAt());
                line(zip, o);
            }
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("operations.jsonl"));
            for (StoredOperation op : operations) {
                line(zip, Json.MAPPER.valueToTree(op));
            }
            zip.closeEntry();
            // the blobs: their data ranges, each piece's bytes once
            List<ObjectNode> described = new ArrayList<>();
            MessageDigest sha = sha256();
            for (BlobRef ref : blobs.all()) {
                var opened = blobs.openSparse(ref);
                if (opened.isEmpty()) {
                    continue; // deleted meanwhile
                }
                try (SparseReads.SparseRead read = opened.get()) {
                    ObjectNode b = Json.object();
                    b.put("account", ref.account());
                    b.put("container", ref.container());
                    b.put("name", ref.path());
                    b.put("size", read.channel().size());
                    ArrayNode ranges = b.putArray("ranges");
                    for (SparseReads.Range range : read.ranges()) {
                        for (long at = range.offset(); at < range.offset() + range.length(); at += PIECE) {
                            int n = (int) Math.min(PIECE, range.offset() + range.length() - at);
                            byte[] bytes = new byte[n];
                            ByteBuffer buf = ByteBuffer.wrap(bytes);
                            read.channel().position(at);
                            while (buf.hasRemaining() && read.channel().read(buf) >= 0) {
                                // until the piece is full
                            }
                            String hash = HexFormat.of().formatHex(sha.digest(bytes));
                            if (written.add(hash)) {
                                zip.putNextEntry(new ZipEntry("chunks/" + hash));
                                zip.write(bytes);
                                zip.closeEntry();
                                data += n;
                            }
                            ArrayNode piece = ranges.addArray();
                            piece.add(at);
                            piece.add(n);
                            piece.add(hash);
                        }
                    }
                    described.add(b);
                    blobCount++;
                }
            }
            zip.putNextEntry(new ZipEntry("blobs.jsonl"));
            for (ObjectNode b : described) {
                line(zip, b);
            }
            zip.closeEntry();
            Counts counts = new Counts(resources.size(), operations.size(), blobCount, written.size(), data);
            ObjectNode manifest = Json.object();
            manifest.put("format", FORMAT);
            manifest.put("version", VERSION);
            manifest.put("exportedAt", Instant.now().toString());
            manifest.setAll(counts.json());
            zip.putNextEntry(new ZipEntry("azimuth-state.json"));
            zip.write(Json.writeBytes(manifest));
            zip.closeEntry();
            return counts;
        }
    }

    private static void line(ZipOutputStream zip, JsonNode o) throws IOException {
        zip.write(Json.writeBytes(o));
        zip.write('\n');
    }

    // ---- import ----

    private record Blob(BlobRef ref, long size, List<Object[]> pieces) {
    }

    private record Parsed(List<StoredResource> resources, List<StoredOperation> operations, List<Blob> blobs,
                          int chunks, long data) {
    }

    /**
     * Replaces the state with the archive in {@code file}: checked whole first (a 400 naming what is wrong changes
     * nothing), refused with 409 while operations run.
     */
    public Counts importFrom(Path file) {
        return importFrom(file, true);
    }

    /** @param whileServing false at start-up (--seed), before operations left in progress are resumed: no refusal */
    private Counts importFrom(Path file, boolean whileServing) {
        if (whileServing) {
            refuseWhileOperationsRun();
        }
        try (ZipFile zip = open(file)) {
            Parsed parsed = parse(zip);
            for (StoredResource r : parsed.resources()) {
                try {
                    rowCheck.accept(r);
                } catch (IllegalArgumentException | ApiException e) {
                    throw invalid("resources.jsonl: the row '" + r.key() + "' is not valid (" + e.getMessage() + ")");
                }
            }
            if (whileServing) {
                refuseWhileOperationsRun();
            }
            store.reset();
            blobs.reset();
            replaced.run();
            try {
                for (Blob b : parsed.blobs()) {
                    try (BlobWriter w = blobs.openWrite(b.ref())) {
                        for (Object[] piece : b.pieces()) {
                            byte[] bytes = read(zip, "chunks/" + piece[2]);
                            w.write((Long) piece[0], ByteBuffer.wrap(bytes));
                        }
                        w.commit(b.size());
                    }
                }
                store.write(tx -> {
                    parsed.resources().forEach(tx::putResource);
                    parsed.operations().forEach(tx::putOperation);
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                LOG.error("the state import failed after the state was emptied", e);
                throw new ApiException(500, "StateImportFailed", "The archive was valid, but writing it failed after "
                        + "the state was emptied: " + e.getMessage());
            }
            replaced.run();
            parsed.operations().stream().filter(op -> !op.done()).forEach(resume);
            Counts counts = new Counts(parsed.resources().size(), parsed.operations().size(), parsed.blobs().size(),
                    parsed.chunks(), parsed.data());
            LOG.info("state imported: {} resources, {} operations, {} blobs", counts.resources(), counts.operations(),
                    counts.blobs());
            return counts;
        } catch (IOException e) {
            throw invalid("the archive cannot be read: " + e.getMessage());
        }
    }

    private void refuseWhileOperationsRun() {
        int running = store.read(tx -> tx.operationsInProgress().size());
        if (running > 0) {
            throw new ApiException(409, "OperationsInProgress", "The state cannot be replaced while " + running
                    + " long-running operation(s) run; retry once they have ended.");
        }
    }

    private static ZipFile open(Path file) {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw invalid("the body is not a zip archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw invalid("the archive cannot be read: " + e.getMessage());
        }
    }

    private static Parsed parse(ZipFile zip) throws IOException {
        JsonNode manifest = json(read(zip, "azimuth-state.json"), "azimuth-state.json");
        if (!FORMAT.equals(manifest.path("format").asText()) || manifest.path("version").asInt() != VERSION) {
            throw invalid("azimuth-state.json: not an Azimuth state archive of version " + VERSION + " (format '"
                    + manifest.path("format").asText() + "', version " + manifest.path("version") + ")");
        }
        List<StoredResource> resources = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        lines(zip, "resources.jsonl", (n, o) -> {
            StoredResource r = new StoredResource(text(o, "key", "resources.jsonl", n), text(o, "id", "resources.jsonl", n),
                    text(o, "subscription", "resources.jsonl", n), optionalText(o, "resourceGroup", "resources.jsonl", n),
                    text(o, "type", "resources.jsonl", n), text(o, "name", "resources.jsonl", n),
                    text(o, "body", "resources.jsonl", n), number(o, "createdAt", "resources.jsonl", n),
                    number(o, "updatedAt", "resources.jsonl", n));
            if (!keys.add(r.key())) {
                throw invalid("resources.jsonl line " + n + ": the key '" + r.key() + "' appears twice");
            }
            try {
                Json.parse(r.body());
            } catch (IOException e) {
                throw invalid("resources.jsonl line " + n + ": 'body' is not JSON");
            }
            resources.add(r);
        });
        List<StoredOperation> operations = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        lines(zip, "operations.jsonl", (n, o) -> {
            StoredOperation op;
            try {
                op = Json.MAPPER.treeToValue(o, StoredOperation.class);
            } catch (IOException | IllegalArgumentException e) {
                throw invalid("operations.jsonl line " + n + ": not an operation (" + e.getMessage().lines()
                        .findFirst().orElse("") + ")");
            }
            if (op.id() == null || op.status() == null || op.kind() == null || op.target() == null
                    || op.subscription() == null || op.namespace() == null || op.location() == null
                    || op.apiVersion() == null) {
                throw invalid("operations.jsonl line " + n + ": an operation needs id, subscription, namespace, "
                        + "location, kind, target, status and apiVersion");
            }
            if (!ids.add(op.id())) {
                throw invalid("operations.jsonl line " + n + ": the id '" + op.id() + "' appears twice");
            }
            operations.add(op);
        });
        List<Blob> blobList = new ArrayList<>();
        Map<String, Long> chunkLengths = new HashMap<>();
        Set<String> names = new HashSet<>();
        lines(zip, "blobs.jsonl", (n, o) -> {
            String at = "blobs.jsonl line " + n;
            BlobRef ref;
            try {
                ref = new BlobRef(text(o, "account", "blobs.jsonl", n), text(o, "container", "blobs.jsonl", n),
                        text(o, "name", "blobs.jsonl", n), BlobRef.DEFAULT_SUFFIX);
            } catch (RuntimeException e) {
                throw invalid(at + ": not a blob name (" + e.getMessage() + ")");
            }
            if (!names.add(ref.account() + "/" + ref.container() + "/" + ref.path())) {
                throw invalid(at + ": the blob appears twice");
            }
            long size = number(o, "size", "blobs.jsonl", n);
            if (size < 0) {
                throw invalid(at + ": 'size' is negative");
            }
            JsonNode ranges = o.path("ranges");
            if (!ranges.isArray()) {
                throw invalid(at + ": 'ranges' must be an array of [offset, length, sha256]");
            }
            List<Object[]> pieces = new ArrayList<>();
            long end = 0;
            for (JsonNode p : ranges) {
                if (!p.isArray() || p.size() != 3 || !p.get(0).isIntegralNumber() || !p.get(1).isIntegralNumber()
                        || !p.get(2).isTextual()) {
                    throw invalid(at + ": a range must be [offset, length, sha256]");
                }
                long offset = p.get(0).asLong();
                long length = p.get(1).asLong();
                String hash = p.get(2).asText();
                if (offset < end || length <= 0 || length > PIECE || offset > size - length) {
                    throw invalid(at + ": the range [" + offset + ", " + length + "] is out of order, empty, longer "
                            + "than " + PIECE + " bytes or past the blob's size " + size);
                }
                if (!hash.matches("[0-9a-f]{64}")) {
                    throw invalid(at + ": '" + hash + "' is not a SHA-256 in hex");
                }
                Long known = chunkLengths.get(hash);
                if (known == null) {
                    known = checkChunk(zip, hash);
                    chunkLengths.put(hash, known);
                }
                if (known != length) {
                    throw invalid(at + ": the chunk " + hash + " holds " + known + " bytes, not " + length);
                }
                end = offset + length;
                pieces.add(new Object[] {offset, length, hash});
            }
            blobList.add(new Blob(ref, size, pieces));
        });
        long data = chunkLengths.values().stream().mapToLong(Long::longValue).sum();
        return new Parsed(resources, operations, blobList, chunkLengths.size(), data);
    }

    /** The length of the chunk entry {@code hash}, once its bytes are found to have that digest. */
    private static long checkChunk(ZipFile zip, String hash) {
        ZipEntry entry = zip.getEntry("chunks/" + hash);
        if (entry != null && (entry.getSize() < 0 || entry.getSize() > PIECE)) {
            throw invalid("chunks/" + hash + ": larger than a piece (" + PIECE + " bytes) or of unknown size");
        }
        try {
            byte[] bytes = read(zip, "chunks/" + hash);
            if (!HexFormat.of().formatHex(sha256().digest(bytes)).equals(hash)) {
                throw invalid("chunks/" + hash + ": its bytes do not have that SHA-256");
            }
            return bytes.length;
        } catch (IOException e) {
            throw invalid("chunks/" + hash + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    @FunctionalInterface
    private interface Line {
        void accept(int number, JsonNode object) throws IOException;
    }

    private static void lines(ZipFile zip, String entry, Line each) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            throw invalid("the archive has no " + entry);
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(zip.getInputStream(e), StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o = json(line.getBytes(StandardCharsets.UTF_8), entry + " line " + n);
                if (!o.isObject()) {
                    throw invalid(entry + " line " + n + ": not a JSON object");
                }
                each.accept(n, o);
            }
        } catch (ZipException ze) {
            throw invalid(entry + ": " + ze.getMessage());
        }
    }

    private static byte[] read(ZipFile zip, String entry) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            throw invalid("the archive has no " + entry);
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        } catch (ZipException ze) {
            throw invalid(entry + ": " + ze.getMessage());
        }
    }

    private static JsonNode json(byte[] bytes, String at) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw invalid(at + ": not JSON");
        }
    }

    private static String text(JsonNode o, String field, String entry, int line) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw invalid(entry + " line " + line + ": '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode o, String field, String entry, int line) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : text(o, field, entry, line);
    }

    private static long number(JsonNode o, String field, String entry, int line) {
        JsonNode v = o.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw invalid(entry + " line " + line + ": '" + field + "' must be a whole number");
        }
        return v.asLong();
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "InvalidStateArchive", "The state archive is not valid: " + message + ".");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code --seed FILE}: an import at start-up, its refusals as IllegalArgumentException (they stop the start). */
    public Counts importFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--seed: cannot read " + file);
        }
        try {
            return importFrom(file, false);
        } catch (ApiException e) {
            throw new IllegalArgumentException("--seed " + file + ": " + e.getMessage(), e);
        }
    }
}

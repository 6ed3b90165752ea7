package io.azimuth.compute.disks;

import io.azimuth.arm.ArmErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Fields;
import io.azimuth.arm.ResourceId;
import io.azimuth.arm.ResourceRecords;
import io.azimuth.blobs.BlobRef;
import io.azimuth.compute.ManagedContent;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.lro.OperationEngine;
import io.azimuth.lro.OperationSpec;
import io.azimuth.kinds.TrackedResources;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;
import io.azimuth.store.StoredResource;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read access to a disk's or snapshot's bytes, as {@code beginGetAccess} grants it and {@code endGetAccess} revokes
 * it (both long-running operations).
 *
 * <p>A grant copies the content as it is into an export ({@code $managed/exports/{id}}) and answers a SAS-like URL
 * served by the emulator itself, on the host the client called:
 * {@code {scheme}://{host}/_azimuth/exports/{id}?sv=..&sr=b&sp=r&st={start}&se={expiry}&sig={token}}. The token is
 * 256 random bits; only its SHA-256 is stored. The URL serves GET (with {@code Range} or {@code x-ms-range}: 206,
 * 416) and HEAD until it expires or the grant is revoked or replaced, then refuses with 403
 * {@code AuthenticationFailed} as Azure Storage does. The grant is kept in the resource's private state and in a row
 * of its own ({@code azimuth/exports}, in the resource's group, so that it goes with the group), so it survives a
 * restart. While it is active the resource shows {@code diskState: ActiveSAS}.
 */
public final class DiskAccess {
    static final String EXPORTS = "exports";
    static final String EXPORT_TYPE = "azimuth/exports";
    static final String PATH = "/_azimuth/exports/";
    static final String SAS_VERSION = "2018-03-28";
    static final List<String> LEVELS = List.of("None", "Read", "Write");
    static final List<String> FORMATS = List.of("VHD", "VHDX");
    private static final Pattern BYTE_RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final DateTimeFormatter SAS_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final OperationEngine operations;
    private final ManagedContent content;

    DiskAccess(Store store, OperationEngine operations, ManagedContent content) {
        this.store = store;
        this.operations = operations;
        this.content = content;
        for (DiskKind kind : DiskKind.values()) {
            operations.register(kind(kind, "beginGetAccess"), this::completeGrant);
            operations.register(kind(kind, "endGetAccess"), this::completeRevoke);
        }
    }

    private static String kind(DiskKind kind, String action) {
        return "Microsoft.Compute/" + kind.type + "/" + action;
    }

    // ---- state ----

    /** True while a document's access grant is in force (granted, neither revoked nor expired). */
    public static boolean active(JsonNode doc) {
        return expiresAt(doc) > System.currentTimeMillis();
    }

    /** When a document's access grant expires (epoch milliseconds), 0 when it has none. */
    static long expiresAt(JsonNode doc) {
        JsonNode access = doc.path(ManagedContent.STATE).path("access");
        return access.isObject() ? access.path("expiresAt").asLong(0) : 0;
    }

    /** 409 while a document's access grant is active: deleting, attaching and the like wait for endGetAccess. */
    public static void refuseWhileActive(JsonNode doc, String what) {
        if (active(doc)) {
            throw ArmErrors.operationNotAllowed("The operation '" + what + "' is not allowed on "
                    + kindName(doc) + " '" + doc.path("name").asText() + "' while it has an active SAS URI (its state "
                    + "is ActiveSAS). Revoke access with endGetAccess or wait until it expires.");
        }
    }

    private static String kindName(JsonNode doc) {
        return doc.path("type").asText().equalsIgnoreCase(DiskDocuments.SNAPSHOT_TYPE) ? "snapshot" : "disk";
    }

    /**
     * Removes a document's grant, if it has one: its export and lookup row go; the document itself is the caller's
     * to save (or delete).
     */
    static void revoke(StoreTx tx, ManagedContent content, JsonNode doc) {
        JsonNode access = doc.path(ManagedContent.STATE).path("access");
        if (!access.isObject()) {
            return;
        }
        String id = access.path("id").asText();
        tx.deleteResource(key(id));
        content.free(BlobRef.managed(EXPORTS, id));
    }

    private static String key(String exportId) {
        return EXPORT_TYPE + "/" + exportId;
    }

    // ---- beginGetAccess / endGetAccess ----

    ApiResponse begin(ApiRequest r, DiskKind kind, TrackedResources resources, ResourceId id) {
        ObjectNode body = r.jsonObject();
        String level = Fields.requiredEnum(body, "access", "grantAccessData.access", LEVELS);
        Integer seconds = Fields.integer(body, "durationInSeconds", "grantAccessData.durationInSeconds");
        if (seconds == null) {
            throw Fields.invalid("grantAccessData.durationInSeconds", "Required parameter "
                    + "'grantAccessData.durationInSeconds' is missing (null).");
        }
        if (seconds < 1) {
            throw Fields.invalid("grantAccessData.durationInSeconds", "The value " + seconds + " of "
                    + "'grantAccessData.durationInSeconds' is out of range: access lasts at least one second.");
        }
        Fields.bool(body, "getSecureVMGuestStateSAS", "grantAccessData.getSecureVMGuestStateSAS");
        String format = Fields.enumValue(body, "fileFormat", "grantAccessData.fileFormat", FORMATS);
        if ("VHDX".equals(format) && kind == DiskKind.DISK) {
            // the definition names VHDX for snapshots; a snapshot's export is its fixed VHD all the same
            throw Fields.invalid("grantAccessData.fileFormat", "'grantAccessData.fileFormat' VHDX applies to "
                    + "snapshots; a disk is exported as a fixed VHD: ask for 'VHD'.");
        }
        if (level.equals("None")) {
            throw Fields.invalid("grantAccessData.access", "'grantAccessData.access' None grants nothing: ask for "
                    + "'Read'.");
        }
        ObjectNode input = Json.object();
        input.put("baseUrl", r.baseUrl());
        input.put("durationInSeconds", seconds);
        StoredOperation op = store.write(tx -> {
            ObjectNode doc = resources.require(tx, id);
            checkGrant(doc, level);
            return operations.begin(tx, r, new OperationSpec(id.subscriptionId().toLowerCase(Locale.ROOT),
                    "Microsoft.Compute", doc.path("location").asText(), kind(kind, "beginGetAccess"),
                    doc.path("id").asText(), input));
        });
        operations.track(op);
        if (op.done()) {
            return ApiResponse.json(200, Json.readObject(op.result()));
        }
        return operations.accepted(r, op, ApiResponse.empty(202));
    }

    ApiResponse end(ApiRequest r, DiskKind kind, TrackedResources resources, ResourceId id) {
        StoredOperation op = store.write(tx -> {
            ObjectNode doc = resources.require(tx, id);
            return operations.begin(tx, r, new OperationSpec(id.subscriptionId().toLowerCase(Locale.ROOT),
                    "Microsoft.Compute", doc.path("location").asText(), kind(kind, "endGetAccess"),
                    doc.path("id").asText(), null));
        });
        operations.track(op);
        return op.done() ? ApiResponse.empty(200) : operations.accepted(r, op, ApiResponse.empty(202));
    }

    /**
     * A disk can be read while nothing runs on it: unattached, or attached to a deallocated VM ({@code Reserved}),
     * not while its VM is allocated ({@code Attached}). Only read access exists: writing is for disks made for
     * upload, which this emulator does not make.
     */
    private static void checkGrant(ObjectNode doc, String level) {
        String name = doc.path("name").asText();
        if (TrackedResources.busy(doc)) {
            throw ArmErrors.operationNotAllowed("Access to " + kindName(doc) + " '" + name
                    + "' cannot be granted while it is " + TrackedResources.provisioningState(doc) + ".");
        }
        if (level.equals("Write")) {
            throw ArmErrors.operationNotAllowed("Write access is granted only to disks created for "
                    + "upload (createOption Upload, state ReadyToUpload); " + kindName(doc) + " '" + name
                    + "' can be granted Read access.");
        }
        if ("Attached".equals(doc.path("properties").path("diskState").asText())) {
            throw ArmErrors.operationNotAllowed("Access to disk '" + name + "' cannot be granted "
                    + "while it is attached to the running VM '" + doc.path("managedBy").asText() + "': stop "
                    + "(deallocate) the VM first, or take a snapshot of the disk and export that.");
        }
    }

    private Completion completeGrant(StoreTx tx, StoredOperation op) {
        StoredResource row = tx.resource(op.target()).orElseThrow(() -> ArmErrors.notFound(
                "The resource was deleted before access to it was granted."));
        ObjectNode doc = Json.readObject(row.body());
        checkGrant(doc, "Read");
        ObjectNode input = Json.readObject(op.input());
        revoke(tx, content, doc);

        long start = System.currentTimeMillis() / 1000;
        long expiry = start + input.path("durationInSeconds").asLong();
        String exportId = HexFormat.of().formatHex(random(16));
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
        BlobRef export = BlobRef.managed(EXPORTS, exportId);
        Optional<BlobRef> source = DiskDocuments.content(doc).filter(c -> content.vhds().size(c).isPresent());
        long size = (long) doc.path("properties").path("diskSizeGB").asInt(0) << 30;
        content.fill(export, source.orElse(null), source.isPresent() ? 0 : size);

        ObjectNode grant = Json.object();
        grant.put("target", row.id());
        grant.put("sig", sha256(token));
        grant.put("grantedAt", start * 1000);
        grant.put("expiresAt", expiry * 1000);
        tx.putResource(new StoredResource(key(exportId), key(exportId), row.subscription(), row.resourceGroup(),
                EXPORT_TYPE, exportId, Json.write(grant), start * 1000, start * 1000));

        ObjectNode access = ManagedContent.state(doc).putObject("access");
        access.put("id", exportId);
        access.put("grantedAt", start * 1000);
        access.put("expiresAt", expiry * 1000);
        tx.putResource(ResourceRecords.record(ResourceId.parse(row.id()), doc, row.createdAt(),
                System.currentTimeMillis()));

        String url = input.path("baseUrl").asText() + PATH + exportId + "?sv=" + SAS_VERSION + "&sr=b&sp=r&st="
                + SAS_TIME.format(Instant.ofEpochSecond(start)) + "&se=" + SAS_TIME.format(Instant.ofEpochSecond(expiry))
                + "&sig=" + token;
        ObjectNode result = Json.object();
        result.put("accessSAS", url);
        return Completion.ok(result);
    }

    private Completion completeRevoke(StoreTx tx, StoredOperation op) {
        tx.resource(op.target()).ifPresent(row -> {
            ObjectNode doc = Json.readObject(row.body());
            if (doc.path(ManagedContent.STATE).has("access")) {
                revoke(tx, content, doc);
                ManagedContent.state(doc).remove("access");
                tx.putResource(ResourceRecords.record(ResourceId.parse(row.id()), doc, row.createdAt(),
                        System.currentTimeMillis()));
            }
        });
        return Completion.empty();
    }

    // ---- the export URL ----

    /** GET (and HEAD) {@code /_azimuth/exports/{exportId}?...&sig=}: the bytes as they were when access was granted. */
    ApiResponse download(ApiRequest r) throws IOException {
        String exportId = r.param("exportId");
        ObjectNode grant = verified(exportId, r.query("sig"));
        SeekableByteChannel c = content.vhds().openRead(BlobRef.managed(EXPORTS, exportId))
                .orElseThrow(() -> StorageError.authentication("Signature did not match."));
        try {
            long size = c.size();
            String header = r.header("x-ms-range") != null ? r.header("x-ms-range") : r.header("Range");
            long[] span = header == null ? null : span(header, size);
            String etag = "\"0x" + Long.toHexString(grant.path("grantedAt").asLong()).toUpperCase(Locale.ROOT) + "\"";
            if (span == UNSATISFIABLE) {
                c.close();
                return r.route().envelope().renderError(r, new StorageError(416, "InvalidRange",
                        "The range specified is invalid for the current size of the resource.", null))
                        .header("Content-Range", "bytes */" + size);
            }
            ApiResponse response;
            if (span == null) {
                response = ApiResponse.stream(200, c, size, "application/octet-stream");
            } else {
                c.position(span[0]);
                response = ApiResponse.stream(206, c, span[1] - span[0] + 1, "application/octet-stream")
                        .header("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + size);
            }
            return response.header("Accept-Ranges", "bytes")
                    .header("x-ms-blob-type", "PageBlob")
                    .header("ETag", etag)
                    .header("Last-Modified", StorageError.http(grant.path("grantedAt").asLong()));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The grant of an export whose signature is {@code sig} and still valid; Storage's 403 otherwise. */
    private ObjectNode verified(String exportId, String sig) {
        if (sig == null || sig.isEmpty()) {
            throw StorageError.authentication("The request names no signature (sig).");
        }
        ObjectNode grant = store.read(tx -> tx.resourceBody(key(exportId))).map(Json::readObject)
                .orElseThrow(() -> StorageError.authentication("Signature did not match."));
        byte[] expected = grant.path("sig").asText().getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, sha256(sig).getBytes(StandardCharsets.US_ASCII))) {
            throw StorageError.authentication("Signature did not match.");
        }
        long now = System.currentTimeMillis();
        long expiresAt = grant.path("expiresAt").asLong();
        if (now >= expiresAt) {
            throw StorageError.authentication("Signature not valid in the specified time frame: Start ["
                    + StorageError.http(grant.path("grantedAt").asLong()) + "] - Expiry [" + StorageError.http(expiresAt)
                    + "] - Current [" + StorageError.http(now) + "]");
        }
        return grant;
    }

    /**
     * A copy's source given as an access URL ({@code .../_azimuth/exports/{id}?...&sig=}): the export blob it
     * reads, once its signature is checked as a download's is; empty for any other URL.
     */
    Optional<BlobRef> copySource(String url) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith(PATH) || path.length() == PATH.length()
                || path.indexOf('/', PATH.length()) >= 0) {
            return Optional.empty();
        }
        String exportId = path.substring(PATH.length());
        String sig = null;
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        for (String pair : query.split("&")) {
            if (pair.startsWith("sig=")) {
                sig = java.net.URLDecoder.decode(pair.substring(4), StandardCharsets.UTF_8);
            }
        }
        verified(exportId, sig);
        return Optional.of(BlobRef.managed(EXPORTS, exportId));
    }

    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * First and last byte of a single {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix} range;
     * {@link #UNSATISFIABLE}; or null to serve the whole blob (another unit, several ranges, malformed).
     */
    static long[] span(String header, long size) {
        Matcher m = BYTE_RANGE.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        String first = m.group(1);
        String last = m.group(2);
        try {
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(last);
                return suffix == 0 || size == 0 ? UNSATISFIABLE : new long[]{Math.max(0, size - suffix), size - 1};
            }
            long from = Long.parseLong(first);
            long to = last.isEmpty() ? Long.MAX_VALUE : Long.parseLong(last);
            if (to < from) {
                return null;
            }
            return from >= size ? UNSATISFIABLE : new long[]{from, Math.min(to, size - 1)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

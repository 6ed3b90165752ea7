package io.azimuth.compute.disks;

import io.azimuth.http.ApiException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** An error as Azure Storage answers it on a blob URL: a code, a message and, for authentication, a detail. */
final class StorageError extends ApiException {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final String detail;

    StorageError(int status, String code, String message, String detail) {
        super(status, code, message);
        this.detail = detail;
    }

    /** 403 AuthenticationFailed, the answer to a SAS that is wrong, expired or revoked. */
    static StorageError authentication(String detail) {
        return new StorageError(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                + "value of Authorization header is formed correctly including the signature.", detail);
    }

    /** The {@code AuthenticationErrorDetail}, or null. */
    String detail() {
        return detail;
    }

    /** A time as HTTP dates (and Azure Storage's messages) write it. */
    static String http(long epochMillis) {
        return HTTP_DATE.format(Instant.ofEpochMilli(epochMillis));
    }
}

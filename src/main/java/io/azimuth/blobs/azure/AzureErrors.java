package io.azimuth.blobs.azure;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeoutException;

/**
 * How failures of Azure Storage calls are answered: what the caller did wrong keeps its 4xx status; what went wrong
 * between the emulator and the account (unreachable, timed out, credentials refused, server errors) is a 502 whose
 * message names the account, its endpoint and the cause.
 */
final class AzureErrors {
    private static final Logger LOG = LoggerFactory.getLogger(AzureErrors.class);
    private AzureErrors() {
    }

    static boolean isNotFound(RuntimeException e) {
        return e instanceof BlobStorageException b && b.getStatusCode() == 404;
    }

    static boolean isContainerNotFound(RuntimeException e) {
        return e instanceof BlobStorageException b && b.getStatusCode() == 404
                && BlobErrorCode.CONTAINER_NOT_FOUND.equals(b.getErrorCode());
    }

    static boolean is(RuntimeException e, int status, BlobErrorCode code) {
        return e instanceof BlobStorageException b && b.getStatusCode() == status
                && (code == null || code.equals(b.getErrorCode()));
    }

    /**
     * The answer for a failed call.
     *
     * @param doing what was being done, e.g. "reading", for the message
     */
    static BlobException map(StorageAccount account, BlobRef blob, String doing, RuntimeException e) {
        if (e instanceof BlobException known) {
            return known;
        }
        BlobException answer = answer(account, blob, doing, e);
        if (answer.reason().status >= 500) {
            LOG.warn("{}", answer.getMessage());
            LOG.debug("the failure behind it", e);
        }
        return answer;
    }

    private static BlobException answer(StorageAccount account, BlobRef blob, String doing, RuntimeException e) {
        String what = blob == null ? "" : " '" + blob.uri() + "'";
        if (e instanceof BlobStorageException b) {
            String code = b.getErrorCode() == null ? "" : b.getErrorCode().toString();
            String said = "(" + b.getStatusCode() + (code.isEmpty() ? "" : " " + code) + ")";
            switch (b.getStatusCode()) {
                case 404:
                    return new BlobException(Reason.NOT_FOUND, "The blob" + what + " does not exist"
                            + (code.equals("ContainerNotFound") ? " (its container does not exist)." : "."));
                case 409:
                    if (BlobErrorCode.BLOB_ALREADY_EXISTS.equals(b.getErrorCode())) {
                        return new BlobException(Reason.ALREADY_EXISTS, "The blob" + what + " already exists.");
                    }
                    return new BlobException(Reason.CONFLICT, "Azure Storage refused " + doing + what + " " + said
                            + ": " + firstLine(b.getServiceMessage()));
                case 412:
                    return new BlobException(Reason.CONFLICT, "The blob" + what + " changed while " + doing + " it "
                            + said + ".");
                case 400:
                case 416:
                    return new BlobException(Reason.INVALID, "Azure Storage refused " + doing + what + " "
                            + said + ": " + firstLine(b.getServiceMessage()));
                case 401:
                case 403:
                    return new BlobException(Reason.ACCOUNT_AUTHENTICATION, "Azure Storage account '"
                            + account.name() + "' at " + account.endpoint() + " refused the emulator's "
                            + account.authentication() + " while " + doing + what + " " + said
                            + "; check --storage-account " + account.name() + "=...");
                default:
                    return new BlobException(Reason.ACCOUNT_ERROR, "Azure Storage account '" + account.name()
                            + "' at " + account.endpoint() + " failed while " + doing + what + " " + said + ": "
                            + firstLine(b.getServiceMessage()));
            }
        }
        return new BlobException(Reason.ACCOUNT_UNREACHABLE, "Azure Storage account '" + account.name() + "' at "
                + account.endpoint() + " cannot be reached while " + doing + what + ": " + cause(e) + ".");
    }

    /** The innermost cause, as a short phrase. */
    static String cause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof TimeoutException || root.getClass().getSimpleName().contains("Timeout")) {
            return "no answer in time (" + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage())) + ")";
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no message";
        }
        String line = text.strip();
        int nl = line.indexOf('\n');
        return nl < 0 ? line : line.substring(0, nl).strip();
    }
}

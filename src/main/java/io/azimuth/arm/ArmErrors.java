package io.azimuth.arm;

import io.azimuth.http.ApiException;

/**
 * The errors of the ARM API family, by the codes Azure answers with: every provider behind the ARM envelope builds
 * its refusals here (the classic API has {@code ClassicErrors}, the blob store its own exception), so that a code and
 * its status are written once and its messages follow one pattern: they name the field or resource concerned.
 */
public final class ArmErrors {
    private ArmErrors() {
    }

    /** 400 {@code InvalidParameter}: a request field (its JSON path) is missing, malformed or out of range. */
    public static ApiException invalidParameter(String field, String message) {
        return new ApiException(400, "InvalidParameter", message, field);
    }

    /** 400 {@code InvalidParameter}: a required field is absent, in Azure's words. */
    public static ApiException missing(String field) {
        return invalidParameter(field, "Required parameter '" + field + "' is missing (null).");
    }

    /** 404 {@code NotFound}: the {@code what} (e.g. "managed disk") a request field references does not exist. */
    public static ApiException referenceNotFound(String what, String raw, String field) {
        return new ApiException(404, "NotFound", "The " + what + " '" + raw + "' given in '" + field
                + "' was not found.", field);
    }

    /** 404 {@code NotFound} with a message of its own (e.g. a resource gone while its operation ran). */
    public static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message);
    }

    /** 404 {@code ResourceNotFound}: the resource a request's path names, e.g. {@code Microsoft.Compute/images/i1}. */
    public static ApiException resourceNotFound(String typedName, String resourceGroup) {
        return new ApiException(404, "ResourceNotFound", "The Resource '" + typedName + "' under resource group '"
                + resourceGroup + "' was not found.");
    }

    /** 409 {@code OperationNotAllowed}: the resource's state forbids the operation now. */
    public static ApiException operationNotAllowed(String message) {
        return new ApiException(409, "OperationNotAllowed", message);
    }

    /** 409 with a code of the resource type's own (e.g. {@code ConflictingDiskName}). */
    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    /** 400 with a code of the resource type's own (e.g. {@code InUseSubnetCannotBeDeleted}). */
    public static ApiException badRequest(String code, String message, String field) {
        return new ApiException(400, code, message, field);
    }
}

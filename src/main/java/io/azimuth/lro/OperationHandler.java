package io.azimuth.lro;

import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

/**
 * Completes one kind of operation: applies the change it carries, in the transaction that marks it ended.
 * Throwing an {@link io.azimuth.http.ApiException} fails the operation with that error and rolls the change back.
 */
@FunctionalInterface
public interface OperationHandler {
    Completion complete(StoreTx tx, StoredOperation operation);
}

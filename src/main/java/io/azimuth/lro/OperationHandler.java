package io.azimuth.lro;

import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

/**
 * Completes one kind of operation: applies the change it carries, in the transaction that marks it ended.
 * Throwing an {@link io.azimuth.http.ApiException} (or a failure the engine's translation knows, such as a blob
 * store's refusal) fails the operation with that error and rolls the change back; anything else is retried.
 * Slow I/O (a remote blob) is asked for with {@link StoreTx#outside}: it is done before that transaction commits but
 * outside it, and again if the operation is retried or resumed after a restart, so it must bear being done twice.
 */
@FunctionalInterface
public interface OperationHandler {
    Completion complete(StoreTx tx, StoredOperation operation);

    /** What to do to an operation's target when the operation fails, in the transaction that marks it so. */
    @FunctionalInterface
    interface OnFailure {
        void failed(StoreTx tx, StoredOperation operation);
    }
}

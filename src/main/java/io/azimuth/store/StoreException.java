package io.azimuth.store;

/** The store failed (I/O, corruption, constraint): never an answer the caller caused. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

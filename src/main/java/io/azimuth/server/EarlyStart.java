package io.azimuth.server;

import io.vertx.core.Vertx;
import org.slf4j.LoggerFactory;

import io.azimuth.http.Json;
import io.azimuth.store.SqliteLibrary;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Start-up work that depends on no flag, begun by {@code Main} before it parses the command line. Start-up is
 * mostly class loading and two cores can load two things at once: while the main thread parses the flags, one
 * thread configures logging and then makes the Vert.x instance, another loads the JSON code and SQLite's native
 * library. {@link AzimuthServer#start} takes the Vert.x instance made here, when there is one; a server started
 * any other way (tests, embedding) makes its own.
 */
public final class EarlyStart {
    private static final AtomicBoolean BEGUN = new AtomicBoolean();
    private static final CompletableFuture<Void> LOGGING = new CompletableFuture<>();
    private static final AtomicReference<CompletableFuture<Vertx>> VERTX = new AtomicReference<>();

    private EarlyStart() {
    }

    /** Begins the work; at most once per process. */
    public static void begin() {
        if (!BEGUN.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Vertx> vertx = new CompletableFuture<>();
        VERTX.set(vertx);
        thread("azimuth-early-vertx", () -> {
            try {
                LoggerFactory.getILoggerFactory();
            } finally {
                LOGGING.complete(null);
            }
            try {
                vertx.complete(Vertx.vertx(AzimuthServer.vertxOptions()));
            } catch (Throwable e) {
                vertx.completeExceptionally(e);
            }
        });
        thread("azimuth-early-libraries", () -> {
            warmUp();
            // SQLite's loader logs through SLF4J when it is there: only once logging is configured, so that no
            // logger is made while it is (SLF4J would hand out stand-ins and replay their events)
            LOGGING.join();
            SqliteLibrary.load();
        });
    }

    /**
     * Waits until logging is configured, when {@link #begin} was called: a logger asked for meanwhile would be a
     * stand-in, not logback's.
     */
    public static void awaitLogging() {
        if (BEGUN.get()) {
            LOGGING.join();
        }
    }

    /** The Vert.x instance made by {@link #begin}, handed out once; null when there is none or making it failed. */
    static Vertx takeVertx() {
        CompletableFuture<Vertx> made = VERTX.getAndSet(null);
        if (made == null) {
            return null;
        }
        try {
            return made.join();
        } catch (RuntimeException e) {
            return null; // the caller makes one itself, and reports what goes wrong then
        }
    }

    /** Loads and runs the JSON and id code every request needs, so that the first request does not wait for it. */
    private static void warmUp() {
        Json.write(Json.readObject("{\"id\":\"/subscriptions/x\",\"properties\":{\"n\":1,\"ok\":true,\"a\":[]}}"));
        UUID.randomUUID();
    }

    private static void thread(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
    }
}

package io.azimuth.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * How many store reads run at once. As many as the machine has cores while no write waits; one fewer (at least one)
 * while writes wait, so that readers that never pause cannot take every core from the writer (on two cores, with a
 * steady stream of lists, writes would otherwise go at a fraction of their pace). The writer can also hold every
 * new read back and wait for the running ones to end ({@link #drain}), to checkpoint the WAL while no read holds a
 * snapshot of it.
 */
final class ReadGate {
    private final int cores;
    private final IntSupplier writesWaiting;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turn = lock.newCondition();
    private final Condition idle = lock.newCondition();
    private int active;
    private boolean draining;

    ReadGate(int cores, IntSupplier writesWaiting) {
        this.cores = Math.max(1, cores);
        this.writesWaiting = writesWaiting;
    }

    private int limit() {
        return writesWaiting.getAsInt() > 0 ? Math.max(1, cores - 1) : cores;
    }

    /** Waits for a turn to read. */
    void enter() throws InterruptedException {
        lock.lock();
        try {
            while (draining || active >= limit()) {
                // a read ending wakes one waiter; a change of the limit (writes coming or going) is seen at the
                // next wake-up, at the latest after this bounded wait
                turn.await(10, TimeUnit.MILLISECONDS);
            }
            active++;
        } finally {
            lock.unlock();
        }
    }

    void exit() {
        lock.lock();
        try {
            active--;
            if (active == 0) {
                idle.signal();
            }
            turn.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Holds new reads back and waits at most {@code millis} for the running ones to end: true when none runs (then
     * {@link #reopen} must follow), false when some still ran (the gate is open again).
     */
    boolean drain(long millis) throws InterruptedException {
        lock.lock();
        try {
            draining = true;
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            try {
                while (active > 0 && left > 0) {
                    left = idle.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                reopen();
                throw e;
            }
            if (active > 0) {
                reopen();
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    void reopen() {
        lock.lock();
        try {
            draining = false;
            turn.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

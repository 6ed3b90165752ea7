package io.azimuth.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outside work of one {@link Store#write} (see {@link StoreTx#outside}): what its unit asked for, what has been
 * done and what it answered, across the runs of the unit. A store keeps one per write: the unit asks on the writer
 * thread, the caller's thread does the work between runs, never both at once.
 */
final class OutsideWorks {
    private static final Logger LOG = LoggerFactory.getLogger(OutsideWorks.class);
    /**
     * Most runs of one unit: each run but the last asks for work not done before, so this only stops a unit whose
     * keys change from one run to the next.
     */
    private static final int MAX_RUNS = 200;

    /** Thrown through a unit that asked for work not done yet: the store rolls it back, does the work, runs it again. */
    static final class Stop extends RuntimeException {
        Stop() {
            super("the unit of work stopped for work outside the store's writer", null, false, false);
        }
    }

    private record Done(OutsideWork<Object> work, Object result, RuntimeException failure) {
    }

    /** Work done, by key, in the order it was done. */
    private final Map<String, Done> done = new LinkedHashMap<>();
    /** Work the current run asked for and that is not done yet, in the order asked. */
    private final List<OutsideWork<?>> pending = new ArrayList<>();
    private final Set<String> pendingKeys = new HashSet<>();
    /** Keys the current run asked for. */
    private final Set<String> asked = new HashSet<>();
    private int runs;

    /**
     * Work that joins the transaction, done in the current run (by key): it is done once per run, inside the unit,
     * and a run that is rolled back takes it back with it.
     */
    private final Map<String, Object> inlineDone = new HashMap<>();

    private Object inline(OutsideWork<?> work) {
        if (inlineDone.containsKey(work.key())) {
            return inlineDone.get(work.key());
        }
        Object result = work.run();
        inlineDone.put(work.key(), result);
        return result;
    }

    /** Before each run of the unit. */
    void beginRun() {
        inlineDone.clear();
        pending.clear();
        pendingKeys.clear();
        asked.clear();
    }

    /** Whether the current run asked for work not done yet: its outcome does not count, it runs again. */
    boolean stopped() {
        return !pending.isEmpty();
    }

    @SuppressWarnings("unchecked")
    <T> T ask(OutsideWork<T> work) {
        if (work.joinsTransaction()) {
            return (T) inline(work);
        }
        ask(List.of(work));
        return (T) done.get(work.key()).result();
    }

    void ask(List<? extends OutsideWork<?>> works) {
        // work that joins the transaction is done here, in the unit; only the rest waits for the caller's thread
        List<OutsideWork<?>> outside = new ArrayList<>(works.size());
        for (OutsideWork<?> w : works) {
            if (w.joinsTransaction()) {
                inline(w);
            } else {
                outside.add(w);
            }
        }
        boolean missing = false;
        for (OutsideWork<?> w : outside) {
            asked.add(w.key());
            Done d = done.get(w.key());
            if (d == null) {
                missing = true;
                if (pendingKeys.add(w.key())) {
                    pending.add(w);
                }
            } else if (d.failure() != null && !missing) {
                throw d.failure(); // the works after it were not done: they are not wanted any more
            }
        }
        if (missing) {
            throw new Stop();
        }
    }

    /** Does the work the last run asked for, in order, until one fails; on the caller's thread, between runs. */
    @SuppressWarnings("unchecked")
    void runPending() {
        if (++runs >= MAX_RUNS) {
            throw new StoreException("a unit of work asked for new outside work in " + MAX_RUNS + " runs", null);
        }
        for (OutsideWork<?> w : pending) {
            OutsideWork<Object> work = (OutsideWork<Object>) w;
            Object result;
            try {
                result = work.run();
            } catch (RuntimeException e) {
                done.put(work.key(), new Done(work, null, e));
                break;
            }
            done.put(work.key(), new Done(work, result, null));
        }
        pending.clear();
        pendingKeys.clear();
    }

    /** The write committed: undoes work its last run no longer asked for. */
    void committed() {
        undo(false);
    }

    /** The write failed: undoes all the work done for it, the latest first. */
    void failed() {
        undo(true);
    }

    private void undo(boolean all) {
        List<Done> list = new ArrayList<>(done.values());
        for (int i = list.size() - 1; i >= 0; i--) {
            Done d = list.get(i);
            if (d.failure() != null || (!all && asked.contains(d.work().key()))) {
                continue;
            }
            try {
                d.work().undo(d.result());
            } catch (RuntimeException e) {
                LOG.warn("undoing outside work {} failed: {}", d.work().key(), e.toString());
            }
        }
        done.clear();
    }
}

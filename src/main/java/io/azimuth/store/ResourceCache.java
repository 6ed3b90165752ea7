package io.azimuth.store;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Values derived from stored resource documents, by resource key (e.g. the bytes a GET answers), held in memory so
 * that a read can be answered without the store and without blocking. What a value is belongs to whoever derives
 * it; the store owns the cache and keeps it true to what is committed.
 *
 * <p><b>Reading.</b> {@link #get} answers a value or null, at once. On null the reader takes a {@link #token} for
 * the key <em>before</em> its read transaction, reads and derives, and {@link #offer}s the value with that token;
 * the cache keeps it only if nothing that could have changed the key happened since the token was taken.
 *
 * <p><b>Writing.</b> A store's writer records what each write changes in a {@link Batch}: {@link Batch#touch} for
 * a resource put or deleted (a resource group's rows one by one), {@link Batch#touchAll} for all rows (a reset). A
 * touch is made <em>before</em> the change commits (as the change is made) and {@link Batch#settle} once the
 * transaction has committed or failed, before any caller whose change it carried is answered.
 *
 * <p><b>Filled by writes.</b> For a type with a {@link Deriver} ({@link #deriveFor}), the batch also records each
 * document written ({@link Batch#written}, {@link Batch#deleted}) and, once committed and settled,
 * {@link Batch#install}s the value derived from the last document of each key: what a unit rolled back, a later delete,
 * or a {@link Batch#touchAll} removed is not installed. Only the writer marks keys, so nothing newer than these
 * documents can exist when they are installed.
 *
 * <p><b>Why no stale value is ever answered.</b> Keys are spread over stripes; each stripe has a counter holding a
 * version (high bits) and the number of touches not yet settled (low bits), and one more counter covers the whole
 * cache. A touch adds a pending mark to its key's stripe and removes the key's value; settling takes the mark away
 * and bumps the version. So:
 * <ol>
 * <li>While a change to a key is in flight (touched, not yet settled; its commit falls in this window), {@link #get}
 * answers nothing for any key of its stripe, and {@link #offer} keeps nothing for them: readers go to the store.
 * A token taken while a mark is pending is worthless.</li>
 * <li>A value is kept only if the stripe's and the cache's counters are, inside {@link ConcurrentHashMap#compute}
 * for the key, what they were when the token was taken, with no mark pending. The token came before the read
 * transaction began, and at that moment every change marked earlier had settled, so had committed: the read saw
 * them all. A change marked later made the check fail, unless the check came first, in which case the whole
 * {@code compute} (check and insert, atomic for that key) came before that change's removal of the key, which
 * then took the value out, still before the change's commit.</li>
 * <li>Hence a value in the map is the key's committed document (derived) at every instant at which neither its
 * stripe nor the cache has a mark pending. {@link #get} reads the counters before the map: what it answers was
 * current when it read them (or is newer), and that was after the request began. So a GET begun after a write was
 * acknowledged (marked, committed and settled by then) answers that write's document or a newer one, or nothing.
 * The mark coming before the commit also means that no GET answers the old document from memory once another has
 * read the new one from the store.</li>
 * <li>{@link Batch#touchAll} replaces the whole map (a new generation) instead of removing keys one by one: an
 * offer whose check came before the mark lands, at worst, in the old map, which nobody reads any more.</li>
 * </ol>
 * Touches of a unit that is rolled back are settled like the others (harmless: the value is read again). A write
 * whose settle never happens (the writer died) leaves its stripes marked: their keys are never cached again,
 * never answered stale. Marks are counted, so batches of several writers may be in flight at once.
 * A read made inside a write (seeing that write's uncommitted changes) may offer too: whatever the write changed
 * it has touched, so the offer is refused or the touch removes it.
 *
 * <p><b>Memory.</b> Entries are weighed (value bytes as offered, key, bookkeeping); past the budget, entries are
 * evicted by a clock hand over the map (one recently used is passed over once), down to 63/64 of it (a few hundred
 * entries at a time, so that no request waits long for it). Empty, the cache holds its counters only.
 */
public final class ResourceCache {
    /**
     * The default budget: a thirty-second of the most heap the JVM may take, between 4 and 64 MiB (about 85,000 image
     * documents of 500 bytes with their ids at most; 5,500 under {@code -Xmx128m}).
     */
    public static long defaultBudgetBytes() {
        return Math.max(4L << 20, Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 32));
    }
    /**
     * What an entry costs beyond its value's bytes and its key's characters (compressed references): map node 32,
     * entry 40, key string 24 and its array's header 16, the value array's header 16, a share of the map's table 8.
     */
    static final int ENTRY_OVERHEAD = 136;
    /** A value is not kept when it would take more than this part of the budget. */
    private static final int LARGEST_PART = 16;
    private static final int STRIPES = 4096;
    private static final int PENDING_BITS = 24;
    private static final long PENDING = (1L << PENDING_BITS) - 1;
    private static final long VERSION = 1L << PENDING_BITS;

    /** A cache that keeps nothing, for stores that have none. */
    public static final ResourceCache NONE = new ResourceCache(0);

    private final long budget;
    private final AtomicLongArray stripes;
    private final AtomicLong all = new AtomicLong();
    private volatile Generation generation = new Generation();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    /** By resource type (as stored: lower case), how the writer derives the value of a document it commits. */
    private final Map<String, Deriver> derivers = new ConcurrentHashMap<>();

    /** Derives the value kept for a resource from its stored document; null: nothing to keep. */
    @FunctionalInterface
    public interface Deriver {
        Derived derive(String body);
    }

    /** A value derived from a document: see {@link #offer} for {@code bytes} and {@code validUntil}. */
    public record Derived(Object value, long bytes, long validUntil) {
    }

    /**
     * Has the writer derive, from every document of a resource of {@code type} (lower case, as stored) that it
     * commits, the value kept for it, and keep it as soon as the commit is settled (before the write is
     * acknowledged): so that what was just written is answered without the store, and a cache never read from
     * is filled by writes alone. The deriver runs on the writer thread: it must be quick and must not use the store.
     */
    public void deriveFor(String type, Deriver deriver) {
        if (budget > 0) {
            derivers.put(type, deriver);
        }
    }

    public ResourceCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("a budget is not negative");
        }
        this.budget = budgetBytes;
        this.stripes = new AtomicLongArray(budgetBytes == 0 ? 1 : STRIPES);
    }

    /** What a reader has seen of the counters before its read: see {@link #token} and {@link #offer}. */
    public static final class Token {
        static final Token NEVER = new Token(PENDING, PENDING);
        final long all;
        final long stripe;

        Token(long all, long stripe) {
            this.all = all;
            this.stripe = stripe;
        }

        boolean usable() {
            return ((all | stripe) & PENDING) == 0;
        }
    }

    /** A value kept, with its weight and the time (epoch milliseconds) from which it may no longer be answered. */
    private static final class Entry {
        final Object value;
        final long weight;
        final long validUntil;
        /** Answered since the clock hand last passed it. Racy on purpose: a hint. */
        boolean used;

        Entry(Object value, long weight, long validUntil) {
            this.value = value;
            this.weight = weight;
            this.validUntil = validUntil;
        }
    }

    /** The map and its accounting; replaced whole by {@link Batch#touchAll}. */
    private static final class Generation {
        final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
        final AtomicLong bytes = new AtomicLong();
        final ReentrantLock evicting = new ReentrantLock();
        /** The clock hand (guarded by {@link #evicting}); a weakly consistent iterator, restarted at its end. */
        Iterator<Map.Entry<String, Entry>> hand;

        void remove(String key) {
            Entry gone = map.remove(key);
            if (gone != null) {
                bytes.addAndGet(-gone.weight);
            }
        }
    }

    /** The stripe of a key (its counter); package-private for tests. */
    int stripe(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (stripes.length() - 1);
    }

    /**
     * The value kept for {@code key}, or null (nothing kept, or a change to it or near it in flight). Never blocks:
     * for the event loop.
     */
    public Object get(String key) {
        if (budget == 0) {
            return null;
        }
        // the counters first, then the map: see the class comment (3.)
        if (((all.get() | stripes.get(stripe(key))) & PENDING) != 0) {
            misses.increment();
            return null;
        }
        Entry e = generation.map.get(key);
        if (e == null || e.validUntil != Long.MAX_VALUE && e.validUntil <= System.currentTimeMillis()) {
            misses.increment();
            return null;
        }
        if (!e.used) {
            e.used = true;
        }
        hits.increment();
        return e.value;
    }

    /** Taken before the read transaction whose result will be {@link #offer}ed. */
    public Token token(String key) {
        if (budget == 0) {
            return Token.NEVER;
        }
        long a = all.get();
        long s = stripes.get(stripe(key));
        return ((a | s) & PENDING) != 0 ? Token.NEVER : new Token(a, s);
    }

    /**
     * Keeps {@code value}, derived from what a read begun after {@code token} was taken found for {@code key},
     * unless something may have changed the key since. {@code bytes}: what the value takes in memory;
     * {@code validUntil}: when it stops being what a read would derive even without a change (epoch milliseconds),
     * {@link Long#MAX_VALUE} for never.
     */
    public void offer(String key, Token token, Object value, long bytes, long validUntil) {
        if (budget == 0 || !token.usable() || value == null) {
            return;
        }
        long weight = bytes + key.length() + ENTRY_OVERHEAD;
        if (weight > budget / LARGEST_PART
                || validUntil != Long.MAX_VALUE && validUntil <= System.currentTimeMillis()) {
            return;
        }
        int s = stripe(key);
        Entry fresh = new Entry(value, weight, validUntil);
        Generation g = generation;
        g.map.compute(key, (k, old) -> {
            // atomic for this key with a writer's removal of it: see the class comment (2.)
            if (all.get() != token.all || stripes.get(s) != token.stripe) {
                return old;
            }
            g.bytes.addAndGet(old == null ? weight : weight - old.weight);
            return fresh;
        });
        if (g.bytes.get() > budget) {
            evict(g);
        }
    }

    /** Evicts down to 63/64 of the budget: a clock hand over the map, passing once over entries used since. */
    private void evict(Generation g) {
        if (!g.evicting.tryLock()) {
            return; // another thread is at it
        }
        try {
            long target = budget - budget / 64;
            long steps = 2L * g.map.size() + 16;
            while (g.bytes.get() > target && steps-- > 0) {
                if (g.hand == null || !g.hand.hasNext()) {
                    g.hand = g.map.entrySet().iterator();
                    if (!g.hand.hasNext()) {
                        return;
                    }
                }
                Map.Entry<String, Entry> at = g.hand.next();
                Entry e = at.getValue();
                if (e.used) {
                    e.used = false;
                } else if (g.map.remove(at.getKey(), e)) {
                    g.bytes.addAndGet(-e.weight);
                }
            }
        } finally {
            g.evicting.unlock();
        }
    }

    /**
     * Keeps a value derived by the writer from what it has just committed, once the commit's marks are settled
     * (see {@link Batch#install}): no check against a token, as nothing newer can exist.
     */
    private void keep(String key, Derived derived) {
        if (derived == null || derived.value() == null) {
            return;
        }
        long weight = derived.bytes() + key.length() + ENTRY_OVERHEAD;
        long until = derived.validUntil();
        if (weight > budget / LARGEST_PART || until != Long.MAX_VALUE && until <= System.currentTimeMillis()) {
            return;
        }
        Entry fresh = new Entry(derived.value(), weight, until);
        Generation g = generation;
        Entry old = g.map.put(key, fresh);
        g.bytes.addAndGet(old == null ? weight : weight - old.weight);
        if (g.bytes.get() > budget) {
            evict(g);
        }
    }

    /** The changes of one write (one transaction), made by one thread: see the class comment. */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {
        private int[] touched = new int[16];
        private int count;
        private int wide;
        /**
         * The documents written in this transaction, in order, as key, type and body triples (a null body: the
         * resource was deleted), for types that have a {@link Deriver}; see {@link #install}.
         */
        private final java.util.ArrayList<Object> written = new java.util.ArrayList<>();
        /** Where in {@link #written} the unit being run began. */
        private int unitStart;

        private Batch() {
        }

        /** A unit of work (a savepoint) begins: what it writes is dropped if it is rolled back. */
        public void beginUnit() {
            unitStart = written.size();
        }

        /** The unit begun last was rolled back to its savepoint: what it wrote will not be installed. */
        public void rollbackUnit() {
            int keep = Math.min(unitStart, written.size());
            written.subList(keep, written.size()).clear();
        }

        /** After {@link #touch}: the resource {@code key} of {@code type} now has the document {@code body}. */
        public void written(String key, String type, String body) {
            if (budget == 0 || derivers.isEmpty() || !derivers.containsKey(type)) {
                return;
            }
            written.add(key);
            written.add(type);
            written.add(body);
        }

        /**
         * After {@link #touch}: the resource {@code key} of {@code type} now has a document whose value the writer of
         * the document derived already ({@link StoreTx#putResource(StoredResource, Derived)}): kept as it is.
         */
        public void written(String key, String type, Derived derived) {
            if (budget == 0) {
                return;
            }
            written.add(key);
            written.add(type);
            written.add(derived);
        }

        /** After {@link #touch}: the resource {@code key} was deleted (a value written before it must not be kept). */
        public void deleted(String key) {
            if (!written.isEmpty()) {
                written.add(key);
                written.add(null);
                written.add(null);
            }
        }

        /** The transaction failed: nothing it wrote is to be installed. */
        public void dropWritten() {
            written.clear();
            unitStart = 0;
        }

        /**
         * Once the transaction has committed and {@link #settle} has run, before anyone whose change it carried is
         * answered: keeps the value derived from the last document written to each key (none for a key deleted
         * last). Only the writer marks keys, so nothing newer than these documents can exist yet.
         */
        public void install() {
            if (written.isEmpty()) {
                return;
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = written.size() - 3; i >= 0; i -= 3) {
                String key = (String) written.get(i);
                if (!seen.add(key)) {
                    continue;
                }
                Object document = written.get(i + 2);
                if (document instanceof Derived derived) {
                    keep(key, derived);
                    continue;
                }
                String body = (String) document;
                Deriver deriver = body == null ? null : derivers.get((String) written.get(i + 1));
                if (deriver != null) {
                    try {
                        keep(key, deriver.derive(body));
                    } catch (RuntimeException e) {
                        // not kept: a read derives it again, and reports whatever is wrong with it
                    }
                }
            }
            dropWritten();
        }

        /** Before a change to the resource {@code key} (put or delete) is made in the transaction. */
        public void touch(String key) {
            if (budget == 0) {
                return;
            }
            int s = stripe(key);
            stripes.addAndGet(s, 1); // the mark first, then the removal: see the class comment (2.)
            generation.remove(key);
            if (count == touched.length) {
                touched = java.util.Arrays.copyOf(touched, count * 2);
            }
            touched[count++] = s;
        }

        /** Before a change to resources of unknown keys (a resource group's, all of them) is made. */
        public void touchAll() {
            if (budget == 0) {
                return;
            }
            all.addAndGet(1);
            generation = new Generation();
            wide++;
            written.clear(); // documents written before may be gone now: none is installed
            unitStart = 0;
        }

        /**
         * Once the transaction has committed (or failed), before anyone whose change it carried is answered. Takes
         * the marks away; a second call does nothing.
         */
        public void settle() {
            for (int i = 0; i < count; i++) {
                stripes.addAndGet(touched[i], VERSION - 1);
            }
            count = 0;
            for (; wide > 0; wide--) {
                all.addAndGet(VERSION - 1);
            }
        }
    }

    /** What the cache holds and how often it answered. */
    public record Stats(long entries, long bytes, long budgetBytes, long hits, long misses) {
    }

    public Stats stats() {
        Generation g = generation;
        return new Stats(g.map.size(), g.bytes.get(), budget, hits.sum(), misses.sum());
    }
}

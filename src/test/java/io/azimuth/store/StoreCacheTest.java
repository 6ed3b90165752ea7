package io.azimuth.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store keeps its resource cache true: every change to resource rows is marked in it before it commits and
 * settled after, whatever becomes of the unit or the batch, on disk and in memory alike.
 */
class StoreCacheTest {
    private static final String SUB = "s";
    private static final String TYPE = "microsoft.compute/images";

    @TempDir
    Path dir;

    private List<SqliteStore> stores() {
        return List.of(SqliteStore.open(dir.resolve("cache-" + System.nanoTime() + ".db")), SqliteStore.inMemory());
    }

    private static StoredResource row(String group, String name, String body) {
        String id = "/subscriptions/s/resourceGroups/" + group + "/providers/Microsoft.Compute/images/" + name;
        return new StoredResource(id.toLowerCase(), id, SUB, group.toLowerCase(), TYPE, name, body, 1, 1);
    }

    private static String key(String group, String name) {
        return row(group, name, "").key();
    }

    private static void put(Store store, String group, String name, String body) {
        store.write(tx -> {
            tx.putResource(row(group, name, body));
            return null;
        });
    }

    /** A GET's way: the cache, else a token, the read, and the offer. */
    private static String cachedRead(Store store, String key) {
        ResourceCache cache = store.resourceCache();
        if (cache.get(key) instanceof String hit) {
            return hit;
        }
        ResourceCache.Token token = cache.token(key);
        Optional<String> body = store.read(tx -> tx.resourceBody(key));
        body.ifPresent(b -> cache.offer(key, token, b, b.length(), Long.MAX_VALUE));
        return body.orElse(null);
    }

    @Test
    void aChangeIsMarkedBeforeItCommitsAndSettledBeforeItsWriterReturns() {
        for (SqliteStore store : stores()) {
            try (store) {
                ResourceCache cache = store.resourceCache();
                String k = key("g", "i1");
                put(store, "g", "i1", "{\"v\":1}");
                assertThat(cachedRead(store, k)).isEqualTo("{\"v\":1}");
                assertThat(cache.get(k)).as("kept").isEqualTo("{\"v\":1}");
                ResourceCache.Token before = cache.token(k);
                List<Object> seenInTheUnit = new ArrayList<>();
                store.write(tx -> {
                    tx.putResource(row("g", "i1", "{\"v\":2}"));
                    // not committed yet: the old value is gone and nothing of the key is answered
                    seenInTheUnit.add(String.valueOf(cache.get(k)));
                    return null;
                });
                assertThat(seenInTheUnit).containsExactly("null");
                assertThat(cache.get(k)).isNull();
                cache.offer(k, before, "{\"v\":1}", 7, Long.MAX_VALUE); // a read that began before the write
                assertThat(cache.get(k)).isNull();
                assertThat(cachedRead(store, k)).isEqualTo("{\"v\":2}");
                assertThat(cache.get(k)).as("settled: kept again").isEqualTo("{\"v\":2}");
            }
        }
    }

    @Test
    void deletesOfOneResourceOfAGroupAndOfEverythingEmptyWhatTheyChange() {
        for (SqliteStore store : stores()) {
            try (store) {
                ResourceCache cache = store.resourceCache();
                put(store, "g1", "a", "{\"a\":1}");
                put(store, "g1", "b", "{\"b\":1}");
                put(store, "g2", "c", "{\"c\":1}");
                for (String k : List.of(key("g1", "a"), key("g1", "b"), key("g2", "c"))) {
                    cachedRead(store, k);
                }
                ResourceCache.Token before = cache.token(key("g1", "a"));
                assertThat(store.<Boolean>write(tx -> tx.deleteResource(key("g1", "a")))).isTrue();
                assertThat(cache.get(key("g1", "a"))).isNull();
                cache.offer(key("g1", "a"), before, "{\"a\":1}", 7, Long.MAX_VALUE);
                assertThat(cachedRead(store, key("g1", "a"))).isNull();
                assertThat(cache.get(key("g1", "b"))).isEqualTo("{\"b\":1}");

                ResourceCache.Token beforeGroup = cache.token(key("g1", "b"));
                assertThat(store.<Integer>write(tx -> tx.deleteResourceGroup(SUB, "g1"))).isEqualTo(1);
                assertThat(cache.get(key("g1", "b"))).isNull();
                cache.offer(key("g1", "b"), beforeGroup, "{\"b\":1}", 7, Long.MAX_VALUE);
                assertThat(cachedRead(store, key("g1", "b"))).isNull();
                assertThat(cachedRead(store, key("g2", "c"))).isEqualTo("{\"c\":1}");
                assertThat(cache.get(key("g2", "c"))).isEqualTo("{\"c\":1}");

                ResourceCache.Token beforeReset = cache.token(key("g2", "c"));
                store.reset();
                assertThat(cache.get(key("g2", "c"))).isNull();
                assertThat(cache.stats().entries()).isZero();
                cache.offer(key("g2", "c"), beforeReset, "{\"c\":1}", 7, Long.MAX_VALUE);
                assertThat(cachedRead(store, key("g2", "c"))).isNull();
                put(store, "g2", "c", "{\"c\":2}");
                assertThat(cachedRead(store, key("g2", "c"))).isEqualTo("{\"c\":2}");
                assertThat(cache.get(key("g2", "c"))).isEqualTo("{\"c\":2}");
            }
        }
    }

    /** A unit rolled back still invalidates (harmless), and the marks of its batch are settled all the same. */
    @Test
    void aUnitThatFailsLeavesTheCacheWorking() {
        for (SqliteStore store : stores()) {
            try (store) {
                ResourceCache cache = store.resourceCache();
                String k = key("g", "i1");
                put(store, "g", "i1", "{\"v\":1}");
                cachedRead(store, k);
                assertThatThrownBy(() -> store.write(tx -> {
                    tx.putResource(row("g", "i1", "{\"v\":2}"));
                    throw new IllegalStateException("refused half-way");
                })).hasMessageContaining("half-way");
                assertThat(cache.get(k)).isNull();
                // the caller of a unit that failed is released at once, its batch settled when it ends: before the
                // next batch
                put(store, "g", "i2", "{}");
                assertThat(cachedRead(store, k)).isEqualTo("{\"v\":1}");
                assertThat(cache.get(k)).isEqualTo("{\"v\":1}");
            }
        }
    }

    @Test
    void resourcesChangeOnlyInWrites() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            assertThatThrownBy(() -> store.read(tx -> {
                tx.putResource(row("g", "i1", "{}"));
                return null;
            })).isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * One writer changing one key over and over while readers read it through the cache: once a write has returned,
     * no read begun after it answers an older version.
     */
    @Test
    void readersNeverSeeAVersionOlderThanTheLastAcknowledgedWrite() throws Exception {
        for (SqliteStore store : stores()) {
            try (store) {
                String k = key("g", "hot");
                put(store, "g", "hot", "0");
                AtomicLong acknowledged = new AtomicLong();
                AtomicBoolean done = new AtomicBoolean();
                Queue<String> stale = new ConcurrentLinkedQueue<>();
                AtomicInteger reads = new AtomicInteger();
                List<Thread> readers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Thread t = new Thread(() -> {
                        while (!done.get()) {
                            long floor = acknowledged.get();
                            long seen = Long.parseLong(cachedRead(store, k));
                            reads.incrementAndGet();
                            if (seen < floor) {
                                stale.add("read " + seen + " after " + floor + " was acknowledged");
                            }
                        }
                    });
                    t.start();
                    readers.add(t);
                }
                Thread other = new Thread(() -> {
                    for (int n = 0; !done.get(); n++) {
                        put(store, "g", "other-" + (n % 50), String.valueOf(n)); // batches with other units
                    }
                });
                other.start();
                long deadline = System.nanoTime() + 1_500_000_000L;
                for (long v = 1; v <= 3000 && System.nanoTime() < deadline; v++) {
                    put(store, "g", "hot", String.valueOf(v));
                    acknowledged.set(v);
                }
                done.set(true);
                for (Thread t : readers) {
                    t.join();
                }
                other.join();
                assertThat(stale).as(store.description()).isEmpty();
                assertThat(reads.get()).isGreaterThan(100);
                assertThat(store.resourceCache().stats().hits()).as("the cache answered some").isPositive();
            }
        }
    }

    /** A deriver for the tests' type: the value kept is the body, marked, so that it is told apart from an offer. */
    private static void deriveWritten(Store store) {
        store.resourceCache().deriveFor(TYPE, body -> body.contains("underivable") ? null
                : new ResourceCache.Derived("derived:" + body, body.length(), Long.MAX_VALUE));
    }

    @Test
    void whatAWriteCommitsIsKeptBeforeTheWriteReturns() {
        for (SqliteStore store : stores()) {
            try (store) {
                deriveWritten(store);
                ResourceCache cache = store.resourceCache();
                String k = key("g", "w1");
                List<Object> seenInTheUnit = new ArrayList<>();
                store.write(tx -> {
                    tx.putResource(row("g", "w1", "{\"v\":1}"));
                    tx.putResource(row("g", "w1", "{\"v\":2}"));
                    seenInTheUnit.add(String.valueOf(cache.get(k)));
                    return null;
                });
                assertThat(seenInTheUnit).as("nothing before the commit").containsExactly("null");
                assertThat(cache.get(k)).as("the last document written, with no read").isEqualTo("derived:{\"v\":2}");
                put(store, "g", "w1", "{\"v\":3}");
                assertThat(cache.get(k)).isEqualTo("derived:{\"v\":3}");
                put(store, "g", "w2", "{\"underivable\":1}");
                assertThat(cache.get(key("g", "w2"))).as("a deriver may keep nothing").isNull();
                store.write(tx -> {
                    tx.putResource(row("g", "w1", "{\"v\":4}"));
                    tx.deleteResource(k);
                    return null;
                });
                assertThat(cache.get(k)).as("deleted after it was written: nothing kept").isNull();
                assertThat(cachedRead(store, k)).isNull();
            }
        }
    }

    @Test
    void aUnitRolledBackOrAGroupDeletedAfterAWriteKeepsNothingOfIt() throws Exception {
        for (SqliteStore store : stores()) {
            try (store) {
                deriveWritten(store);
                ResourceCache cache = store.resourceCache();
                put(store, "g", "r1", "{\"v\":1}");
                assertThatThrownBy(() -> store.write(tx -> {
                    tx.putResource(row("g", "r1", "{\"v\":2}"));
                    throw new IllegalStateException("refused");
                })).hasMessage("refused");
                assertThat(cache.get(key("g", "r1"))).as("the rolled-back unit's mark took the kept value out")
                        .isNull();
                assertThat(cachedRead(store, key("g", "r1"))).isEqualTo("{\"v\":1}");

                // many writers at once, so that units share batches: a refused unit's document is never kept
                List<Thread> threads = new ArrayList<>();
                Queue<String> wrong = new ConcurrentLinkedQueue<>();
                for (int t = 0; t < 8; t++) {
                    int n = t;
                    Thread th = new Thread(() -> {
                        for (int i = 0; i < 50; i++) {
                            String name = "b" + n;
                            put(store, "g", name, "{\"ok\":" + i + "}");
                            try {
                                store.write(tx -> {
                                    tx.putResource(row("g", name, "{\"refused\":true}"));
                                    throw new IllegalStateException("refused");
                                });
                            } catch (IllegalStateException expected) {
                                // the unit is rolled back
                            }
                            Object kept = cache.get(key("g", name));
                            if (kept != null && !kept.equals("derived:{\"ok\":" + i + "}")) {
                                wrong.add(name + " kept " + kept + " after ok " + i);
                            }
                        }
                    });
                    th.start();
                    threads.add(th);
                }
                for (Thread th : threads) {
                    th.join();
                }
                assertThat(wrong).isEmpty();
                // the refused unit's mark took the kept value out (read again on the next GET)
                assertThat(cache.get(key("g", "b0"))).isNull();
                assertThat(cachedRead(store, key("g", "b0"))).isEqualTo("{\"ok\":49}");

                put(store, "other", "kept", "{\"v\":1}");
                assertThat(cache.get(key("other", "kept"))).isEqualTo("derived:{\"v\":1}");
                store.write(tx -> {
                    tx.putResource(row("g", "gone", "{\"v\":1}"));
                    tx.deleteResourceGroup(SUB, "g");
                    return null;
                });
                assertThat(cache.get(key("g", "gone"))).as("written, then its group deleted").isNull();
                assertThat(cache.get(key("other", "kept"))).as("another group's answer stays")
                        .isEqualTo("derived:{\"v\":1}");
                assertThat(cache.stats().entries()).isOne();
            }
        }
    }
}

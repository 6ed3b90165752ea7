package io.azimuth.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteStoreTest {
    @TempDir
    Path dir;

    private static StoredResource row(String group, String name) {
        String id = "/subscriptions/s/resourceGroups/" + group + "/providers/Microsoft.Compute/images/" + name;
        return new StoredResource(id.toLowerCase(), id, "s", group.toLowerCase(), "microsoft.compute/images", name,
                "{}", 1, 1);
    }

    @Test
    void writesSurviveReopeningAndMigrationsRunOnce() {
        try (SqliteStore store = SqliteStore.open(dir.resolve("a.db"))) {
            store.write(tx -> {
                tx.putResource(row("g", "i1"));
                return null;
            });
        }
        try (SqliteStore store = SqliteStore.open(dir.resolve("a.db"))) {
            assertThat(store.<java.util.Optional<StoredResource>>read(tx -> tx.resource(row("g", "i1").key()))).isPresent();
        }
    }

    @Test
    void aFailedUnitOfWorkLeavesNothingBehind() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            assertThatThrownBy(() -> store.write(tx -> {
                tx.putResource(row("g", "i1"));
                throw new IllegalStateException("refused half-way");
            })).hasMessageContaining("half-way");
            assertThat(store.<java.util.Optional<StoredResource>>read(tx -> tx.resource(row("g", "i1").key()))).isEmpty();
        }
    }

    @Test
    void listsPageInKeyOrderWithinScope() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            store.write(tx -> {
                for (String n : List.of("c", "a", "b", "d")) {
                    tx.putResource(row("g1", n));
                }
                tx.putResource(row("g2", "e"));
                return null;
            });
            List<StoredResource> first = store.read(tx -> tx.listResources(
                    new ResourceQuery("s", "g1", "microsoft.compute/images", null, 2)));
            assertThat(first).extracting(StoredResource::name).containsExactly("a", "b");
            List<StoredResource> rest = store.read(tx -> tx.listResources(
                    new ResourceQuery("s", "g1", "microsoft.compute/images", first.get(1).key(), 10)));
            assertThat(rest).extracting(StoredResource::name).containsExactly("c", "d");
            assertThat(store.<List<StoredResource>>read(tx -> tx.listResources(new ResourceQuery("s", null, "microsoft.compute/images",
                    null, 10)))).hasSize(5);
        }
    }

    @Test
    void deletingAGroupTakesEverythingInItAndNothingElse() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            store.write(tx -> {
                tx.putResource(row("g1", "a"));
                tx.putResource(row("g1", "b"));
                tx.putResource(row("g2", "c"));
                return null;
            });
            int deleted = store.write(tx -> tx.deleteResourceGroup("s", "g1"));
            assertThat(deleted).isEqualTo(2);
            assertThat(store.<java.util.Optional<StoredResource>>read(tx -> tx.resource(row("g2", "c").key()))).isPresent();
        }
    }

    @Test
    void operationsRoundTripAndEnd() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            StoredOperation op = new StoredOperation("op1", "s", "Microsoft.Compute", "westus", "k", "/t",
                    StoredOperation.IN_PROGRESS, 10, null, 20, "{}", null, 202, null, "2025-04-01");
            store.write(tx -> {
                tx.putOperation(op);
                return null;
            });
            assertThat(store.<List<StoredOperation>>read(StoreTx::operationsInProgress)).containsExactly(op);
            assertThat(store.<java.util.Optional<StoredOperation>>read(tx -> tx.operationInProgress("/t", "k"))).contains(op);
            store.write(tx -> {
                tx.putOperation(op.succeeded(30, 200, "{\"a\":1}"));
                return null;
            });
            assertThat(store.<List<StoredOperation>>read(StoreTx::operationsInProgress)).isEmpty();
            StoredOperation ended = store.read(tx -> tx.operation("op1")).orElseThrow();
            assertThat(ended.status()).isEqualTo(StoredOperation.SUCCEEDED);
            assertThat(ended.endTime()).isEqualTo(30L);
            assertThat(ended.result()).isEqualTo("{\"a\":1}");
            int forgotten = store.write(tx -> tx.deleteOperationsEndedBefore(31));
            assertThat(forgotten).isEqualTo(1);
        }
    }

    /**
     * Many writers at once (their units committed together): each sees the units before it, a unit that throws is
     * rolled back alone, every other unit is there once its write returned, and readers meanwhile see only what
     * was committed, on disk and in memory alike.
     */
    @Test
    void concurrentWritesAreEachAllOrNothingAndVisibleOnceAcknowledged() throws Exception {
        for (SqliteStore store : List.of(SqliteStore.open(dir.resolve("c.db")), SqliteStore.inMemory())) {
            try (store) {
                store.write(tx -> {
                    tx.putResource(counter(0));
                    return null;
                });
                int threads = 16;
                int each = 50;
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads + 2);
                java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
                List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
                java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            String name = "t" + thread + "-" + i;
                            boolean refuse = i % 5 == 4;
                            try {
                                store.write(tx -> {
                                    // read-modify-write of one shared row: lost updates would show in the count
                                    int n = Integer.parseInt(tx.resource(counter(0).key()).orElseThrow().body());
                                    tx.putResource(row("g", name));
                                    if (refuse) {
                                        throw new IllegalArgumentException("refused " + name);
                                    }
                                    tx.putResource(counter(n + 1));
                                    return null;
                                });
                                acknowledged.add(name);
                                assertThat(store.<java.util.Optional<StoredResource>>read(tx -> tx.resource(
                                        row("g", name).key()))).as("read after its write").isPresent();
                            } catch (IllegalArgumentException e) {
                                assertThat(refuse).isTrue();
                            }
                        }
                        return null;
                    }));
                }
                for (int r = 0; r < 2; r++) {
                    futures.add(pool.submit(() -> {
                        while (writing.get()) {
                            store.read(tx -> {
                                int n = Integer.parseInt(tx.resource(counter(0).key()).orElseThrow().body());
                                List<StoredResource> rows = tx.listResources(new ResourceQuery("s", "g",
                                        "microsoft.compute/images", null, 10_000));
                                // one snapshot: exactly the rows committed with the count
                                assertThat(rows.size() - 1).isEqualTo(n);
                                return null;
                            });
                        }
                        return null;
                    }));
                }
                for (int t = 0; t < threads; t++) {
                    futures.get(t).get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                writing.set(false);
                for (java.util.concurrent.Future<?> f : futures) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                pool.shutdown();
                int expected = threads * (each - each / 5);
                assertThat(acknowledged).hasSize(expected);
                List<StoredResource> rows = store.read(tx -> tx.listResources(new ResourceQuery("s", "g",
                        "microsoft.compute/images", null, 10_000)));
                assertThat(rows).extracting(StoredResource::name).filteredOn(n -> n.startsWith("t"))
                        .containsExactlyInAnyOrderElementsOf(acknowledged);
                assertThat(store.<String>read(tx -> tx.resource(counter(0).key()).orElseThrow().body()))
                        .isEqualTo(String.valueOf(expected));
            }
        }
    }

    /**
     * Readers that never pause must not starve the writer: on a file store, writes one after another go at least
     * at a sixth of their pace alone while 32 threads list without pause (before the read gate they went at a
     * thirtieth on two cores), and the WAL stays bounded although no moment is free of readers (SQLite's own
     * checkpoints cannot restart it then). Both rates are measured in this run, so a busy machine slows both.
     */
    @Test
    void writesKeepTheirPaceBesideReadersThatNeverPause() throws Exception {
        Path file = dir.resolve("pressure.db");
        try (SqliteStore store = SqliteStore.open(file)) {
            for (int i = 0; i < 200; i++) {
                String name = "seed-" + i;
                store.write(tx -> {
                    tx.putResource(row("g", name));
                    return null;
                });
            }
            String big = "x".repeat(64 * 1024);
            double alone = 0;
            double loaded = 0;
            long walMax = 0;
            for (int attempt = 0; attempt == 0 || (attempt < 2 && loaded < alone / 6); attempt++) {
                alone = Math.max(alone, writesPerSecond(store, "alone" + attempt, 150, big));
                java.util.concurrent.atomic.AtomicBoolean on = new java.util.concurrent.atomic.AtomicBoolean(true);
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
                List<java.util.concurrent.Future<?>> readers = new java.util.ArrayList<>();
                for (int r = 0; r < 32; r++) {
                    readers.add(pool.submit(() -> {
                        while (on.get()) {
                            store.read(tx -> tx.listResources(new ResourceQuery("s", "g",
                                    "microsoft.compute/images", null, 100)));
                        }
                        return null;
                    }));
                }
                try {
                    loaded = Math.max(loaded, writesPerSecond(store, "loaded" + attempt, 600, big));
                    walMax = Math.max(walMax, java.nio.file.Files.size(Path.of(file + "-wal")));
                } finally {
                    on.set(false);
                    for (java.util.concurrent.Future<?> f : readers) {
                        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    pool.shutdown();
                }
            }
            assertThat(loaded).as("writes/s beside 32 readers, against %.0f/s alone", alone)
                    .isGreaterThanOrEqualTo(alone / 6);
            // 600 writes of 64 KiB wrote about 40 MiB of pages through the WAL
            assertThat(walMax).as("WAL bytes after the loaded writes").isLessThan(32L << 20);
        }
    }

    private static double writesPerSecond(SqliteStore store, String prefix, int count, String body) {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            StoredResource r = row("w", prefix + "-" + i);
            StoredResource sized = new StoredResource(r.key(), r.id(), r.subscription(), r.resourceGroup(), r.type(),
                    r.name(), body, 1, 1);
            store.write(tx -> {
                tx.putResource(sized);
                return null;
            });
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Actions after a commit run once the unit's transaction has committed (before its caller is answered), also
     * when registered by a nested write; those of a unit that threw are dropped, and reads cannot register any.
     */
    @Test
    void actionsAfterACommitRunOnlyForUnitsThatCommitted() {
        try (SqliteStore store = SqliteStore.open(dir.resolve("after.db"))) {
            List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.write(tx -> {
                tx.putResource(row("g", "kept"));
                tx.afterCommit(() -> ran.add("outer: " + store.<Boolean>read(r -> r.resource(row("g", "kept").key())
                        .isPresent())));
                store.write(inner -> {
                    inner.afterCommit(() -> ran.add("nested"));
                    return null;
                });
                assertThat(ran).as("not before the commit").isEmpty();
                return null;
            });
            assertThat(ran).containsExactly("outer: true", "nested");

            ran.clear();
            assertThatThrownBy(() -> store.write(tx -> {
                tx.afterCommit(() -> ran.add("rolled back"));
                throw new IllegalStateException("refused");
            })).hasMessage("refused");
            assertThat(ran).isEmpty();
            assertThatThrownBy(() -> store.read(tx -> {
                tx.afterCommit(() -> ran.add("read"));
                return null;
            })).isInstanceOf(IllegalStateException.class);
        }
        try (SqliteStore memory = SqliteStore.inMemory()) {
            assertThatThrownBy(() -> memory.read(tx -> {
                tx.afterCommit(() -> { });
                return null;
            })).as("in memory reads share the write connection").isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void resetAlsoEmptiesTheBlobCatalog() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            store.write(tx -> {
                long content = tx.blobs().createContent(10, java.util.Map.of(0L, new BlobCatalog.Chunk("ab12", 10)));
                tx.blobs().link("acct", "vhds", "a.vhd", content);
                tx.putResource(row("g", "a"));
                return null;
            });
            assertThat(store.<BlobCatalog.Counts>read(tx -> tx.blobs().counts())).isEqualTo(new BlobCatalog.Counts(1, 1, 1, 10));
            store.reset();
            assertThat(store.<BlobCatalog.Counts>read(tx -> tx.blobs().counts())).isEqualTo(new BlobCatalog.Counts(0, 0, 0, 0));
            assertThat(store.<java.util.Optional<StoredResource>>read(tx -> tx.resource(row("g", "a").key()))).isEmpty();
        }
    }

    /** Chunk references: one per content holding a chunk, however often; a chunk goes with its last content. */
    @Test
    void theBlobCatalogCountsReferences() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            BlobCatalog.Chunk a = new BlobCatalog.Chunk("aa", 100);
            BlobCatalog.Chunk b = new BlobCatalog.Chunk("bb", 200);
            List<String> freed = store.write(tx -> {
                BlobCatalog c = tx.blobs();
                long one = c.createContent(3 << 20, java.util.Map.of(0L, a, 1L, a, 2L, b));
                c.link("acct", "vhds", "one", one);
                c.link("acct", "vhds", "two", one);
                long copy = c.copyContent(one);
                List<String> gone = new java.util.ArrayList<>(c.changeContent(copy, 3 << 20, 1 << 20,
                        java.util.Map.of(2L, a), List.of()));
                c.link("acct", "vhds", "three", copy);
                assertThat(c.chunks(copy)).containsExactly(java.util.Map.entry(0L, "aa"), java.util.Map.entry(1L, "aa"),
                        java.util.Map.entry(2L, "aa"));
                assertThat(c.counts()).isEqualTo(new BlobCatalog.Counts(3, 2, 2, 300));
                gone.addAll(c.unlink("acct", "vhds", "one").orElseThrow());
                gone.addAll(c.unlink("acct", "vhds", "two").orElseThrow());
                return gone;
            });
            assertThat(freed).containsExactly("bb");
            assertThat(store.<BlobCatalog.Counts>read(tx -> tx.blobs().counts())).isEqualTo(new BlobCatalog.Counts(1, 1, 1, 100));
            assertThat(store.<List<String>>read(tx -> tx.blobs().names("acct", "vhds", "th"))).containsExactly("three");
            assertThat(store.<java.util.Optional<List<String>>>read(tx -> tx.blobs().unlink("acct", "vhds", "none")))
                    .isEmpty();
            List<String> last = store.write(tx -> tx.blobs().changeContent(
                    tx.blobs().blob("acct", "vhds", "three").orElseThrow().id(), 1 << 20, 1 << 20, java.util.Map.of(),
                    List.of(0L)));
            assertThat(last).as("chunk 1 and 2 lie beyond the new size, chunk 0 was zeroed").containsExactly("aa");
            assertThat(store.<BlobCatalog.Counts>read(tx -> tx.blobs().counts())).isEqualTo(new BlobCatalog.Counts(1, 1, 0, 0));
        }
    }

    /** A row in the same group and type whose body is a number. */
    private static StoredResource counter(int n) {
        StoredResource r = row("g", "0-counter");
        return new StoredResource(r.key(), r.id(), r.subscription(), r.resourceGroup(), r.type(), r.name(),
                String.valueOf(n), 1, 1);
    }
}

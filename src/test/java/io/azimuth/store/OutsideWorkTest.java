package io.azimuth.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Work a unit of work has done outside the store's writer, before it commits. */
class OutsideWorkTest {
    @TempDir
    Path dir;

    private static StoredResource row(String name) {
        String id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/" + name;
        return new StoredResource(id.toLowerCase(), id, "s", "g", "microsoft.compute/images", name, "{}", 1, 1);
    }

    private static boolean exists(Store store, String name) {
        return store.<Optional<StoredResource>>read(tx -> tx.resource(row(name).key())).isPresent();
    }

    /** Work that records its runs and undos. */
    private record Recorded<T>(String key, Supplier<T> body, List<String> log) implements OutsideWork<T> {
        @Override
        public T run() {
            log.add("run " + key);
            return body.get();
        }

        @Override
        public void undo(T result) {
            log.add("undo " + key + " " + result);
        }
    }

    @Test
    void slowOutsideWorkDoesNotHoldUpOtherWrites() throws Exception {
        for (SqliteStore store : List.of(SqliteStore.open(dir.resolve("a.db")), SqliteStore.inMemory())) {
            try (store) {
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                List<String> log = new CopyOnWriteArrayList<>();
                CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> store.write(tx -> {
                    String answer = tx.outside(new Recorded<>("slow", () -> {
                        started.countDown();
                        try {
                            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return "done";
                    }, log));
                    tx.putResource(row("slow"));
                    return answer;
                }));
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Void> other = CompletableFuture.runAsync(() -> store.write(tx -> {
                    tx.putResource(row("other"));
                    return null;
                }));
                other.get(10, TimeUnit.SECONDS);
                assertThat(exists(store, "other")).isTrue();
                assertThat(exists(store, "slow")).as("not before its outside work is done").isFalse();
                release.countDown();
                assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo("done");
                assertThat(exists(store, "slow")).isTrue();
                assertThat(log).containsExactly("run slow");
            }
        }
    }

    @Test
    void theUnitRunsAgainAndGetsTheResultOrTheFailure() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            List<String> log = new CopyOnWriteArrayList<>();
            AtomicInteger runs = new AtomicInteger();
            String answer = store.write(tx -> {
                runs.incrementAndGet();
                tx.putResource(row("r" + runs.get()));
                String a = tx.outside(new Recorded<>("a", () -> "A", log));
                String b;
                try {
                    b = tx.outside(new Recorded<>("b", () -> {
                        throw new IllegalArgumentException("no b");
                    }, log));
                } catch (IllegalArgumentException e) {
                    b = "caught " + e.getMessage();
                }
                return a + ", " + b;
            });
            assertThat(answer).isEqualTo("A, caught no b");
            assertThat(runs.get()).isEqualTo(3);
            assertThat(log).containsExactly("run a", "run b");
            assertThat(exists(store, "r1")).as("earlier runs were rolled back").isFalse();
            assertThat(exists(store, "r2")).isFalse();
            assertThat(exists(store, "r3")).isTrue();
        }
    }

    @Test
    void worksAskedTogetherAreDoneTogetherUntilOneFails() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            List<String> log = new CopyOnWriteArrayList<>();
            AtomicInteger runs = new AtomicInteger();
            assertThatThrownBy(() -> store.write(tx -> {
                runs.incrementAndGet();
                tx.outside(List.of(new Recorded<>("a", () -> 1, log), new Recorded<>("b", () -> {
                    throw new IllegalStateException("b failed");
                }, log), new Recorded<>("c", () -> 3, log)));
                tx.putResource(row("never"));
                return null;
            })).hasMessage("b failed");
            assertThat(runs.get()).isEqualTo(2);
            assertThat(log).as("c is not done after b failed, and a is undone").containsExactly("run a", "run b",
                    "undo a 1");
            assertThat(exists(store, "never")).isFalse();
        }
    }

    @Test
    void aFailedWriteUndoesItsWorkAndACommittedOneWhatItNoLongerAskedFor() {
        try (SqliteStore store = SqliteStore.inMemory()) {
            List<String> log = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> store.write(tx -> {
                tx.outside(List.of(new Recorded<>("a", () -> 1, log), new Recorded<>("b", () -> 2, log)));
                throw new IllegalStateException("refused after the work");
            })).hasMessage("refused after the work");
            assertThat(log).containsExactly("run a", "run b", "undo b 2", "undo a 1");

            log.clear();
            AtomicInteger runs = new AtomicInteger();
            store.write(tx -> {
                if (runs.incrementAndGet() == 1) {
                    tx.outside(new Recorded<>("first", () -> 1, log));
                }
                tx.outside(new Recorded<>("second", () -> 2, log));
                return null;
            });
            assertThat(log).containsExactly("run first", "run second", "undo first 1");
        }
    }

    @Test
    void nestedWritesAskForTheirUnitAndReadsCannotAsk() {
        try (SqliteStore store = SqliteStore.open(dir.resolve("b.db"))) {
            List<String> log = new CopyOnWriteArrayList<>();
            int answer = store.write(tx -> {
                tx.putResource(row("outer"));
                return store.write(inner -> inner.outside(new Recorded<>("nested", () -> 7, log)));
            });
            assertThat(answer).isEqualTo(7);
            assertThat(log).containsExactly("run nested");
            assertThat(exists(store, "outer")).isTrue();
            assertThatThrownBy(() -> store.read(tx -> tx.outside(new Recorded<>("read", () -> 1, log))))
                    .isInstanceOf(IllegalStateException.class);
        }
        try (SqliteStore memory = SqliteStore.inMemory()) {
            assertThatThrownBy(() -> memory.read(tx -> tx.outside(new Recorded<>("read", () -> 1, List.of()))))
                    .as("in memory reads share the write connection").isInstanceOf(IllegalStateException.class);
        }
    }

    /** Work that joins the transaction, recording its runs. */
    private record Joining(String key, List<String> log) implements OutsideWork<String> {
        @Override
        public String run() {
            log.add("run " + key);
            return key + "-done";
        }

        @Override
        public boolean joinsTransaction() {
            return true;
        }
    }

    @Test
    void inAMixedListOnlyTheOutsideWorkWaitsAndJoiningWorkRunsOncePerRunInTheUnit() {
        for (SqliteStore store : List.of(SqliteStore.open(dir.resolve("mixed.db")), SqliteStore.inMemory())) {
            try (store) {
                List<String> log = new CopyOnWriteArrayList<>();
                List<String> threads = new CopyOnWriteArrayList<>();
                Joining joining = new Joining("embedded", new CopyOnWriteArrayList<>());
                Recorded<String> remote = new Recorded<>("remote", () -> "fetched", log);
                int[] runs = {0};
                String answer = store.write(tx -> {
                    runs[0]++;
                    tx.outside(List.of(joining, remote));
                    threads.add(Thread.currentThread().getName());
                    String a = tx.outside(joining) + "+" + tx.outside(remote);
                    tx.putResource(row("mixed"));
                    return a;
                });
                assertThat(answer).isEqualTo("embedded-done+fetched");
                assertThat(runs[0]).as("one run to ask, one with the answer").isEqualTo(2);
                assertThat(joining.log()).as("joining work: once in each run, never on the caller's thread")
                        .containsExactly("run embedded", "run embedded");
                assertThat(log).containsExactly("run remote");
                assertThat(exists(store, "mixed")).isTrue();
            }
        }
    }
}

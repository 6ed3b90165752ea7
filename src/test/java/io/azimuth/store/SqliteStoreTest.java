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
}

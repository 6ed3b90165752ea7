package io.azimuth.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache on its own, every interleaving of a reader (token, read, offer) with a writer (touch before the commit,
 * settle after it) played out one step at a time.
 */
class ResourceCacheTest {
    private static final long FOREVER = Long.MAX_VALUE;
    private static final String KEY = "/subscriptions/s/resourcegroups/g/providers/microsoft.compute/images/i1";

    private final ResourceCache cache = new ResourceCache(1 << 20);

    private static byte[] doc(String version) {
        return ("{\"v\":\"" + version + "\"}").getBytes();
    }

    private void fill(String key, byte[] value) {
        cache.offer(key, cache.token(key), value, value.length, FOREVER);
    }

    /** A key other than {@code key} whose counter is the same. */
    private String neighbourOf(String key) {
        for (int i = 0; ; i++) {
            String other = key + "-" + i;
            if (cache.stripe(other) == cache.stripe(key)) {
                return other;
            }
        }
    }

    @Test
    void aValueOfferedIsAnsweredUntilItsKeyIsTouched() {
        assertThat(cache.get(KEY)).isNull();
        byte[] v1 = doc("1");
        fill(KEY, v1);
        assertThat(cache.get(KEY)).isSameAs(v1);
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        assertThat(cache.get(KEY)).as("removed as soon as touched").isNull();
        write.settle();
        assertThat(cache.get(KEY)).isNull();
        assertThat(cache.stats().entries()).isZero();
        assertThat(cache.stats().bytes()).isZero();
    }

    /** The stale insert: the reader's token predates a write it did not see; whenever it offers, it is refused. */
    @Test
    void aValueReadBeforeAWriteIsNotKeptWhenOfferedAfterIt() {
        ResourceCache.Token before = cache.token(KEY); // then the reader's snapshot: the old document
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        cache.offer(KEY, before, doc("old"), 12, FOREVER); // while the write is in flight
        assertThat(cache.get(KEY)).isNull();
        write.settle(); // committed and settled
        cache.offer(KEY, before, doc("old"), 12, FOREVER); // after it
        assertThat(cache.get(KEY)).isNull();
        assertThat(cache.stats().entries()).isZero();

        ResourceCache.Token after = cache.token(KEY); // a read that begins now sees the write
        byte[] fresh = doc("new");
        cache.offer(KEY, after, fresh, fresh.length, FOREVER);
        assertThat(cache.get(KEY)).isSameAs(fresh);
    }

    @Test
    void aTokenTakenWhileAWriteIsInFlightIsWorthless() {
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        ResourceCache.Token during = cache.token(KEY); // the read may begin before the commit
        write.settle();
        cache.offer(KEY, during, doc("old"), 12, FOREVER);
        assertThat(cache.get(KEY)).isNull();
    }

    /** The reader's offer came before the write touched the key: the touch takes it out. */
    @Test
    void aValueKeptJustBeforeAWriteGoesWithTheTouch() {
        ResourceCache.Token before = cache.token(KEY);
        cache.offer(KEY, before, doc("old"), 12, FOREVER);
        assertThat(cache.get(KEY)).isNotNull();
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        write.settle();
        assertThat(cache.get(KEY)).isNull();
    }

    /** Between the touch and the settle (the commit falls there) nothing of the stripe is answered or kept. */
    @Test
    void nothingOfAStripeIsAnsweredOrKeptWhileAWriteToItIsInFlight() {
        String neighbour = neighbourOf(KEY);
        byte[] kept = doc("n");
        fill(neighbour, kept);
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        assertThat(cache.get(neighbour)).isNull();
        fill(KEY, doc("x"));
        assertThat(cache.stats().entries()).isEqualTo(1);
        write.settle();
        assertThat(cache.get(neighbour)).as("a neighbour's value stays true and is answered again").isSameAs(kept);
        assertThat(cache.get(KEY)).isNull();
    }

    @Test
    void aKeyTouchedTwiceInOneWriteIsSettledOnce() {
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        write.touch(KEY);
        write.settle();
        write.settle();
        byte[] v = doc("2");
        fill(KEY, v);
        assertThat(cache.get(KEY)).isSameAs(v);
    }

    @Test
    void concurrentWritesToOneStripeEachHoldItUntilTheyHaveSettled() {
        String neighbour = neighbourOf(KEY);
        ResourceCache.Batch first = cache.batch();
        ResourceCache.Batch second = cache.batch();
        first.touch(KEY);
        second.touch(neighbour);
        first.settle();
        fill(KEY, doc("x"));
        assertThat(cache.get(KEY)).as("the second write is still in flight").isNull();
        second.settle();
        byte[] v = doc("y");
        fill(KEY, v);
        assertThat(cache.get(KEY)).isSameAs(v);
    }

    @Test
    void touchingAllEmptiesTheCacheAndRefusesEveryEarlierToken() {
        byte[] a = doc("a");
        fill(KEY, a);
        fill("other", doc("b"));
        ResourceCache.Token before = cache.token("third");
        ResourceCache.Batch write = cache.batch();
        write.touchAll();
        assertThat(cache.get(KEY)).isNull();
        assertThat(cache.stats().entries()).isZero();
        ResourceCache.Token during = cache.token("fourth");
        fill("fifth", doc("c"));
        write.settle();
        cache.offer("third", before, doc("old"), 12, FOREVER);
        cache.offer("fourth", during, doc("old"), 12, FOREVER);
        assertThat(cache.get("third")).isNull();
        assertThat(cache.get("fourth")).isNull();
        assertThat(cache.get("fifth")).isNull();
        assertThat(cache.stats().entries()).isZero();
        fill(KEY, a);
        assertThat(cache.get(KEY)).isSameAs(a);
    }

    @Test
    void aNewerValueIsNotReplacedByAnOlderOne() {
        ResourceCache.Token old = cache.token(KEY);
        ResourceCache.Batch write = cache.batch();
        write.touch(KEY);
        write.settle();
        byte[] fresh = doc("new");
        fill(KEY, fresh);
        cache.offer(KEY, old, doc("old"), 12, FOREVER);
        assertThat(cache.get(KEY)).isSameAs(fresh);
    }

    @Test
    void aValueIsAnsweredOnlyUntilItsTime() throws InterruptedException {
        long now = System.currentTimeMillis();
        cache.offer(KEY, cache.token(KEY), doc("1"), 12, now - 1);
        assertThat(cache.get(KEY)).as("already past: not kept").isNull();
        assertThat(cache.stats().entries()).isZero();
        byte[] v = doc("2");
        cache.offer(KEY, cache.token(KEY), v, v.length, System.currentTimeMillis() + 150);
        assertThat(cache.get(KEY)).isSameAs(v);
        Thread.sleep(200);
        assertThat(cache.get(KEY)).isNull();
    }

    @Test
    void theBudgetHoldsAndRecentlyAnsweredValuesStay() {
        ResourceCache small = new ResourceCache(64 * 1024);
        byte[] hot = new byte[500];
        small.offer("hot", small.token("hot"), hot, hot.length, FOREVER);
        long most = 0;
        for (int i = 0; i < 2000; i++) {
            String key = "key-" + i;
            small.offer(key, small.token(key), new byte[500], 500, FOREVER);
            assertThat(small.get("hot")).as("answered after " + i + " others").isSameAs(hot);
            most = Math.max(most, small.stats().bytes());
        }
        ResourceCache.Stats stats = small.stats();
        assertThat(most).isLessThanOrEqualTo(64 * 1024);
        assertThat(stats.entries()).isBetween(64L * 1024 / (500 + 8 + ResourceCache.ENTRY_OVERHEAD) * 3 / 4,
                64L * 1024 / (500 + 5 + ResourceCache.ENTRY_OVERHEAD));
        long sum = 0;
        for (int i = 0; i < 2000; i++) {
            if (small.get("key-" + i) instanceof byte[] b) {
                sum += b.length + ("key-" + i).length() + ResourceCache.ENTRY_OVERHEAD;
            }
        }
        sum += hot.length + 3 + ResourceCache.ENTRY_OVERHEAD;
        assertThat(stats.bytes()).as("the accounting adds up").isEqualTo(sum);
    }

    @Test
    void aValueTooLargeForTheBudgetIsNotKept() {
        ResourceCache small = new ResourceCache(64 * 1024);
        small.offer(KEY, small.token(KEY), new byte[8 * 1024], 8 * 1024, FOREVER);
        assertThat(small.get(KEY)).isNull();
        assertThat(small.stats().entries()).isZero();
    }

    @Test
    void withoutABudgetNothingIsKept() {
        ResourceCache none = ResourceCache.NONE;
        none.offer(KEY, none.token(KEY), doc("1"), 12, FOREVER);
        assertThat(none.get(KEY)).isNull();
        ResourceCache.Batch write = none.batch();
        write.touch(KEY);
        write.touchAll();
        write.settle();
        assertThat(none.stats()).isEqualTo(new ResourceCache.Stats(0, 0, 0, 0, 0));
    }

    @Test
    void hitsAndMissesAreCounted() {
        cache.get(KEY);
        fill(KEY, doc("1"));
        cache.get(KEY);
        cache.get(KEY);
        assertThat(cache.stats().hits()).isEqualTo(2);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }
}

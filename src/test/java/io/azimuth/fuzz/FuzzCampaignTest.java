package io.azimuth.fuzz;

import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded fuzzing campaign: official example requests (ARM, classic) and blob endpoint requests, mutated at
 * random ({@link Mutations}), sent one at a time to an in-process instance over a raw socket. Every request must be
 * answered within {@value #TIMEOUT_MILLIS} ms and never with a 5xx; a request refused (or not answered) must leave
 * the store exactly as it was; the instance is healthy at the end. The resources the examples name are created
 * first, and again every {@value #RESEED} requests, so that mutated requests meet existing resources.
 *
 * <p>{@code -Dazimuth.fuzz.seed} (default {@value #DEFAULT_SEED}) fixes the random sequence; {@code
 * -Dazimuth.fuzz.requests} (default {@value #DEFAULT_REQUESTS}) is the number of requests, so that the same class is
 * the long run ({@code bench/fuzz.sh}). One summary line is printed: requests, answers by status class, requests
 * by mutation family, the slowest answer, the rate.
 */
class FuzzCampaignTest {
    static final long DEFAULT_SEED = 20240601L;
    static final int DEFAULT_REQUESTS = 3000;
    static final int TIMEOUT_MILLIS = 5000;
    static final int RESEED = 1000;
    static final int MAX_RESOURCES = 400;
    static final int MAX_REPORTED = 40;
    static final int PROGRESS = 10_000;

    /** Longer than the build's default timeout, for the long run: every request is bounded by its own timeout. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.HOURS)
    void malformedRequestsAreRefusedCleanlyAndLeaveTheStoreAsItWas() {
        long seed = Long.getLong("azimuth.fuzz.seed", DEFAULT_SEED);
        int requests = Integer.getInteger("azimuth.fuzz.requests", DEFAULT_REQUESTS);
        List<String> problems = new ArrayList<>();
        Stats stats = new Stats();
        int health;
        try (TestServer server = TestServer.start(c -> c.withInMemory(false))) {
            List<Seeds.Arm> arm = Seeds.arm();
            List<Seeds.Classic> classic = Seeds.classic();
            Seeds.seed(server, arm);
            RawHttp raw = new RawHttp(server.server.httpPort(), TIMEOUT_MILLIS);
            Random rnd = new Random(seed);
            long started = System.nanoTime();
            try (StoreDigest digest = new StoreDigest(server.dataDir.resolve("azimuth.db"))) {
                StoreDigest.Snapshot before = settle(digest, digest.snapshot());
                // the digest must see a change for its comparisons to mean anything: an acknowledged write moves it
                assertThat(server.http.put(io.azimuth.support.TestServer.rg("fuzz-digest-probe")
                        + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status()).isEqualTo(201);
                StoreDigest.Snapshot probed = digest.snapshot();
                assertThat(probed).as("the store digest after an acknowledged write").isNotEqualTo(before);
                before = settle(digest, probed);
                for (int i = 0; i < requests; i++) {
                    if (i > 0 && i % RESEED == 0) {
                        if (before.resources() > MAX_RESOURCES) {
                            server.reset();
                        }
                        Seeds.seed(server, arm);
                        before = settle(digest, digest.snapshot());
                    }
                    Fuzz.Request request = next(rnd, arm, classic);
                    RawHttp.Answer answer = raw.exchange(request.bytes(raw.port()), request.halfClose);
                    stats.record(request, answer);
                    String problem = problem(request, answer);
                    StoreDigest.Snapshot after = digest.snapshot();
                    boolean accepted = answer.outcome() == RawHttp.Outcome.ANSWERED && answer.status() < 400;
                    if (!accepted && !after.equals(before)) {
                        problem = (problem == null ? "" : problem + "; ") + "refused, yet the store changed: "
                                + after.differenceFrom(before);
                    }
                    if (accepted) {
                        after = settle(digest, after);
                    }
                    if (problem != null) {
                        stats.failures++;
                        if (problems.size() < MAX_REPORTED) {
                            problems.add("#" + i + " " + request.describe() + "\n    -> " + answer.describe()
                                    + "\n    " + problem);
                        }
                    }
                    before = after;
                    if ((i + 1) % PROGRESS == 0 && i + 1 < requests) {
                        stats.seconds = (System.nanoTime() - started) / 1e9;
                        System.out.println("FUZZ progress " + stats.summary(seed).lines().findFirst().orElse(""));
                    }
                }
            }
            stats.seconds = (System.nanoTime() - started) / 1e9;
            health = server.http.get("/_azimuth/health").status();
        }
        System.out.println(stats.summary(seed));
        assertThat(problems).as("%d of %d requests failed badly (seed %d); the first %d:%n%s", stats.failures,
                stats.sent, seed, problems.size(), String.join("\n", problems)).isEmpty();
        assertThat(health).as("health at the end").isEqualTo(200);
    }

    private static Fuzz.Request next(Random rnd, List<Seeds.Arm> arm, List<Seeds.Classic> classic) {
        int api = rnd.nextInt(100);
        if (api < 65) {
            return Mutations.arm(arm.get(rnd.nextInt(arm.size())), rnd);
        }
        if (api < 80) {
            return Mutations.classic(classic.get(rnd.nextInt(classic.size())), rnd);
        }
        return Mutations.blob(rnd);
    }

    /** What is wrong with the answer, or null: a 5xx, no answer in time, no answer at all to a valid request. */
    private static String problem(Fuzz.Request request, RawHttp.Answer answer) {
        return switch (answer.outcome()) {
            case TIMEOUT -> "no answer within " + TIMEOUT_MILLIS + " ms";
            case CLOSED -> request.wellFormed ? "a valid HTTP request was not answered" : null;
            case ANSWERED -> answer.status() >= 500 && !(request.otherProtocol
                    && (answer.status() == 501 || answer.status() == 505)) ? "answered " + answer.status()
                    : answer.status() < 0 ? "not an HTTP answer" : null;
        };
    }

    /** After an accepted request: the store once nothing more changes in it (at most 2 s). */
    private static StoreDigest.Snapshot settle(StoreDigest digest, StoreDigest.Snapshot now) {
        long deadline = System.currentTimeMillis() + 2000;
        while (System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            StoreDigest.Snapshot again = digest.snapshot();
            if (again.equals(now)) {
                return now;
            }
            now = again;
        }
        return now;
    }

    /** The figures of a campaign. */
    static final class Stats {
        int sent;
        int failures;
        double seconds;
        long slowest = -1;
        String slowestRequest = "";
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, Integer> families = new TreeMap<>();

        void record(Fuzz.Request request, RawHttp.Answer answer) {
            sent++;
            String outcome = switch (answer.outcome()) {
                case ANSWERED -> answer.status() < 0 ? "garbled" : request.otherProtocol && answer.status() >= 500
                        ? answer.status() + "-to-another-http-version" : (answer.status() / 100) + "xx";
                case TIMEOUT -> "timeout";
                case CLOSED -> "closed";
            };
            outcomes.merge(outcome, 1, Integer::sum);
            families.merge(request.api.name().toLowerCase() + ":" + request.family, 1, Integer::sum);
            if (answer.millis() > slowest) {
                slowest = answer.millis();
                slowestRequest = "[" + request.family + "] " + request.method + " " + Fuzz.prefix(request.target, 120)
                        + " -> " + (answer.outcome() == RawHttp.Outcome.ANSWERED ? answer.status() : answer.outcome());
            }
        }

        String summary(long seed) {
            return String.format("FUZZ seed=%d requests=%d failures=%d seconds=%.1f rate=%.0f/s outcomes=%s "
                            + "slowest=%dms %s%nFUZZ families=%s", seed, sent, failures, seconds,
                    seconds > 0 ? sent / seconds : 0, outcomes, slowest, slowestRequest, families);
        }
    }
}

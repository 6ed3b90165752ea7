package io.azimuth.arm;

import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Route;
import io.vertx.core.http.HttpMethod;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ARM's request budgets, counted for every subscription request and shown in the headers Azure sends:
 * {@code x-ms-ratelimit-remaining-subscription-reads|writes|deletes} and their {@code -global-} forms (ARM's token
 * buckets since 2024: a caller's reads 250 with 25 back a second, writes and deletes 200 with 10 a second; the
 * subscription's global buckets 15 times those), and for virtual machines Compute's own policies in
 * {@code x-ms-ratelimit-remaining-resource} ({@code Microsoft.Compute/PutVM3Min;239,Microsoft.Compute/PutVM30Min;1199}:
 * requests left in the policy's 3 and 30 minute windows). Counting only by default; when enforced, a request past a
 * budget is refused as Azure refuses it: 429 with Retry-After, {@code SubscriptionRequestsThrottled} from ARM, or
 * {@code OperationNotAllowed} with a {@code TooManyRequests} detail naming the policy from Compute. One caller per
 * subscription is assumed (the emulator does not tell principals apart here).
 */
public final class ArmThrottle {
    private static final double GLOBAL = 15;

    /** ARM's operation types: bucket size and tokens back per second. */
    enum Kind {
        READS("read", 250, 25), WRITES("write", 200, 10), DELETES("delete", 200, 10);

        final String word;
        final double size;
        final double refill;
        /** The headers that say what is left: the caller's bucket and the subscription's global one. */
        final String header;
        final String globalHeader;

        Kind(String word, double size, double refill) {
            this.word = word;
            this.size = size;
            this.refill = refill;
            this.header = "x-ms-ratelimit-remaining-subscription-" + name().toLowerCase(Locale.ROOT);
            this.globalHeader = "x-ms-ratelimit-remaining-subscription-global-" + name().toLowerCase(Locale.ROOT);
        }

        static Kind of(HttpMethod method) {
            if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
                return READS;
            }
            return method == HttpMethod.DELETE ? DELETES : WRITES;
        }
    }

    /** Compute's policies for a virtual machine: requests allowed in 3 and in 30 minutes. */
    enum Policy {
        PutVM(240, 1200), DeleteVM(240, 1200), LowCostGet(4000, 32000);

        final int in3;
        final int in30;

        Policy(int in3, int in30) {
            this.in3 = in3;
            this.in30 = in30;
        }
    }

    private final boolean enforce;
    private final ConcurrentHashMap<String, Budgets> subscriptions = new ConcurrentHashMap<>();
    /** The same sets by the id as paths spell it (spared folding its case on every request). */
    private final ConcurrentHashMap<String, Budgets> byPath = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public ArmThrottle(boolean enforce) {
        this.enforce = enforce;
    }

    /**
     * Charges {@code request} to its subscription's budgets and sets the headers its answer carries; refuses it (when
     * enforced) once a budget is spent. Requests outside a subscription are not counted.
     */
    void admit(ApiRequest request, Route route) {
        String subscription = request.param("subscriptionId");
        if (subscription == null) {
            return;
        }
        Budgets budgets = byPath.get(subscription);
        if (budgets == null) { // one set per subscription, whatever the casing of its id in paths
            budgets = subscriptions.computeIfAbsent(subscription.toLowerCase(Locale.ROOT), f -> new Budgets());
            if (byPath.size() < 1000) {
                byPath.putIfAbsent(subscription, budgets);
            }
        }
        Kind kind = Kind.of(request.method());
        Bucket own = budgets.own[kind.ordinal()];
        Bucket global = budgets.global[kind.ordinal()];
        double wait;
        synchronized (budgets) { // both buckets or neither: a refused request spends no token
            wait = enforce ? Math.max(own.secondsToToken(), global.secondsToToken()) : 0;
            if (wait == 0) {
                own.take();
                global.take();
            }
        }
        if (wait > 0) {
            String sub = subscription.toLowerCase(Locale.ROOT);
            long seconds = Math.max(1, (long) Math.ceil(wait));
            throw new ApiException(429, "SubscriptionRequestsThrottled", "Number of '" + kind.word + "' requests for "
                    + "subscription '" + sub + "' actor '" + sub + "' exceeded. Please try again after '" + seconds
                    + "' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for "
                    + "additional information.").header("Retry-After", String.valueOf(seconds));
        }
        request.answerHeader(kind.header, String.valueOf(own.left()));
        request.answerHeader(kind.globalHeader, String.valueOf(global.left()));
        Policy policy = computePolicy(request, route);
        if (policy != null) {
            String sub = subscription.toLowerCase(Locale.ROOT);
            Window in3 = windows.computeIfAbsent(sub + "|" + policy + "3Min", k -> new Window(180_000, policy.in3));
            Window in30 = windows.computeIfAbsent(sub + "|" + policy + "30Min", k -> new Window(1_800_000, policy.in30));
            refuseIfSpent(policy + "3Min", in3);
            refuseIfSpent(policy + "30Min", in30);
            request.answerHeader("x-ms-ratelimit-remaining-resource", "Microsoft.Compute/" + policy + "3Min;"
                    + in3.charge() + ",Microsoft.Compute/" + policy + "30Min;" + in30.charge());
        }
    }

    private void refuseIfSpent(String group, Window window) {
        if (!enforce) {
            return;
        }
        Window.Spent spent = window.spent();
        if (spent == null) {
            return;
        }
        long seconds = Math.max(1, (spent.endsAt() - System.currentTimeMillis() + 999) / 1000);
        String detail = "{\"operationGroup\":\"" + group + "\",\"startTime\":\"" + Instant.ofEpochMilli(spent.startedAt())
                + "\",\"endTime\":\"" + Instant.ofEpochMilli(spent.endsAt()) + "\",\"allowedRequestCount\":"
                + window.limit + ",\"measuredRequestCount\":" + spent.measured() + "}";
        throw new ApiException(429, "OperationNotAllowed", "The server rejected the request because too many requests "
                + "have been received for this subscription.", null,
                List.of(new ApiException(429, "TooManyRequests", detail, group)))
                .header("Retry-After", String.valueOf(seconds));
    }

    /** The Compute policy a request to a single virtual machine falls under, or null. */
    private static Policy computePolicy(ApiRequest request, Route route) {
        if (!(route.subject() instanceof ResourceType type)
                || !type.fullType().equalsIgnoreCase("Microsoft.Compute/virtualMachines")) {
            return null;
        }
        if (!route.template().toLowerCase(Locale.ROOT).contains("/virtualmachines/{")) {
            return null; // a list
        }
        HttpMethod m = request.method();
        if (m == HttpMethod.GET || m == HttpMethod.HEAD) {
            return Policy.LowCostGet;
        }
        return m == HttpMethod.DELETE ? Policy.DeleteVM : Policy.PutVM;
    }

    /** A subscription's buckets: the caller's and the global one of each kind. */
    private static final class Budgets {
        final Bucket[] own = new Bucket[Kind.values().length];
        final Bucket[] global = new Bucket[Kind.values().length];

        Budgets() {
            for (Kind k : Kind.values()) {
                own[k.ordinal()] = new Bucket(k.size, k.refill);
                global[k.ordinal()] = new Bucket(k.size * GLOBAL, k.refill * GLOBAL);
            }
        }
    }

    /** A token bucket. */
    private static final class Bucket {
        private final double size;
        private final double perMilli;
        private double tokens;
        private long at = System.currentTimeMillis();

        Bucket(double size, double perSecond) {
            this.size = size;
            this.perMilli = perSecond / 1000;
            this.tokens = size;
        }

        private void refill() {
            long now = System.currentTimeMillis();
            tokens = Math.min(size, tokens + (now - at) * perMilli);
            at = now;
        }

        /** The seconds until a token is there: 0 when one is. */
        synchronized double secondsToToken() {
            refill();
            return tokens >= 1 ? 0 : (1 - tokens) / (perMilli * 1000);
        }

        /** Takes a token, or (not enforced, none left) leaves the bucket empty. */
        synchronized void take() {
            refill();
            tokens = Math.max(0, tokens - 1);
        }

        synchronized long left() {
            return (long) Math.floor(tokens);
        }
    }

    /** A fixed window of a Compute policy: requests counted from its start until it ends. */
    private static final class Window {
        record Spent(long startedAt, long endsAt, long measured) {
        }

        private final long millis;
        final int limit;
        private long start = System.currentTimeMillis();
        private long count;

        Window(long millis, int limit) {
            this.millis = millis;
            this.limit = limit;
        }

        private void roll(long now) {
            if (now - start >= millis) {
                start = now;
                count = 0;
            }
        }

        synchronized Spent spent() {
            long now = System.currentTimeMillis();
            roll(now);
            return count >= limit ? new Spent(start, start + millis, count + 1) : null;
        }

        /** Counts a request: what is left of the window after it (never below 0). */
        synchronized long charge() {
            roll(System.currentTimeMillis());
            count++;
            return Math.max(0, limit - count);
        }
    }
}

package io.azimuth.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Faults;
import io.azimuth.http.Ids;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.store.Store;
import io.azimuth.store.StoredResource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fault rules in force, in the order they were added: the first rule that matches a request (and whose dice
 * roll hits, and that is not used up) decides what happens to it. Kept in the store as one row beside the resources
 * (a reset clears them with everything else), so they survive a restart; what a rule has hit is saved as it
 * hits, for the rules limited to a number of times. The emulator's own endpoints under {@code /_azimuth/} are never
 * hit, but for the blob endpoints.
 */
public final class FaultRules implements Faults {
    private static final Logger LOG = LoggerFactory.getLogger(FaultRules.class);
    private static final String KEY = "/_azimuth/faults";
    private static final String TYPE = "azimuth/faults";
    private static final int MAX_RULES = 1000;
    private static final Pattern XML_ROOT = Pattern.compile("^\\s*(?:<\\?xml[^>]*\\?>\\s*)?(?:<!--.*?-->\\s*)*<(?:[\\w.-]+:)?([\\w.-]+)",
            Pattern.DOTALL);

    private final Store store;
    private final Vertx vertx;
    private volatile List<FaultRule> rules = List.of();
    private final Object saving = new Object();
    private final java.util.concurrent.atomic.AtomicBoolean savePending = new java.util.concurrent.atomic.AtomicBoolean();

    private FaultRules(Store store, Vertx vertx) {
        this.store = store;
        this.vertx = vertx;
    }

    /** The rules kept in {@code store}, read now. */
    public static FaultRules open(Store store, Vertx vertx) {
        FaultRules f = new FaultRules(store, vertx);
        f.rules = store.read(tx -> tx.resourceBody(KEY)).map(FaultRules::parseStored).orElse(List.of());
        if (!f.rules.isEmpty()) {
            LOG.info("{} fault rule(s) in force", f.rules.size());
        }
        return f;
    }

    /**
     * Checks a resource row before a state import writes it: the fault rules' row must hold rules this class can read
     * back (any other row passes).
     */
    public static void checkRow(String key, String body) {
        if (KEY.equals(key)) {
            parseStored(body);
        }
    }

    private static List<FaultRule> parseStored(String body) {
        JsonNode list = Json.readObject(body).path("value");
        List<FaultRule> read = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            read.add(FaultRule.read(list.get(i), null, 0, System.currentTimeMillis(), "[" + i + "].", true));
        }
        return read;
    }

    /**
     * Replaces the rules with those of a file: a JSON array of rules, or an object whose {@code value} is one (what
     * {@code GET /_azimuth/faults} answers). A malformed file changes nothing and says where it is wrong.
     */
    public void load(Path file) {
        JsonNode doc;
        try {
            doc = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the fault rules in " + file + ": " + e.getMessage(), e);
        }
        JsonNode list = doc.isObject() ? doc.get("value") : doc;
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("the fault rules in " + file
                    + " must be a JSON array of rules, or an object whose 'value' is one");
        }
        List<FaultRule> read = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < list.size(); i++) {
            JsonNode rule = list.get(i);
            String id = rule.path("id").isTextual() && !rule.path("id").asText().isBlank() ? rule.path("id").asText()
                    : Ids.uuid();
            if (id.length() > 100 || !ids.add(id.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the fault rules in " + file + " are not valid: [" + i + "].id: "
                        + "an id is at most 100 characters and names one rule");
            }
            try {
                read.add(FaultRule.read(rule, id, 0, now, "[" + i + "].", false));
            } catch (ApiException e) {
                throw new IllegalArgumentException("the fault rules in " + file + " are not valid: " + e.target()
                        + ": " + e.getMessage(), e);
            }
        }
        if (read.size() > MAX_RULES) {
            throw new IllegalArgumentException("the fault rules in " + file + " are more than " + MAX_RULES);
        }
        synchronized (saving) {
            rules = List.copyOf(read);
            save();
        }
        LOG.info("{} fault rule(s) loaded from {}", read.size(), file);
    }

    // ---- the API: list, add, remove ----

    public List<FaultRule> all() {
        return rules;
    }

    public Optional<FaultRule> find(String id) {
        return rules.stream().filter(r -> r.id().equalsIgnoreCase(id)).findFirst();
    }

    /** Adds the rule {@code body} describes (a 400 naming the field when it is malformed); the rule as stored. */
    public ObjectNode add(JsonNode body) {
        FaultRule rule = FaultRule.parse(body, Ids.uuid(), System.currentTimeMillis());
        synchronized (saving) {
            if (rules.size() >= MAX_RULES) {
                throw new ApiException(409, "TooManyFaultRules", "There are already " + MAX_RULES
                        + " fault rules; delete some first.");
            }
            List<FaultRule> next = new ArrayList<>(rules);
            next.add(rule);
            rules = List.copyOf(next);
            save();
        }
        LOG.info("fault rule {} added", rule.id());
        return rule.render();
    }

    public boolean remove(String id) {
        synchronized (saving) {
            List<FaultRule> next = new ArrayList<>(rules);
            if (!next.removeIf(r -> r.id().equalsIgnoreCase(id))) {
                return false;
            }
            rules = List.copyOf(next);
            save();
        }
        return true;
    }

    public int removeAll() {
        synchronized (saving) {
            int n = rules.size();
            rules = List.of();
            save();
            return n;
        }
    }

    /** After the store's rows were replaced (a state import): the rules are those of the new row. */
    public void reload() {
        synchronized (saving) {
            rules = store.read(tx -> tx.resourceBody(KEY)).map(FaultRules::parseStored).orElse(List.of());
        }
    }

    /** After the store was reset (the row went with everything else): no rule is in force. */
    public void forget() {
        synchronized (saving) {
            rules = List.of();
            save(); // a save of the rules before, still on its way, must not bring them back
        }
    }

    public ObjectNode render() {
        ObjectNode body = Json.object();
        ArrayNode value = body.putArray("value");
        rules.forEach(r -> value.add(r.render()));
        return body;
    }

    /** Writes the rules as they are now (the lock held: a later state is never overwritten by an earlier one). */
    private void save() {
        synchronized (saving) {
            ObjectNode doc = render();
            long now = System.currentTimeMillis();
            store.write(tx -> {
                if (rules.isEmpty()) {
                    tx.deleteResource(KEY);
                } else {
                    long created = tx.resource(KEY).map(StoredResource::createdAt).orElse(now);
                    tx.putResource(new StoredResource(KEY, KEY, "", "", TYPE, "faults", Json.write(doc), created, now));
                }
                return null;
            });
        }
    }

    // ---- the pipeline's question ----

    @Override
    public Injection inject(ApiRequest request, Route route) {
        List<FaultRule> now = rules;
        if (now.isEmpty()) {
            return null;
        }
        String template = route.template();
        String lower = template.toLowerCase(Locale.ROOT);
        if (lower.startsWith("/_azimuth") && !lower.startsWith("/_azimuth/blobs/")) {
            return null;
        }
        Target target = null;
        for (FaultRule rule : now) {
            FaultRule.Match m = rule.match();
            if (m.method() != null && !m.method().equals(request.method().name())) {
                continue;
            }
            if (m.route() != null && !m.route().equalsIgnoreCase(template)) {
                continue;
            }
            if (target == null && (m.resourceType() != null || m.name() != null || m.operation() != null)) {
                target = Target.of(request);
            }
            if (m.resourceType() != null && !m.resourceType().equalsIgnoreCase(target.type)) {
                continue;
            }
            if (m.name() != null && (target.name == null || !m.name().matcher(target.name).matches())) {
                continue;
            }
            if (m.operation() != null && !m.operation().equalsIgnoreCase(target.operation)) {
                continue;
            }
            if (m.probability() < 1 && ThreadLocalRandom.current().nextDouble() >= m.probability()) {
                continue;
            }
            if (!rule.fire()) {
                continue;
            }
            if (rule.usedUp() || rule.fired() % 100 == 1) {
                LOG.debug("fault rule {} hit {} {}", rule.id(), request.method(), request.path());
            }
            if (rule.limited() && savePending.compareAndSet(false, true)) { // what is left must survive a restart
                vertx.executeBlocking(() -> { // one save at a time, of the counts as they are then
                    savePending.set(false);
                    save();
                    return null;
                }, false).onFailure(e -> LOG.warn("the hits of fault rule {} could not be saved: {}", rule.id(),
                        e.toString()));
            }
            return injection(rule);
        }
        return null;
    }

    private static Injection injection(FaultRule rule) {
        FaultRule.Effect e = rule.effect();
        if (e.status() != null) {
            return new Injection(e.latencyMs(), false, rule.error(), null);
        }
        if (e.failOperationAfterMs() != null) {
            return new Injection(e.latencyMs(), false, null,
                    new ApiRequest.PlannedFailure(e.failOperationAfterMs(), rule.error()));
        }
        return new Injection(e.latencyMs(), e.drop(), null, null);
    }

    /**
     * What a request acts on, read from its path: for ARM, the type after the last {@code providers} segment
     * ({@code Microsoft.Compute/galleries/images}; resource groups and subscriptions without one), the last name and
     * the action a trailing segment names; for the classic API, the last name and the action (of
     * {@code .../Operations}, the root element of the body).
     */
    record Target(String type, String name, String operation) {
        static Target of(ApiRequest r) {
            String[] all = r.path().split("/");
            List<String> s = new ArrayList<>();
            for (String part : all) {
                if (!part.isEmpty()) {
                    s.add(part);
                }
            }
            String method = r.method().name();
            int providers = -1;
            for (int i = 0; i < s.size() - 1; i++) {
                if (s.get(i).equalsIgnoreCase("providers")) {
                    providers = i;
                }
            }
            List<String> pairs;
            String type;
            if (providers >= 0) {
                type = s.get(providers + 1);
                pairs = s.subList(providers + 2, s.size());
            } else if (!s.isEmpty() && s.get(0).equalsIgnoreCase("subscriptions")) {
                type = "Microsoft.Resources"; // a resource group (and what is under it), or a subscription
                pairs = s.size() >= 4 ? s.subList(2, s.size()) : s;
            } else {
                int services = s.indexOf("services");
                type = null;
                pairs = services >= 0 ? s.subList(services + 1, s.size()) : List.of();
            }
            StringBuilder t = new StringBuilder(type == null ? "" : type);
            String name = null;
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                t.append('/').append(pairs.get(i));
                name = pairs.get(i + 1);
            }
            String operation = method;
            if (pairs.size() % 2 == 1) {
                operation = pairs.get(pairs.size() - 1);
                if (type == null && operation.equalsIgnoreCase("Operations") && r.method() == HttpMethod.POST) {
                    Matcher root = XML_ROOT.matcher(r.bodyText());
                    if (root.find()) {
                        operation = root.group(1);
                    }
                }
            }
            return new Target(type == null ? null : t.toString(), name, operation);
        }
    }
}

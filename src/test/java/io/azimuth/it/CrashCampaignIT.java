package io.azimuth.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.support.Http;
import io.azimuth.support.JarProcess;
import io.azimuth.support.Network;
import io.azimuth.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crash campaign: the packaged jar, its long-running operations kept in progress by an operation delay, is killed
 * with SIGKILL at random moments of a mixed write load (resource groups and their tags, managed disks, images,
 * snapshots, a VM's tags and power actions, deletions, and resource groups deleted with what they hold), and started
 * again on the same data directory, round after round. After each restart every acknowledged write shows (or, for
 * a deletion, its resource is gone), a write whose answer never came shows either way, every operation a client was
 * answered with ends, and no resource is left creating, updating or deleting.
 *
 * <p>{@code -Dcrash.seed=} replays a campaign's random choices (the seed is printed), {@code -Dcrash.rounds=} sets
 * the number of kills, {@code -Dcrash.delay=} the operation delay in milliseconds.
 */
class CrashCampaignIT {
    static final long SEED = Long.getLong("crash.seed", System.nanoTime());
    static final int ROUNDS = Integer.getInteger("crash.rounds", 20);
    static final int THREADS = 6;
    static final long OPERATION_DELAY_MILLIS = Long.getLong("crash.delay", 700);
    static final String[] FLAGS = {"--operation-delay", OPERATION_DELAY_MILLIS + "ms", "--vhd-check", "lenient"};
    /** How long after a restart every answered operation may take to end, and every resource to settle. */
    static final long SETTLE_MILLIS = 20_000;
    static final String RG_V = "?api-version=2025-04-01";
    static final String DISK_V = "?api-version=2024-03-02";
    static final String IMAGE_V = "?api-version=2024-03-01";
    static final String VM_V = "?api-version=2024-03-01";
    static final Set<String> TERMINAL = Set.of("Succeeded", "Failed", "Canceled");
    static final Set<String> BUSY = Set.of("Creating", "Updating", "Deleting", "Accepted", "Running");
    static final String DEPLOYMENT_V = "?api-version=2024-03-01";
    /** The value a deleted (or never created) resource reads as. */
    static final String ABSENT = "<absent>";
    static final int MAX_PER_KIND = 4;

    Path dataDir;
    JarProcess process;

    final AtomicInteger acknowledged = new AtomicInteger();
    int recoveryKills;
    int rounds = ROUNDS;
    final AtomicInteger grantsRead = new AtomicInteger();
    final AtomicInteger revocationsRead = new AtomicInteger();
    final Map<String, AtomicInteger> acknowledgedByKind = new ConcurrentHashMap<>();
    final AtomicInteger unanswered = new AtomicInteger();
    /** This round's slowest answered write, in milliseconds. */
    final AtomicLong slowest = new AtomicLong();
    final AtomicInteger refused = new AtomicInteger();
    final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    final List<Operation> operations = Collections.synchronizedList(new ArrayList<>());
    final List<String> lost = Collections.synchronizedList(new ArrayList<>());
    final List<String> notTerminal = Collections.synchronizedList(new ArrayList<>());
    final List<String> stuck = Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicInteger> endings = new ConcurrentHashMap<>();

    @BeforeEach
    void dir() throws Exception {
        dataDir = Files.createTempDirectory("azimuth-crash-campaign");
    }

    @AfterEach
    void clean() {
        if (process != null) {
            process.close();
        }
        TestServer.deleteTree(dataDir);
    }

    @Test
    @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // 20 starts of the jar: slow on a busy machine
    void noAcknowledgedWriteIsLostAndEveryOperationEndsAcrossKills() throws Exception {
        System.out.printf("crash campaign: seed %d (-Dcrash.seed=%d replays it), %d rounds, %d threads%n", SEED, SEED,
                ROUNDS, THREADS);
        long began = System.nanoTime();
        Random random = new Random(SEED);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(new Worker(t, new Random(SEED * 31 + t)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Long> restarts = new ArrayList<>();
        try {
            process = JarProcess.start(dataDir, FLAGS);
            Http setup = process.http();
            all(pool, workers, w -> w.setUp(setup));
            for (int round = 1; round <= ROUNDS; round++) {
                long loadMillis = 300 + random.nextInt(1701);
                Http http = process.http();
                AtomicBoolean stop = new AtomicBoolean();
                List<Future<?>> load = new ArrayList<>();
                for (Worker w : workers) {
                    int r = round;
                    load.add(pool.submit(() -> {
                        w.load(http, stop, r);
                        return null;
                    }));
                }
                Thread.sleep(loadMillis);
                process.kill();
                stop.set(true);
                for (Future<?> f : load) {
                    get(f);
                }
                process.close();

                process = JarProcess.start(dataDir, FLAGS);
                restarts.add(process.startupMillis);
                if (random.nextInt(4) == 0) {
                    // again, while the operations in progress at the kill are being resumed
                    Thread.sleep(random.nextInt(150));
                    process.kill();
                    process.close();
                    recoveryKills++;
                    process = JarProcess.start(dataDir, FLAGS);
                    restarts.add(process.startupMillis);
                }
                Http again = process.http();
                long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
                awaitOperations(again, deadline);
                all(pool, workers, w -> w.check(again, deadline));
                System.out.printf("round %2d: load %4d ms (slowest answer %d ms), restart %4d ms, %d acknowledged,"
                                + " %d unanswered, %d operations, %d lost, %d not terminal, %d stuck%n", round,
                        loadMillis, slowest.getAndSet(0), process.startupMillis,
                        acknowledged.get(), unanswered.get(), operations.size(), lost.size(), notTerminal.size(),
                        stuck.size());
                if (!lost.isEmpty() || !notTerminal.isEmpty() || !stuck.isEmpty()) {
                    rounds = round; // what is wrong is reported below
                    break;
                }
            }
            if (lost.isEmpty() && notTerminal.isEmpty() && stuck.isEmpty()) {
                tearDown(workers, random);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Long> sorted = new ArrayList<>(restarts);
        Collections.sort(sorted);
        System.out.printf("crash campaign (seed %d): %d rounds, %d more kills while recovering, one while the groups"
                        + " are deleted%n  writes acknowledged %d %s%n  lost %d; unanswered %d; refused %d %s%n"
                        + "  operations checked %d, not terminal %d, endings %s; resources stuck %d%n"
                        + "  export URLs read %d, revoked ones %d%n"
                        + "  restart ms min %d / median %d / max %d; total %.1f s%n", SEED, rounds, recoveryKills,
                acknowledged.get(), new TreeMap<>(acknowledgedByKind), lost.size(), unanswered.get(), refused.get(),
                new TreeMap<>(refusals), operations.size(), notTerminal.size(), new TreeMap<>(endings), stuck.size(),
                grantsRead.get(), revocationsRead.get(), sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1), (System.nanoTime() - began) / 1e9);
        assertThat(lost).as("acknowledged writes lost (seed %d)", SEED).isEmpty();
        assertThat(notTerminal).as("operations not terminal after a restart (seed %d)", SEED).isEmpty();
        assertThat(stuck).as("resources left busy (or failed) after their operations ended (seed %d)", SEED)
                .isEmpty();
        assertThat(endings.keySet()).as("how operations ended (seed %d)", SEED).containsOnly("Succeeded");
        assertThat(acknowledged.get()).isGreaterThan(ROUNDS * 10);
    }

    /**
     * Every group deleted, with a kill while the deletions are in progress: after the restart they end, and what the
     * groups held is gone, bytes and all.
     */
    void tearDown(List<Worker> workers, Random random) throws Exception {
        Http http = process.http();
        System.out.println("before the groups are deleted: " + http.get("/_azimuth/health").json().path("blobs"));
        List<String> names = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        for (Worker w : workers) {
            names.add(w.group);
            w.groups.stream().filter(Tracked::present).forEach(g -> names.add(g.name));
        }
        for (String name : names) {
            Http.Response r = http.delete(rg(name) + RG_V);
            assertThat(r.status()).as("DELETE %s: %s", name, r).isIn(200, 202, 204);
            if (r.header("Azure-AsyncOperation") != null) {
                URI u = URI.create(r.header("Azure-AsyncOperation"));
                statuses.add(u.getRawPath() + "?" + u.getRawQuery());
            }
        }
        Thread.sleep(random.nextInt((int) OPERATION_DELAY_MILLIS));
        process.kill();
        process.close();
        process = JarProcess.start(dataDir, FLAGS);
        http = process.http();
        for (String status : statuses) {
            assertThat(http.awaitOperation(status, SETTLE_MILLIS).path("status").asText()).as(status)
                    .isEqualTo("Succeeded");
        }
        for (String name : names) {
            assertThat(http.get(rg(name) + RG_V).status()).as(name).isEqualTo(404);
        }
        JsonNode blobs = http.get("/_azimuth/health").json().path("blobs");
        System.out.println("once the groups are deleted: " + blobs);
        for (String count : List.of("blobs", "contents", "chunks", "storedBytes")) {
            assertThat(blobs.path(count).asLong()).as("%s left once every group is deleted", count).isZero();
        }
        try (var files = Files.walk(dataDir.resolve("blobs"))) {
            assertThat(files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/.tmp/")).toList())
                    .as("files left in the blob store").isEmpty();
        }
    }

    // ---- the operations answered ----

    /** An {@code Azure-AsyncOperation} a client was answered with, for the write to {@code resource}. */
    record Operation(String statusPath, String write, AtomicBoolean ended) {
    }

    void awaitOperations(Http http, long deadline) throws InterruptedException {
        List<Operation> pending;
        synchronized (operations) {
            pending = operations.stream().filter(o -> !o.ended().get()).toList();
        }
        for (Operation op : pending) {
            String status = null;
            while (true) {
                Http.Response r = http.get(op.statusPath());
                if (r.status() == 200) {
                    status = r.json().path("status").asText();
                    if (TERMINAL.contains(status)) {
                        break;
                    }
                } else {
                    status = r.toString();
                }
                if (System.currentTimeMillis() > deadline) {
                    break;
                }
                Thread.sleep(50);
            }
            if (TERMINAL.contains(status)) {
                op.ended().set(true);
                endings.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                if (!status.equals("Succeeded")) {
                    System.out.printf("operation %s for %s ended %s: %s%n", op.statusPath(), op.write(), status,
                            http.get(op.statusPath()).body());
                }
            } else {
                notTerminal.add(op.write() + " -> " + op.statusPath() + ": " + status);
            }
        }
    }

    // ---- the model: what each resource must read as ----

    /**
     * A resource one worker writes (no other does), read as one value: its tag {@code v}, or its power state, or
     * {@link #ABSENT}. {@code expected} is what the last acknowledged write made it; {@code possible} what the writes
     * since, whose answers never came, may have made it.
     */
    static final class Tracked {
        final String name;
        final String url;
        final Reads reads;
        String expected = ABSENT;
        final Set<String> possible = new LinkedHashSet<>();
        /** Children deleted with it (a resource group's). */
        final List<Tracked> children = new ArrayList<>();

        Tracked(String name, String url, Reads reads) {
            this.name = name;
            this.url = url;
            this.reads = reads;
        }

        Tracked(String name, String url) {
            this(name, url, Reads.TAG);
        }

        void acknowledged(String value) {
            expected = value;
            possible.clear();
            for (Tracked c : children) {
                if (value.equals(ABSENT)) {
                    c.acknowledged(ABSENT);
                }
            }
        }

        void unanswered(String value) {
            possible.add(value);
            for (Tracked c : children) {
                if (value.equals(ABSENT)) {
                    c.unanswered(ABSENT);
                }
            }
        }

        boolean present() {
            return !expected.equals(ABSENT) || possible.stream().anyMatch(p -> !p.equals(ABSENT));
        }
    }

    /**
     * What a tracked resource reads as: its tag {@code v}, its VM's power state, its deployment's state, its disk's
     * state (exported or not).
     */
    enum Reads { TAG, POWER, DEPLOYMENT, DISK_STATE }

    /** One client thread's resources and writes. */
    final class Worker {
        final int n;
        final Random random;
        final String group;
        final Tracked groupTags;
        final List<Tracked> disks = new ArrayList<>();
        final List<Tracked> images = new ArrayList<>();
        final List<Tracked> snapshots = new ArrayList<>();
        final List<Tracked> groups = new ArrayList<>();
        final List<Tracked> touched = new ArrayList<>();
        final List<Operation> mine = new ArrayList<>();
        /** Per slot, the disk and image its deployments write, and the slot's last deployment. */
        final List<List<Tracked>> deployed = new ArrayList<>();
        final Tracked[] deployments = new Tracked[2];
        /** A disk that is only exported and revoked: its state, the result URL of its last grant, its SAS. */
        Tracked exported;
        String grantResult;
        String sas;
        Tracked vmTags;
        Tracked vmPower;
        int next;
        int round;
        Http http;

        Worker(int n, Random random) {
            this.n = n;
            this.random = random;
            this.group = "crash-t" + n;
            this.groupTags = new Tracked(group, rg(group) + RG_V);
        }

        String compute(String rgName, String type, String name) {
            return "/subscriptions/" + SUB + "/resourceGroups/" + rgName + "/providers/Microsoft.Compute/" + type + "/"
                    + name;
        }

        String tag() {
            return "r" + round + "-t" + n + "-" + next++;
        }

        /** This worker's group, and its VM (a NIC, then the VM, running). */
        void setUp(Http http) throws InterruptedException {
            this.http = http;
            String v = tag();
            assertThat(write(groupTags, "PUT", groupTags.url, "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v
                    + "\"}}", v).status()).isIn(200, 201);
            String nic = Network.nic(http, group, "nic-" + n, "westus");
            String vm = compute(group, "virtualMachines", "vm");
            vmTags = new Tracked(vm, vm + VM_V);
            vmPower = new Tracked(vm + " (power)", vm + VM_V, Reads.POWER);
            for (int k = 0; k < 2; k++) {
                String disk = compute(group, "disks", "deployed-" + k);
                String image = compute(group, "images", "deployed-" + k);
                deployed.add(List.of(new Tracked(disk, disk + DISK_V), new Tracked(image, image + IMAGE_V)));
            }
            String body = "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"},\"properties\":{"
                    + "\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},\"storageProfile\":{\"imageReference\":{"
                    + "\"publisher\":\"Canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\","
                    + "\"version\":\"latest\"},\"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{"
                    + "\"storageAccountType\":\"Standard_LRS\"}}},\"osProfile\":{\"computerName\":\"vm" + n + "\","
                    + "\"adminUsername\":\"azureuser\",\"adminPassword\":\"Linux-Pass1\"},\"networkProfile\":{"
                    + "\"networkInterfaces\":[{\"id\":\"" + nic + "\"}]}}}";
            Http.Response r = write(vmTags, "PUT", vmTags.url, body, v);
            assertThat(r.status()).as(r.toString()).isIn(200, 201);
            vmPower.acknowledged("running");
            String disk = compute(group, "disks", "exported");
            exported = new Tracked(disk + " (state)", disk + DISK_V, Reads.DISK_STATE);
            r = write(exported, "PUT", exported.url, "{\"location\":\"westus\",\"properties\":{\"creationData\":"
                    + "{\"createOption\":\"Empty\"},\"diskSizeGB\":1}}", "Unattached");
            assertThat(r.status()).as(r.toString()).isIn(200, 202);
            awaitMine(30_000);
            touched.clear();
        }

        /** Writes until told to stop or the process is gone. */
        void load(Http http, AtomicBoolean stop, int round) throws InterruptedException {
            this.http = http;
            this.round = round;
            try {
                while (!stop.get()) {
                    step();
                }
            } catch (Gone gone) {
                // the process was killed: this round's load is over
            }
        }

        void step() throws InterruptedException {
            int dice = random.nextInt(100);
            if (dice < 7) {
                String v = tag();
                write(groupTags, "PUT", groupTags.url, "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"}}", v);
            } else if (dice < 14) {
                String v = tag();
                write(groupTags, "PATCH", groupTags.url, "{\"tags\":{\"v\":\"" + v + "\"}}", v);
            } else if (dice < 28) {
                if (disks.size() < MAX_PER_KIND) {
                    Tracked d = tracked(disks, compute(group, "disks", "d-" + next) + DISK_V);
                    putDisk(d);
                } else if (random.nextBoolean()) {
                    putDisk(pick(disks));
                } else {
                    delete(disks);
                }
            } else if (dice < 37) {
                if (!disks.isEmpty()) {
                    Tracked d = pick(disks);
                    String v = tag();
                    write(d, "PATCH", d.url, "{\"tags\":{\"v\":\"" + v + "\"}}", v);
                }
            } else if (dice < 48) {
                if (images.size() < MAX_PER_KIND) {
                    putImage(tracked(images, compute(group, "images", "i-" + next) + IMAGE_V));
                } else if (random.nextBoolean()) {
                    putImage(pick(images));
                } else {
                    delete(images);
                }
            } else if (dice < 57) {
                if (snapshots.size() < MAX_PER_KIND && !disks.isEmpty()) {
                    Tracked s = tracked(snapshots, compute(group, "snapshots", "s-" + next) + DISK_V);
                    String source = URI.create(pick(disks).url).getPath();
                    String v = tag();
                    write(s, "PUT", s.url, "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"},\"properties\":"
                            + "{\"creationData\":{\"createOption\":\"Copy\",\"sourceResourceId\":\"" + source
                            + "\"}}}", v);
                } else if (!snapshots.isEmpty()) {
                    delete(snapshots);
                }
            } else if (dice < 66) {
                ephemeralGroup();
            } else if (dice < 74) {
                deploy(random.nextInt(2));
            } else if (dice < 76) {
                String disk = URI.create(exported.url).getPath();
                if (random.nextBoolean()) {
                    Http.Response r = write(exported, "POST", disk + "/beginGetAccess" + DISK_V,
                            "{\"access\":\"Read\",\"durationInSeconds\":3600}", "ActiveSAS");
                    if (r.status() / 100 == 2) {
                        URI location = URI.create(r.header("Location"));
                        grantResult = location.getRawPath() + "?" + location.getRawQuery();
                    }
                } else {
                    write(exported, "POST", disk + "/endGetAccess" + DISK_V, null, "Unattached");
                }
            } else if (dice < 80) {
                String v = tag();
                write(vmTags, "PATCH", vmTags.url, "{\"tags\":{\"v\":\"" + v + "\"}}", v);
            } else if (dice < 94) {
                String[][] actions = {{"powerOff", "stopped"}, {"start", "running"}, {"deallocate", "deallocated"},
                        {"restart", "running"}};
                String[] a = actions[random.nextInt(actions.length)];
                String vm = URI.create(vmPower.url).getPath();
                write(vmPower, "POST", vm + "/" + a[0] + VM_V, null, a[1]);
            } else {
                awaitOne();
            }
        }

        Tracked tracked(List<Tracked> kind, String url) {
            Tracked t = new Tracked(URI.create(url).getPath(), url);
            kind.add(t);
            return t;
        }

        Tracked pick(List<Tracked> kind) {
            return kind.get(random.nextInt(kind.size()));
        }

        void putDisk(Tracked d) {
            String v = tag();
            write(d, "PUT", d.url, "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"},\"properties\":{"
                    + "\"creationData\":{\"createOption\":\"Empty\"},\"diskSizeGB\":" + (1 + random.nextInt(4))
                    + "}}", v);
        }

        void putImage(Tracked i) {
            String v = tag();
            write(i, "PUT", i.url, "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"},\"properties\":{"
                    + "\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"blobUri\":"
                    + "\"https://acct1.blob.core.windows.net/vhds/crash-" + n + ".vhd\"}}}}", v);
        }

        void delete(List<Tracked> kind) {
            Tracked t = pick(kind);
            write(t, "DELETE", t.url, null, ABSENT);
        }

        /** A group of its own with a disk in it, deleted with the disk (at once, or later). */
        void ephemeralGroup() {
            Tracked old = groups.stream().filter(Tracked::present).findFirst().orElse(null);
            if (old != null && (groups.size() >= 2 || random.nextBoolean())) {
                write(old, "DELETE", old.url, null, ABSENT);
                return;
            }
            String name = "crash-t" + n + "-g" + next;
            Tracked g = new Tracked(name, rg(name) + RG_V);
            groups.add(g);
            String v = tag();
            if (write(g, "PUT", g.url, "{\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"}}", v).status()
                    / 100 != 2) {
                return;
            }
            String url = compute(name, "disks", "d") + DISK_V;
            Tracked d = new Tracked(URI.create(url).getPath(), url);
            g.children.add(d);
            putDisk(d);
            if (random.nextBoolean()) {
                write(g, "DELETE", g.url, null, ABSENT);
            }
        }

        /**
         * A template deployment to {@code slot}, once the slot's last one ended: it writes the slot's disk and image
         * with a new tag (an update once they exist).
         */
        void deploy(int slot) {
            Tracked last = deployments[slot];
            if (last != null) {
                Http.Response r = send("GET", last.url, null);
                if (r.status() == 200 && BUSY.contains(r.json().path("properties").path("provisioningState")
                        .asText())) {
                    return;
                }
            }
            String v = tag();
            String name = "dep-" + slot + "-" + next;
            String url = rg(group) + "/providers/Microsoft.Resources/deployments/" + name + DEPLOYMENT_V;
            Tracked d = new Tracked(name, url, Reads.DEPLOYMENT);
            deployments[slot] = d;
            String template = "{\"properties\":{\"mode\":\"Incremental\",\"template\":{\"$schema\":"
                    + "\"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\","
                    + "\"contentVersion\":\"1.0.0.0\",\"resources\":[{\"type\":\"Microsoft.Compute/disks\","
                    + "\"apiVersion\":\"2024-03-02\",\"name\":\"deployed-" + slot + "\",\"location\":\"westus\","
                    + "\"tags\":{\"v\":\"" + v + "\"},\"properties\":{\"creationData\":{\"createOption\":\"Empty\"},"
                    + "\"diskSizeGB\":1}},{\"type\":\"Microsoft.Compute/images\",\"apiVersion\":\"2024-03-01\","
                    + "\"name\":\"deployed-" + slot + "\",\"location\":\"westus\",\"tags\":{\"v\":\"" + v + "\"},"
                    + "\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":"
                    + "\"Generalized\",\"blobUri\":\"https://acct1.blob.core.windows.net/vhds/deployed.vhd\"}}}}]}}}";
            Http.Response r;
            try {
                r = write(d, "PUT", url, template, "Succeeded");
            } catch (Gone gone) {
                deployed.get(slot).forEach(t -> t.unanswered(v));
                touched.addAll(deployed.get(slot));
                throw gone;
            }
            for (Tracked t : deployed.get(slot)) {
                if (r.status() / 100 == 2) {
                    t.acknowledged(v);
                } else if (r.status() >= 500) {
                    t.unanswered(v);
                }
                touched.add(t);
            }
        }

        /** Waits for one of this worker's operations to end, as a client following it would. */
        void awaitOne() throws InterruptedException {
            if (mine.isEmpty()) {
                return;
            }
            Operation op = mine.get(mine.size() - 1);
            long deadline = System.currentTimeMillis() + 2 * OPERATION_DELAY_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                Http.Response r = send("GET", op.statusPath(), null);
                if (r.status() != 200 || TERMINAL.contains(r.json().path("status").asText())) {
                    mine.remove(op);
                    return;
                }
                Thread.sleep(50);
            }
        }

        void awaitMine(long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            for (Operation op : mine) {
                while (!TERMINAL.contains(http.get(op.statusPath()).json().path("status").asText())) {
                    assertThat(System.currentTimeMillis()).as(op.write()).isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
            mine.clear();
        }

        Http.Response send(String method, String path, String body) {
            try {
                return http.send(method, path, body);
            } catch (IllegalStateException e) {
                throw new Gone();
            }
        }

        /**
         * A write to {@code t} that makes it read {@code value} if it happens: acknowledged on a 2xx, refused on a
         * 4xx (nothing happened), unanswered on a 5xx or when no answer came (it may or may not have happened).
         */
        Http.Response write(Tracked t, String method, String path, String body, String value) {
            touched.add(t);
            Http.Response r;
            long sent = System.nanoTime();
            try {
                r = http.send(method, path, body);
                slowest.accumulateAndGet((System.nanoTime() - sent) / 1_000_000, Math::max);
            } catch (IllegalStateException e) {
                t.unanswered(value);
                unanswered.incrementAndGet();
                throw new Gone();
            }
            String what = method + " " + URI.create(path).getPath() + " = " + value + " (round " + round + ")";
            if (r.status() / 100 == 2) {
                t.acknowledged(value);
                acknowledged.incrementAndGet();
                acknowledgedByKind.computeIfAbsent(kind(method, path), k -> new AtomicInteger()).incrementAndGet();
                String async = r.header("Azure-AsyncOperation");
                if (async != null) {
                    URI u = URI.create(async);
                    Operation op = new Operation(u.getRawPath() + "?" + u.getRawQuery(), what, new AtomicBoolean());
                    operations.add(op);
                    mine.add(op);
                }
            } else if (r.status() >= 500) {
                System.out.printf("%s answered %s%n", what, r);
                t.unanswered(value);
                unanswered.incrementAndGet();
            } else {
                refused.incrementAndGet();
                if (refusals.computeIfAbsent(kind(method, path) + " " + r.status() + " " + r.errorCode(),
                        c -> new AtomicInteger())
                        .getAndIncrement() == 0) {
                    System.out.printf("first %d %s: %s answered %s%n", r.status(), r.errorCode(), what, r.body());
                }
            }
            return r;
        }

        // ---- after a restart ----

        /**
         * Reads back every resource this worker wrote, once it is no longer busy: each must read as its last
         * acknowledged write or as a write after it that was never answered; then what it reads is what is expected
         * of it from then on. The worker's groups must hold nothing left busy.
         */
        void check(Http http, long deadline) throws InterruptedException {
            this.http = http;
            mine.clear();
            Set<Tracked> all = new LinkedHashSet<>();
            all.add(groupTags);
            all.add(vmTags);
            all.add(vmPower);
            all.add(exported);
            for (int k = 0; k < deployments.length; k++) {
                if (deployments[k] != null) {
                    all.add(deployments[k]);
                }
                all.addAll(deployed.get(k));
            }
            all.addAll(disks);
            all.addAll(images);
            all.addAll(snapshots);
            for (Tracked g : groups) {
                all.add(g);
                all.addAll(g.children);
            }
            all.addAll(touched);
            for (Tracked t : all) {
                String actual = settled(http, t, deadline);
                if (t == exported) {
                    checkExport(http, actual);
                }
                if (!actual.equals(t.expected) && !t.possible.contains(actual)) {
                    lost.add(t.name + " reads " + actual + ", expected " + t.expected
                            + (t.possible.isEmpty() ? "" : " or one of " + t.possible));
                }
                t.expected = actual;
                t.possible.clear();
            }
            touched.clear();
            for (List<Tracked> kind : List.of(disks, images, snapshots)) {
                kind.removeIf(t -> t.expected.equals(ABSENT));
            }
            groups.removeIf(g -> g.expected.equals(ABSENT) && g.children.stream().noneMatch(Tracked::present));
            for (String type : List.of("disks", "images", "snapshots", "virtualMachines")) {
                String list = "/subscriptions/" + SUB + "/resourceGroups/" + group + "/providers/Microsoft.Compute/"
                        + type + (type.equals("disks") || type.equals("snapshots") ? DISK_V : VM_V);
                for (JsonNode item : http.get(list).json().path("value")) {
                    String state = item.path("properties").path("provisioningState").asText();
                    if (BUSY.contains(state)) {
                        String url = URI.create(item.path("id").asText()).getPath()
                                + (type.equals("disks") || type.equals("snapshots") ? DISK_V : VM_V);
                        String now = state;
                        while (BUSY.contains(now) && System.currentTimeMillis() < deadline) {
                            Thread.sleep(50);
                            Http.Response r = http.get(url);
                            now = r.status() == 404 ? "gone" : r.json().path("properties").path("provisioningState")
                                    .asText();
                        }
                        if (BUSY.contains(now)) {
                            stuck.add(item.path("id").asText() + " is " + now);
                        }
                    }
                }
            }
        }

        /**
         * A disk that reads as exported, certainly by the last grant acknowledged, has that grant's URL serve its
         * bytes; the URL of a grant since revoked (and nothing after) serves nothing.
         */
        void checkExport(Http http, String actual) {
            boolean certain = exported.possible.isEmpty();
            if (certain && actual.equals("ActiveSAS") && exported.expected.equals("ActiveSAS") && grantResult != null) {
                Http.Response result = http.get(grantResult);
                if (result.status() != 200) {
                    lost.add(exported.name + ": the result of its grant " + grantResult + " answers " + result);
                    sas = null;
                    return;
                }
                URI u = URI.create(result.json().path("accessSAS").asText());
                sas = u.getRawPath() + "?" + u.getRawQuery();
                Http.Bytes footer = http.getBytes(sas, Map.of("Range", "bytes=-512"));
                grantsRead.incrementAndGet();
                if (footer.status() != 206 || !new String(footer.body(), 0, 8, StandardCharsets.US_ASCII)
                        .equals("conectix")) {
                    lost.add(exported.name + ": its grant's URL answers " + footer.status());
                }
            } else if (certain && actual.equals("Unattached") && exported.expected.equals("Unattached")
                    && sas != null) {
                int status = http.getBytes(sas, Map.of("Range", "bytes=-512")).status();
                revocationsRead.incrementAndGet();
                if (status != 403) {
                    lost.add(exported.name + ": a revoked grant's URL answers " + status);
                }
                sas = null;
            } else {
                sas = null;
            }
        }

        /** What {@code t} reads as once its provisioning state is no longer busy (or the deadline passed). */
        String settled(Http http, Tracked t, long deadline) throws InterruptedException {
            while (true) {
                Http.Response r = http.get(t.reads == Reads.POWER ? t.url.replace("?", "?$expand=instanceView&")
                        : t.url);
                if (r.status() == 404) {
                    return ABSENT;
                }
                assertThat(r.status()).as("%s: %s", t.name, r).isEqualTo(200);
                JsonNode doc = r.json();
                String state = doc.path("properties").path("provisioningState").asText();
                if (!BUSY.contains(state)) {
                    if (state.equals("Failed")) {
                        stuck.add(t.name + " is Failed");
                    }
                    if (t.reads == Reads.TAG) {
                        return doc.path("tags").path("v").asText("<no tag>");
                    }
                    if (t.reads == Reads.DEPLOYMENT) {
                        return state;
                    }
                    if (t.reads == Reads.DISK_STATE) {
                        return doc.path("properties").path("diskState").asText("<no state>");
                    }
                    for (JsonNode s : doc.path("properties").path("instanceView").path("statuses")) {
                        if (s.path("code").asText().startsWith("PowerState/")) {
                            return s.path("code").asText().substring("PowerState/".length());
                        }
                    }
                    return "<no power state>";
                }
                if (System.currentTimeMillis() > deadline) {
                    stuck.add(t.name + " is " + state);
                    return state;
                }
                Thread.sleep(50);
            }
        }
    }

    /** A write's method and what it is to: {@code PATCH disks}, {@code POST virtualMachines/start}. */
    static String kind(String method, String path) {
        String[] parts = URI.create(path).getPath().split("/");
        if (parts.length == 5) {
            return method + " resourceGroups";
        }
        return method + " " + parts[7] + (parts.length > 9 ? "/" + parts[9] : "");
    }

    /** The process is gone: the request had no answer. */
    static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    interface WorkerTask {
        void run(Worker w) throws Exception;
    }

    static void all(ExecutorService pool, List<Worker> workers, WorkerTask task) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (Worker w : workers) {
            futures.add(pool.submit((Callable<Void>) () -> {
                task.run(w);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            get(f);
        }
    }

    static void get(Future<?> f) throws Exception {
        try {
            f.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}

package io.azimuth;

import ch.qos.logback.classic.Level;
import io.azimuth.blobs.azure.StorageAccount;
import io.azimuth.blobs.azure.StorageAccounts;
import io.azimuth.server.AzimuthServer;
import io.azimuth.server.Config;
import io.azimuth.server.EarlyStart;
import io.azimuth.server.TrainingRun;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line: parses flags, starts the server, prints where it listens, and runs until stopped. */
@Command(name = "azimuth", mixinStandardHelpOptions = true, version = "Azimuth " + AzimuthServer.VERSION,
        description = "A local emulator of Azure Compute's virtual-machine image APIs.",
        footer = "%nAlso: azimuth vhd upload|create-fixed|info ... (fixed VHDs; azimuth vhd --help).",
        sortOptions = false)
public final class Main implements Callable<Integer> {
    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (0: any free port, -1: off). Default: ${DEFAULT-VALUE}.")
    int httpPort = Config.DEFAULT_HTTP_PORT;

    @Option(names = "--https-port", paramLabel = "PORT", description = "HTTPS port (0: any free port, -1: off). Default: ${DEFAULT-VALUE}.")
    int httpsPort = Config.DEFAULT_HTTPS_PORT;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host = "127.0.0.1";

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where state and the generated certificate live. Default: ${DEFAULT-VALUE}.")
    Path dataDir = Path.of("azimuth-data");

    @Option(names = "--in-memory", description = "Keep no state on disk: everything is gone when the process ends.")
    boolean inMemory;

    @Option(names = "--operation-delay", paramLabel = "DURATION", description = "How long long-running operations stay in progress, e.g. 0, 500ms, 2s (a bare number is milliseconds). Default: 0.")
    String operationDelay = "0";

    @Option(names = "--replication-time", paramLabel = "DURATION", description = "How long a gallery image version takes to replicate, per replica in each target region (regions replicate side by side), e.g. 0, 500ms, 2s. Default: 0 (at once).")
    String replicationTime = "0";

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "ERROR, WARN, INFO, DEBUG or TRACE. Default: ${DEFAULT-VALUE}.")
    String logLevel = "INFO";

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM certificate (chain) for HTTPS, instead of the generated one.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PEM private key (PKCS#8) for --cert.")
    Path key;

    @Option(names = "--strict-api-versions", description = "Refuse api-versions a resource type does not list (default: accept every well-formed one).")
    boolean strictApiVersions;

    @Option(names = "--subscription-id", paramLabel = "GUID", description = "The subscription GET /subscriptions lists. Default: ${DEFAULT-VALUE}.")
    String subscriptionId = Config.DEFAULT_SUBSCRIPTION;

    @Option(names = "--tenant-id", paramLabel = "GUID", description = "The tenant subscriptions belong to. Default: ${DEFAULT-VALUE}.")
    String tenantId = Config.DEFAULT_TENANT;

    @Option(names = "--vhd-check", paramLabel = "MODE", description = "strict: VHD blobs must exist and be valid fixed VHDs; lenient: every well-formed blob URI is taken as an existing VHD of unknown size. Default: ${DEFAULT-VALUE}.")
    String vhdCheck = "strict";

    @Option(names = "--storage-account", paramLabel = "NAME=ACCOUNT", description = "Keep the blobs of storage "
            + "account NAME in Azure Storage (or Azurite) instead of the embedded store. ACCOUNT is a connection string, "
            + "ENDPOINT;KEY, ENDPOINT?SAS, ENDPOINT or KEY; 'embedded' keeps NAME in the embedded store. Repeatable; "
            + "also read from $" + StorageAccounts.ENVIRONMENT_VARIABLE + " (white-space separated). Default: "
            + StorageAccount.DEVELOPMENT_ACCOUNT + "=" + StorageAccount.DEVELOPMENT_ENDPOINT + " (Azurite).")
    List<String> storageAccounts = new ArrayList<>();

    @Option(names = "--training-run", hidden = true, description = "Start in memory, serve a few typical requests, "
            + "stop: how the build writes the class-data sharing archive target/azimuth.jsa.")
    boolean trainingRun;

    @Option(names = "--auth", paramLabel = "MODE", description = "lenient: ARM takes any bearer token; strict: only "
            + "tokens this instance signed (from its sign-in endpoints), and role assignments decide what each caller "
            + "may do. Default: ${DEFAULT-VALUE}.")
    String authMode = "lenient";

    @Option(names = "--principals", paramLabel = "FILE", description = "JSON file declaring the service principals "
            + "(clientId, clientSecret or certificate), users (username, password) and roleAssignments (principal, "
            + "role, scope) that may sign in; without it any client id and secret signs in.")
    Path principals;

    @Option(names = "--token-lifetime", paramLabel = "DURATION", description = "How long access tokens last, e.g. "
            + "90s, 60m. Default: ${DEFAULT-VALUE}.")
    String tokenLifetime = "60m";

    @Option(names = "--faults", paramLabel = "FILE", description = "JSON fault rules (an array, or what GET "
            + "/_azimuth/faults answers) that replace the stored ones at start.")
    Path faults;

    @Option(names = "--seed", paramLabel = "FILE", description = "A state archive (what GET /_azimuth/state "
            + "answers) that replaces the state at start.")
    Path seed;

    @Option(names = "--throttle", description = "Enforce ARM's per-subscription request budgets: once one is spent, "
            + "answer 429 with Retry-After (default: count them in the x-ms-ratelimit-remaining-* headers only).")
    boolean throttle;

    @Option(names = "--page-size", paramLabel = "N", description = "Most items a list page holds. Default: ${DEFAULT-VALUE}.")
    int pageSize = 100;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("vhd")) { // a command-line tool: nothing of the server starts
            System.exit(io.azimuth.tools.VhdCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length),
                    System.out, System.err));
        }
        // Netty reports buffer allocations as JFR events whenever JFR is available; loading JFR's event machinery
        // for that was a noticeable part of start-up, so it is off unless asked for (-Dio.netty.jfr.enabled=true)
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        // the emulator never resolves host names (it only listens): Netty's DNS resolver need not be loaded
        if (System.getProperty("vertx.disableDnsResolver") == null) {
            System.setProperty("vertx.disableDnsResolver", "true");
        }
        EarlyStart.begin(); // what needs no flag starts while the flags are parsed
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CommandLine.Model.CommandSpec spec = new CommandLine(this).getCommandSpec();
        if ((cert == null) != (key == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cert and --key go together");
        }
        if (!io.azimuth.arm.ResourceId.isSubscriptionId(subscriptionId)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--subscription-id must be a GUID");
        }
        if (pageSize < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--page-size must be at least 1");
        }
        if (!vhdCheck.equalsIgnoreCase("strict") && !vhdCheck.equalsIgnoreCase("lenient")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--vhd-check is strict or lenient");
        }
        long delay;
        try {
            delay = parseDuration(operationDelay);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--operation-delay: " + e.getMessage());
        }
        long replication;
        try {
            replication = parseDuration(replicationTime);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replication-time: " + e.getMessage());
        }
        StorageAccounts accounts;
        try {
            accounts = StorageAccounts.parse(System.getenv(StorageAccounts.ENVIRONMENT_VARIABLE), storageAccounts);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--storage-account: " + e.getMessage());
        }
        if (!authMode.equalsIgnoreCase("strict") && !authMode.equalsIgnoreCase("lenient")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--auth is strict or lenient");
        }
        long lifetime;
        try {
            lifetime = parseDuration(tokenLifetime);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token-lifetime: " + e.getMessage());
        }
        if (lifetime < 1000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token-lifetime must be at least 1s");
        }
        if (principals != null && !java.nio.file.Files.isReadable(principals)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--principals: cannot read " + principals);
        }
        if (seed != null && !java.nio.file.Files.isReadable(seed)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seed: cannot read " + seed);
        }
        if (faults != null && !java.nio.file.Files.isReadable(faults)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--faults: cannot read " + faults);
        }
        Level level = Level.toLevel(logLevel.toUpperCase(Locale.ROOT), null);
        if (level == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown --log-level " + logLevel);
        }
        EarlyStart.awaitLogging();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.azimuth")).setLevel(level);

        Config config = new Config(host, httpPort, httpsPort, dataDir, inMemory, delay, cert, key, strictApiVersions,
                subscriptionId.toLowerCase(Locale.ROOT), tenantId, pageSize, 16L * 1024 * 1024,
                vhdCheck.equalsIgnoreCase("lenient"), accounts, new Config.SignIn(authMode.equalsIgnoreCase("strict"),
                principals, java.time.Duration.ofMillis(lifetime)), replication, new Config.Testing(faults, seed, throttle));
        if (trainingRun) {
            return TrainingRun.run(config);
        }
        AzimuthServer server;
        try {
            server = AzimuthServer.start(config);
        } catch (IllegalArgumentException e) {
            // a principals file that cannot be read, or names an unknown principal or role
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "azimuth-shutdown"));
        System.out.println(server.describe());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static final Pattern DURATION = Pattern.compile("^(\\d+)(ms|s|m)?$");

    static long parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 0, 250ms, 2s, 1m)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n;
        };
    }
}

package io.azimuth.server;

import io.azimuth.blobs.azure.StorageAccounts;

import java.nio.file.Path;

/**
 * Everything the command line can set.
 *
 * @param httpPort  0 picks a free port; -1 disables the listener
 * @param httpsPort 0 picks a free port; -1 disables the listener
 * @param storageAccounts the accounts whose blobs live in Azure Storage (or Azurite) rather than the embedded store
 * @param replicationMillis how long a gallery image version takes to replicate, per replica in each target region
 *                          (regions replicate side by side); 0: at once
 */
public record Config(String host, int httpPort, int httpsPort, Path dataDir, boolean inMemory,
                     long operationDelayMillis, Path certFile, Path keyFile, boolean strictApiVersions,
                     String subscriptionId, String tenantId, int pageSize, long maxBodyBytes,
                     boolean lenientVhdCheck, StorageAccounts storageAccounts, SignIn signIn,
                     long replicationMillis, Testing testing) {
    public static final int DEFAULT_HTTP_PORT = 10480;
    public static final int DEFAULT_HTTPS_PORT = 10443;
    public static final String DEFAULT_SUBSCRIPTION = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    public static final String DEFAULT_TENANT = "72f988bf-0000-4000-8000-00000000a21e";

    public Config {
        storageAccounts = storageAccounts == null ? StorageAccounts.defaults() : storageAccounts;
        signIn = signIn == null ? SignIn.DEFAULT : signIn;
        testing = testing == null ? Testing.NONE : testing;
    }

    /**
     * What tests of one's own pipeline start the instance with.
     *
     * @param faults   a file of fault rules that replace the stored ones at start (null: keep those stored)
     * @param seed     a state archive that replaces the state at start (null: none)
     * @param throttle enforce ARM's request budgets: 429 with Retry-After once a subscription spends them
     */
    public record Testing(Path faults, Path seed, boolean throttle) {
        public static final Testing NONE = new Testing(null, null, false);
    }

    /** Everything but what tests start with, which is nothing. */
    public Config(String host, int httpPort, int httpsPort, Path dataDir, boolean inMemory,
                  long operationDelayMillis, Path certFile, Path keyFile, boolean strictApiVersions,
                  String subscriptionId, String tenantId, int pageSize, long maxBodyBytes,
                  boolean lenientVhdCheck, StorageAccounts storageAccounts, SignIn signIn,
                  long replicationMillis) {
        this(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile, strictApiVersions,
                subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts, signIn,
                replicationMillis, Testing.NONE);
    }

    /**
     * How callers sign in and are checked.
     *
     * @param strict        ARM requests need a token this instance signed, and role assignments decide (default:
     *                      any bearer token, everything allowed)
     * @param principals    the file declaring who may sign in; null: anyone, with any secret
     * @param tokenLifetime how long access tokens last
     */
    public record SignIn(boolean strict, Path principals, java.time.Duration tokenLifetime) {
        public static final SignIn DEFAULT = new SignIn(false, null, java.time.Duration.ofHours(1));
    }

    /** With the given storage accounts and the default sign-in. */
    public Config(String host, int httpPort, int httpsPort, Path dataDir, boolean inMemory, long operationDelayMillis,
                  Path certFile, Path keyFile, boolean strictApiVersions, String subscriptionId, String tenantId,
                  int pageSize, long maxBodyBytes, boolean lenientVhdCheck, StorageAccounts storageAccounts) {
        this(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile, strictApiVersions,
                subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts, SignIn.DEFAULT, 0);
    }

    /** With the default storage accounts (only Azurite's development account). */
    public Config(String host, int httpPort, int httpsPort, Path dataDir, boolean inMemory, long operationDelayMillis,
                  Path certFile, Path keyFile, boolean strictApiVersions, String subscriptionId, String tenantId,
                  int pageSize, long maxBodyBytes, boolean lenientVhdCheck) {
        this(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile, strictApiVersions,
                subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, StorageAccounts.defaults());
    }

    /** Defaults suited to tests: ephemeral ports on loopback, in memory, no delay. */
    public static Config forTests(Path dataDir) {
        return new Config("127.0.0.1", 0, 0, dataDir, true, 0, null, null, false, DEFAULT_SUBSCRIPTION,
                DEFAULT_TENANT, 100, 4L * 1024 * 1024, false);
    }

    public Config withOperationDelay(long millis) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, millis, certFile, keyFile, strictApiVersions,
                subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts, signIn, replicationMillis, testing);
    }

    public Config withReplicationTime(long millis) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts,
                signIn, millis, testing);
    }

    public Config withPageSize(int size) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, size, maxBodyBytes, lenientVhdCheck, storageAccounts, signIn, replicationMillis, testing);
    }

    public Config withStrictApiVersions(boolean strict) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strict, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts, signIn, replicationMillis, testing);
    }

    public Config withCertificate(Path cert, Path key) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, cert, key,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts, signIn, replicationMillis, testing);
    }

    public Config withLenientVhdCheck(boolean lenient) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenient, storageAccounts, signIn, replicationMillis, testing);
    }

    public Config withInMemory(boolean memory) {
        return new Config(host, httpPort, httpsPort, dataDir, memory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts, signIn, replicationMillis, testing);
    }

    public Config withSignIn(SignIn sign) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts,
                sign, replicationMillis, testing);
    }

    public Config withTesting(Testing t) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts,
                signIn, replicationMillis, t);
    }

    public Config withStorageAccounts(StorageAccounts accounts) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, accounts, signIn, replicationMillis, testing);
    }
}

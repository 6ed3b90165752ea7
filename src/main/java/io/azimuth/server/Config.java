package io.azimuth.server;

import io.azimuth.blobs.azure.StorageAccounts;

import java.nio.file.Path;

/**
 * Everything the command line can set.
 *
 * @param httpPort  0 picks a free port; -1 disables the listener
 * @param httpsPort 0 picks a free port; -1 disables the listener
 * @param storageAccounts the accounts whose blobs live in Azure Storage (or Azurite) rather than the embedded store
 */
public record Config(String host, int httpPort, int httpsPort, Path dataDir, boolean inMemory,
                     long operationDelayMillis, Path certFile, Path keyFile, boolean strictApiVersions,
                     String subscriptionId, String tenantId, int pageSize, long maxBodyBytes,
                     boolean lenientVhdCheck, StorageAccounts storageAccounts) {
    public static final int DEFAULT_HTTP_PORT = 10480;
    public static final int DEFAULT_HTTPS_PORT = 10443;
    public static final String DEFAULT_SUBSCRIPTION = "6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f";
    public static final String DEFAULT_TENANT = "72f988bf-0000-4000-8000-00000000a21e";

    public Config {
        storageAccounts = storageAccounts == null ? StorageAccounts.defaults() : storageAccounts;
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
                subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts);
    }

    public Config withPageSize(int size) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, size, maxBodyBytes, lenientVhdCheck, storageAccounts);
    }

    public Config withStrictApiVersions(boolean strict) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strict, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts);
    }

    public Config withCertificate(Path cert, Path key) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, cert, key,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts);
    }

    public Config withLenientVhdCheck(boolean lenient) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenient, storageAccounts);
    }

    public Config withInMemory(boolean memory) {
        return new Config(host, httpPort, httpsPort, dataDir, memory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, storageAccounts);
    }

    public Config withStorageAccounts(StorageAccounts accounts) {
        return new Config(host, httpPort, httpsPort, dataDir, inMemory, operationDelayMillis, certFile, keyFile,
                strictApiVersions, subscriptionId, tenantId, pageSize, maxBodyBytes, lenientVhdCheck, accounts);
    }
}

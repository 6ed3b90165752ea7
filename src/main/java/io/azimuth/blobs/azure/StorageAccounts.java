package io.azimuth.blobs.azure;

import io.azimuth.blobs.BlobRef;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The storage accounts whose blobs live in Azure Storage, by name. By default only Azurite's development account
 * {@value StorageAccount#DEVELOPMENT_ACCOUNT} at {@value StorageAccount#DEVELOPMENT_ENDPOINT}; every other account
 * is kept in the embedded store.
 */
public final class StorageAccounts {
    /** The environment variable read before the flags: entries as the flag takes them, separated by white space. */
    public static final String ENVIRONMENT_VARIABLE = "AZIMUTH_STORAGE_ACCOUNTS";

    private static final StorageAccounts NONE = new StorageAccounts(Map.of());
    private static final StorageAccounts DEFAULTS = NONE.with(StorageAccount.development());

    private final Map<String, StorageAccount> accounts;

    private StorageAccounts(Map<String, StorageAccount> accounts) {
        this.accounts = Collections.unmodifiableMap(accounts);
    }

    /** Only the development account at Azurite's default endpoint. */
    public static StorageAccounts defaults() {
        return DEFAULTS;
    }

    /** None: every blob in the embedded store. */
    public static StorageAccounts none() {
        return NONE;
    }

    /**
     * The defaults, then the entries of {@code environment} (white-space separated, may be null), then
     * {@code flags}, each {@code NAME=...} as {@link StorageAccount#parse} takes it; a later entry for a name
     * replaces an earlier one, and {@code NAME=embedded} removes the name (keeping its blobs in the embedded store).
     *
     * @throws IllegalArgumentException for the first entry that is not one
     */
    public static StorageAccounts parse(String environment, List<String> flags) {
        List<String> entries = new ArrayList<>();
        if (environment != null && !environment.isBlank()) {
            entries.addAll(List.of(environment.strip().split("\\s+")));
        }
        if (flags != null) {
            entries.addAll(flags);
        }
        StorageAccounts result = DEFAULTS;
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq > 0 && entry.substring(eq + 1).strip().equalsIgnoreCase(StorageAccount.EMBEDDED)) {
                result = result.without(BlobRef.checkAccount(entry.substring(0, eq).strip()));
            } else {
                result = result.with(StorageAccount.parse(entry));
            }
        }
        return result;
    }

    /** These and {@code account}, replacing any of its name. */
    public StorageAccounts with(StorageAccount account) {
        Map<String, StorageAccount> copy = new LinkedHashMap<>(accounts);
        copy.put(account.name(), account);
        return new StorageAccounts(copy);
    }

    /** These without the account {@code name}. */
    public StorageAccounts without(String name) {
        Map<String, StorageAccount> copy = new LinkedHashMap<>(accounts);
        copy.remove(name);
        return new StorageAccounts(copy);
    }

    /** The account of that name (lower-case), if configured. */
    public Optional<StorageAccount> get(String name) {
        return Optional.ofNullable(accounts.get(name));
    }

    public boolean contains(String name) {
        return accounts.containsKey(name);
    }

    public Collection<StorageAccount> all() {
        return accounts.values();
    }

    public boolean isEmpty() {
        return accounts.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StorageAccounts other && accounts.equals(other.accounts);
    }

    @Override
    public int hashCode() {
        return accounts.hashCode();
    }

    @Override
    public String toString() {
        return accounts.values().toString();
    }
}

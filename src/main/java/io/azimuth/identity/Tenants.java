package io.azimuth.identity;

import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiRequest;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tenant a sign-in path names: a GUID (taken as it is), a domain, or one of Entra's aliases ({@code common},
 * {@code organizations}, {@code consumers}, and {@code adfs} for clients pointed at an ADFS-style authority);
 * everything but a GUID resolves to this instance's tenant.
 */
final class Tenants {
    private static final Pattern DOMAIN = Pattern.compile("^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
    private static final Set<String> ALIASES = Set.of("common", "organizations", "consumers", "adfs");

    private final String defaultTenant;

    Tenants(String defaultTenant) {
        this.defaultTenant = defaultTenant;
    }

    boolean isWellFormed(String tenant) {
        return ResourceId.isGuid(tenant) || DOMAIN.matcher(tenant).matches()
                || ALIASES.contains(tenant.toLowerCase(Locale.ROOT));
    }

    boolean isAlias(String tenant) {
        return ALIASES.contains(tenant.toLowerCase(Locale.ROOT)) && !"adfs".equalsIgnoreCase(tenant);
    }

    boolean isAdfs(String tenant) {
        return "adfs".equalsIgnoreCase(tenant);
    }

    /** The tenant in the path, refused when it cannot name a tenant. */
    String pathTenant(ApiRequest r) {
        String tenant = r.param("tenant");
        if (tenant == null) {
            return "common";
        }
        if (!isWellFormed(tenant)) {
            throw OAuthError.invalidRequest(90002, "Tenant '" + tenant + "' not found. Check to make sure you have "
                    + "the correct tenant ID and are signing into the correct cloud.");
        }
        return tenant;
    }

    /** The tenant id tokens carry for a path tenant. */
    String tenantId(String tenant) {
        return ResourceId.isGuid(tenant) ? tenant.toLowerCase(Locale.ROOT) : defaultTenant;
    }

    /** The domain of users the open directory makes. */
    String domain() {
        return "azimuth.local";
    }
}

package io.azimuth.auth;

import java.util.List;

/**
 * How this instance signs callers in and checks them: its principals, its tokens, whether ARM requests must
 * carry one of its tokens (strict) or any bearer token (lenient, the default), and who decides what a caller may do.
 */
public final class Auth {
    private final boolean strict;
    private final Principals principals;
    private final SigningKey key;
    private final Tokens tokens;
    private final ManagementCertificates managementCertificates;
    private volatile Authorizer authorizer = Authorizer.ALLOW_ALL;

    public Auth(boolean strict, Principals principals, SigningKey key, Tokens tokens,
                ManagementCertificates managementCertificates) {
        this.strict = strict;
        this.principals = principals;
        this.key = key;
        this.tokens = tokens;
        this.managementCertificates = managementCertificates;
    }

    /** The management certificates the classic API trusts in strict mode. */
    public ManagementCertificates managementCertificates() {
        return managementCertificates;
    }

    /** Anyone signs in, any bearer token is taken, with a key of this process only. */
    public static Auth lenientInMemory(java.time.Duration tokenLifetime) {
        SigningKey key = SigningKey.inMemory();
        return new Auth(false, Principals.open(), key, new Tokens(key, tokenLifetime, java.time.Clock.systemUTC()),
                ManagementCertificates.inMemory());
    }

    public boolean strict() {
        return strict;
    }

    public Principals principals() {
        return principals;
    }

    public SigningKey key() {
        return key;
    }

    public Tokens tokens() {
        return tokens;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    /** The role-based access check strict mode applies (supplied by Microsoft.Authorization). */
    public void authorizeWith(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** The audiences an ARM token may name: this endpoint and Azure's public resource manager ids. */
    public static List<String> armAudiences(String baseUrl) {
        return List.of(baseUrl, "https://management.azure.com/", "https://management.core.windows.net/");
    }
}

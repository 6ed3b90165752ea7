package io.azimuth.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Mints and checks the tokens of this instance: RS256 JWTs signed by its {@link SigningKey}, with the claims
 * the Azure tools read ({@code aud}, {@code iss}, {@code tid}, {@code oid}, {@code appid} or {@code azp},
 * {@code sub}, {@code iat}, {@code nbf}, {@code exp}, {@code idtyp}). Refresh tokens and device codes are signed
 * JWTs of their own type, so that no state is needed to redeem them and none outlives a restart unsigned.
 */
public final class Tokens {
    /** The token endpoint's generation: v1 ({@code resource=}) or v2 ({@code scope=}). */
    public enum Version {
        V1, V2
    }

    /** An access token and when it ends. */
    public record Issued(String token, Instant issuedAt, Instant expires) {
        public long expiresInSeconds() {
            return Math.max(0, expires.getEpochSecond() - issuedAt.getEpochSecond());
        }
    }

    /** What a refresh token or device code says: who, which client, which tenant, and (a device code) for what. */
    public record Grant(Principal principal, String clientId, String tenantId, String audience) {
    }

    private static final JOSEObjectType REFRESH = new JOSEObjectType("azimuth-refresh+jwt");
    private static final JOSEObjectType DEVICE = new JOSEObjectType("azimuth-device+jwt");
    private static final Duration REFRESH_LIFETIME = Duration.ofDays(90);
    private static final Duration DEVICE_LIFETIME = Duration.ofMinutes(15);

    private final SigningKey key;
    private final Duration lifetime;
    private final Clock clock;

    public Tokens(SigningKey key, Duration lifetime, Clock clock) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a token lifetime must be positive");
        }
        this.key = key;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /**
     * An access token for {@code audience}.
     *
     * @param issuerBase for v2 tokens, the base of the issuer ({@code https://host}); v1 tokens name
     *                   {@code https://sts.windows.net/{tid}/} as Entra's do
     */
    public Issued access(Principal principal, String clientId, String tenantId, String audience, Version version,
                         String issuerBase) {
        Instant now = now();
        Instant exp = now.plus(lifetime);
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder()
                .audience(audience)
                .issuer(version == Version.V1 ? "https://sts.windows.net/" + tenantId + "/"
                        : issuerBase + "/" + tenantId + "/v2.0")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(exp))
                .subject(principal.objectId())
                .claim("tid", tenantId)
                .claim("oid", principal.objectId())
                .claim("idtyp", principal.kind().tokenType())
                .claim("uti", UUID.randomUUID().toString().replace("-", ""))
                .claim("ver", version == Version.V1 ? "1.0" : "2.0");
        if (version == Version.V1) {
            c.claim("appid", clientId).claim("appidacr", "1");
        } else {
            c.claim("azp", clientId).claim("azpacr", "1");
        }
        if (principal.kind() == Principal.Kind.USER) {
            c.claim("name", principal.displayName()).claim("upn", principal.name())
                    .claim("unique_name", principal.name()).claim("scp", "user_impersonation");
        }
        return new Issued(sign(c.build(), JOSEObjectType.JWT), now, exp);
    }

    /** An OpenID Connect id token for a user, for clients that asked for {@code openid}. */
    public String idToken(Principal principal, String clientId, String tenantId, String issuerBase) {
        Instant now = now();
        JWTClaimsSet c = new JWTClaimsSet.Builder().audience(clientId).issuer(issuerBase + "/" + tenantId + "/v2.0")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime)))
                .subject(principal.objectId()).claim("oid", principal.objectId()).claim("tid", tenantId)
                .claim("name", principal.displayName()).claim("preferred_username", principal.name())
                .claim("ver", "2.0").build();
        return sign(c, JOSEObjectType.JWT);
    }

    /** A refresh token for a user's sign-in. */
    public String refreshToken(Grant grant) {
        return grantToken(grant, REFRESH, REFRESH_LIFETIME);
    }

    /** A device code (approved at once) for a user's sign-in. */
    public String deviceCode(Grant grant) {
        return grantToken(grant, DEVICE, DEVICE_LIFETIME);
    }

    public Duration deviceCodeLifetime() {
        return DEVICE_LIFETIME;
    }

    /** The grant a refresh token carries, or {@link SignInRefused} when it was not issued here or has expired. */
    public Grant redeemRefreshToken(String token) {
        return redeem(token, REFRESH, "refresh token");
    }

    /** The grant a device code carries, or {@link SignInRefused}. */
    public Grant redeemDeviceCode(String token) {
        return redeem(token, DEVICE, "device code");
    }

    /**
     * The caller an access token speaks for, when this instance signed it, it is unexpired and its audience is one
     * of {@code audiences} (compared without trailing slashes and case).
     *
     * @throws TokenRejected otherwise
     */
    public Caller verify(String token, Collection<String> audiences) {
        JWTClaimsSet claims = verified(token, JOSEObjectType.JWT);
        if (claims == null) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "The access token is invalid.");
        }
        Date exp = claims.getExpirationTime();
        String oid = string(claims, "oid");
        String tid = string(claims, "tid");
        List<String> aud = claims.getAudience();
        if (exp == null || oid == null || tid == null || aud == null || aud.isEmpty()) {
            throw new TokenRejected(TokenRejected.Reason.INVALID, "The access token is invalid.");
        }
        if (!exp.toInstant().isAfter(now())) {
            throw new TokenRejected(TokenRejected.Reason.EXPIRED, exp.toInstant().toString());
        }
        String audience = aud.get(0);
        if (audiences.stream().noneMatch(a -> normal(a).equals(normal(audience)))) {
            throw new TokenRejected(TokenRejected.Reason.WRONG_AUDIENCE, audience);
        }
        Principal.Kind kind = "user".equals(string(claims, "idtyp")) ? Principal.Kind.USER
                : Principal.Kind.SERVICE_PRINCIPAL;
        String appId = string(claims, "appid") != null ? string(claims, "appid") : string(claims, "azp");
        String name = kind == Principal.Kind.USER ? string(claims, "upn") : appId;
        return new Caller(kind, oid, appId, tid, name, audience, exp.toInstant());
    }

    private String grantToken(Grant grant, JOSEObjectType type, Duration life) {
        Instant now = now();
        JWTClaimsSet c = new JWTClaimsSet.Builder().subject(grant.principal().objectId())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(life)))
                .claim("tid", grant.tenantId()).claim("cid", grant.clientId())
                .claim("kind", grant.principal().kind().name()).claim("name", grant.principal().name())
                .claim("dn", grant.principal().displayName()).claim("resource", grant.audience())
                .jwtID(UUID.randomUUID().toString()).build();
        return sign(c, type);
    }

    private Grant redeem(String token, JOSEObjectType type, String what) {
        JWTClaimsSet c = verified(token, type);
        if (c == null || c.getExpirationTime() == null || !c.getExpirationTime().toInstant().isAfter(now())) {
            throw new SignInRefused(SignInRefused.Reason.BAD_GRANT, "The provided " + what
                    + " is invalid, expired or was not issued by this instance.");
        }
        Principal.Kind kind;
        try {
            kind = Principal.Kind.valueOf(String.valueOf(string(c, "kind")).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SignInRefused(SignInRefused.Reason.BAD_GRANT, "The provided " + what + " is invalid.");
        }
        Principal p = new Principal(kind, string(c, "name"), c.getSubject(), string(c, "dn"));
        return new Grant(p, string(c, "cid"), string(c, "tid"), string(c, "resource"));
    }

    /** The claims of a token of {@code type} this instance signed, or null. */
    private JWTClaimsSet verified(String token, JOSEObjectType type) {
        if (token == null || token.length() > 16 * 1024) {
            return null;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())
                    || !type.equals(jwt.getHeader().getType())
                    || !key.key().getKeyID().equals(jwt.getHeader().getKeyID())
                    || !jwt.verify(new RSASSAVerifier(key.key().toRSAPublicKey()))) {
                return null;
            }
            return jwt.getJWTClaimsSet();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return null;
        }
    }

    private String sign(JWTClaimsSet claims, JOSEObjectType type) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(type).keyID(key.key().getKeyID()).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new RSASSASigner(key.key()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    private static String string(JWTClaimsSet c, String name) {
        Object v = c.getClaim(name);
        return v instanceof String s ? s : null;
    }

    private static String normal(String audience) {
        String s = audience.toLowerCase(Locale.ROOT);
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }
}

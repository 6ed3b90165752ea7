package io.azimuth.auth;

import java.time.Instant;

/**
 * The principal a verified token speaks for.
 *
 * @param appId the client id the token was issued to ({@code appid} or {@code azp})
 * @param name  a service principal's client id or a user's name
 */
public record Caller(Principal.Kind kind, String objectId, String appId, String tenantId, String name,
                     String audience, Instant expires) {
}

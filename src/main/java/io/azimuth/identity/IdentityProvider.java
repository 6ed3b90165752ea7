package io.azimuth.identity;

import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;

/**
 * Azimuth as its own Microsoft Entra ID: the sign-in endpoints az, Packer, Terraform and the azure-identity
 * credentials call, on the same listeners as ARM, without a token. Paths carry the tenant first
 * ({@code /{tenant}/oauth2/v2.0/token}), as Entra's do.
 */
public final class IdentityProvider implements Provider {
    @Override
    public void register(Platform platform) {
        Tenants tenants = new Tenants(platform.config().tenantId());
        Discovery discovery = new Discovery(tenants, platform.auth().key());
        TokenEndpoint tokens = new TokenEndpoint(platform.auth(), tenants);
        EntraEnvelope envelope = new EntraEnvelope();
        Router router = platform.router();
        router.add(Route.at("/{tenant}/v2.0/.well-known/openid-configuration", envelope).get(discovery::openIdV2));
        router.add(Route.at("/{tenant}/.well-known/openid-configuration", envelope).get(discovery::openIdV1));
        router.add(Route.at("/common/discovery/instance", envelope).get(discovery::instance));
        router.add(Route.at("/common/userrealm/{user}", envelope).get(discovery::userRealm));
        router.add(Route.at("/{tenant}/discovery/v2.0/keys", envelope).get(discovery::keys));
        router.add(Route.at("/{tenant}/discovery/keys", envelope).get(discovery::keys));
        router.add(Route.at("/{tenant}/oauth2/v2.0/token", envelope).post(tokens::tokenV2));
        router.add(Route.at("/{tenant}/oauth2/token", envelope).post(tokens::tokenV1));
        router.add(Route.at("/{tenant}/oauth2/v2.0/devicecode", envelope).post(r -> tokens.deviceCode(r, true)));
        router.add(Route.at("/{tenant}/oauth2/devicecode", envelope).post(r -> tokens.deviceCode(r, false)));
    }
}

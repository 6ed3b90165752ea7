package io.azimuth.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmEnvelope;
import io.azimuth.arm.Locations;
import io.azimuth.arm.ProviderCatalog;
import io.azimuth.arm.ResourceType;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;

import java.util.Locale;

/**
 * Subscriptions, their locations and their resource providers, and the tenant. One subscription is listed (the configured
 * default); every well-formed subscription id can be used and reads as enabled.
 */
final class SubscriptionRoutes {
    private final String defaultSubscription;
    private final String tenantId;
    private final ProviderCatalog catalog;

    SubscriptionRoutes(String defaultSubscription, String tenantId, ProviderCatalog catalog) {
        this.defaultSubscription = defaultSubscription;
        this.tenantId = tenantId;
        this.catalog = catalog;
    }

    void register(Router router, ArmEnvelope arm, ResourceType subscriptions, ResourceType locations,
                  ResourceType providers) {
        router.add(Route.at("/subscriptions", arm, subscriptions).get(this::list));
        router.add(Route.at("/tenants", arm, subscriptions).get(this::tenants));
        router.add(Route.at("/subscriptions/{subscriptionId}", arm, subscriptions).get(this::get));
        router.add(Route.at("/subscriptions/{subscriptionId}/locations", arm, locations).get(this::locations));
        router.add(Route.at("/subscriptions/{subscriptionId}/providers", arm, providers).get(this::providers));
        router.add(Route.at("/subscriptions/{subscriptionId}/providers/{namespace}", arm, providers)
                .get(this::provider));
        router.add(Route.at("/subscriptions/{subscriptionId}/providers/{namespace}/register", arm, providers)
                .post(this::provider));
    }

    private ObjectNode subscription(String id) {
        ObjectNode s = Json.object();
        s.put("id", "/subscriptions/" + id);
        s.put("authorizationSource", "RoleBased");
        s.putArray("managedByTenants");
        s.put("subscriptionId", id);
        s.put("tenantId", tenantId);
        s.put("displayName", id.equalsIgnoreCase(defaultSubscription) ? "Azimuth" : "Azimuth " + id);
        s.put("state", "Enabled");
        ObjectNode policies = s.putObject("subscriptionPolicies");
        policies.put("locationPlacementId", "Public_2014-09-01");
        policies.put("quotaId", "PayAsYouGo_2014-09-01");
        policies.put("spendingLimit", "Off");
        return s;
    }

    private ApiResponse list(ApiRequest r) {
        ObjectNode page = Json.object();
        page.putArray("value").add(subscription(defaultSubscription));
        ObjectNode count = page.putObject("count");
        count.put("type", "Total");
        count.put("value", 1);
        return ApiResponse.ok(page);
    }

    /** {@code GET /tenants}: the one tenant the subscription belongs to (az lists it when a user signs in). */
    private ApiResponse tenants(ApiRequest r) {
        ObjectNode page = Json.object();
        ObjectNode t = page.putArray("value").addObject();
        t.put("id", "/tenants/" + tenantId);
        t.put("tenantId", tenantId);
        t.put("tenantCategory", "Home");
        t.put("country", "United States");
        t.put("countryCode", "US");
        t.put("displayName", "Azimuth");
        t.putArray("domains").add("azimuth.local");
        t.put("defaultDomain", "azimuth.local");
        t.put("tenantType", "AAD");
        return ApiResponse.ok(page);
    }

    private ApiResponse get(ApiRequest r) {
        return ApiResponse.ok(subscription(r.param("subscriptionId")));
    }

    private ApiResponse locations(ApiRequest r) {
        String sub = r.param("subscriptionId");
        ObjectNode page = Json.object();
        ArrayNode value = page.putArray("value");
        for (String name : Locations.names()) {
            ObjectNode l = value.addObject();
            l.put("id", "/subscriptions/" + sub + "/locations/" + name);
            l.put("name", name);
            l.put("type", "Region");
            l.put("displayName", Locations.displayName(name));
            l.put("regionalDisplayName", Locations.displayName(name));
        }
        return ApiResponse.ok(page);
    }

    private ObjectNode render(String subscription, String namespace) {
        ObjectNode p = Json.object();
        p.put("id", "/subscriptions/" + subscription + "/providers/" + namespace);
        p.put("namespace", namespace);
        p.put("registrationState", "Registered");
        p.put("registrationPolicy", "RegistrationRequired");
        ArrayNode types = p.putArray("resourceTypes");
        for (ResourceType t : catalog.types(namespace)) {
            ObjectNode type = types.addObject();
            type.put("resourceType", t.type());
            ArrayNode locations = type.putArray("locations");
            Locations.displayNames().forEach(locations::add);
            ArrayNode versions = type.putArray("apiVersions");
            t.apiVersions().forEach(versions::add);
            type.put("defaultApiVersion", t.apiVersions().get(0));
            type.put("capabilities", "None");
        }
        return p;
    }

    private ApiResponse providers(ApiRequest r) {
        ObjectNode page = Json.object();
        ArrayNode value = page.putArray("value");
        catalog.namespaces().forEach(ns -> value.add(render(r.param("subscriptionId"), ns)));
        return ApiResponse.ok(page);
    }

    private ApiResponse provider(ApiRequest r) {
        String ns = r.param("namespace");
        String canonical = catalog.canonicalNamespace(ns).orElseThrow(() -> new ApiException(404,
                "InvalidResourceNamespace", "The resource namespace '" + ns + "' is invalid."));
        return ApiResponse.ok(render(r.param("subscriptionId").toLowerCase(Locale.ROOT), canonical));
    }
}

package io.azimuth.resources;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ArmEnvelope;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.http.Route;
import io.azimuth.http.Router;

/**
 * {@code GET /metadata/endpoints}: the cloud discovery document, with the resource manager pointing at this
 * instance (the URL the caller used). Served without a token. Its shape follows the api-version asked for:
 * before 2019-05-01 the original single-cloud form (az's {@code cloud register}), from 2019-05-01 an array of
 * clouds, from 2022-09-01 one cloud object (go-azure-sdk and Terraform's {@code metadata_host}). Sign-in
 * ({@code authentication.loginEndpoint}) points at this instance too: it is its own Entra ID.
 */
final class CloudMetadata {
    static final String NAME = "AzimuthCloud";

    void register(Router router, ArmEnvelope anonymous) {
        router.add(Route.at("/metadata/endpoints", anonymous).get(this::endpoints));
    }

    private ApiResponse endpoints(ApiRequest r) {
        String version = r.query("api-version");
        String self = r.baseUrl() + "/";
        if (version.compareTo("2019-05-01") < 0) {
            ObjectNode doc = Json.object();
            doc.put("galleryEndpoint", self);
            doc.put("graphEndpoint", "https://graph.windows.net/");
            doc.put("portalEndpoint", self);
            ObjectNode auth = doc.putObject("authentication");
            auth.put("loginEndpoint", self);
            auth.putArray("audiences").add(self).add("https://management.core.windows.net/");
            return ApiResponse.ok(doc);
        }
        ObjectNode cloud = cloud(self);
        if (version.compareTo("2022-09-01") < 0) {
            cloud.put("gallery", self);
            ArrayNode clouds = Json.array();
            clouds.add(cloud);
            return ApiResponse.ok(clouds);
        }
        cloud.put("microsoftGraphResourceId", "https://graph.microsoft.com/");
        // the resource ids go-azure-sdk (Packer, Terraform) reads from this form
        cloud.put("appInsightsResourceId", "https://api.applicationinsights.io");
        cloud.put("appInsightsTelemetryChannelResourceId", "https://dc.applicationinsights.azure.com/v2/track");
        cloud.put("attestationResourceId", "https://attest.azure.net");
        cloud.put("synapseAnalyticsResourceId", "https://dev.azuresynapse.net");
        cloud.put("logAnalyticsResourceId", "https://api.loganalytics.io");
        cloud.put("ossrDbmsResourceId", "https://ossrdbms-aad.database.windows.net");
        return ApiResponse.ok(cloud);
    }

    private static ObjectNode cloud(String self) {
        ObjectNode c = Json.object();
        c.put("portal", self);
        ObjectNode auth = c.putObject("authentication");
        auth.put("loginEndpoint", self);
        auth.putArray("audiences").add(self).add("https://management.core.windows.net/");
        auth.put("tenant", "common");
        auth.put("identityProvider", "AAD");
        c.put("media", "https://rest.media.azure.net");
        c.put("graphAudience", "https://graph.windows.net/");
        c.put("graph", "https://graph.windows.net/");
        c.put("name", NAME);
        ObjectNode suffixes = c.putObject("suffixes");
        suffixes.put("storage", "core.windows.net");
        suffixes.put("keyVaultDns", "vault.azure.net");
        suffixes.put("acrLoginServer", "azurecr.io");
        suffixes.put("sqlServerHostname", "database.windows.net");
        c.put("batch", "https://batch.core.windows.net/");
        c.put("resourceManager", self);
        c.put("activeDirectoryDataLake", "https://datalake.azure.net/");
        c.put("sqlManagement", "https://management.core.windows.net:8443/");
        return c;
    }
}

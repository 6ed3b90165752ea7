package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Handler;
import io.azimuth.http.Route;
import io.azimuth.http.Router;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.vertx.core.http.HttpMethod;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The classic Service Management API ({@code management.core.windows.net/{subscription-id}/...}) on the same
 * listeners as ARM, under its own envelope: Get Operation Status, cloud services, service certificates, virtual
 * machine deployments and roles with their role operations (Start, Shutdown, Restart, Capture), and the OS image
 * repository. This class is the HTTP side only: it reads bodies ({@link SafeXml}, {@link ServiceXml},
 * {@link DeploymentXml}), hands them to the rules, and renders the answers.
 */
public final class ClassicProvider implements Provider {
    private static final String SUB = "/{subscriptionId}";
    private static final String SERVICES = SUB + "/services/hostedservices";
    private static final String SERVICE = SERVICES + "/{serviceName}";
    private static final String DEPLOYMENT = SERVICE + "/deployments/{deploymentName}";

    private final Map<String, Route> routes = new HashMap<>();
    private ClassicEnvelope envelope;
    private Router router;

    @Override
    public void register(Platform p) {
        envelope = new ClassicEnvelope(p.auth());
        router = p.router();
        router.own(ClassicEnvelope::owns, envelope);
        ClassicOperations operations = new ClassicOperations(p.operations());
        CloudServices services = new CloudServices(p.store(), operations);
        ServiceCertificates certificates = new ServiceCertificates(p.store(), operations);
        OsImages images = new OsImages(p.store(), operations, p.vhds());
        RoleDisks disks = new RoleDisks(p.vhds());
        Deployments deployments = new Deployments(p.store(), operations, new RolePlans(disks), disks);
        RoleOperations roles = new RoleOperations(p.store(), operations, disks);
        CaptureRole capture = new CaptureRole(p.store(), operations, disks);

        on(HttpMethod.GET, SUB + "/operations/{requestId}", Versions.V2009_10_01, operations::status);

        on(HttpMethod.GET, SERVICES, Versions.V2009_10_01, r -> xml(200,
                ServiceXml.hostedServices(r.baseUrl(), sub(r), services.list(sub(r)))));
        on(HttpMethod.POST, SERVICES, Versions.V2010_10_28, r -> {
            String name = services.create(r, ServiceXml.createHostedService(body(r)));
            return ApiResponse.empty(201).header("Location", r.baseUrl() + "/subscriptions/" + sub(r) + "/compute/"
                    + name);
        });
        on(HttpMethod.GET, SERVICE, Versions.V2009_10_01, r -> {
            String embed = r.query("embed-detail");
            boolean detail = embed != null && embed.equalsIgnoreCase("true");
            ObjectNode s = services.get(sub(r), r.param("serviceName"));
            return xml(200, ServiceXml.hostedService(r.baseUrl(), sub(r), s,
                    detail ? services.deployments(sub(r), s.path("ServiceName").asText()) : null));
        });
        on(HttpMethod.DELETE, SERVICE, Versions.V2010_10_28, r -> {
            services.delete(r);
            return ApiResponse.empty(200);
        });

        on(HttpMethod.GET, SERVICE + "/certificates", Versions.V2009_10_01, r -> xml(200, ServiceXml.certificates(
                r.baseUrl(), sub(r), r.param("serviceName"), certificates.list(sub(r), r.param("serviceName")))));
        on(HttpMethod.POST, SERVICE + "/certificates", Versions.V2009_10_01, r -> {
            String[] file = ServiceXml.certificateFile(body(r));
            certificates.add(r, file[0], file[1], file[2]);
            return ApiResponse.empty(202);
        });
        on(HttpMethod.GET, SERVICE + "/certificates/{certificate}", Versions.V2009_10_01, r -> xml(200,
                ServiceXml.certificate(certificates.get(sub(r), r.param("serviceName"), r.param("certificate")))));
        on(HttpMethod.DELETE, SERVICE + "/certificates/{certificate}", Versions.V2009_10_01, r -> {
            certificates.delete(r);
            return ApiResponse.empty(202);
        });

        on(HttpMethod.POST, SERVICE + "/deployments", Versions.V2012_03_01, r -> {
            deployments.create(r, DeploymentXml.deployment(body(r)));
            return ApiResponse.empty(202);
        });
        on(HttpMethod.GET, DEPLOYMENT, Versions.V2009_10_01, r -> xml(200, DeploymentXml.deploymentDocument(
                deployments.get(sub(r), r.param("serviceName"), r.param("deploymentName")))));
        on(HttpMethod.DELETE, DEPLOYMENT, Versions.V2009_10_01, r -> {
            deployments.deleteDeployment(r, media(r, Versions.V2013_08_01));
            return ApiResponse.empty(202);
        });
        on(HttpMethod.GET, SERVICE + "/deploymentslots/{slot}", Versions.V2009_10_01, r -> xml(200,
                DeploymentXml.deploymentDocument(deployments.getBySlot(sub(r), r.param("serviceName"),
                        r.param("slot")))));
        on(HttpMethod.POST, DEPLOYMENT + "/roles", Versions.V2012_03_01, r -> {
            deployments.addRole(r, DeploymentXml.persistentVmRole(body(r)));
            return ApiResponse.empty(202);
        });
        on(HttpMethod.GET, DEPLOYMENT + "/roles/{roleName}", Versions.V2012_03_01, r -> {
            JsonNode role = deployments.getRole(sub(r), r.param("serviceName"), r.param("deploymentName"),
                    r.param("roleName"));
            return xml(200, DeploymentXml.roleDocument(role));
        });
        on(HttpMethod.DELETE, DEPLOYMENT + "/roles/{roleName}", Versions.V2012_03_01, r -> {
            roles.deleteRole(r, media(r, Versions.V2013_08_01));
            return ApiResponse.empty(202);
        });
        on(HttpMethod.POST, DEPLOYMENT + "/roleinstances/{roleName}/Operations", Versions.V2012_03_01,
                r -> roleOperation(r, roles, capture));

        on(HttpMethod.GET, SUB + "/services/images", Versions.V2013_03_01,
                r -> xml(200, ServiceXml.osImages(images.list(sub(r)))));
        on(HttpMethod.POST, SUB + "/services/images", Versions.V2012_03_01,
                r -> xml(200, ServiceXml.osImage(images.add(r, ServiceXml.osImage(body(r))))));
        on(HttpMethod.GET, SUB + "/services/images/{imageName}", Versions.V2012_03_01,
                r -> xml(200, ServiceXml.osImage(images.get(sub(r), r.param("imageName")))));
        on(HttpMethod.DELETE, SUB + "/services/images/{imageName}", Versions.V2012_03_01, r -> {
            images.delete(r, media(r, Versions.V2012_08_01));
            return ApiResponse.empty(200);
        });
    }

    /** Start, Shutdown, Restart and Capture Role share one URL: the body's root element says which. */
    private static ApiResponse roleOperation(ApiRequest r, RoleOperations roles, CaptureRole capture) {
        XmlElement root = body(r);
        switch (root.name()) {
            case "StartRoleOperation" -> {
                DeploymentXml.simple(root, "StartRoleOperation");
                roles.start(r);
            }
            case "RestartRoleOperation" -> {
                DeploymentXml.simple(root, "RestartRoleOperation");
                roles.restart(r);
            }
            case "ShutdownRoleOperation" -> roles.shutdown(r, DeploymentXml.shutdown(root));
            case "CaptureRoleOperation" -> capture.capture(r, DeploymentXml.capture(root));
            default -> throw ClassicErrors.invalidXml("The root element '" + root.name() + "' is not a role operation:"
                    + " it is StartRoleOperation, ShutdownRoleOperation, RestartRoleOperation or CaptureRoleOperation.");
        }
        return ApiResponse.empty(202);
    }

    private void on(HttpMethod method, String template, String since, Handler handler) {
        Route route = routes.computeIfAbsent(template, t -> {
            Route created = Route.at(t, envelope);
            router.add(created);
            return created;
        });
        route.on(method, handler);
        envelope.since(route, method, since);
    }

    private static String sub(ApiRequest r) {
        return r.param("subscriptionId").toLowerCase(Locale.ROOT);
    }

    /** {@code comp=media}: the operation also deletes the blobs, from x-ms-version {@code since}. */
    private static boolean media(ApiRequest r, String since) {
        String comp = r.query("comp");
        if (comp == null) {
            return false;
        }
        if (!comp.equalsIgnoreCase("media")) {
            throw new ApiException(400, "MissingOrInvalidRequiredQueryParameter",
                    "The query parameter 'comp' is 'media' or absent, not '" + comp + "'.");
        }
        if (!Versions.atLeast(ClassicEnvelope.version(r), since)) {
            throw ClassicErrors.version("The versioning header is not specified or was specified incorrectly: "
                    + "'comp=media' needs x-ms-version " + since + " or later.");
        }
        return true;
    }

    static XmlElement body(ApiRequest r) {
        if (!r.hasBody()) {
            throw ClassicErrors.invalidXml("The request body is required: an XML document in the namespace '"
                    + XmlOut.NS + "'.");
        }
        try {
            return SafeXml.parse(r.bodyBytes().getBytes());
        } catch (SafeXml.Malformed e) {
            throw ClassicErrors.invalidXml("The request body's XML was invalid or not correctly specified. "
                    + e.getMessage());
        }
    }

    private static ApiResponse xml(int status, String body) {
        return ApiResponse.text(status, body, ClassicEnvelope.CONTENT_TYPE);
    }
}

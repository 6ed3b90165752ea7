package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Cloud services (hosted services): create (the name is a DNS prefix under cloudapp.net; a base64 label of at most
 * 100 characters; a location or an affinity group, not both), get, list, delete (refused while a deployment is
 * in it; its service certificates go with it). Creation and deletion are answered at once and tracked as ended
 * operations.
 */
final class CloudServices {
    private final Store store;
    private final ClassicOperations operations;

    CloudServices(Store store, ClassicOperations operations) {
        this.store = store;
        this.operations = operations;
        operations.register("hostedServices/create", (tx, op) -> Completion.empty());
        operations.register("hostedServices/delete", (tx, op) -> Completion.empty());
    }

    static ObjectNode require(StoreTx tx, String subscription, String service) {
        return ClassicRecords.get(tx, ClassicRecords.serviceId(subscription, service))
                .orElseThrow(() -> ClassicErrors.notFound("The hosted service does not exist."));
    }

    /** The stored name of the new service. */
    String create(ApiRequest r, ObjectNode body) {
        String sub = r.param("subscriptionId");
        String name = body.path("ServiceName").asText(null);
        if (name == null || name.isBlank()) {
            throw Elements.missing("CreateHostedService/ServiceName");
        }
        if (!name.matches("[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
            throw ClassicErrors.badRequest("The value '" + name + "' of 'CreateHostedService/ServiceName' is not a "
                    + "valid DNS prefix: 1 to 63 letters, digits and hyphens, starting with a letter and not ending "
                    + "with a hyphen.");
        }
        String label = body.path("Label").asText(null);
        if (label == null || label.isBlank()) {
            throw Elements.missing("CreateHostedService/Label");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(label.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ClassicErrors.badRequest("The value of 'CreateHostedService/Label' is not a base-64 encoded string.");
        }
        if (decoded.length() > 100) {
            throw ClassicErrors.badRequest("The value of 'CreateHostedService/Label' decodes to " + decoded.length()
                    + " characters; a label is at most 100 characters long.");
        }
        String description = body.path("Description").asText(null);
        if (description != null && description.length() > 1024) {
            throw ClassicErrors.badRequest("The value of 'CreateHostedService/Description' is " + description.length()
                    + " characters long; a description is at most 1024 characters long.");
        }
        String location = blankToNull(body.path("Location").asText(null));
        String affinity = blankToNull(body.path("AffinityGroup").asText(null));
        if ((location == null) == (affinity == null)) {
            throw ClassicErrors.badRequest("Exactly one of 'CreateHostedService/Location' and "
                    + "'CreateHostedService/AffinityGroup' must be specified.");
        }
        StoredOperation op = store.write(tx -> {
            String id = ClassicRecords.serviceId(sub, name);
            if (ClassicRecords.get(tx, id).isPresent()) {
                throw ClassicErrors.conflict("The specified DNS name '" + name + "' is already taken.");
            }
            ObjectNode doc = Json.object();
            doc.put("ServiceName", name);
            doc.put("Label", label.strip());
            if (description != null) {
                doc.put("Description", description);
            }
            if (location != null) {
                doc.put("Location", location);
            }
            if (affinity != null) {
                doc.put("AffinityGroup", affinity);
            }
            doc.set("ExtendedProperties", body.path("ExtendedProperties").isArray()
                    ? body.path("ExtendedProperties") : Json.array());
            if (body.hasNonNull("ReverseDnsFqdn")) {
                doc.put("ReverseDnsFqdn", body.path("ReverseDnsFqdn").asText());
            }
            doc.put("Status", "Created");
            String now = DeploymentRecords.now();
            doc.put("DateCreated", now);
            doc.put("DateLastModified", now);
            ClassicRecords.put(tx, id, sub, ClassicRecords.HOSTED_SERVICE, name, doc);
            return operations.begin(tx, r, "hostedServices/create", ClassicRecords.key(id), null, true);
        });
        operations.track(op);
        return name;
    }

    ObjectNode get(String subscription, String service) {
        return store.read(tx -> require(tx, subscription, service));
    }

    /** The service and its deployments, for Get Cloud Service Properties with embed-detail. */
    List<ObjectNode> deployments(String subscription, String service) {
        return store.read(tx -> DeploymentRecords.inService(tx, subscription, service));
    }

    List<ObjectNode> list(String subscription) {
        return store.read(tx -> ClassicRecords.list(tx, subscription, ClassicRecords.HOSTED_SERVICE,
                "/" + subscription + "/services/hostedservices/"));
    }

    void delete(ApiRequest r) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        StoredOperation op = store.write(tx -> {
            ObjectNode service = require(tx, sub, svc);
            List<ObjectNode> deployments = DeploymentRecords.inService(tx, sub, svc);
            if (!deployments.isEmpty()) {
                throw ClassicErrors.conflict("The cloud service '" + service.path("ServiceName").asText() + "' has the "
                        + "deployment '" + deployments.get(0).path("Name").asText() + "'; delete its deployments "
                        + "before the cloud service.");
            }
            for (JsonNode cert : ServiceCertificates.inService(tx, sub, svc)) {
                ClassicRecords.delete(tx, ClassicRecords.certificateId(sub, svc, cert.path("Thumbprint").asText()));
            }
            String id = ClassicRecords.serviceId(sub, svc);
            ClassicRecords.delete(tx, id);
            return operations.begin(tx, r, "hostedServices/delete", ClassicRecords.key(id), null, true);
        });
        operations.track(op);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

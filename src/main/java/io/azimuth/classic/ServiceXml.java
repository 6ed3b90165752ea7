package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.Json;

import java.util.List;

/**
 * The wire form of cloud services, service certificates and OS images: request bodies read into JSON keyed by
 * their XML element names (shape, order and value types only), documents rendered in the service's element order.
 */
final class ServiceXml {
    /** Documented order; Location and AffinityGroup are alternatives. */
    static final String[] CREATE_SERVICE_ORDER = {"ServiceName", "Label", "Description", "Location|AffinityGroup",
            "ExtendedProperties", "ReverseDnsFqdn"};
    static final String[] CERTIFICATE_FILE_ORDER = {"Data", "CertificateFormat", "Password"};
    /**
     * The OSImage order of the service's documents; the classic SDK writes ShowInGui after PublishedDate and
     * IsPremium, and PrivacyUri before IconUri, so those are read in either order.
     */
    static final String[] OS_IMAGE_ORDER = {"AffinityGroup", "Category", "Label", "Location", "LogicalSizeInGB",
            "MediaLink", "Name", "OS", "Eula", "Description", "ImageFamily", "ShowInGui|PublishedDate|IsPremium",
            "IconUri|PrivacyUri", "RecommendedVMSize", "PublisherName", "PricingDetailLink", "SmallIconUri", "Language",
            "OSState", "IOType"};

    private ServiceXml() {
    }

    // ---- requests ----

    static ObjectNode createHostedService(XmlElement root) {
        Elements e = Elements.root(root, "CreateHostedService", CREATE_SERVICE_ORDER);
        ObjectNode out = Json.object();
        for (String name : new String[]{"ServiceName", "Label", "Description", "Location", "AffinityGroup",
                "ReverseDnsFqdn"}) {
            String v = e.text(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        if (e.has("ExtendedProperties")) {
            ArrayNode props = out.putArray("ExtendedProperties");
            for (XmlElement p : Elements.of(e.one("ExtendedProperties"), "ExtendedProperty*").all("ExtendedProperty")) {
                Elements pe = Elements.of(p, "Name", "Value");
                ObjectNode prop = props.addObject();
                prop.put("Name", pe.required("Name"));
                prop.put("Value", pe.text("Value") == null ? "" : pe.text("Value"));
            }
        }
        return out;
    }

    /** Data, CertificateFormat and Password (which only opens the PFX and is never kept). */
    static String[] certificateFile(XmlElement root) {
        Elements e = Elements.root(root, "CertificateFile", CERTIFICATE_FILE_ORDER);
        return new String[]{e.text("Data"), e.text("CertificateFormat"), e.text("Password")};
    }

    static ObjectNode osImage(XmlElement root) {
        Elements e = Elements.root(root, "OSImage", OS_IMAGE_ORDER);
        ObjectNode out = Json.object();
        for (String name : new String[]{"Label", "Location", "MediaLink", "Name", "OS", "Eula", "Description",
                "ImageFamily", "PublishedDate", "IconUri", "PrivacyUri", "RecommendedVMSize", "SmallIconUri",
                "Language"}) {
            String v = e.text(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        for (String flag : new String[]{"ShowInGui", "IsPremium"}) {
            Boolean v = e.bool(flag);
            if (v != null) {
                out.put(flag, v);
            }
        }
        return out;
    }

    // ---- responses ----

    static String hostedService(String baseUrl, String subscription, ObjectNode s, List<ObjectNode> deployments) {
        XmlOut out = XmlOut.root("HostedService");
        hostedServiceBody(out, baseUrl, subscription, s);
        if (deployments != null) {
            out.open("Deployments");
            for (ObjectNode d : deployments) {
                out.open("Deployment");
                DeploymentXml.deploymentBody(out, d);
                out.close();
            }
            out.close();
        }
        return out.finish();
    }

    static String hostedServices(String baseUrl, String subscription, List<ObjectNode> services) {
        XmlOut out = XmlOut.root("HostedServices");
        for (ObjectNode s : services) {
            out.open("HostedService");
            hostedServiceBody(out, baseUrl, subscription, s);
            out.close();
        }
        return out.finish();
    }

    private static void hostedServiceBody(XmlOut out, String baseUrl, String subscription, ObjectNode s) {
        out.el("Url", baseUrl + "/" + subscription + "/services/hostedservices/" + s.path("ServiceName").asText());
        out.el("ServiceName", s.path("ServiceName").asText());
        out.open("HostedServiceProperties");
        out.el("Description", s.path("Description").asText(null));
        out.el("AffinityGroup", s.path("AffinityGroup").asText(null));
        out.el("Location", s.path("Location").asText(null));
        out.el("Label", s.path("Label").asText());
        out.el("Status", s.path("Status").asText());
        out.el("DateCreated", s.path("DateCreated").asText());
        out.el("DateLastModified", s.path("DateLastModified").asText());
        out.open("ExtendedProperties");
        for (JsonNode p : s.path("ExtendedProperties")) {
            out.open("ExtendedProperty").el("Name", p.path("Name").asText()).el("Value", p.path("Value").asText())
                    .close();
        }
        out.close();
        out.el("ReverseDnsFqdn", s.path("ReverseDnsFqdn").asText(null));
        out.close();
    }

    static String certificates(String baseUrl, String subscription, String service, List<ObjectNode> certs) {
        XmlOut out = XmlOut.root("Certificates");
        for (ObjectNode c : certs) {
            out.open("Certificate");
            out.el("CertificateUrl", baseUrl + "/" + subscription + "/services/hostedservices/" + service
                    + "/certificates/sha1-" + c.path("Thumbprint").asText());
            out.el("Thumbprint", c.path("Thumbprint").asText());
            out.el("ThumbprintAlgorithm", c.path("ThumbprintAlgorithm").asText());
            out.el("Data", c.path("Data").asText());
            out.close();
        }
        return out.finish();
    }

    static String certificate(ObjectNode c) {
        return XmlOut.root("Certificate").el("Data", c.path("Data").asText()).finish();
    }

    static String osImage(ObjectNode image) {
        XmlOut out = XmlOut.root("OSImage");
        osImageBody(out, image);
        return out.finish();
    }

    static String osImages(List<ObjectNode> images) {
        XmlOut out = XmlOut.root("Images");
        for (ObjectNode image : images) {
            out.open("OSImage");
            osImageBody(out, image);
            out.close();
        }
        return out.finish();
    }

    private static void osImageBody(XmlOut out, ObjectNode i) {
        for (String name : new String[]{"AffinityGroup", "Category", "Label", "Location", "LogicalSizeInGB",
                "MediaLink", "Name", "OS", "Eula", "Description", "ImageFamily", "ShowInGui", "PublishedDate",
                "IsPremium", "IconUri", "PrivacyUri", "RecommendedVMSize", "PublisherName", "PricingDetailLink",
                "SmallIconUri", "Language", "OSState", "IOType"}) {
            JsonNode v = i.path(name);
            if (!v.isMissingNode() && !v.isNull()) {
                out.el(name, v.asText());
            }
        }
    }
}

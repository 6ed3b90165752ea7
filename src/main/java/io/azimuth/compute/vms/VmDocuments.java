package io.azimuth.compute.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.Times;
import io.azimuth.http.Json;

/**
 * A VM's stored document holds its wire form plus private state under {@value #STATE} (power state, whether it
 * was generalized, the image version it runs); clients see the wire form, and its instance view is derived.
 */
final class VmDocuments {
    static final String STATE = io.azimuth.compute.ManagedContent.STATE;

    private VmDocuments() {
    }

    static ObjectNode state(ObjectNode doc) {
        return doc.withObjectProperty(STATE);
    }

    static String power(ObjectNode doc) {
        return doc.path(STATE).path("power").asText("running");
    }

    static boolean generalized(ObjectNode doc) {
        return doc.path(STATE).path("generalized").asBoolean(false);
    }

    static boolean ephemeral(ObjectNode doc) {
        return doc.path(STATE).path("ephemeral").asBoolean(false);
    }

    /** What clients see: the document without its private state. */
    static ObjectNode view(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        copy.remove(STATE);
        return copy;
    }

    /** The document as GET with {@code $expand=instanceView} answers it. */
    static ObjectNode viewWithInstanceView(ObjectNode doc) {
        ObjectNode v = view(doc);
        v.withObjectProperty("properties").set("instanceView", instanceView(doc));
        return v;
    }

    static ObjectNode instanceView(ObjectNode doc) {
        JsonNode props = doc.path("properties");
        ObjectNode iv = Json.object();
        if (props.has("osProfile")) {
            iv.put("computerName", props.path("osProfile").path("computerName").asText());
        }
        String osType = props.path("storageProfile").path("osDisk").path("osType").asText(null);
        if (osType != null) {
            iv.put("osName", osType.equals("Windows") ? "Windows Server" : "Linux");
        }
        iv.put("hyperVGeneration", doc.path(STATE).path("hyperVGeneration").asText("V1"));
        String now = Times.format(System.currentTimeMillis());
        ArrayNode disks = iv.putArray("disks");
        JsonNode storage = props.path("storageProfile");
        disk(disks, storage.path("osDisk"), now);
        for (JsonNode d : storage.path("dataDisks")) {
            disk(disks, d, now);
        }
        ArrayNode statuses = iv.putArray("statuses");
        String provisioning = props.path("provisioningState").asText("Succeeded");
        ObjectNode p = statuses.addObject();
        p.put("code", "ProvisioningState/" + provisioning.toLowerCase(java.util.Locale.ROOT));
        p.put("level", provisioning.equals("Failed") ? "Error" : "Info");
        p.put("displayStatus", provisioning.equals("Succeeded") ? "Provisioning succeeded"
                : "Provisioning " + provisioning.toLowerCase(java.util.Locale.ROOT));
        p.put("time", now);
        if (generalized(doc)) {
            ObjectNode g = statuses.addObject();
            g.put("code", "OSState/generalized");
            g.put("level", "Info");
            g.put("displayStatus", "VM generalized");
        }
        String power = power(doc);
        ObjectNode s = statuses.addObject();
        s.put("code", "PowerState/" + power);
        s.put("level", "Info");
        s.put("displayStatus", "VM " + power);
        return iv;
    }

    private static void disk(ArrayNode disks, JsonNode disk, String now) {
        if (disk.isMissingNode() || !disk.has("name")) {
            return;
        }
        ObjectNode d = disks.addObject();
        d.put("name", disk.path("name").asText());
        ObjectNode st = d.putArray("statuses").addObject();
        st.put("code", "ProvisioningState/succeeded");
        st.put("level", "Info");
        st.put("displayStatus", "Provisioning succeeded");
        st.put("time", now);
    }
}

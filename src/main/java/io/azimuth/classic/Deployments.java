package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.blobs.BlobException;
import io.azimuth.blobs.BlobRef;
import io.azimuth.blobs.BlobWork;
import io.azimuth.blobs.Vhd;
import io.azimuth.blobs.VhdStore;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.Json;
import io.azimuth.lro.Completion;
import io.azimuth.store.OutsideWork;
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Virtual-machine deployments and their persistent VM roles: creating a deployment (one role) and adding roles,
 * their OS disks (a VHD copied from an OS image, from a remote VHD, or an existing VHD attached) and data disks;
 * the role state machine (Start, Shutdown with PostShutdownAction Stopped or StoppedDeallocated, Restart); Capture
 * Role; deleting roles and deployments. A deployment takes one operation at a time, as the service grants
 * operations exclusive access to it. Every change is checked whole before anything is written: a refused request
 * leaves no blob, image or role behind.
 */
final class Deployments {
    static final String READY = "ReadyRole";
    static final String STOPPED = "StoppedVM";
    static final String STOPPED_DEALLOCATED = "StoppedDeallocated";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DISK_STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final Store store;
    private final ClassicOperations operations;
    private final VhdStore vhds;

    Deployments(Store store, ClassicOperations operations, VhdStore vhds) {
        this.store = store;
        this.operations = operations;
        this.vhds = vhds;
        operations.register("deployments/create", (tx, op) -> finish(tx, op, (d, in) -> {
            d.put("Status", "Running");
            for (JsonNode role : d.path("Roles")) {
                started((ObjectNode) role);
            }
        }));
        operations.register("roles/add", (tx, op) -> finish(tx, op, (d, in) ->
                started(role(d, in.path("role").asText()))));
        operations.register("roles/start", (tx, op) -> finish(tx, op, (d, in) ->
                started(role(d, in.path("role").asText()))));
        operations.register("roles/restart", (tx, op) -> finish(tx, op, (d, in) ->
                started(role(d, in.path("role").asText()))));
        operations.register("roles/shutdown", (tx, op) -> finish(tx, op, (d, in) -> {
            ObjectNode role = role(d, in.path("role").asText());
            role.put("InstanceStatus", in.path("deallocate").asBoolean() ? STOPPED_DEALLOCATED : STOPPED);
            role.put("PowerState", "Stopped");
        }));
        operations.register("roles/delete", this::completeRoleDelete);
        operations.register("deployments/delete", this::completeDeploymentDelete);
        operations.register("roles/capture", this::completeCapture);
    }

    static String now() {
        return TIME.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    // ---- reads ----

    ObjectNode get(String subscription, String service, String deployment) {
        return store.read(tx -> {
            CloudServices.require(tx, subscription, service);
            return require(tx, subscription, service, deployment);
        });
    }

    ObjectNode getBySlot(String subscription, String service, String slot) {
        return store.read(tx -> {
            CloudServices.require(tx, subscription, service);
            if (!slot.equalsIgnoreCase("Production") && !slot.equalsIgnoreCase("Staging")) {
                throw ClassicErrors.badRequest("The deployment slot '" + slot + "' is not a slot: it is Production "
                        + "or Staging.");
            }
            return inService(tx, subscription, service).stream()
                    .filter(d -> d.path("DeploymentSlot").asText().equalsIgnoreCase(slot)).findFirst()
                    .orElseThrow(() -> ClassicErrors.notFound("No deployments were found in the " + slot
                            + " slot of the cloud service '" + service + "'."));
        });
    }

    JsonNode getRole(String subscription, String service, String deployment, String roleName) {
        ObjectNode d = get(subscription, service, deployment);
        return findRole(d, roleName).orElseThrow(() -> roleNotFound(roleName, deployment));
    }

    static List<ObjectNode> inService(StoreTx tx, String subscription, String service) {
        return ClassicRecords.list(tx, subscription, ClassicRecords.DEPLOYMENT,
                ClassicRecords.serviceId(subscription, service) + "/deployments/");
    }

    static ObjectNode require(StoreTx tx, String subscription, String service, String deployment) {
        return ClassicRecords.get(tx, ClassicRecords.deploymentId(subscription, service, deployment))
                .orElseThrow(() -> ClassicErrors.notFound("The deployment '" + deployment + "' does not exist in "
                        + "the cloud service '" + service + "'."));
    }

    // ---- create deployment, add role ----

    StoredOperation create(ApiRequest r, ObjectNode body) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String version = ClassicEnvelope.version(r);
        String name = body.path("Name").asText(null);
        if (name == null || name.isBlank()) {
            throw Elements.missing("Deployment/Name");
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw ClassicErrors.badRequest("The value '" + name + "' of 'Deployment/Name' is not a deployment name: "
                    + "1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit.");
        }
        String slot = body.path("DeploymentSlot").asText(null);
        if (slot == null || slot.isBlank()) {
            throw Elements.missing("Deployment/DeploymentSlot");
        }
        if (!slot.strip().equals("Production")) {
            throw ClassicErrors.badRequest("The value '" + slot + "' of 'Deployment/DeploymentSlot' is not allowed: "
                    + "virtual machine deployments go to the Production slot only.");
        }
        String label = body.path("Label").asText(null);
        if (label == null || label.isBlank()) {
            throw Elements.missing("Deployment/Label");
        }
        if (label.length() > 100) {
            throw ClassicErrors.badRequest("The value of 'Deployment/Label' is " + label.length()
                    + " characters long; a label is at most 100 characters long.");
        }
        JsonNode roles = body.path("RoleList");
        if (!roles.isArray() || roles.isEmpty()) {
            throw Elements.missing("Deployment/RoleList/Role");
        }
        if (roles.size() > 1) {
            throw ClassicErrors.badRequest("The element 'Deployment/RoleList' has " + roles.size() + " roles; a "
                    + "virtual machine deployment is created with exactly one role (add the others with Add Role).");
        }
        StoredOperation op = store.write(tx -> {
            ObjectNode service = CloudServices.require(tx, sub, svc);
            for (ObjectNode other : inService(tx, sub, svc)) {
                throw ClassicErrors.conflict("The Production slot of the cloud service '" + svc + "' is already "
                        + "occupied by the deployment '" + other.path("Name").asText() + "'.");
            }
            if (ClassicRecords.get(tx, ClassicRecords.deploymentId(sub, svc, name)).isPresent()) {
                throw ClassicErrors.conflict("A deployment named '" + name + "' already exists.");
            }
            Planned planned = plan(tx, (ObjectNode) roles.get(0), sub, svc, name, version, Set.of(), 0);
            tx.outside(planned.writes());
            ObjectNode d = Json.object();
            d.put("Name", name);
            d.put("DeploymentSlot", "Production");
            d.put("PrivateID", UUID.randomUUID().toString().replace("-", ""));
            d.put("Status", "Deploying");
            d.put("Label", label);
            d.put("CreatedTime", now());
            d.put("LastModifiedTime", now());
            if (body.hasNonNull("VirtualNetworkName")) {
                d.put("VirtualNetworkName", body.path("VirtualNetworkName").asText());
            }
            d.put("Service", service.path("ServiceName").asText());
            d.put("Location", service.path("Location").asText(""));
            d.putArray("Roles").add(planned.role());
            return begin(tx, r, d, "deployments/create", Json.object());
        });
        operations.track(op);
        return op;
    }

    StoredOperation addRole(ApiRequest r, ObjectNode role) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String version = ClassicEnvelope.version(r);
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = require(tx, sub, svc, dep);
            exclusive(tx, d);
            Set<String> names = new HashSet<>();
            for (JsonNode existing : d.path("Roles")) {
                names.add(existing.path("RoleName").asText().toLowerCase(Locale.ROOT));
            }
            Planned planned = plan(tx, role, sub, svc, d.path("Name").asText(), version, names,
                    d.path("Roles").size());
            tx.outside(planned.writes());
            ((ArrayNode) d.path("Roles")).add(planned.role());
            ObjectNode input = Json.object();
            input.put("role", planned.role().path("RoleName").asText());
            return begin(tx, r, d, "roles/add", input);
        });
        operations.track(op);
        return op;
    }

    /**
     * A role checked whole, with the blob writes it needs: done once everything else passed, outside the store write
     * ({@link StoreTx#outside}: the blobs' account may be remote), before it commits.
     */
    private record Planned(ObjectNode role, List<OutsideWork<?>> writes) {
    }

    private Planned plan(StoreTx tx, ObjectNode in, String sub, String svc, String deployment, String version,
                         Set<String> taken, int index) {
        String path = in.path("path").asText("Role");
        String roleName = in.path("RoleName").asText(null);
        if (roleName == null || roleName.isBlank()) {
            throw Elements.missing(path + "/RoleName");
        }
        if (!roleName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw ClassicErrors.badRequest("The value '" + roleName + "' of '" + path + "/RoleName' is not a role "
                    + "name: 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit.");
        }
        if (taken.contains(roleName.toLowerCase(Locale.ROOT))) {
            throw ClassicErrors.conflict("A role named '" + roleName + "' already exists in the deployment '"
                    + deployment + "'.");
        }
        String roleType = in.path("RoleType").asText(null);
        if (roleType == null || roleType.isBlank()) {
            throw Elements.missing(path + "/RoleType");
        }
        if (!roleType.strip().equals("PersistentVMRole")) {
            throw ClassicErrors.badRequest("The value '" + roleType + "' of '" + path + "/RoleType' is not allowed: "
                    + "virtual machines are PersistentVMRole roles.");
        }
        if (in.hasNonNull("VMImageName")) {
            throw ClassicErrors.badRequest("The element '" + path + "/VMImageName' names a VM image; VM images are "
                    + "not emulated: create roles from OS images (OSVirtualHardDisk/SourceImageName) instead.");
        }
        ObjectNode provisioning = null;
        ObjectNode network = null;
        for (JsonNode set : in.path("ConfigurationSets")) {
            String type = set.path("ConfigurationSetType").asText();
            if (type.equals(ConfigurationSets.NETWORK)) {
                if (network != null) {
                    throw ClassicErrors.badRequest("The element '" + set.path("path").asText() + "' is a second "
                            + "network configuration set; a role has at most one.");
                }
                network = (ObjectNode) set;
            } else {
                if (provisioning != null) {
                    throw ClassicErrors.badRequest("The element '" + set.path("path").asText() + "' is a second "
                            + "provisioning configuration set; a role has at most one.");
                }
                provisioning = (ObjectNode) set;
            }
        }
        if (network != null) {
            endpoints(network);
        }
        JsonNode osIn = in.path("OSVirtualHardDisk");
        if (!osIn.isObject()) {
            throw Elements.missing(path + "/OSVirtualHardDisk");
        }
        String osPath = path + "/OSVirtualHardDisk";
        String mediaLinkText = osIn.path("MediaLink").asText(null);
        if (mediaLinkText == null || mediaLinkText.isBlank()) {
            throw Elements.missing(osPath + "/MediaLink");
        }
        BlobRef mediaLink = blob(mediaLinkText, osPath + "/MediaLink");
        String caching = caching(osIn.path("HostCaching").asText(null), osPath + "/HostCaching", "ReadWrite");
        String sourceImage = osIn.path("SourceImageName").asText(null);
        String remote = osIn.path("RemoteSourceImageLink").asText(null);
        String os = osIn.path("OS").asText(null);
        if (os != null) {
            os = osType(os, osPath + "/OS");
        }
        List<OutsideWork<?>> writes = new ArrayList<>();
        ObjectNode osDisk = Json.object();
        if (sourceImage != null && remote != null) {
            throw ClassicErrors.badRequest("The elements '" + osPath + "/SourceImageName' and '" + osPath
                    + "/RemoteSourceImageLink' exclude each other: name one source for the OS disk.");
        }
        if (sourceImage != null) {
            ObjectNode image = OsImages.find(tx, sub, sourceImage).filter(i -> !i.path("Pending").asBoolean())
                    .orElseThrow(() -> ClassicErrors.badRequest("The image '" + sourceImage + "' named in '" + osPath
                            + "/SourceImageName' does not exist in the image repository."));
            String imageOs = image.path("OS").asText();
            if (os != null && !os.equals(imageOs)) {
                throw ClassicErrors.badRequest("The value '" + os + "' of '" + osPath + "/OS' contradicts the "
                        + imageOs + " image '" + sourceImage + "'.");
            }
            os = imageOs;
            BlobRef source = blob(image.path("MediaLink").asText(), "OSImage/MediaLink");
            absent(tx, mediaLink, osPath + "/MediaLink");
            writes.add(copy(source, mediaLink, osPath + "/MediaLink"));
            osDisk.put("SourceImageName", image.path("Name").asText());
        } else if (remote != null) {
            BlobRef source = blob(remote, osPath + "/RemoteSourceImageLink");
            vhd(tx, source, osPath + "/RemoteSourceImageLink");
            if (os == null) {
                throw ClassicErrors.badRequest("The element '" + osPath + "/OS' is required with a "
                        + "RemoteSourceImageLink: it is Windows or Linux.");
            }
            absent(tx, mediaLink, osPath + "/MediaLink");
            writes.add(copy(source, mediaLink, osPath + "/MediaLink"));
            osDisk.put("RemoteSourceImageLink", remote);
        } else {
            vhd(tx, mediaLink, osPath + "/MediaLink");
            if (os == null) {
                throw ClassicErrors.badRequest("The element '" + osPath + "/OS' is required to attach an existing "
                        + "OS disk: it is Windows or Linux.");
            }
        }
        boolean fromImage = sourceImage != null || remote != null;
        ObjectNode kept = null;
        if (provisioning != null) {
            String expected = os.equals("Windows") ? ConfigurationSets.WINDOWS : ConfigurationSets.LINUX;
            if (!provisioning.path("ConfigurationSetType").asText().equals(expected)) {
                throw ClassicErrors.badRequest("The element '" + provisioning.path("path").asText() + "' is a "
                        + provisioning.path("ConfigurationSetType").asText() + " set, but the OS disk is " + os
                        + ": it takes a " + expected + " set.");
            }
            ProvisioningRules.check(provisioning, new ProvisioningRules.Context(version,
                    ServiceCertificates.thumbprints(tx, sub, svc), provisioning.path("path").asText()));
            kept = ProvisioningRules.kept(provisioning);
        } else if (fromImage) {
            throw ClassicErrors.badRequest("The role '" + roleName + "' is created from an image, so it needs a "
                    + (os.equals("Windows") ? ConfigurationSets.WINDOWS : ConfigurationSets.LINUX)
                    + " configuration set in '" + path + "/ConfigurationSets'.");
        }
        String stamp = DISK_STAMP.format(Instant.now());
        osDisk.put("HostCaching", caching);
        osDisk.put("DiskLabel", osIn.path("DiskLabel").asText(null));
        osDisk.put("DiskName", osIn.path("DiskName").asText(svc + "-" + roleName + "-0-" + stamp));
        osDisk.put("MediaLink", mediaLinkText);
        osDisk.put("OS", os);
        ObjectNode role = Json.object();
        role.put("RoleName", roleName);
        role.put("RoleType", "PersistentVMRole");
        role.put("RoleSize", in.path("RoleSize").asText("Small"));
        if (in.hasNonNull("AvailabilitySetName")) {
            role.put("AvailabilitySetName", in.path("AvailabilitySetName").asText());
        }
        if (in.has("ProvisionGuestAgent")) {
            role.put("ProvisionGuestAgent", in.path("ProvisionGuestAgent").asBoolean());
        }
        if (kept != null) {
            role.set("Provisioning", kept);
        }
        if (network != null) {
            ObjectNode n = network.deepCopy();
            n.remove("path");
            role.set("Network", n);
        }
        role.set("OSVirtualHardDisk", osDisk);
        role.set("DataVirtualHardDisks", dataDisks(tx, in.path("DataVirtualHardDisks"), path, svc, roleName, stamp,
                mediaLink, writes));
        role.put("HostName", hostName(kept, roleName));
        role.put("IpAddress", "10.0.0." + (4 + index));
        role.put("InstanceStatus", "Provisioning");
        role.put("PowerState", "Starting");
        return new Planned(role, writes);
    }

    private ArrayNode dataDisks(StoreTx tx, JsonNode disks, String path, String svc, String roleName, String stamp,
                                BlobRef osMedia, List<OutsideWork<?>> writes) {
        ArrayNode out = Json.array();
        Set<Integer> luns = new HashSet<>();
        Set<String> media = new HashSet<>();
        media.add(osMedia.key());
        int i = 0;
        for (JsonNode d : disks) {
            String at = path + "/DataVirtualHardDisks/DataVirtualHardDisk[" + (i + 1) + "]";
            int lun = d.has("Lun") ? d.path("Lun").asInt() : i;
            if (lun < 0 || lun > 31) {
                throw ClassicErrors.badRequest("The value " + lun + " of '" + at + "/Lun' is not a LUN: 0 to 31.");
            }
            if (!luns.add(lun)) {
                throw ClassicErrors.badRequest("The value " + lun + " of '" + at + "/Lun' is used by another disk.");
            }
            String link = d.path("MediaLink").asText(null);
            if (link == null || link.isBlank()) {
                throw Elements.missing(at + "/MediaLink");
            }
            BlobRef blob = blob(link, at + "/MediaLink");
            if (!media.add(blob.key())) {
                throw ClassicErrors.badRequest("The blob '" + link + "' of '" + at + "/MediaLink' is used by another "
                        + "disk of the role.");
            }
            ObjectNode disk = Json.object();
            disk.put("HostCaching", caching(d.path("HostCaching").asText(null), at + "/HostCaching", "None"));
            if (d.hasNonNull("DiskLabel")) {
                disk.put("DiskLabel", d.path("DiskLabel").asText());
            }
            disk.put("DiskName", d.path("DiskName").asText(svc + "-" + roleName + "-" + (i + 1) + "-" + stamp));
            disk.put("Lun", lun);
            disk.put("MediaLink", link);
            String sourceLink = d.path("SourceMediaLink").asText(null);
            if (sourceLink != null) {
                BlobRef source = blob(sourceLink, at + "/SourceMediaLink");
                Vhd vhd = vhd(tx, source, at + "/SourceMediaLink");
                absent(tx, blob, at + "/MediaLink");
                writes.add(copy(source, blob, at + "/MediaLink"));
                if (vhd.sizeKnown()) {
                    disk.put("LogicalDiskSizeInGB", vhd.sizeGiB());
                }
            } else if (tx.outside(BlobWork.size(vhds, blob)).isPresent()) {
                Vhd vhd = vhd(tx, blob, at + "/MediaLink");
                if (vhd.sizeKnown()) {
                    disk.put("LogicalDiskSizeInGB", vhd.sizeGiB());
                }
            } else {
                if (!d.has("LogicalDiskSizeInGB")) {
                    throw ClassicErrors.badRequest("The element '" + at + "/LogicalDiskSizeInGB' is required for an "
                            + "empty data disk (no blob exists at its MediaLink).");
                }
                int size = d.path("LogicalDiskSizeInGB").asInt();
                if (size < 1 || size > 1023) {
                    throw ClassicErrors.badRequest("The value " + size + " of '" + at + "/LogicalDiskSizeInGB' is "
                            + "not a disk size: 1 to 1023 GB.");
                }
                disk.put("LogicalDiskSizeInGB", size);
                writes.add(BlobWork.blank(vhds, blob, (long) size << 30));
            }
            out.add(disk);
            i++;
        }
        return out;
    }

    private static void endpoints(ObjectNode network) {
        int i = 0;
        for (JsonNode ep : network.path("InputEndpoints")) {
            String at = network.path("path").asText() + "/InputEndpoints/InputEndpoint[" + (++i) + "]";
            if (!ep.hasNonNull("Name")) {
                throw Elements.missing(at + "/Name");
            }
            String protocol = ep.path("Protocol").asText(null);
            if (protocol == null) {
                throw Elements.missing(at + "/Protocol");
            }
            if (!protocol.equalsIgnoreCase("tcp") && !protocol.equalsIgnoreCase("udp")) {
                throw ClassicErrors.badRequest("The value '" + protocol + "' of '" + at + "/Protocol' is tcp or udp.");
            }
            for (String port : new String[]{"Port", "LocalPort"}) {
                if (!ep.has(port)) {
                    throw Elements.missing(at + "/" + port);
                }
                int p = ep.path(port).asInt();
                if (p < 1 || p > 65535) {
                    throw ClassicErrors.badRequest("The value " + p + " of '" + at + "/" + port + "' is not a port.");
                }
            }
        }
    }

    private static String hostName(ObjectNode provisioning, String roleName) {
        if (provisioning != null) {
            String name = provisioning.path(provisioning.path("ConfigurationSetType").asText()
                    .equals(ConfigurationSets.WINDOWS) ? "ComputerName" : "HostName").asText(null);
            if (name != null) {
                return name;
            }
            if (ConfigurationSets.WINDOWS.equals(provisioning.path("ConfigurationSetType").asText())) {
                return roleName.length() > 15 ? roleName.substring(0, 15) : roleName;
            }
        }
        return roleName;
    }

    private static String caching(String value, String at, String dflt) {
        if (value == null) {
            return dflt;
        }
        for (String allowed : new String[]{"None", "ReadOnly", "ReadWrite"}) {
            if (allowed.equals(value.strip())) {
                return allowed;
            }
        }
        throw ClassicErrors.badRequest("The value '" + value + "' of '" + at + "' is not a caching mode: it is None, "
                + "ReadOnly or ReadWrite.");
    }

    static String osType(String value, String at) {
        for (String allowed : new String[]{"Windows", "Linux"}) {
            if (allowed.equalsIgnoreCase(value.strip())) {
                return allowed;
            }
        }
        throw ClassicErrors.badRequest("The value '" + value + "' of '" + at + "' is not an operating system: it is "
                + "Windows or Linux.");
    }

    static BlobRef blob(String uri, String at) {
        try {
            return BlobRef.parse(uri.strip());
        } catch (IllegalArgumentException e) {
            throw ClassicErrors.badRequest("The value of '" + at + "' is not a blob URI "
                    + "(https://{account}.blob.core.windows.net/{container}/{blob}): " + e.getMessage());
        }
    }

    /**
     * The blob as a fixed VHD, looked at outside the store write; a missing or malformed one is a 400 naming the
     * element.
     */
    private Vhd vhd(StoreTx tx, BlobRef blob, String at) {
        try {
            return tx.outside(BlobWork.vhd(vhds, blob, at));
        } catch (BlobException e) {
            throw ClassicErrors.badRequest(e.getMessage());
        }
    }

    private void absent(StoreTx tx, BlobRef blob, String at) {
        if (tx.outside(BlobWork.size(vhds, blob)).isPresent()) {
            throw ClassicErrors.conflict("A blob already exists at '" + blob.uri() + "', given in '" + at + "': a new "
                    + "disk is written there, so it must not exist yet.");
        }
    }

    /** Copying to a new blob, outside the store write: a 409 when it exists meanwhile, a 400 for a bad source. */
    private OutsideWork<Boolean> copy(BlobRef source, BlobRef target, String at) {
        return BlobWork.write(vhds, "copy of " + source.uri(), target, () -> {
            try {
                vhds.copy(source, target, false);
            } catch (BlobException e) {
                if (e.isConflict()) {
                    throw ClassicErrors.conflict("A blob already exists at '" + target.uri() + "', given in '" + at
                            + "'.");
                }
                throw ClassicErrors.badRequest(e.getMessage());
            }
        });
    }

    // ---- role operations ----

    StoredOperation start(ApiRequest r) {
        return roleAction(r, "roles/start", Json.object(), role -> {
            role.put("InstanceStatus", "StartingVM");
            role.put("PowerState", "Starting");
        });
    }

    StoredOperation restart(ApiRequest r) {
        return roleAction(r, "roles/restart", Json.object(), role -> {
            if (!role.path("PowerState").asText().equals("Started")) {
                throw ClassicErrors.conflict("The role '" + role.path("RoleName").asText() + "' is not running (it is "
                        + role.path("InstanceStatus").asText() + "); only a running role can be restarted.");
            }
            role.put("InstanceStatus", "RestartingRole");
        });
    }

    StoredOperation shutdown(ApiRequest r, String postShutdownAction) {
        String version = ClassicEnvelope.version(r);
        boolean deallocate = false;
        if (postShutdownAction != null) {
            if (!Versions.atLeast(version, Versions.V2013_06_01)) {
                throw ClassicErrors.badRequest("The element 'ShutdownRoleOperation/PostShutdownAction' is only "
                        + "available with x-ms-version " + Versions.V2013_06_01 + " or later (this request has "
                        + version + ").");
            }
            String action = postShutdownAction.strip();
            if (action.equals("StoppedDeallocated")) {
                deallocate = true;
            } else if (!action.equals("Stopped")) {
                throw ClassicErrors.badRequest("The value '" + action + "' of 'ShutdownRoleOperation/PostShutdownAction'"
                        + " is not a post-shutdown action: it is Stopped or StoppedDeallocated.");
            }
        }
        ObjectNode input = Json.object();
        input.put("deallocate", deallocate);
        return roleAction(r, "roles/shutdown", input, role -> {
            role.put("InstanceStatus", "StoppingVM");
            role.put("PowerState", "Stopping");
        });
    }

    @FunctionalInterface
    private interface RoleChange {
        void apply(ObjectNode role);
    }

    private StoredOperation roleAction(ApiRequest r, String kind, ObjectNode input, RoleChange change) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String roleName = r.param("roleName");
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = require(tx, sub, svc, dep);
            ObjectNode role = findRole(d, roleName).orElseThrow(() -> roleNotFound(roleName, dep));
            exclusive(tx, d);
            change.apply(role);
            input.put("role", role.path("RoleName").asText());
            return begin(tx, r, d, kind, input);
        });
        operations.track(op);
        return op;
    }

    // ---- capture ----

    /** Capture Role: every rule is checked before the OS disk is copied and the image registered. */
    StoredOperation capture(ApiRequest r, ObjectNode body) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String roleName = r.param("roleName");
        String version = ClassicEnvelope.version(r);
        String action = body.path("PostCaptureAction").asText(null);
        if (action == null || action.isBlank()) {
            throw Elements.missing("CaptureRoleOperation/PostCaptureAction");
        }
        action = action.strip();
        if (!action.equals("Delete") && !action.equals("Reprovision")) {
            throw ClassicErrors.badRequest("The value '" + action + "' of 'CaptureRoleOperation/PostCaptureAction' is "
                    + "not a post-capture action: it is Delete or Reprovision.");
        }
        ObjectNode provisioning = body.path("ProvisioningConfiguration").isObject()
                ? (ObjectNode) body.path("ProvisioningConfiguration") : null;
        if (provisioning != null && action.equals("Delete")) {
            throw ClassicErrors.badRequest("The element 'CaptureRoleOperation/ProvisioningConfiguration' is only used "
                    + "when PostCaptureAction is Reprovision; with Delete the virtual machine is not redeployed.");
        }
        if (provisioning == null && action.equals("Reprovision")) {
            throw ClassicErrors.badRequest("The element 'CaptureRoleOperation/ProvisioningConfiguration' is required "
                    + "when PostCaptureAction is Reprovision: it provisions the redeployed virtual machine.");
        }
        String label = body.path("TargetImageLabel").asText(null);
        if (label == null || label.isBlank()) {
            throw Elements.missing("CaptureRoleOperation/TargetImageLabel");
        }
        String imageName = body.path("TargetImageName").asText(null);
        if (imageName == null || imageName.isBlank()) {
            throw Elements.missing("CaptureRoleOperation/TargetImageName");
        }
        OsImages.checkName(imageName.strip(), "CaptureRoleOperation/TargetImageName");
        String postAction = action;
        StoredOperation op = store.write(tx -> {
            ObjectNode service = CloudServices.require(tx, sub, svc);
            ObjectNode d = require(tx, sub, svc, dep);
            ObjectNode role = findRole(d, roleName).orElseThrow(() -> roleNotFound(roleName, dep));
            exclusive(tx, d);
            String status = role.path("InstanceStatus").asText();
            if (!status.equals(STOPPED) && !status.equals(STOPPED_DEALLOCATED)) {
                throw ClassicErrors.conflict("The role '" + role.path("RoleName").asText() + "' must be shut down "
                        + "before it is captured, and it is " + status + " (" + role.path("PowerState").asText()
                        + "): shut it down with a ShutdownRoleOperation first.");
            }
            if (OsImages.find(tx, sub, imageName.strip()).isPresent()) {
                throw ClassicErrors.conflict("The image name '" + imageName.strip() + "' given in "
                        + "'CaptureRoleOperation/TargetImageName' is already taken in the image repository.");
            }
            String os = role.path("OSVirtualHardDisk").path("OS").asText();
            ObjectNode kept = null;
            if (provisioning != null) {
                String expected = os.equals("Windows") ? ConfigurationSets.WINDOWS : ConfigurationSets.LINUX;
                if (!provisioning.path("ConfigurationSetType").asText().equals(expected)) {
                    throw ClassicErrors.badRequest("The element 'CaptureRoleOperation/ProvisioningConfiguration' is a "
                            + provisioning.path("ConfigurationSetType").asText() + " set, but the role runs " + os
                            + ": it is reprovisioned with a " + expected + " set.");
                }
                ProvisioningRules.check(provisioning, new ProvisioningRules.Context(version,
                        ServiceCertificates.thumbprints(tx, sub, svc), "CaptureRoleOperation/ProvisioningConfiguration"));
                kept = ProvisioningRules.kept(provisioning);
            }
            BlobRef source = blob(role.path("OSVirtualHardDisk").path("MediaLink").asText(), "OSVirtualHardDisk/MediaLink");
            Vhd vhd = vhd(tx, source, "OSVirtualHardDisk/MediaLink");
            BlobRef target = captureTarget(tx, source, imageName.strip(), r.requestId());
            tx.outside(copy(source, target, "CaptureRoleOperation/TargetImageName"));

            ObjectNode image = OsImages.document(imageName.strip(), label, target.uri(), os,
                    service.path("Location").asText(OsImages.DEFAULT_LOCATION), vhd);
            image.put("Pending", true);
            OsImages.put(tx, sub, image);
            ObjectNode input = Json.object();
            input.put("role", role.path("RoleName").asText());
            input.put("image", imageName.strip());
            input.put("action", postAction);
            if (kept != null) {
                input.set("provisioning", kept);
            }
            return begin(tx, r, d, "roles/capture", input);
        });
        operations.track(op);
        return op;
    }

    /**
     * A new blob beside the OS disk: same account and container, named after the image and the day, with a suffix
     * when that is taken (drawn from the request id, so that every run of the write draws the same).
     */
    private BlobRef captureTarget(StoreTx tx, BlobRef os, String imageName, String requestId) {
        String safe = imageName.replaceAll("[^A-Za-z0-9._-]", "-");
        String dir = os.path().contains("/") ? os.path().substring(0, os.path().lastIndexOf('/') + 1) : "";
        String base = dir + safe + "-os-" + DAY.format(Instant.now());
        BlobRef target = new BlobRef(os.account(), os.container(), base + ".vhd", os.suffix());
        for (int n = 1; tx.outside(BlobWork.size(vhds, target)).isPresent(); n++) {
            String suffix = UUID.nameUUIDFromBytes((requestId + "/" + n).getBytes(StandardCharsets.UTF_8)).toString()
                    .substring(0, 8);
            target = new BlobRef(os.account(), os.container(), base + "-" + suffix + ".vhd", os.suffix());
        }
        return target;
    }

    private Completion completeCapture(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        String sub = op.subscription();
        OsImages.find(tx, sub, in.path("image").asText()).ifPresent(image -> {
            image.remove("Pending");
            OsImages.put(tx, sub, image);
        });
        ObjectNode d = ClassicRecords.get(tx, op.target()).orElse(null);
        if (d == null) {
            return Completion.empty();
        }
        ObjectNode role = findRole(d, in.path("role").asText()).orElse(null);
        if (role != null && in.path("action").asText().equals("Delete")) {
            removeRole(d, role.path("RoleName").asText());
        } else if (role != null) {
            ObjectNode image = OsImages.find(tx, sub, in.path("image").asText()).orElseThrow();
            ObjectNode osDisk = (ObjectNode) role.path("OSVirtualHardDisk");
            BlobRef media = blob(osDisk.path("MediaLink").asText(), "OSVirtualHardDisk/MediaLink");
            // outside the write (the account may be remote), before it commits; doing it again is harmless
            tx.outside(BlobWork.copy(vhds, blob(image.path("MediaLink").asText(), "OSImage/MediaLink"), media, true));
            osDisk.put("SourceImageName", image.path("Name").asText());
            osDisk.remove("RemoteSourceImageLink");
            ObjectNode kept = (ObjectNode) in.path("provisioning");
            role.set("Provisioning", kept);
            role.put("HostName", hostName(kept, role.path("RoleName").asText()));
            started(role);
        }
        d.remove("Operation");
        if (d.path("Roles").isEmpty()) {
            ClassicRecords.delete(tx, op.target());
        } else {
            save(tx, op.subscription(), d);
        }
        return Completion.empty();
    }

    // ---- deletion ----

    StoredOperation deleteRole(ApiRequest r, boolean media) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        String roleName = r.param("roleName");
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = require(tx, sub, svc, dep);
            ObjectNode role = findRole(d, roleName).orElseThrow(() -> roleNotFound(roleName, dep));
            exclusive(tx, d);
            if (d.path("Roles").size() == 1) {
                throw ClassicErrors.conflict("The role '" + role.path("RoleName").asText() + "' is the only role of "
                        + "the deployment '" + dep + "': delete the deployment instead.");
            }
            role.put("InstanceStatus", "DeletingVM");
            ObjectNode input = Json.object();
            input.put("role", role.path("RoleName").asText());
            input.put("media", media);
            return begin(tx, r, d, "roles/delete", input);
        });
        operations.track(op);
        return op;
    }

    private Completion completeRoleDelete(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        ObjectNode d = ClassicRecords.get(tx, op.target()).orElse(null);
        if (d == null) {
            return Completion.empty();
        }
        findRole(d, in.path("role").asText()).ifPresent(role -> {
            if (in.path("media").asBoolean()) {
                tx.outside(deleteBlobs(role));
            }
            removeRole(d, role.path("RoleName").asText());
        });
        d.remove("Operation");
        save(tx, op.subscription(), d);
        return Completion.empty();
    }

    StoredOperation deleteDeployment(ApiRequest r, boolean media) {
        String sub = r.param("subscriptionId");
        String svc = r.param("serviceName");
        String dep = r.param("deploymentName");
        StoredOperation op = store.write(tx -> {
            CloudServices.require(tx, sub, svc);
            ObjectNode d = require(tx, sub, svc, dep);
            exclusive(tx, d);
            d.put("Status", "Deleting");
            ObjectNode input = Json.object();
            input.put("media", media);
            return begin(tx, r, d, "deployments/delete", input);
        });
        operations.track(op);
        return op;
    }

    private Completion completeDeploymentDelete(StoreTx tx, StoredOperation op) {
        ObjectNode in = Json.readObject(op.input());
        ClassicRecords.get(tx, op.target()).ifPresent(d -> {
            if (in.path("media").asBoolean()) {
                List<OutsideWork<?>> deletes = new ArrayList<>();
                for (JsonNode role : d.path("Roles")) {
                    deletes.addAll(deleteBlobs(role));
                }
                tx.outside(deletes);
            }
            ClassicRecords.delete(tx, op.target());
        });
        return Completion.empty();
    }

    /** Deleting a role's disk blobs, outside the store write (their account may be remote), before it commits. */
    private List<OutsideWork<?>> deleteBlobs(JsonNode role) {
        List<OutsideWork<?>> deletes = new ArrayList<>();
        deletes.add(BlobWork.delete(vhds, blob(role.path("OSVirtualHardDisk").path("MediaLink").asText(), "MediaLink")));
        for (JsonNode d : role.path("DataVirtualHardDisks")) {
            deletes.add(BlobWork.delete(vhds, blob(d.path("MediaLink").asText(), "MediaLink")));
        }
        return deletes;
    }

    // ---- shared ----

    /** Refuses while another operation has the deployment. */
    private static void exclusive(StoreTx tx, ObjectNode d) {
        String running = d.path("Operation").asText(null);
        if (ClassicOperations.running(tx, running)) {
            throw ClassicErrors.conflict("Windows Azure is currently performing an operation with x-ms-requestid "
                    + running.replace("-", "") + " on this deployment that requires exclusive access.");
        }
    }

    /** Stores the staged deployment and begins the request's operation on it, which the deployment then holds. */
    private StoredOperation begin(StoreTx tx, ApiRequest r, ObjectNode d, String kind, ObjectNode input) {
        String sub = r.param("subscriptionId");
        String id = ClassicRecords.deploymentId(sub, d.path("Service").asText(), d.path("Name").asText());
        d.put("Operation", ClassicOperations.operationId(r.requestId()));
        d.put("LastModifiedTime", now());
        save(tx, sub, d);
        return operations.begin(tx, r, kind, ClassicRecords.key(id), input, false);
    }

    private static void save(StoreTx tx, String subscription, ObjectNode d) {
        String id = ClassicRecords.deploymentId(subscription, d.path("Service").asText(), d.path("Name").asText());
        ClassicRecords.put(tx, id, subscription, ClassicRecords.DEPLOYMENT, d.path("Name").asText(), d);
    }

    @FunctionalInterface
    private interface Finish {
        void apply(ObjectNode deployment, JsonNode input);
    }

    private Completion finish(StoreTx tx, StoredOperation op, Finish finish) {
        ObjectNode d = ClassicRecords.get(tx, op.target()).orElse(null);
        if (d == null) {
            return Completion.empty();
        }
        finish.apply(d, op.input() == null ? Json.object() : Json.readObject(op.input()));
        d.remove("Operation");
        d.put("LastModifiedTime", now());
        save(tx, op.subscription(), d);
        return Completion.empty();
    }

    private static void started(ObjectNode role) {
        role.put("InstanceStatus", READY);
        role.put("PowerState", "Started");
    }

    static Optional<ObjectNode> findRole(ObjectNode d, String name) {
        for (JsonNode role : d.path("Roles")) {
            if (role.path("RoleName").asText().equalsIgnoreCase(name)) {
                return Optional.of((ObjectNode) role);
            }
        }
        return Optional.empty();
    }

    private static ObjectNode role(ObjectNode d, String name) {
        return findRole(d, name).orElseThrow(() -> ClassicErrors.notFound("The role '" + name + "' no longer exists."));
    }

    private static void removeRole(ObjectNode d, String name) {
        ArrayNode roles = (ArrayNode) d.path("Roles");
        for (int i = 0; i < roles.size(); i++) {
            if (roles.get(i).path("RoleName").asText().equalsIgnoreCase(name)) {
                roles.remove(i);
                return;
            }
        }
    }

    private static ApiException roleNotFound(String role, String deployment) {
        return ClassicErrors.notFound("The role '" + role + "' does not exist in the deployment '" + deployment + "'.");
    }
}

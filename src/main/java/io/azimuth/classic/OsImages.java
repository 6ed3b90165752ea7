package io.azimuth.classic;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.azimuth.store.Store;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredOperation;

import java.util.List;
import java.util.Optional;

/**
 * The subscription's OS image repository: user images (Category {@code User}) added from a VHD blob or captured
 * from a role. Add is answered at once with the image, as the service does; delete may take the blob with it
 * ({@code comp=media}). An image being captured holds its name but is not listed or found until its capture ends.
 */
final class OsImages {
    /** Where an image added without a location is said to be. */
    static final String DEFAULT_LOCATION = "West US";

    private final Store store;
    private final ClassicOperations operations;
    private final VhdStore vhds;

    OsImages(Store store, ClassicOperations operations, VhdStore vhds) {
        this.store = store;
        this.operations = operations;
        this.vhds = vhds;
        operations.register("images/add", (tx, op) -> Completion.empty());
        operations.register("images/delete", this::completeDelete);
    }

    /** An image by name, captured or not (a capture in progress shows {@code Pending}). */
    static Optional<ObjectNode> find(StoreTx tx, String subscription, String name) {
        return ClassicRecords.get(tx, ClassicRecords.imageId(subscription, name));
    }

    static void put(StoreTx tx, String subscription, ObjectNode image) {
        String name = image.path("Name").asText();
        ClassicRecords.put(tx, ClassicRecords.imageId(subscription, name), subscription, ClassicRecords.OS_IMAGE, name,
                image);
    }

    static void checkName(String name, String at) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._ ()-]{0,253}")) {
            throw ClassicErrors.badRequest("The value '" + name + "' of '" + at + "' is not an image name: letters, "
                    + "digits, spaces, '.', '_', '-', '(' and ')', starting with a letter or digit, at most 254.");
        }
    }

    /** A user image's document, in the repository's terms. */
    static ObjectNode document(String name, String label, String mediaLink, String os, String location, Vhd vhd) {
        ObjectNode image = Json.object();
        image.put("Category", "User");
        image.put("Label", label);
        image.put("Location", location);
        if (vhd.sizeKnown()) {
            image.put("LogicalSizeInGB", vhd.sizeGiB());
        }
        image.put("MediaLink", mediaLink);
        image.put("Name", name);
        image.put("OS", os);
        image.put("IsPremium", false);
        image.put("OSState", "Generalized");
        image.put("IOType", "Standard");
        return image;
    }

    /** Add OS Image: answered with the image. */
    ObjectNode add(ApiRequest r, ObjectNode body) {
        String sub = r.param("subscriptionId");
        String label = body.path("Label").asText(null);
        if (label == null || label.isBlank()) {
            throw Elements.missing("OSImage/Label");
        }
        String link = body.path("MediaLink").asText(null);
        if (link == null || link.isBlank()) {
            throw Elements.missing("OSImage/MediaLink");
        }
        String name = body.path("Name").asText(null);
        if (name == null || name.isBlank()) {
            throw Elements.missing("OSImage/Name");
        }
        checkName(name, "OSImage/Name");
        String osText = body.path("OS").asText(null);
        if (osText == null || osText.isBlank()) {
            throw Elements.missing("OSImage/OS");
        }
        String os = RoleDisks.osType(osText, "OSImage/OS");
        BlobRef blob = RoleDisks.blob(link, "OSImage/MediaLink");
        Vhd vhd;
        try {
            vhd = vhds.vhd(blob, "OSImage/MediaLink");
        } catch (BlobException e) {
            throw ClassicErrors.badRequest(e.getMessage());
        }
        ObjectNode image = document(name, label, link.strip(),
                os, body.path("Location").asText(DEFAULT_LOCATION), vhd);
        for (String optional : new String[]{"Eula", "Description", "ImageFamily", "PublishedDate", "IconUri",
                "PrivacyUri", "RecommendedVMSize", "SmallIconUri", "Language"}) {
            if (body.hasNonNull(optional)) {
                image.put(optional, body.path(optional).asText());
            }
        }
        for (String flag : new String[]{"ShowInGui", "IsPremium"}) {
            if (body.has(flag)) {
                image.put(flag, body.path(flag).asBoolean());
            }
        }
        StoredOperation op = store.write(tx -> {
            if (find(tx, sub, name).isPresent()) {
                throw ClassicErrors.conflict("The image name '" + name + "' is already taken in the image repository.");
            }
            put(tx, sub, image);
            return operations.begin(tx, r, "images/add", ClassicRecords.key(ClassicRecords.imageId(sub, name)), null,
                    true);
        });
        operations.track(op);
        return image;
    }

    List<ObjectNode> list(String subscription) {
        return store.read(tx -> ClassicRecords.list(tx, subscription, ClassicRecords.OS_IMAGE,
                "/" + subscription + "/services/images/")).stream()
                .filter(i -> !i.path("Pending").asBoolean()).toList();
    }

    ObjectNode get(String subscription, String name) {
        return store.read(tx -> find(tx, subscription, name)).filter(i -> !i.path("Pending").asBoolean())
                .orElseThrow(OsImages::notFound);
    }

    static ApiException notFound() {
        return ClassicErrors.notFound("The image with the specified name does not exist.");
    }

    /** Delete OS Image; with {@code comp=media} its blob goes too. Answered at once. */
    void delete(ApiRequest r, boolean media) {
        String sub = r.param("subscriptionId");
        String name = r.param("imageName");
        StoredOperation op = store.write(tx -> {
            ObjectNode image = find(tx, sub, name).orElseThrow(OsImages::notFound);
            if (image.path("Pending").asBoolean()) {
                throw ClassicErrors.conflict("The image '" + name + "' is being captured; it can be deleted once the "
                        + "capture has ended.");
            }
            ObjectNode input = Json.object();
            input.put("media", media ? image.path("MediaLink").asText() : null);
            return operations.begin(tx, r, "images/delete", ClassicRecords.key(ClassicRecords.imageId(sub, name)),
                    input, true);
        });
        operations.track(op);
    }

    private Completion completeDelete(StoreTx tx, StoredOperation op) {
        JsonNode in = Json.readObject(op.input());
        String media = in.path("media").asText(null);
        if (media != null && !in.path("media").isNull()) {
            // outside the write (the account may be remote), before it commits
            tx.outside(BlobWork.delete(vhds, RoleDisks.blob(media, "OSImage/MediaLink")));
        }
        tx.deleteResource(op.target());
        return Completion.empty();
    }
}

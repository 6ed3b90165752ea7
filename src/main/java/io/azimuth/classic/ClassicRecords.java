package io.azimuth.classic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.http.Json;
import io.azimuth.store.ResourceQuery;
import io.azimuth.store.StoreTx;
import io.azimuth.store.StoredResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How classic resources map onto the store's resource rows. A resource's id is its classic path
 * ({@code /{subscription}/services/hostedservices/{name}}, ...), which never collides with an ARM id (those start
 * with {@code /subscriptions/}); its key is the id case-folded, as names are case-insensitive; its type is one of
 * the {@code Classic/...} types below, so ARM listings never see it; it belongs to no resource group.
 */
final class ClassicRecords {
    static final String HOSTED_SERVICE = "Classic/hostedServices";
    static final String CERTIFICATE = "Classic/hostedServices/certificates";
    static final String DEPLOYMENT = "Classic/hostedServices/deployments";
    static final String OS_IMAGE = "Classic/images";

    private static final int PAGE = 500;

    private ClassicRecords() {
    }

    static String serviceId(String subscription, String service) {
        return "/" + subscription.toLowerCase(Locale.ROOT) + "/services/hostedservices/" + service;
    }

    static String certificateId(String subscription, String service, String thumbprint) {
        return serviceId(subscription, service) + "/certificates/sha1-" + thumbprint;
    }

    static String deploymentId(String subscription, String service, String deployment) {
        return serviceId(subscription, service) + "/deployments/" + deployment;
    }

    static String imageId(String subscription, String image) {
        return "/" + subscription.toLowerCase(Locale.ROOT) + "/services/images/" + image;
    }

    static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    static Optional<ObjectNode> get(StoreTx tx, String id) {
        return tx.resource(key(id)).map(row -> Json.readObject(row.body()));
    }

    static void put(StoreTx tx, String id, String subscription, String type, String name, ObjectNode doc) {
        long now = System.currentTimeMillis();
        long created = tx.resource(key(id)).map(StoredResource::createdAt).orElse(now);
        tx.putResource(new StoredResource(key(id), id, subscription.toLowerCase(Locale.ROOT), null,
                type.toLowerCase(Locale.ROOT), name, Json.write(doc), created, now));
    }

    static boolean delete(StoreTx tx, String id) {
        return tx.deleteResource(key(id));
    }

    /** Every resource of {@code type} in the subscription whose id starts with {@code prefix}, in key order. */
    static List<ObjectNode> list(StoreTx tx, String subscription, String type, String prefix) {
        String folded = key(prefix);
        List<ObjectNode> out = new ArrayList<>();
        String after = null;
        while (true) {
            List<StoredResource> rows = tx.listResources(new ResourceQuery(subscription.toLowerCase(Locale.ROOT),
                    null, type.toLowerCase(Locale.ROOT), after, PAGE));
            for (StoredResource row : rows) {
                if (row.key().startsWith(folded)) {
                    out.add(Json.readObject(row.body()));
                }
            }
            if (rows.size() < PAGE) {
                return out;
            }
            after = rows.get(rows.size() - 1).key();
        }
    }
}

package io.azimuth.kinds.toy;

import com.fasterxml.jackson.databind.JsonNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.azimuth.http.Json;
import io.azimuth.support.Http;
import io.azimuth.support.ServerExtension;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.azimuth.support.TestServer.SUB;
import static io.azimuth.support.TestServer.rg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A provider added in a test package with nothing but declarations ({@link ToyProvider}) is served like the
 * built-in ones: routes at every level, lists at each scope, parent checks, "in use" refusals from declared
 * references, refused and cascading parent deletes, resource-group deletion in dependency order, and the same
 * entry point in process.
 */
class ToyKindsTest {
    static final String V = "?api-version=2026-01-01";
    static final ToyProvider TOYS = new ToyProvider();
    @RegisterExtension
    static final ServerExtension server = ServerExtension.start(c -> c, TOYS);

    static String shelf(String group, String name) {
        return rg(group) + "/providers/Azimuth.Toys/shelves/" + name;
    }

    static String box(String group, String shelf, String name) {
        return shelf(group, shelf) + "/boxes/" + name;
    }

    Http http() {
        return server.http();
    }

    @BeforeEach
    void reset() {
        server.reset();
        TOYS.deleted.clear();
        assertThat(http().put(rg("toys") + V.replace("2026-01-01", "2025-04-01"), "{\"location\":\"westus\"}").status())
                .isEqualTo(201);
    }

    List<String> names(Http.Response list) {
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        list.json().path("value").forEach(v -> out.add(v.path("name").asText()));
        return out;
    }

    @Test
    void everyLevelIsServedFromTheDeclaration() {
        Http.Response created = http().put(shelf("toys", "s1") + V, "{\"location\":\"West US\",\"tags\":{\"a\":\"b\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(http().put(shelf("toys", "s10") + V, "{\"location\":\"westus\"}").status()).isEqualTo(201);

        Http.Response box = http().put(box("toys", "s1", "b1") + V, "{\"properties\":{\"color\":\"red\"}}");
        assertThat(box.status()).as(box.body()).isEqualTo(201);
        JsonNode b = box.json();
        assertThat(b.path("id").asText()).isEqualTo("/subscriptions/" + SUB
                + "/resourceGroups/toys/providers/Azimuth.Toys/shelves/s1/boxes/b1");
        assertThat(b.path("type").asText()).isEqualTo("Azimuth.Toys/shelves/boxes");
        assertThat(b.path("properties").path("color").asText()).as("enum in Azure's casing").isEqualTo("Red");
        assertThat(http().put(box("toys", "s1", "b2") + V, "{\"properties\":{\"color\":\"Blue\"}}").status())
                .isEqualTo(201);
        assertThat(http().put(box("toys", "s10", "b9") + V, "{\"properties\":{\"color\":\"Blue\"}}").status())
                .isEqualTo(201);
        assertThat(http().put(box("toys", "s1", "b1") + V, "{\"properties\":{\"color\":\"Blue\"}}").status())
                .as("replaced").isEqualTo(200);

        assertThat(http().get(box("toys", "s1", "b1") + V).json().path("properties").path("color").asText())
                .isEqualTo("Blue");
        assertThat(names(http().get(shelf("toys", "s1") + "/boxes" + V))).as("only the boxes of s1, not of s10")
                .containsExactly("b1", "b2");
        assertThat(names(http().get(shelf("toys", "s10") + "/boxes" + V))).containsExactly("b9");
        assertThat(names(http().get(rg("toys") + "/providers/Azimuth.Toys/shelves" + V))).containsExactly("s1", "s10");
        assertThat(names(http().get("/subscriptions/" + SUB + "/providers/Azimuth.Toys/shelves" + V)))
                .containsExactly("s1", "s10");

        Http.Response patched = http().patch(box("toys", "s1", "b2") + V, "{\"properties\":{\"color\":\"RED\"}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("properties").path("color").asText()).isEqualTo("Red");
        Http.Response action = http().post(box("toys", "s1", "b2") + "/open" + V, "");
        assertThat(action.status()).isEqualTo(200);
        assertThat(action.json().path("opened").asText()).isEqualTo("b2");

        Http.Response item = http().put(box("toys", "s1", "b2") + "/items/i1" + V, "{\"properties\":{\"weight\":3}}");
        assertThat(item.status()).as(item.body()).isEqualTo(201);
        assertThat(item.json().path("type").asText()).isEqualTo("Azimuth.Toys/shelves/boxes/items");
        assertThat(names(http().get(box("toys", "s1", "b2") + "/items" + V))).containsExactly("i1");
    }

    @Test
    void badInputAndMissingParentsAreRefusedByName() {
        assertThat(http().put(shelf("toys", "s1") + V, "{\"location\":\"westus\"}").status()).isEqualTo(201);
        Http.Response noParent = http().put(box("toys", "nope", "b1") + V, "{\"properties\":{\"color\":\"Red\"}}");
        assertThat(noParent.status()).isEqualTo(404);
        assertThat(noParent.errorCode()).isEqualTo("ParentResourceNotFound");
        assertThat(noParent.json().path("error").path("message").asText()).contains("Azimuth.Toys/shelves/nope");
        Http.Response listNoParent = http().get(shelf("toys", "nope") + "/boxes" + V);
        assertThat(listNoParent.status()).isEqualTo(404);
        assertThat(listNoParent.errorCode()).isEqualTo("ParentResourceNotFound");
        Http.Response noGroup = http().put(shelf("nogroup", "s1") + V, "{\"location\":\"westus\"}");
        assertThat(noGroup.status()).isEqualTo(404);
        assertThat(noGroup.errorCode()).isEqualTo("ResourceGroupNotFound");

        Http.Response badColor = http().put(box("toys", "s1", "b1") + V, "{\"properties\":{\"color\":\"Green\"}}");
        assertThat(badColor.status()).isEqualTo(400);
        assertThat(badColor.json().path("error").path("target").asText()).isEqualTo("properties.color");
        Http.Response badName = http().put(box("toys", "s1", "B_1") + V, "{\"properties\":{\"color\":\"Red\"}}");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.errorCode()).isEqualTo("InvalidResourceName");
        assertThat(http().get(shelf("toys", "s1") + "/boxes" + V).json().path("value").size())
                .as("nothing was stored by a refused PUT").isZero();

        Http.Response missing = http().get(box("toys", "s1", "b1") + V);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("ResourceNotFound");
        assertThat(missing.json().path("error").path("message").asText()).contains("Azimuth.Toys/shelves/s1/boxes/b1");
        assertThat(http().patch(box("toys", "s1", "b1") + V, "{}").status()).isEqualTo(404);
        assertThat(http().delete(box("toys", "s1", "b1") + V).status()).isEqualTo(204);
        assertThat(http().patch(box("toys", "s1", "b1") + "/items/i1" + V, "{}").status())
                .as("items declare no PATCH").isEqualTo(405);
    }

    @Test
    void declaredReferencesAndChildrenGuardDeletes() {
        http().put(shelf("toys", "s1") + V, "{\"location\":\"westus\"}");
        http().put(box("toys", "s1", "b1") + V, "{\"properties\":{\"color\":\"Red\"}}");
        http().put(box("toys", "s1", "b2") + V, "{\"properties\":{\"color\":\"Red\"}}");
        http().put(box("toys", "s1", "b2") + "/items/i1" + V, "{}");
        String boxId = http().get(box("toys", "s1", "b1") + V).json().path("id").asText();
        Http.Response label = http().put(rg("toys") + "/providers/Azimuth.Toys/labels/l1" + V,
                "{\"location\":\"westus\",\"properties\":{\"box\":\"" + boxId.toUpperCase() + "\"}}");
        assertThat(label.status()).as(label.body()).isEqualTo(201);

        Http.Response inUse = http().delete(box("toys", "s1", "b1") + V);
        assertThat(inUse.status()).isEqualTo(400);
        assertThat(inUse.errorCode()).isEqualTo("InUseBoxCannotBeDeleted");
        Http.Response notEmpty = http().delete(box("toys", "s1", "b2") + V);
        assertThat(notEmpty.status()).isEqualTo(409);
        assertThat(notEmpty.errorCode()).isEqualTo("BoxNotEmpty");
        assertThat(notEmpty.json().path("error").path("message").asText()).contains("'b2'").contains("'i1'");
        Http.Response shelfInUse = http().delete(shelf("toys", "s1") + V);
        assertThat(shelfInUse.status()).as("a cascade meets the same refusals").isIn(400, 409);
        assertThat(http().get(box("toys", "s1", "b1") + V).status()).as("nothing was deleted").isEqualTo(200);
        assertThat(TOYS.deleted).isEmpty();

        // the label moves to b2: b1 is free, b2 is not
        http().put(rg("toys") + "/providers/Azimuth.Toys/labels/l1" + V,
                "{\"location\":\"westus\",\"properties\":{\"box\":\"" + boxId.replace("/b1", "/b2") + "\"}}");
        assertThat(http().delete(box("toys", "s1", "b1") + V).status()).isEqualTo(200);
        assertThat(http().delete(box("toys", "s1", "b2") + "/items/i1" + V).status()).isEqualTo(200);
        assertThat(http().delete(box("toys", "s1", "b2") + V).errorCode()).isEqualTo("InUseBoxCannotBeDeleted");
        assertThat(http().delete(rg("toys") + "/providers/Azimuth.Toys/labels/l1" + V).status()).isEqualTo(200);

        // now the shelf goes with its last box
        http().put(box("toys", "s1", "b3") + V, "{\"properties\":{\"color\":\"Blue\"}}");
        TOYS.deleted.clear();
        assertThat(http().delete(shelf("toys", "s1") + V).status()).isEqualTo(200);
        assertThat(TOYS.deleted).as("children first").containsExactly(boxId.replace("/b1", "/b2"),
                boxId.replace("/b1", "/b3"), boxId.replace("/boxes/b1", ""));
        assertThat(http().get(box("toys", "s1", "b2") + V).status()).isEqualTo(404);
        assertThat(http().get(shelf("toys", "s1") + "/boxes" + V).status()).isEqualTo(404);
    }

    @Test
    void aGroupGoesInDependencyOrder() {
        http().put(shelf("toys", "s1") + V, "{\"location\":\"westus\"}");
        http().put(box("toys", "s1", "b1") + V, "{\"properties\":{\"color\":\"Red\"}}");
        http().put(box("toys", "s1", "b1") + "/items/i1" + V, "{}");
        String boxId = http().get(box("toys", "s1", "b1") + V).json().path("id").asText();
        http().put(rg("toys") + "/providers/Azimuth.Toys/labels/l1" + V,
                "{\"location\":\"westus\",\"properties\":{\"box\":\"" + boxId + "\"}}");

        assertThat(http().delete(rg("toys") + "?api-version=2025-04-01").status()).isEqualTo(200);
        List<String> order = TOYS.deleted.stream().map(id -> id.replaceAll(".*/providers/Azimuth.Toys/", "")).toList();
        assertThat(order).containsExactlyInAnyOrder("labels/l1", "shelves/s1/boxes/b1/items/i1", "shelves/s1/boxes/b1",
                "shelves/s1");
        assertThat(order.indexOf("labels/l1")).as("a referrer before what it references")
                .isLessThan(order.indexOf("shelves/s1/boxes/b1"));
        assertThat(order.indexOf("shelves/s1/boxes/b1/items/i1")).as("children before parents")
                .isLessThan(order.indexOf("shelves/s1/boxes/b1"));
        assertThat(order.indexOf("shelves/s1/boxes/b1")).isLessThan(order.indexOf("shelves/s1"));
        assertThat(TOYS.platform.kinds().deletionOrder()).containsSubsequence("Azimuth.Toys/labels",
                "Azimuth.Toys/shelves/boxes/items", "Azimuth.Toys/shelves/boxes", "Azimuth.Toys/shelves");
        assertThat(TOYS.platform.kinds().deletionOrder()).containsSubsequence("Microsoft.Compute/virtualMachines",
                "Microsoft.Compute/disks");
    }

    @Test
    void aGroupWhoseResourceIsReferencedFromAnotherGroupStays() {
        assertThat(http().put(rg("tags") + "?api-version=2025-04-01", "{\"location\":\"westus\"}").status())
                .isEqualTo(201);
        http().put(shelf("toys", "s1") + V, "{\"location\":\"westus\"}");
        http().put(box("toys", "s1", "b1") + V, "{\"properties\":{\"color\":\"Red\"}}");
        String boxId = http().get(box("toys", "s1", "b1") + V).json().path("id").asText();
        assertThat(http().put(rg("tags") + "/providers/Azimuth.Toys/labels/l1" + V,
                "{\"location\":\"westus\",\"properties\":{\"box\":\"" + boxId + "\"}}").status()).isEqualTo(201);

        Http.Response refused = http().delete(rg("toys") + "?api-version=2025-04-01");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("InUseBoxCannotBeDeleted");
        assertThat(TOYS.deleted).isEmpty();
        assertThat(http().get(box("toys", "s1", "b1") + V).status()).as("nothing was deleted").isEqualTo(200);
        assertThat(http().get(rg("toys") + "?api-version=2025-04-01").json().path("properties")
                .path("provisioningState").asText()).as("the group is not left deleting").isEqualTo("Succeeded");

        // the referrer's own group goes: nothing outside it references what is in it
        assertThat(http().delete(rg("tags") + "?api-version=2025-04-01").status()).isEqualTo(200);
        assertThat(http().delete(rg("toys") + "?api-version=2025-04-01").status()).isEqualTo(200);
        assertThat(http().get(box("toys", "s1", "b1") + V).status()).isEqualTo(404);
    }

    @Test
    void theSameRulesApplyInProcess() {
        http().put(shelf("toys", "s1") + V, "{\"location\":\"westus\"}");
        ApiRequest origin = new ApiRequest(HttpMethod.PUT, "/", "/", MultiMap.caseInsensitiveMultiMap()
                .add("api-version", "2026-01-01"), MultiMap.caseInsensitiveMultiMap(), "http://127.0.0.1", "r1", "c1");
        ResourceId id = ResourceId.resource(SUB, "toys", "Azimuth.Toys", "shelves", "s1").child("boxes", "b1");
        ApiResponse created = TOYS.platform.kinds().put(origin, id, Json.readObject("{\"properties\":{\"color\":\"blue\"}}"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(http().get(box("toys", "s1", "b1") + V).json().path("properties").path("color").asText())
                .isEqualTo("Blue");
        assertThatThrownBy(() -> TOYS.platform.kinds().put(origin, id.parent().child("boxes", "b2"),
                Json.readObject("{\"properties\":{\"color\":\"green\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        ResourceId orphan = ResourceId.resource(SUB, "toys", "Azimuth.Toys", "shelves", "none").child("boxes", "b1");
        assertThatThrownBy(() -> TOYS.platform.kinds().put(origin, orphan,
                Json.readObject("{\"properties\":{\"color\":\"red\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("ParentResourceNotFound"));
        assertThat(TOYS.platform.kinds().delete(origin, id).status()).isEqualTo(200);
        assertThat(http().get(box("toys", "s1", "b1") + V).status()).isEqualTo(404);
    }
}

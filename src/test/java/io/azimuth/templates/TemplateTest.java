package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The template language on its own: parameters, variables, functions, loops, conditions and ordering. */
class TemplateTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String SUB = "00000000-0000-4000-8000-000000000001";
    static final String RG = "/subscriptions/" + SUB + "/resourceGroups/rg1";

    /** A world of one group whose resources are whatever a test puts in {@link #resources}. */
    static final class World implements Scope {
        final Map<String, JsonNode> resources = new HashMap<>();

        @Override public String subscriptionId() { return SUB; }
        @Override public String tenantId() { return "00000000-0000-4000-8000-0000000000aa"; }
        @Override public ObjectNode resourceGroup() {
            ObjectNode g = M.createObjectNode();
            g.put("id", RG).put("name", "rg1").put("type", "Microsoft.Resources/resourceGroups")
                    .put("location", "westeurope");
            return g;
        }
        @Override public String deploymentName() { return "d1"; }
        @Override public JsonNode reference(String id, String apiVersion, boolean full) {
            JsonNode r = resources.get(id.toLowerCase());
            if (r == null) {
                throw new TemplateException("ResourceNotFound", "The Resource '" + id + "' was not found.");
            }
            return full ? r : r.path("properties");
        }
        @Override public JsonNode listKeys(String id, String apiVersion) {
            ObjectNode keys = M.createObjectNode();
            keys.putArray("keys").addObject().put("value", "k1");
            return keys;
        }
    }

    static JsonNode json(String s) {
        try {
            return M.readTree(s.replace('`', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The value of one expression, evaluated as a template output. */
    static JsonNode eval(String expression) {
        ObjectNode t = (ObjectNode) json("{`resources`: [], `parameters`: {`name`: {`type`: `string`, "
                + "`defaultValue`: `Web`}, `count`: {`type`: `int`, `defaultValue`: 3}}, "
                + "`variables`: {`prefix`: `[toLower(parameters('name'))]`, `obj`: {`a`: 1, `b`: {`c`: [1, 2]}}}}");
        t.putObject("outputs").putObject("o").put("type", "object").putObject("value").put("v", expression);
        return Template.of(t).prepare(M.createObjectNode(), new World()).outputs(new World())
                .path("o").path("value").path("v");
    }

    @Test
    void functionsAnswerAsArmDoes() {
        assertThat(eval("[concat(variables('prefix'), '-', parameters('count'))]").asText()).isEqualTo("web-3");
        assertThat(eval("[format('{0}-{1:D3}', 'vm', 7)]").asText()).isEqualTo("vm-007");
        assertThat(eval("[format('{0:Dx}', 7)]").asText()).as("an unknown specifier shows the value").isEqualTo("7");
        assertThat(eval("[resourceGroup().location]").asText()).isEqualTo("westeurope");
        assertThat(eval("[subscription().subscriptionId]").asText()).isEqualTo(SUB);
        assertThat(eval("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]").asText())
                .isEqualTo(RG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default");
        assertThat(eval("[resourceId('other', 'Microsoft.Compute/images', 'img')]").asText())
                .isEqualTo("/subscriptions/" + SUB + "/resourceGroups/other/providers/Microsoft.Compute/images/img");
        assertThat(eval("[uniqueString(resourceGroup().id)]").asText()).hasSize(13).matches("[a-z2-7]{13}")
                .isEqualTo(eval("[uniqueString(resourceGroup().id)]").asText())
                .isNotEqualTo(eval("[uniqueString('other')]").asText());
        assertThat(eval("[guid('a', 'b')]").asText()).matches("[0-9a-f-]{36}").isEqualTo(eval("[guid('a','b')]").asText());
        assertThat(eval("[toUpper(replace('a-b-c', '-', '_'))]").asText()).isEqualTo("A_B_C");
        assertThat(eval("[split('a,b;c', createArray(',', ';'))]").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(eval("[string(variables('obj'))]").asText()).isEqualTo("{\"a\":1,\"b\":{\"c\":[1,2]}}");
        assertThat(eval("[string(true)]").asText()).isEqualTo("True");
        assertThat(eval("[add(int('41'), 1)]").asInt()).isEqualTo(42);
        assertThat(eval("[bool('TRUE')]").asBoolean()).isTrue();
        assertThat(eval("[if(equals(parameters('count'), 3), 'three', 'other')]").asText()).isEqualTo("three");
        assertThat(eval("[and(not(empty('x')), or(false(), true()))]").asBoolean()).isTrue();
        assertThat(eval("[length(union(createObject('a', 1), createObject('b', 2)))]").asInt()).isEqualTo(2);
        assertThat(eval("[variables('obj').b.c[1]]").asInt()).isEqualTo(2);
        assertThat(eval("[union(variables('obj'), json('{\"b\":{\"d\":3}}')).b]").toString())
                .isEqualTo("{\"c\":[1,2],\"d\":3}");
        assertThat(eval("[take(skip(createArray(1, 2, 3, 4), 1), 2)]").toString()).isEqualTo("[2,3]");
        assertThat(eval("[first('abc')]").asText()).isEqualTo("a");
        assertThat(eval("[last(createArray(1, 2, 3))]").asInt()).isEqualTo(3);
        assertThat(eval("[contains(variables('obj'), 'A')]").asBoolean()).isTrue();
        assertThat(eval("[contains(createArray('x', 'y'), 'z')]").asBoolean()).isFalse();
        assertThat(eval("[base64('hello')]").asText()).isEqualTo("aGVsbG8=");
        assertThat(eval("[concat(createArray(1), createArray(2))]").toString()).isEqualTo("[1,2]");
        assertThat(eval("[concat('it''s ', '[x]')]").asText()).isEqualTo("it's [x]");
        assertThat(eval("[[not an expression]").asText()).isEqualTo("[not an expression]");
        assertThat(eval("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]")
                .asText()).isEqualTo("k1");
    }

    @Test
    void badExpressionsAreInvalidTemplates() {
        for (String bad : List.of("[concat('a']", "[nosuch('a')]", "[parameters('missing')]", "[variables('nope')]",
                "[toLower(1)]", "[variables('obj').zzz]", "[copyIndex()]", "[div(1, 0)]", "[concat('a' 'b')]", "[padLeft('a', 100000)]", "[mul(9223372036854775807, 9)]", "[range(0, 20000)]")) {
            assertThatThrownBy(() -> eval(bad)).as(bad).isInstanceOf(TemplateException.class)
                    .satisfies(e -> assertThat(((TemplateException) e).code()).isEqualTo("InvalidTemplate"));
        }
    }

    static Plan plan(String template, String parameters) {
        return Template.of(json(template)).prepare(json(parameters), new World());
    }

    static List<String> names(Plan p) {
        return p.resources().stream().map(PlannedResource::name).collect(Collectors.toList());
    }

    @Test
    void resourcesAreOrderedByExplicitAndImpliedDependencies() {
        Plan p = plan("{`resources`: ["
                + "{`type`: `Microsoft.Compute/virtualMachines`, `apiVersion`: `2024-03-01`, `name`: `vm`,"
                + " `dependsOn`: [`[resourceId('Microsoft.Network/networkInterfaces', 'nic')]`],"
                + " `properties`: {`nic`: `[resourceId('Microsoft.Network/networkInterfaces', 'nic')]`}},"
                + "{`type`: `Microsoft.Network/networkInterfaces`, `apiVersion`: `2023-09-01`, `name`: `nic`,"
                + " `properties`: {`subnet`: `[reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet')).subnets[0].id]`,"
                + "   `ip`: `[reference('pip').ipAddress]`}},"
                + "{`type`: `Microsoft.Network/publicIPAddresses`, `apiVersion`: `2023-09-01`, `name`: `pip`},"
                + "{`type`: `Microsoft.Network/virtualNetworks`, `apiVersion`: `2023-09-01`, `name`: `vnet`,"
                + " `resources`: [{`type`: `subnets`, `apiVersion`: `2023-09-01`, `name`: `default`}]}]}", "{}");
        List<String> order = names(p);
        assertThat(order).containsExactly("pip", "vnet", "vnet/default", "nic", "vm");
        PlannedResource nic = p.resources().get(3);
        assertThat(nic.dependsOn()).containsExactlyInAnyOrder(
                RG + "/providers/Microsoft.Network/virtualNetworks/vnet",
                RG + "/providers/Microsoft.Network/publicIPAddresses/pip");
        assertThat(p.resources().get(2).type()).isEqualTo("Microsoft.Network/virtualNetworks/subnets");
        assertThat(p.resources().get(2).dependsOn()).containsExactly(RG + "/providers/Microsoft.Network/virtualNetworks/vnet");
        World w = new World();
        w.resources.put((RG + "/providers/Microsoft.Network/virtualNetworks/vnet").toLowerCase(),
                json("{`properties`: {`subnets`: [{`id`: `sn1`}]}}"));
        w.resources.put((RG + "/providers/Microsoft.Network/publicIPAddresses/pip").toLowerCase(),
                json("{`properties`: {`ipAddress`: `20.0.0.4`}}"));
        assertThat(nic.body(w).toString()).isEqualTo("{\"properties\":{\"subnet\":\"sn1\",\"ip\":\"20.0.0.4\"}}");
    }

    @Test
    void copyLoopsConditionsAndPropertyCopies() {
        Plan p = plan("{`parameters`: {`n`: {`type`: `int`}, `withLabel`: {`type`: `bool`, `defaultValue`: false}},"
                + "`resources`: ["
                + "{`type`: `A.B/disks`, `apiVersion`: `1`, `name`: `[concat('disk', copyIndex(1))]`,"
                + " `copy`: {`name`: `disks`, `count`: `[parameters('n')]`},"
                + " `properties`: {`copy`: [{`name`: `parts`, `count`: 2, `input`: `[concat(string(copyIndex()), '.', copyIndex('parts'))]`}]}},"
                + "{`type`: `A.B/vms`, `apiVersion`: `1`, `name`: `vm`, `dependsOn`: [`disks`]},"
                + "{`condition`: `[parameters('withLabel')]`, `type`: `A.B/labels`, `apiVersion`: `1`, `name`: `l`},"
                + "{`type`: `A.B/tags`, `apiVersion`: `1`, `name`: `t`, `dependsOn`: [`l`]}],"
                + "`outputs`: {`first`: {`type`: `string`, `value`: `[reference('disk1', '1').size]`}}}",
                "{`n`: {`value`: 2}}");
        assertThat(names(p)).containsExactly("disk1", "disk2", "vm", "t");
        assertThat(p.resources().get(2).dependsOn()).hasSize(2);
        assertThat(p.resources().get(3).dependsOn()).as("a condition-false resource is not waited for").isEmpty();
        assertThat(p.resources().get(1).body(new World()).toString())
                .isEqualTo("{\"properties\":{\"parts\":[\"1.0\",\"1.1\"]}}");
        assertThat(p.parameters().toString()).isEqualTo(
                "{\"n\":{\"type\":\"Int\",\"value\":2},\"withLabel\":{\"type\":\"Bool\",\"value\":false}}");
    }

    @Test
    void parametersAreCheckedAndSecretsNotShown() {
        String t = "{`parameters`: {`size`: {`type`: `string`, `allowedValues`: [`S`, `M`]},"
                + " `password`: {`type`: `securestring`, `minLength`: 8}}, `resources`: []}";
        assertThat(plan(t, "{`size`: {`value`: `S`}, `password`: {`value`: `long-enough`}}").parameters().toString())
                .isEqualTo("{\"size\":{\"type\":\"String\",\"value\":\"S\"},\"password\":{\"type\":\"SecureString\"}}");
        assertThatThrownBy(() -> plan(t, "{`size`: {`value`: `L`}, `password`: {`value`: `long-enough`}}"))
                .hasMessageContaining("allowed value(s): 'S,M'");
        assertThatThrownBy(() -> plan(t, "{`size`: {`value`: `S`}, `password`: {`value`: `short`}}"))
                .hasMessageContaining("'password'").hasMessageNotContaining("short");
        assertThatThrownBy(() -> plan(t, "{`size`: {`value`: `S`}}"))
                .hasMessageContaining("The value for the template parameter 'password' is not provided");
        assertThatThrownBy(() -> plan(t, "{`size`: {`value`: 3}, `password`: {`value`: `long-enough`}}"))
                .hasMessageContaining("Expected a value of type 'String'");
        assertThatThrownBy(() -> plan(t, "{`size`: {`value`: `S`}, `password`: {`value`: `long-enough`}, `x`: {`value`: 1}}"))
                .hasMessageContaining("The template parameters 'x' in the parameters file are not valid");
    }

    @Test
    void cyclesDuplicatesAndUnknownDependenciesAreRefused() {
        assertThatThrownBy(() -> plan("{`resources`: ["
                + "{`type`: `A.B/x`, `apiVersion`: `1`, `name`: `a`, `dependsOn`: [`b`]},"
                + "{`type`: `A.B/x`, `apiVersion`: `1`, `name`: `b`, `properties`: {`r`: `[reference('a').v]`}}]}", "{}"))
                .hasMessageContaining("Circular dependency detected on resource: '" + RG + "/providers/A.B/x/");
        assertThatThrownBy(() -> plan("{`resources`: [{`type`: `A.B/x`, `apiVersion`: `1`, `name`: `a`},"
                + "{`type`: `A.B/x`, `apiVersion`: `1`, `name`: `A`}]}", "{}"))
                .hasMessageContaining("is defined multiple times");
        assertThatThrownBy(() -> plan("{`resources`: [{`type`: `A.B/x`, `apiVersion`: `1`, `name`: `a`,"
                + " `dependsOn`: [`ghost`]}]}", "{}"))
                .hasMessageContaining("The resource 'ghost' is not defined in the template");
        assertThatThrownBy(() -> plan("{`resources`: [{`type`: `A.B/x/y`, `apiVersion`: `1`, `name`: `a`}]}", "{}"))
                .hasMessageContaining("incorrect segment lengths");
        assertThatThrownBy(() -> plan("{`resources`: [{`type`: `A.B/x`, `name`: `a`}]}", "{}"))
                .hasMessageContaining("'apiVersion'");
        assertThatThrownBy(() -> plan("{`variables`: {`v`: `[reference('a')]`}, `resources`: []}", "{}"))
                .hasMessageContaining("'reference' is not expected at this location");
    }
}

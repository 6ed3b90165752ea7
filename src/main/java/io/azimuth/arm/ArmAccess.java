package io.azimuth.arm;

import io.azimuth.auth.Authorizer;
import io.azimuth.auth.TokenRejected;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.vertx.core.http.HttpMethod;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What strict mode asks of an ARM request: the action it performs and the scope it performs it at, derived from
 * the path and method as ARM derives them ({@code PUT .../providers/Microsoft.Compute/images/x} is
 * {@code Microsoft.Compute/images/write} at that image's id), and ARM's refusals when the token or the role
 * does not allow it.
 */
final class ArmAccess {
    private static final DateTimeFormatter AZURE_TIME = DateTimeFormatter.ofPattern("M/d/yyyy h:mm:ss a", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String ALLOWED_AUDIENCES = "'https://management.core.windows.net/',"
            + "'https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'";

    /** An action and its scope. */
    record Action(String name, String scope) {
    }

    private ArmAccess() {
    }

    /**
     * The action of a request, or null for what every signed-in caller may do: list its subscriptions and tenants,
     * and poll the status of an operation (whose URL the write that began it answered).
     */
    static Action action(ApiRequest request) {
        List<String> s = Arrays.stream(request.path().split("/")).filter(p -> !p.isEmpty()).toList();
        HttpMethod method = request.method();
        if (s.size() <= 1 && method == HttpMethod.GET) {
            return null;
        }
        if (method == HttpMethod.GET && s.size() >= 4 && s.get(s.size() - 4).equalsIgnoreCase("locations")
                && (s.get(s.size() - 2).equalsIgnoreCase("operations")
                || s.get(s.size() - 2).equalsIgnoreCase("operationResults"))) {
            return null;
        }
        int providers = -1;
        for (int i = s.size() - 2; i >= 0; i--) {
            if (s.get(i).equalsIgnoreCase("providers")) {
                providers = i;
                break;
            }
        }
        String namespace;
        List<String> rest;
        String base;
        if (providers >= 0 && providers + 1 < s.size()) {
            namespace = s.get(providers + 1);
            rest = s.subList(providers + 2, s.size());
            base = "/" + String.join("/", s.subList(0, providers));
            if (rest.isEmpty()) { // GET /subscriptions/{id}/providers/{namespace}; POST .../register
                return new Action(namespace + "/" + (method == HttpMethod.GET ? "read" : "register/action"), base);
            }
        } else {
            // subscriptions, resource groups, locations: Microsoft.Resources' own paths
            namespace = "Microsoft.Resources";
            rest = s;
            base = "";
        }
        List<String> types = new ArrayList<>();
        for (int i = 0; i < rest.size(); i += 2) {
            types.add(rest.get(i));
        }
        StringBuilder scope = new StringBuilder(base);
        if (providers >= 0 && rest.size() >= 2) {
            scope.append("/providers/").append(namespace);
        }
        for (int i = 0; i + 1 < rest.size(); i += 2) { // each name extends the scope; a trailing collection does not
            scope.append('/').append(rest.get(i)).append('/').append(rest.get(i + 1));
        }
        String typePath = namespace + "/" + String.join("/", types);
        String verb;
        if (rest.size() % 2 == 1) { // ends in a collection or an action
            verb = method == HttpMethod.POST ? "action" : "read";
        } else {
            verb = switch (method.name()) {
                case "PUT", "PATCH" -> "write";
                case "DELETE" -> "delete";
                case "POST" -> "action";
                default -> "read";
            };
        }
        String at = scope.length() == 0 ? "/" : scope.toString();
        return new Action(typePath + "/" + verb, at);
    }

    static ApiException unauthenticated(TokenRejected rejected, String tenantId) {
        return switch (rejected.reason()) {
            case EXPIRED -> {
                String message = "The access token expiry UTC time '" + AZURE_TIME.format(Instant.parse(rejected.detail()))
                        + "' is earlier than current UTC time '" + AZURE_TIME.format(Instant.now()) + "'.";
                yield new ArmEnvelope.Unauthenticated("ExpiredAuthenticationToken", message, message, tenantId);
            }
            case WRONG_AUDIENCE -> {
                String message = "The access token has been obtained for wrong audience or resource '"
                        + rejected.detail() + "'. It should exactly match with one of the allowed audiences "
                        + ALLOWED_AUDIENCES + ".";
                yield new ArmEnvelope.Unauthenticated("InvalidAuthenticationTokenAudience", message, message,
                        tenantId);
            }
            case INVALID -> new ArmEnvelope.Unauthenticated("InvalidAuthenticationToken",
                    "The access token is invalid.", "The access token is invalid.", tenantId);
        };
    }

    static ApiException forbidden(Authorizer.AccessDenied denied) {
        String client = denied.caller().name() != null ? denied.caller().name() : denied.caller().objectId();
        return new ApiException(403, "AuthorizationFailed", "The client '" + client + "' with object id '"
                + denied.caller().objectId() + "' does not have authorization to perform action '" + denied.action()
                + "' over scope '" + denied.scope() + "' or the scope is invalid. If access was recently granted, "
                + "please refresh your credentials.");
    }
}

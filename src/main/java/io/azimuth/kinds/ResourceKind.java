package io.azimuth.kinds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.azimuth.arm.ResourceId;
import io.azimuth.http.ApiException;
import io.azimuth.http.ApiRequest;
import io.azimuth.http.ApiResponse;
import io.vertx.core.http.HttpMethod;
import io.azimuth.store.StoreTx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * The declaration of a resource type: everything {@link ResourceKinds} needs to serve it. A provider declares a
 * kind with {@link #of} and the builder's methods, and registers it; the routes (GET, the lists at each scope, PUT,
 * PATCH, DELETE and the kind's actions), the resource-group and parent checks, the long-running operations, the
 * resource cache, "in use" refusals and the order of a resource group's deletion all follow from the declaration.
 *
 * <p>The type path may have any depth: {@code images}, {@code galleries/images/versions},
 * {@code virtualNetworks/subnets}. A nested kind's parent is the kind whose path is its own less the last segment;
 * it must be registered first.
 */
public final class ResourceKind {
    /** Builds a resource's new document from its current one (empty when creating), inside the write. */
    @FunctionalInterface
    public interface PutRule {
        ObjectNode apply(StoreTx tx, ResourceId id, ObjectNode body, Optional<ObjectNode> current);
    }

    /** Builds a resource's new document from its current one and a PATCH body, inside the write. */
    @FunctionalInterface
    public interface PatchRule {
        ObjectNode apply(StoreTx tx, ResourceId id, ObjectNode body, ObjectNode current);
    }

    /** Work on a stored document inside a write: a refusal (throw) before a delete, or what a deletion frees. */
    @FunctionalInterface
    public interface DocumentRule {
        void apply(StoreTx tx, ObjectNode document);
    }

    /** A request on one resource of the kind, e.g. an action ({@code POST .../start}) or a sub-resource GET. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request, ResourceId id);
    }

    /** The refusal to delete {@code target} while {@code referrer} references it. */
    @FunctionalInterface
    public interface InUse {
        ApiException refusal(ObjectNode target, ResourceId referrer);
    }

    /**
     * What documents of this kind reference: resources of {@code targetType}, whose ids {@code ids} finds in a
     * document. A resource with referrers is deleted after them when their group goes; when {@code inUse} is set,
     * deleting it while it has a referrer is refused with that error.
     */
    public record Reference(String targetType, Function<ObjectNode, Collection<String>> ids, InUse inUse) {
    }

    /** What becomes of the resources of a nested kind when their parent is deleted. */
    public enum OnParentDelete {
        /** Deleted with it (their own deletion rules and "in use" refusals apply). */
        CASCADE,
        /** The parent's deletion is refused while it has any ({@link Builder#refusesParentDelete}). */
        REFUSE
    }

    /** How clients see a stored document. */
    enum Wire {
        /** As stored, byte for byte. */
        STORED,
        /** As stored less its private state ({@code azimuthState}), cut out of the text. */
        WITHOUT_PRIVATE_STATE,
        /** Through a view function. */
        VIEW
    }

    final String namespace;
    final String typePath;
    final List<String> segments;
    final List<String> apiVersions;
    final Wire wire;
    final UnaryOperator<ObjectNode> view;
    final ToLongFunction<ObjectNode> viewUnchangedUntil;
    final ToLongFunction<ObjectNode> provisionTime;
    final PutRule put;
    final PatchRule patch;
    final String createState;
    final String replaceState;
    final String patchState;
    final int createdStatus;
    final int replacedStatus;
    final int putAcceptedStatus;
    final int patchStatus;
    final int patchAcceptedStatus;
    final DocumentRule deleteCheck;
    final DocumentRule onDeleted;
    final Consumer<ApiRequest> deleteRequestCheck;
    final Handler get;
    final Consumer<String> nameRule;
    final List<Reference> references;
    final OnParentDelete onParentDelete;
    final String parentDeleteCode;
    final String parentDeleteMessage;
    final Map<String, Map<HttpMethod, Handler>> subroutes;

    private ResourceKind(Builder b) {
        this.namespace = b.namespace;
        this.typePath = b.typePath;
        this.segments = List.of(b.typePath.split("/"));
        this.apiVersions = List.copyOf(b.apiVersions);
        this.wire = b.wire;
        this.view = b.view;
        this.viewUnchangedUntil = b.viewUnchangedUntil;
        this.provisionTime = b.provisionTime;
        this.put = b.put;
        this.patch = b.patch;
        this.createState = b.createState;
        this.replaceState = b.replaceState;
        this.patchState = b.patchState;
        this.createdStatus = b.createdStatus;
        this.replacedStatus = b.replacedStatus;
        this.putAcceptedStatus = b.putAcceptedStatus;
        this.patchStatus = b.patchStatus;
        this.patchAcceptedStatus = b.patchAcceptedStatus;
        this.deleteCheck = b.deleteCheck;
        this.onDeleted = b.onDeleted;
        this.deleteRequestCheck = b.deleteRequestCheck;
        this.get = b.get;
        this.nameRule = b.nameRule;
        this.references = List.copyOf(b.references);
        this.onParentDelete = b.onParentDelete;
        this.parentDeleteCode = b.parentDeleteCode;
        this.parentDeleteMessage = b.parentDeleteMessage;
        Map<String, Map<HttpMethod, Handler>> routes = new LinkedHashMap<>();
        b.subroutes.forEach((suffix, byMethod) -> routes.put(suffix, Map.copyOf(byMethod)));
        this.subroutes = routes;
    }

    /**
     * Begins the declaration of {@code namespace/typePath}.
     *
     * @param typePath the type below the namespace, e.g. {@code images} or {@code galleries/images/versions}
     */
    public static Builder of(String namespace, String typePath) {
        return new Builder(namespace, typePath);
    }

    public String namespace() {
        return namespace;
    }

    /** The type below the namespace, e.g. {@code virtualNetworks/subnets}. */
    public String typePath() {
        return typePath;
    }

    /** The full type, e.g. {@code Microsoft.Network/virtualNetworks/subnets}. */
    public String fullType() {
        return namespace + "/" + typePath;
    }

    /** Nested under another kind (its type path has more than one segment). */
    public boolean nested() {
        return segments.size() > 1;
    }

    /** The parent kind's full type, or null for a kind directly in a resource group. */
    public String parentType() {
        return nested() ? namespace + "/" + String.join("/", segments.subList(0, segments.size() - 1)) : null;
    }

    public List<String> apiVersions() {
        return apiVersions;
    }

    public List<Reference> references() {
        return references;
    }

    /** A declaration in progress; {@link #put} is the one rule every kind must give. */
    public static final class Builder {
        private final String namespace;
        private final String typePath;
        private List<String> apiVersions = List.of();
        private Wire wire = Wire.STORED;
        private UnaryOperator<ObjectNode> view;
        private ToLongFunction<ObjectNode> viewUnchangedUntil;
        private ToLongFunction<ObjectNode> provisionTime = doc -> 0;
        private PutRule put;
        private PatchRule patch;
        private String createState = ProvisioningState.Creating.name();
        private String replaceState = ProvisioningState.Updating.name();
        private String patchState = ProvisioningState.Updating.name();
        private int createdStatus = 201;
        private int replacedStatus = 200;
        private int putAcceptedStatus = -1;
        private int patchStatus = 200;
        private int patchAcceptedStatus = -1;
        private DocumentRule deleteCheck = (tx, doc) -> { };
        private DocumentRule onDeleted = (tx, doc) -> { };
        private Consumer<ApiRequest> deleteRequestCheck = r -> { };
        private Handler get;
        private Consumer<String> nameRule = name -> { };
        private final List<Reference> references = new ArrayList<>();
        private OnParentDelete onParentDelete = OnParentDelete.CASCADE;
        private String parentDeleteCode;
        private String parentDeleteMessage;
        private final Map<String, Map<HttpMethod, Handler>> subroutes = new LinkedHashMap<>();

        private Builder(String namespace, String typePath) {
            this.namespace = Objects.requireNonNull(namespace);
            if (typePath.isEmpty() || Arrays.stream(typePath.split("/", -1)).anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("a type path is one or more segments: " + typePath);
            }
            this.typePath = typePath;
        }

        /** The api-versions Azure lists for the type, newest first. */
        public Builder apiVersions(List<String> versions) {
            this.apiVersions = List.copyOf(versions);
            return this;
        }

        /** Clients see the stored document less its private state (the default: the stored document as it is). */
        public Builder withoutPrivateState() {
            this.wire = Wire.WITHOUT_PRIVATE_STATE;
            this.view = null;
            return this;
        }

        /**
         * Clients see {@code view} of the stored document. Its GET is answered from the resource cache only when
         * {@code unchangedUntil} is given: until when (epoch milliseconds; {@link Long#MAX_VALUE} for ever) the view
         * of a document stays what it is now, for a view that depends on nothing but the document and the clock.
         */
        public Builder view(UnaryOperator<ObjectNode> view, ToLongFunction<ObjectNode> unchangedUntil) {
            this.wire = Wire.VIEW;
            this.view = Objects.requireNonNull(view);
            this.viewUnchangedUntil = unchangedUntil;
            return this;
        }

        /**
         * How long (milliseconds) provisioning a document written by PUT or PATCH takes at least, whatever the
         * configured operation delay: the write then answers as a long-running operation that lasts that long. The
         * default, 0, leaves it to the configured delay.
         */
        public Builder provisionTime(ToLongFunction<ObjectNode> millis) {
            this.provisionTime = Objects.requireNonNull(millis);
            return this;
        }

        /** How a PUT body becomes the document (create or replace). */
        public Builder put(PutRule rule) {
            this.put = rule;
            return this;
        }

        /** How a PATCH body changes the document; without one, the kind answers PATCH with 405. */
        public Builder patch(PatchRule rule) {
            this.patch = rule;
            return this;
        }

        /** The provisioning states shown while an operation runs: on create, on replace, on PATCH. */
        public Builder inProgressStates(String create, String replace, String patch) {
            this.createState = create;
            this.replaceState = replace;
            this.patchState = patch;
            return this;
        }

        /**
         * The statuses of a PUT: done at once when creating and when replacing, and still in progress (-1: the same
         * as when done).
         */
        public Builder putStatuses(int created, int replaced, int accepted) {
            this.createdStatus = created;
            this.replacedStatus = replaced;
            this.putAcceptedStatus = accepted;
            return this;
        }

        /** The statuses of a PATCH: done at once, and still in progress (-1: the same as when done). */
        public Builder patchStatuses(int done, int accepted) {
            this.patchStatus = done;
            this.patchAcceptedStatus = accepted;
            return this;
        }

        /** Refuses (throws) a delete of a stored document, inside the write. */
        public Builder deleteCheck(DocumentRule rule) {
            this.deleteCheck = rule;
            return this;
        }

        /** Checks a DELETE request's own parameters (its query), before anything is read. */
        public Builder deleteRequestCheck(Consumer<ApiRequest> check) {
            this.deleteRequestCheck = check;
            return this;
        }

        /** What the deletion of a resource frees, inside the write that removes it (also in a group's deletion). */
        public Builder onDeleted(DocumentRule rule) {
            this.onDeleted = rule;
            return this;
        }

        /** A GET of one resource other than the stored view (e.g. with {@code $expand}); never from the cache. */
        public Builder get(Handler handler) {
            this.get = handler;
            return this;
        }

        /** Refuses (throws) a name a PUT would create a resource under. */
        public Builder nameRule(Consumer<String> rule) {
            this.nameRule = rule;
            return this;
        }

        /** See {@link Reference}; {@code inUse} may be null (the reference then orders deletions only). */
        public Builder references(String targetType, Function<ObjectNode, Collection<String>> ids, InUse inUse) {
            this.references.add(new Reference(targetType, ids, inUse));
            return this;
        }

        /**
         * A nested kind whose resources keep their parent from being deleted: 409 with this code and message, in
         * which {@code {name}} stands for the parent's name, {@code {child}} for one child's name and
         * {@code {children}} for the ids of some of them, below the provider ({@code Microsoft.Compute/galleries/g/
         * images/i}), comma-separated.
         */
        public Builder refusesParentDelete(String code, String message) {
            this.onParentDelete = OnParentDelete.REFUSE;
            this.parentDeleteCode = code;
            this.parentDeleteMessage = message;
            return this;
        }

        /** A POST action on one resource, e.g. {@code start} at {@code .../{name}/start}. */
        public Builder action(String name, Handler handler) {
            return on(HttpMethod.POST, name, handler);
        }

        /** A request on a path below one resource, e.g. {@code GET .../{name}/instanceView}. */
        public Builder on(HttpMethod method, String suffix, Handler handler) {
            subroutes.computeIfAbsent(suffix, s -> new LinkedHashMap<>()).put(method, handler);
            return this;
        }

        public ResourceKind build() {
            if (put == null) {
                throw new IllegalStateException(namespace + "/" + typePath + " declares no PUT rule");
            }
            if (apiVersions.isEmpty()) {
                throw new IllegalStateException(namespace + "/" + typePath + " declares no api-version");
            }
            return new ResourceKind(this);
        }
    }
}

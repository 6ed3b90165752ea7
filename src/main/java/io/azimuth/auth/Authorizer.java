package io.azimuth.auth;

/** Decides whether a caller may perform an action at a scope; throws to refuse. */
@FunctionalInterface
public interface Authorizer {
    /** Everything is allowed: what lenient mode and instances without role assignments do. */
    Authorizer ALLOW_ALL = (caller, action, scope) -> {
    };

    /**
     * @param action as ARM names it: {@code Microsoft.Compute/images/write}
     * @param scope  the resource id (or group, or subscription) acted on
     * @throws AccessDenied when no role assigned to the caller allows it
     */
    void authorize(Caller caller, String action, String scope);

    /** The caller holds no role that allows the action at the scope. */
    final class AccessDenied extends RuntimeException {
        private final Caller caller;
        private final String action;
        private final String scope;

        public AccessDenied(Caller caller, String action, String scope) {
            super(action + " at " + scope, null, false, false);
            this.caller = caller;
            this.action = action;
            this.scope = scope;
        }

        public Caller caller() {
            return caller;
        }

        public String action() {
            return action;
        }

        public String scope() {
            return scope;
        }
    }
}

package io.azimuth.auth;

/**
 * Who signed in: a service principal (its client id is its name) or a user (its user name).
 *
 * @param objectId a GUID, stable for the same name: the {@code oid} of its tokens and the principal role
 *                 assignments name
 */
public record Principal(Kind kind, String name, String objectId, String displayName) {
    public enum Kind {
        SERVICE_PRINCIPAL("ServicePrincipal", "app"),
        USER("User", "user");

        private final String wire;
        private final String tokenType;

        Kind(String wire, String tokenType) {
            this.wire = wire;
            this.tokenType = tokenType;
        }

        /** As role assignments name it ({@code principalType}). */
        public String wire() {
            return wire;
        }

        /** The token's {@code idtyp}. */
        public String tokenType() {
            return tokenType;
        }
    }
}

package io.azimuth.kinds;

/**
 * The {@code properties.provisioningState} of a tracked resource: terminal ({@code Succeeded}, {@code Failed},
 * {@code Canceled}) or while an operation runs on it. Constants are named as they are on the wire.
 */
public enum ProvisioningState {
    Succeeded, Failed, Canceled, Creating, Updating, Deleting;

    /** Whether a document in state {@code wire} has no operation running on it. */
    public static boolean terminal(String wire) {
        return wire.equalsIgnoreCase(Succeeded.name()) || wire.equalsIgnoreCase(Failed.name())
                || wire.equalsIgnoreCase(Canceled.name());
    }
}

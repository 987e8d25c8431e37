package dev.locald.lifecycle;

/** Whose root filesystem a phase container runs on. */
public enum PhaseImage {
    /** The builder: buildpacks, {@code /cnb/order.toml}, its own lifecycle. */
    BUILDER,
    /**
     * The trusted lifecycle image (buildpacksio/lifecycle or the configured equivalent), used for the
     * credentialed phases of an untrusted builder so the builder's own binaries never hold secrets.
     */
    LIFECYCLE_IMAGE
}

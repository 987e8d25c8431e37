package dev.locald.lifecycle;

import java.util.Locale;

/** A lifecycle phase binary under {@code /cnb/lifecycle/}. */
public enum Phase {
    ANALYZER,
    DETECTOR,
    RESTORER,
    BUILDER,
    EXPORTER,
    CREATOR,
    /** A rebase's only phase, always on the lifecycle image (never a builder's binaries: it holds credentials). */
    REBASER;

    /** The name the lifecycle dispatches on and the prefix of log lines: {@code analyzer}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The path a platform must invoke (the CNB platform spec, "Operations"); real builders make it a symlink to one binary. */
    public String binary() {
        return "/cnb/lifecycle/" + id();
    }

    /**
     * Whether the phase talks to registries and so receives {@code CNB_REGISTRY_AUTH}. Detector and
     * builder run buildpack code and must never see credentials (spec buildpack.md §Security).
     */
    public boolean receivesRegistryAuth() {
        return this == ANALYZER || this == RESTORER || this == EXPORTER || this == CREATOR || this == REBASER;
    }

    public static Phase fromId(String id) {
        for (Phase p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("not a lifecycle phase: " + BuildpackRef.quote(id));
    }
}

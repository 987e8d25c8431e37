package dev.locald.lifecycle;

import dev.locald.cnb.BuildCaches;

/** The per-build host directories a phase can have mounted; the caller maps each to a host path. */
public enum BuildDir {
    /** Fresh per build, owned by the CNB user; mounted at {@code /layers}. */
    LAYERS,
    /** The app source, owned by the CNB user; mounted at {@code /workspace}. */
    WORKSPACE,
    /** {@code env/NAME} files written by {@link PlatformDir}; mounted read-only at {@code /platform}. */
    PLATFORM,
    /** The persistent cache of the target repository (see {@link BuildCaches}); mounted at {@code /cache}. */
    CACHE
}

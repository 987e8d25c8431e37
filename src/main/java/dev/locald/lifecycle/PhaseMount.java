package dev.locald.lifecycle;

/** A bind mount a phase needs: the build directory {@code source} at {@code containerPath}. */
public record PhaseMount(String containerPath, BuildDir source, boolean readOnly) {
}

package dev.locald.lifecycle;

/** A bind mount a phase needs: the build directory {@code source} at its container path. */
public record PhaseMount(BuildDir source, boolean readOnly) {

    public String containerPath() {
        return source.containerPath();
    }
}

package dev.locald.runtime;

import java.nio.file.Path;

/** A host directory or file made visible in the container (e.g. {@code /workspace}, {@code /layers}). */
public record BindMount(Path source, String destination, boolean readOnly) {

    public BindMount {
        if (source == null || !source.isAbsolute()) {
            throw new IllegalArgumentException("bind mount source must be an absolute path: " + source);
        }
        ContainerPathCheck.requireAbsolute(destination, "bind mount destination");
    }
}

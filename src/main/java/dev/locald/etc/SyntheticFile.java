package dev.locald.etc;

import java.nio.file.Path;

/** A generated file ({@code source}, outside the rootfs) to bind-mount read-only at {@code destination}. */
public record SyntheticFile(Path source, String destination) {}

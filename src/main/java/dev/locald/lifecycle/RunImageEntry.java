package dev.locald.lifecycle;

import java.util.List;

/** One run image with its mirrors, as in run.toml {@code [[images]]} or the builder label {@code images[]}. */
public record RunImageEntry(String image, List<String> mirrors) {
    public RunImageEntry {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("a run image entry needs an image");
        }
        mirrors = List.copyOf(mirrors);
    }
}

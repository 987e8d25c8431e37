package dev.locald.lifecycle;

import dev.locald.image.Digest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** What the exporter reported in {@code report.toml [image]} (docs/lifecycle.md). */
public record Report(Optional<Digest> digest, List<String> tags, OptionalLong manifestSize, Optional<Digest> imageId) {
    public Report {
        tags = List.copyOf(tags);
    }
}

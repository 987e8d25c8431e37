package dev.locald.builds;

import dev.locald.image.Digest;
import java.util.List;
import java.util.Objects;

/**
 * What a successful build produced (from the exporter's {@code report.toml}).
 *
 * @param image the target image reference as requested
 * @param digest the manifest digest of the published image
 * @param tags every reference the image was published under (the target and the extra tags)
 */
public record BuildResult(String image, Digest digest, List<String> tags) {
    public BuildResult {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(digest, "digest");
        tags = List.copyOf(tags);
    }
}

package dev.locald.pull;

import dev.locald.image.Digest;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An image in the cache, gathered from every record with its manifest digest (one image may have been
 * pulled under several references).
 *
 * @param references     the references it was pulled under, most recent pull first
 * @param manifestDigest the platform manifest's digest
 * @param platform       os/architecture[/variant]
 * @param configDigest   digest of the config blob
 * @param config         the parsed config
 * @param layers         bottom layer first
 * @param pulledAt       the most recent pull
 * @param lastUsed       the latest of the last pull and the last use of any of its layers
 * @param inUse          whether a running build holds a lease on it
 */
public record CachedImage(
        List<ImageReference> references,
        Digest manifestDigest,
        String platform,
        Digest configDigest,
        ImageConfig config,
        List<CachedLayer> layers,
        Instant pulledAt,
        Instant lastUsed,
        boolean inUse) {

    public CachedImage {
        references = List.copyOf(references);
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        layers = List.copyOf(layers);
    }

    /** Sum of the compressed layer sizes, as the manifest states them. */
    public long compressedSize() {
        return layers.stream().mapToLong(l -> l.descriptor().size()).sum();
    }

    /** Sum of the extracted layer sizes. */
    public long extractedSize() {
        return layers.stream().mapToLong(CachedLayer::extractedSize).sum();
    }
}

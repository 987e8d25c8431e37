package dev.locald.store;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A pulled image as the cache remembers it: enough to list cached images and to rebuild a rootfs without
 * asking the registry again.
 *
 * @param reference      the reference it was pulled under (tag kept, digest pinned)
 * @param manifestDigest digest of the platform manifest
 * @param platform       os/architecture[/variant]
 * @param configBytes    the raw config blob
 * @param layers         bottom layer first
 * @param pulledAt       when it was resolved
 */
public record ImageRecord(
        ImageReference reference,
        Digest manifestDigest,
        String platform,
        byte[] configBytes,
        List<LayerDescriptor> layers,
        Instant pulledAt) {

    public ImageRecord {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(platform, "platform");
        configBytes = configBytes.clone();
        layers = List.copyOf(layers);
        Objects.requireNonNull(pulledAt, "pulledAt");
    }

    @Override
    public byte[] configBytes() {
        return configBytes.clone();
    }

    public Digest configDigest() {
        return Digest.ofBytes(configBytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRecord r
                && reference.equals(r.reference)
                && manifestDigest.equals(r.manifestDigest)
                && platform.equals(r.platform)
                && Arrays.equals(configBytes, r.configBytes)
                && layers.equals(r.layers)
                && pulledAt.equals(r.pulledAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reference, manifestDigest, platform, Arrays.hashCode(configBytes), layers, pulledAt);
    }

    @Override
    public String toString() {
        return "ImageRecord[" + reference + ", manifest " + manifestDigest + ", " + platform + ", " + layers.size()
                + " layers]";
    }
}

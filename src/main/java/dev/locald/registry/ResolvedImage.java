package dev.locald.registry;

import dev.locald.image.Digest;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import java.util.List;
import java.util.Objects;

/**
 * An image resolved to one platform manifest, with its verified config. Layer blobs are not downloaded
 * yet ({@link BlobFetcher} does that).
 *
 * @param ref            the reference as asked for (normalised)
 * @param manifestDigest digest of the platform manifest (not of an index that led to it)
 * @param platform       os/architecture[/variant] of the manifest
 * @param manifestBytes  the raw platform manifest
 * @param configBytes    the raw config blob, verified against its descriptor
 * @param config         the parsed config
 * @param layers         bottom layer first, with media types from the raw manifest and diffIds from the config
 */
public record ResolvedImage(
        ImageReference ref,
        Digest manifestDigest,
        String platform,
        byte[] manifestBytes,
        byte[] configBytes,
        ImageConfig config,
        List<LayerDescriptor> layers) {

    public ResolvedImage {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        manifestBytes = manifestBytes.clone();
        configBytes = configBytes.clone();
        layers = List.copyOf(layers);
    }

    @Override
    public byte[] manifestBytes() {
        return manifestBytes.clone();
    }

    @Override
    public byte[] configBytes() {
        return configBytes.clone();
    }

    /** The reference pinned to the platform manifest, so a later pull gets exactly this image. */
    public ImageReference pinned() {
        return ref.withDigest(manifestDigest);
    }

    public Digest configDigest() {
        return Digest.ofBytes(configBytes);
    }

    @Override
    public String toString() {
        return "ResolvedImage[" + ref + ", manifest " + manifestDigest + ", " + platform + ", " + layers.size()
                + " layers]";
    }
}

package dev.locald.api;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.pull.CachedImage;
import dev.locald.pull.CachedLayer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /images}: every cached image, most recently used first, with the sizes they take. The totals
 * count a layer shared by several images once.
 */
public record ImageListView(List<Item> images, int total, long size, long extractedSize) {

    /**
     * @param size          compressed layer bytes (as the manifest states them)
     * @param extractedSize bytes of the extracted layers in the store
     */
    public record Item(
            String reference,
            List<String> references,
            String digest,
            String platform,
            int layerCount,
            long size,
            long extractedSize,
            boolean builder,
            Instant pulledAt,
            Instant lastUsed,
            boolean inUse) {
        static Item of(CachedImage i) {
            List<String> refs =
                    i.references().stream().map(ImageReference::toString).toList();
            return new Item(
                    refs.isEmpty() ? null : refs.get(0),
                    refs,
                    i.manifestDigest().toString(),
                    i.platform(),
                    i.layers().size(),
                    i.compressedSize(),
                    i.extractedSize(),
                    i.config().label(BuilderMetadata.LABEL).isPresent(),
                    i.pulledAt(),
                    i.lastUsed(),
                    i.inUse());
        }
    }

    public static ImageListView of(List<CachedImage> images) {
        Map<Digest, Long> blobs = new HashMap<>();
        Map<Digest, Long> extracted = new HashMap<>();
        for (CachedImage image : images) {
            for (CachedLayer l : image.layers()) {
                blobs.put(l.descriptor().digest(), l.descriptor().size());
                extracted.put(l.descriptor().diffId(), l.extractedSize());
            }
        }
        return new ImageListView(
                images.stream().map(Item::of).toList(),
                images.size(),
                blobs.values().stream().mapToLong(Long::longValue).sum(),
                extracted.values().stream().mapToLong(Long::longValue).sum());
    }
}

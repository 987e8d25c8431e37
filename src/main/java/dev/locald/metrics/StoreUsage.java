package dev.locald.metrics;

import dev.locald.store.BlobStore;
import dev.locald.store.LayerStore;
import dev.locald.store.StoredLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Bytes held by the blob and layer stores, for the store-size gauges. Measuring the layers walks every
 * extracted tree, so a measurement is reused for {@code maxAge} rather than redone at every scrape.
 */
final class StoreUsage {

    /** One measurement. */
    public record Sizes(long blobBytes, long layerBytes, int blobs, int layers, Instant measuredAt) {}

    private final BlobStore blobs;
    private final LayerStore layers;
    private final Duration maxAge;
    private final Clock clock;
    private Sizes last;

    public StoreUsage(BlobStore blobs, LayerStore layers, Duration maxAge, Clock clock) {
        this.blobs = blobs;
        this.layers = layers;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    public synchronized Sizes current() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.measuredAt().plus(maxAge))) {
            last = measure(now);
        }
        return last;
    }

    private Sizes measure(Instant now) {
        try {
            long layerBytes = 0;
            var stored = layers.listAll();
            for (StoredLayer layer : stored) {
                layerBytes += layers.sizeOf(layer.diffId());
            }
            return new Sizes(blobs.totalBytes(), layerBytes, blobs.listAll().size(), stored.size(), now);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the stores", e);
        }
    }
}

package dev.locald.metrics;

import dev.locald.builds.BuildService;
import dev.locald.pull.ImagePuller;
import dev.locald.store.BlobStore;
import dev.locald.store.LayerStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/**
 * Registers the gauges and counters read from the service's own state: queue depth and running builds,
 * bytes pulled, layer cache hits and misses, and store sizes. Prometheus names: {@code locald_builds_queued},
 * {@code locald_builds_running}, {@code locald_pull_bytes_total}, {@code locald_layer_cache_total{result}},
 * {@code locald_store_bytes{store}}, {@code locald_store_items{store}}.
 */
@Singleton
public class ServiceMeters {

    static final Duration STORE_MEASURE_INTERVAL = Duration.ofSeconds(60);

    void register(
            @Observes StartupEvent event,
            MeterRegistry registry,
            BuildService builds,
            ImagePuller puller,
            BlobStore blobs,
            LayerStore layers) {
        Gauge.builder("locald.builds.queued", builds, b -> b.queueStatus().queued())
                .description("Builds waiting for a worker")
                .strongReference(true)
                .register(registry);
        Gauge.builder("locald.builds.running", builds, b -> b.queueStatus().running())
                .description("Builds being pulled or running a phase")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("locald.pull.bytes", blobs, BlobStore::bytesFetched)
                .description("Bytes of blobs downloaded into the blob store")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("locald.layer.cache", puller, ImagePuller::layersFromCache)
                .description("Image layers needed by pulls, by whether they were already extracted")
                .tag("result", "hit")
                .register(registry);
        FunctionCounter.builder("locald.layer.cache", puller, ImagePuller::layersExtracted)
                .description("Image layers needed by pulls, by whether they were already extracted")
                .tag("result", "miss")
                .register(registry);
        StoreUsage usage = new StoreUsage(blobs, layers, STORE_MEASURE_INTERVAL, Clock.systemUTC());
        Gauge.builder("locald.store.bytes", usage, u -> u.current().blobBytes())
                .description("Bytes held by a store")
                .baseUnit("bytes")
                .tag("store", "blobs")
                .strongReference(true)
                .register(registry);
        Gauge.builder("locald.store.bytes", usage, u -> u.current().layerBytes())
                .description("Bytes held by a store")
                .baseUnit("bytes")
                .tag("store", "layers")
                .strongReference(true)
                .register(registry);
        Gauge.builder("locald.store.items", usage, u -> u.current().blobs())
                .description("Entries in a store")
                .tag("store", "blobs")
                .strongReference(true)
                .register(registry);
        Gauge.builder("locald.store.items", usage, u -> u.current().layers())
                .description("Entries in a store")
                .tag("store", "layers")
                .strongReference(true)
                .register(registry);
    }
}

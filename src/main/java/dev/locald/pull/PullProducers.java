package dev.locald.pull;

import dev.locald.config.LocaldConfig;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import dev.locald.registry.BlobFetcher;
import dev.locald.registry.ImageResolver;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the puller from {@link LocaldConfig}; the class itself needs no CDI. */
@Singleton
public class PullProducers {

    @Produces
    @Singleton
    LayerExtractor layerExtractor(LocaldConfig config) {
        return new LayerExtractor(ExtractionLimits.from(config.limits()));
    }

    /** The configured registry mirrors, shared by the puller and the build's run.toml. */
    @Produces
    @Singleton
    Mirrors mirrors(LocaldConfig config) {
        return new Mirrors(config.registry().mirrors());
    }

    @Produces
    @Singleton
    ImagePuller imagePuller(
            ImageResolver resolver,
            BlobFetcher fetcher,
            BlobStore blobs,
            LayerStore layers,
            LayerExtractor extractor,
            ImageRecordStore records,
            LocaldConfig config,
            Mirrors mirrors) {
        return new ImagePuller(
                resolver,
                fetcher,
                blobs,
                layers,
                extractor,
                records,
                config.registry().parallelDownloads(),
                config.limits().pullTimeout(),
                config.registry().tagTtl(),
                mirrors);
    }
}

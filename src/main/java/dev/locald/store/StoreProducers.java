package dev.locald.store;

import dev.locald.config.LocaldConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/** CDI wiring of the stores under {@code locald.data-dir}; opening a store sweeps what a crash left. */
@Singleton
public class StoreProducers {

    @Produces
    @Singleton
    BlobStore blobStore(LocaldConfig config) {
        try {
            return new BlobStore(config.dataRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store under " + config.dataRoot(), e);
        }
    }

    @Produces
    @Singleton
    LayerStore layerStore(LocaldConfig config) {
        try {
            return new LayerStore(config.dataRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the layer store under " + config.dataRoot(), e);
        }
    }

    @Produces
    @Singleton
    ImageRecordStore imageRecordStore(LocaldConfig config) {
        try {
            return new ImageRecordStore(config.dataRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the image records under " + config.dataRoot(), e);
        }
    }
}

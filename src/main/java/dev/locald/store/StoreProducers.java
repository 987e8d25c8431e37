package dev.locald.store;

import dev.locald.config.DataLayout;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/** CDI wiring of the stores under {@code locald.data-dir}; opening a store sweeps what a crash left. */
@Singleton
public class StoreProducers {

    @Produces
    @Singleton
    BlobStore blobStore(DataLayout layout) {
        try {
            return new BlobStore(layout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store under " + layout.root(), e);
        }
    }

    @Produces
    @Singleton
    LayerStore layerStore(DataLayout layout) {
        try {
            return new LayerStore(layout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the layer store under " + layout.root(), e);
        }
    }

    @Produces
    @Singleton
    ImageRecordStore imageRecordStore(DataLayout layout) {
        try {
            return new ImageRecordStore(layout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the image records under " + layout.root(), e);
        }
    }
}

package dev.locald.registry;

import dev.locald.config.LocaldConfig;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the registry classes from {@link LocaldConfig}; the classes themselves need no CDI. */
@Singleton
public class RegistryProducers {

    @Produces
    @Singleton
    RegistrySettings settings(LocaldConfig config) {
        return RegistrySettings.from(config);
    }

    @Produces
    @Singleton
    RegistryCredentials credentials(RegistrySettings settings) {
        return new RegistryCredentials(settings.dockerConfig());
    }

    @Produces
    @Singleton
    RegistryHttpClient httpClient(RegistrySettings settings, RegistryCredentials credentials) {
        return new RegistryHttpClient(settings, credentials);
    }

    @Produces
    @Singleton
    BlobFetcher blobFetcher(RegistryHttpClient http) {
        return new BlobFetcher(http);
    }

    @Produces
    @Singleton
    ImageResolver imageResolver(RegistryHttpClient http, BlobFetcher blobs) {
        return new ImageResolver(http, blobs);
    }

    @Produces
    @Singleton
    ImagePuller imagePuller(ImageResolver resolver, BlobFetcher fetcher, BlobStore blobs, ImageRecordStore records,
                            LocaldConfig config) {
        return new ImagePuller(resolver, fetcher, blobs, records, config.registry().parallelDownloads(),
                config.limits().pullTimeout());
    }
}

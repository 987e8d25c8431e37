package dev.locald.registry;

import dev.locald.config.LocaldConfig;
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
}

package dev.locald.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the configured {@link DataLayout} a bean, computed once. */
@Singleton
public class DataLayoutProducer {

    @Produces
    @Singleton
    DataLayout dataLayout(LocaldConfig config) {
        return DataLayout.of(config);
    }
}

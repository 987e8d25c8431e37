package dev.locald.builds;

import dev.locald.config.DataLayout;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the embedded {@link BuildStore} under the configured data directory a bean. */
@ApplicationScoped
public class BuildStoreProducer {

    @Produces
    @Singleton
    BuildStore buildStore(DataLayout layout) {
        return new BuildStore(layout);
    }
}

package dev.locald.cnb;

import dev.locald.config.DataLayout;
import dev.locald.config.LocaldConfig;
import dev.locald.lifecycle.TrustedBuilders;
import dev.locald.rootfs.RootfsAssembler;
import dev.locald.runtime.ContainerRunner;
import dev.locald.source.SourceLimits;
import dev.locald.source.SourceUnpacker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the lifecycle classes from {@link LocaldConfig}; the classes themselves need no CDI. */
@Singleton
public class LifecycleProducers {

    @Produces
    @Singleton
    PhaseRunner phaseRunner(RootfsAssembler assembler, ContainerRunner containers) {
        return new PhaseRunner(assembler, containers);
    }

    @Produces
    @Singleton
    BuildCaches buildCaches(DataLayout layout) {
        return new BuildCaches(layout);
    }

    @Produces
    @Singleton
    SourceUnpacker sourceUnpacker(LocaldConfig config) {
        LocaldConfig.Lifecycle lifecycle = config.lifecycle();
        return new SourceUnpacker(
                new SourceLimits(lifecycle.maxSourceEntries(), lifecycle.maxSourceBytes(), lifecycle.maxSourceRatio()));
    }

    @Produces
    @Singleton
    TrustedBuilders trustedBuilders(LocaldConfig config) {
        return new TrustedBuilders(config.lifecycle().trustedBuilders());
    }
}

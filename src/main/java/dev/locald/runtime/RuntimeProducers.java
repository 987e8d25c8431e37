package dev.locald.runtime;

import dev.locald.config.DataLayout;
import dev.locald.config.LocaldConfig;
import dev.locald.etc.ResolvConf;
import dev.locald.etc.SyntheticRoot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Builds the engine's objects from {@link LocaldConfig}; the startup sweep is janitor.StartupSequence's first step. */
@ApplicationScoped
public class RuntimeProducers {

    private final LocaldConfig.Runtime config;
    private final DataLayout layout;

    public RuntimeProducers(LocaldConfig config, DataLayout layout) {
        this.config = config.runtime();
        this.layout = layout;
    }

    Path stateDir() {
        return layout.runc();
    }

    Path bundlesDir() {
        return layout.bundles();
    }

    @Produces
    @Singleton
    RuncClient runcClient() {
        return new RuncClient(config.runcBinary(), stateDir(), config.commandTimeout());
    }

    @Produces
    @Singleton
    CgroupLayout cgroupLayout() {
        try {
            return CgroupLayout.ofCurrentProcess();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this process's cgroups", e);
        }
    }

    @Produces
    @Singleton
    ContainerRunner containerRunner(RuncClient runc, CgroupLayout cgroups) {
        try {
            SyntheticRoot syntheticRoot =
                    new SyntheticRoot(new ResolvConf(config.hostResolvConf(), config.fallbackNameservers()));
            ContainerSpecFactory specFactory =
                    new ContainerSpecFactory(HostLimits.openFilesFor(config.openFiles()), config.cgroupParent());
            return new ContainerRunner(
                    runc,
                    syntheticRoot,
                    specFactory,
                    cgroups,
                    config.cgroupParent(),
                    new ContainerRunner.Settings(
                            bundlesDir(), config.maxLineBytes(), config.pollInterval(), config.stopTimeout()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host's open-files limit", e);
        }
    }

    @Produces
    @Singleton
    ContainerSweeper containerSweeper(RuncClient runc, CgroupLayout cgroups) {
        return new ContainerSweeper(runc, cgroups, config.cgroupParent(), bundlesDir());
    }
}

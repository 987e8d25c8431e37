package dev.locald.runtime;

import dev.locald.config.DataLayout;
import dev.locald.config.LocaldConfig;
import dev.locald.etc.ResolvConf;
import dev.locald.etc.SyntheticRoot;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Builds the engine's objects from {@link LocaldConfig}; the startup sweep is janitor.StartupSequence's first step. */
@ApplicationScoped
public class RuntimeProducers {

    private static final Logger LOG = Logger.getLogger(RuntimeProducers.class);

    private final LocaldConfig.Runtime config;
    private final LocaldConfig.Network network;
    private final DataLayout layout;
    private Optional<SeccompProfile> seccomp;

    public RuntimeProducers(LocaldConfig config, DataLayout layout) {
        this.config = config.runtime();
        this.network = config.network();
        this.layout = layout;
    }

    /** Loads and checks the seccomp profile when locald starts: a bad one stops the start, not a build. */
    void onStart(@Observes StartupEvent event) {
        seccomp();
    }

    synchronized Optional<SeccompProfile> seccomp() {
        if (seccomp == null) {
            seccomp = SeccompProfile.fromSetting(config.seccomp());
            if (seccomp.isPresent()) {
                LOG.infof(
                        "containers run under the seccomp profile %s (%d syscall rules)",
                        seccomp.get().source(), seccomp.get().ruleCount());
            } else {
                LOG.warn("locald.runtime.seccomp=unconfined: containers run WITHOUT a seccomp filter, so builds may"
                        + " call every syscall the kernel offers (user namespaces, keyctl, ptrace...); see"
                        + " docs/security.md");
            }
        }
        return seccomp;
    }

    Path stateDir() {
        return layout.runc();
    }

    Path bundlesDir() {
        return layout.bundles();
    }

    @Produces
    @Singleton
    RunMode runMode() {
        RunMode mode = RunMode.current();
        LOG.infof(
                "locald runs in %s mode%s",
                mode.name(), mode.problem().map(p -> ": " + p).orElse(""));
        return mode;
    }

    @Produces
    @Singleton
    RuncClient runcClient(RunMode mode) {
        return new RuncClient(config.runcBinary(), stateDir(), config.commandTimeout(), mode.rootless());
    }

    @Produces
    @Singleton
    CgroupLayout cgroupLayout(RunMode mode) {
        if (mode.rootless()) {
            // runc makes no cgroup for a rootless container on a host without delegation: nothing to watch or remove
            return CgroupLayout.none();
        }
        try {
            return CgroupLayout.ofCurrentProcess();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this process's cgroups", e);
        }
    }

    @Produces
    @Singleton
    ContainerRunner containerRunner(
            RuncClient runc, CgroupLayout cgroups, IsolatedNetwork isolatedNetwork, RunMode mode) {
        try {
            SyntheticRoot syntheticRoot = new SyntheticRoot(
                    new ResolvConf(config.hostResolvConf(), config.fallbackNameservers(), dnsForwardAddress()));
            ContainerSpecFactory specFactory = new ContainerSpecFactory(
                    HostLimits.openFilesFor(config.openFiles()), config.cgroupParent(), seccomp(), mode);
            return new ContainerRunner(
                    runc,
                    syntheticRoot,
                    specFactory,
                    cgroups,
                    config.cgroupParent(),
                    new ContainerRunner.Settings(
                            bundlesDir(), config.maxLineBytes(), config.pollInterval(), config.stopTimeout()),
                    isolatedNetwork);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host's open-files limit", e);
        }
    }

    @Produces
    @Singleton
    IsolatedNetwork isolatedNetwork() {
        return new IsolatedNetwork(new IsolatedNetwork.Settings(
                network.pastaBinary(),
                network.deny().orElse(List.of()),
                dnsForwardAddress(),
                network.setupTimeout(),
                network.warmNamespaces()));
    }

    void closeIsolatedNetwork(@Disposes IsolatedNetwork isolatedNetwork) throws InterruptedException {
        isolatedNetwork.close();
    }

    /** Where isolated containers ask when the host has only loopback resolvers: their own loopback. */
    private Optional<String> dnsForwardAddress() {
        return network.forwardLoopbackDns() ? Optional.of(IsolatedNetwork.DNS_FORWARD_ADDRESS) : Optional.empty();
    }

    @Produces
    @Singleton
    ContainerSweeper containerSweeper(RuncClient runc, CgroupLayout cgroups) {
        return new ContainerSweeper(runc, cgroups, config.cgroupParent(), bundlesDir());
    }
}

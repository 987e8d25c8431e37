package dev.locald.cnb;

import dev.locald.image.EnvList;
import dev.locald.image.ImageConfig;
import dev.locald.image.NetworkMode;
import dev.locald.lifecycle.BuildWorkspace;
import dev.locald.lifecycle.PhaseMount;
import dev.locald.lifecycle.PhaseSpec;
import dev.locald.lifecycle.RegistryAuthEnv;
import dev.locald.rootfs.AssembledRootfs;
import dev.locald.rootfs.RootfsAssembler;
import dev.locald.runtime.BindMount;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.ContainerRequest;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.ContainerRunner;
import dev.locald.runtime.OutputSink;
import dev.locald.runtime.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs one phase of a build: a fresh overlay rootfs of the phase's image (so every phase starts from the
 * pristine image, as pack's fresh container per phase does), the build dirs bound in, the phase's env
 * with credentials only where the plan allows them, and the container engine underneath.
 */
final class PhaseRunner {

    /** The rootfs a phase runs on: the image's extracted layers (bottom first) and its config. */
    public record PhaseImageRoot(List<Path> layerDirs, List<String> env, String workingDir) {
        public PhaseImageRoot {
            layerDirs = List.copyOf(layerDirs);
            env = List.copyOf(env);
        }

        /** The image's PATH; empty when its config sets none (the engine then uses its default PATH). */
        public Optional<String> path() {
            return EnvList.value(env, "PATH");
        }
    }

    /** The limits of one build's phases: its cgroup limits, and its disk budget. */
    record Limits(ResourceLimits cgroup, DiskBudget disk) {}

    /**
     * How a phase ended.
     *
     * @param overDisk the build went over its disk limit during this phase (the phase was stopped, so the
     *     container result also says cancelled)
     */
    record Outcome(ContainerResult container, boolean overDisk) {
        boolean succeeded() {
            return container.succeeded() && !overDisk;
        }
    }

    private final RootfsAssembler assembler;
    private final ContainerRunner containers;

    public PhaseRunner(RootfsAssembler assembler, ContainerRunner containers) {
        this.assembler = assembler;
        this.containers = containers;
    }

    /**
     * @param containerId unique runc id for this phase's container
     * @param registryPorts the host loopback ports of the build's registries (see {@link ContainerRequest})
     * @param scratch     a directory of this build for the phase's assembly (upper dir, mount point) and /tmp
     */
    public Outcome run(
            String containerId,
            PhaseSpec spec,
            PhaseImageRoot image,
            BuildWorkspace workspace,
            RegistryAuthEnv auth,
            List<Integer> registryPorts,
            OutputSink sink,
            Cancellation cancellation,
            Optional<Duration> timeout,
            Path scratch,
            Limits limits)
            throws IOException, InterruptedException {
        Path assemblyDir =
                Files.createDirectories(scratch.resolve("rootfs-" + spec.phase().id()));
        Path tmp = scratch.resolve("tmp-" + spec.phase().id());
        try (AssembledRootfs rootfs = assembler.assemble(image.layerDirs(), assemblyDir)) {
            ContainerRequest.Builder request = ContainerRequest.builder(containerId, rootfs.root(), spec.user())
                    .args(spec.argv())
                    .imagePath(image.path().orElse(null))
                    .env(spec.processEnv(image.env(), auth))
                    // an unsafe WorkingDir never reaches runc (CVE-2024-21626); the executor notes it
                    .cwd(ImageConfig.containerWorkingDir(image.workingDir()))
                    .network(spec.network())
                    // in an isolated network only the phases that talk to registries reach the loopback ones
                    .hostLoopbackPorts(
                            spec.network() == NetworkMode.ISOLATED
                                            && spec.phase().receivesRegistryAuth()
                                    ? registryPorts
                                    : List.of())
                    .limits(limits.cgroup())
                    .hostname("locald-build")
                    // on disk, not in the phase's memory: the exporter writes every layer tarball to /tmp
                    .diskTmp(tmp);
            for (PhaseMount mount : spec.mounts()) {
                request.mount(new BindMount(workspace.dir(mount.source()), mount.containerPath(), mount.readOnly()));
            }
            timeout.ifPresent(request::timeout);
            // the disk watch stops the phase through its own cancellation, leaving the build's alone
            Cancellation phase = cancellation.child();
            try (DiskBudget.Watch watch = limits.disk()
                    .watch(List.of(assemblyDir, tmp), phase, spec.phase().id())) {
                ContainerResult result = containers.run(request.build(), sink, phase);
                return new Outcome(result, watch.finish());
            }
        } finally {
            Files.deleteIfExists(assemblyDir);
        }
    }
}

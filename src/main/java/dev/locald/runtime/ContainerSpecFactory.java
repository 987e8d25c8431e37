package dev.locald.runtime;

import dev.locald.etc.HomeMount;
import dev.locald.etc.PreparedRoot;
import dev.locald.etc.SyntheticFile;
import dev.locald.image.NetworkMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Composes the complete {@code config.json} for a {@link ContainerRequest} on a prepared root: mount
 * table, devices, namespaces, user, environment, rlimits, cgroup limits, masked paths, seccomp.
 */
public final class ContainerSpecFactory {

    private final long openFilesLimit;
    private final String cgroupParent;
    private final Optional<SeccompProfile> seccomp;
    private final RunMode mode;

    /** A factory for this process's {@link RunMode} whose containers get the built-in seccomp profile. */
    public ContainerSpecFactory(long openFilesLimit, String cgroupParent) {
        this(openFilesLimit, cgroupParent, Optional.of(SeccompProfile.builtIn()), RunMode.current());
    }

    /**
     * @param openFilesLimit RLIMIT_NOFILE (soft = hard) for container processes; must not exceed the
     *        host's hard limit or runc fails
     * @param cgroupParent relative cgroup under which each container gets {@code <parent>/<id>}
     * @param seccomp the filter of every container; empty for unconfined
     * @param mode rootless: no cgroups (no delegation on cgroups v1), the pids limit as RLIMIT_NPROC, and
     *        /sys bound from the host when the container shares its network namespace (sysfs cannot be
     *        mounted there)
     */
    public ContainerSpecFactory(
            long openFilesLimit, String cgroupParent, Optional<SeccompProfile> seccomp, RunMode mode) {
        if (openFilesLimit < 64) {
            throw new IllegalArgumentException("open files limit too small: " + openFilesLimit);
        }
        this.openFilesLimit = openFilesLimit;
        this.cgroupParent = cgroupParent;
        this.seccomp = seccomp;
        this.mode = mode;
    }

    public String cgroupsPath(String containerId) {
        return cgroupParent + "/" + containerId;
    }

    public RuntimeSpec create(ContainerRequest request, PreparedRoot root) {
        return create(request, root, Optional.empty());
    }

    /** @param isolatedNetwork the prepared namespace of an {@link dev.locald.image.NetworkMode#ISOLATED} request */
    public RuntimeSpec create(ContainerRequest request, PreparedRoot root, Optional<Path> isolatedNetwork) {
        return create(request, root, isolatedNetwork, Optional.empty());
    }

    /**
     * @param networkReadiness a createRuntime hook that holds the container's process back until its
     *                         isolated network is ready ({@link IsolatedNetwork.Namespace#readinessHook})
     */
    RuntimeSpec create(
            ContainerRequest request,
            PreparedRoot root,
            Optional<Path> isolatedNetwork,
            Optional<RuntimeSpec.Hook> networkReadiness) {
        List<SpecOption> options = new ArrayList<>();
        options.add(SpecOptions.root(request.rootfs().toString(), request.readonlyRootfs()));
        options.add(SpecOptions.process(request.args(), request.cwd(), request.terminal()));
        options.add(SpecOptions.user(request.uid(), request.gid(), request.additionalGids()));
        options.add(SpecOptions.environment(
                request.imagePath().orElse(SpecOptions.DEFAULT_PATH), root.homeOf(request.uid()), request.env()));
        options.add(SpecOptions.openFilesLimit(openFilesLimit));
        options.add(SpecOptions.noNewPrivileges());
        options.add(SpecOptions.hostname(request.hostname()));
        options.add(SpecOptions.kernelFilesystems(mode.rootless() && request.network() == NetworkMode.HOST));
        options.add(SpecOptions.tmp(request.diskTmp()));
        options.add(SpecOptions.standardDevices(!mode.rootless()));
        for (SyntheticFile file : root.files()) {
            options.add(SpecOptions.readonlyFile(file.source().toString(), file.destination()));
        }
        root.homeMount().ifPresent(home -> options.add(homeTmpfs(home)));
        request.mounts().forEach(mount -> options.add(SpecOptions.bindMount(mount)));
        options.add(SpecOptions.namespaces(request.network(), isolatedNetwork));
        if (mode.rootless()) {
            options.add(SpecOptions.processLimits(request.uid(), request.limits()));
        } else {
            options.add(SpecOptions.cgroup(cgroupsPath(request.id()), request.limits()));
        }
        options.add(SpecOptions.maskedAndReadonlyPaths());
        options.add(SpecOptions.seccomp(seccomp));
        networkReadiness.ifPresent(hook -> options.add(spec -> spec.createRuntimeHook(hook)));
        return new RuntimeSpecBuilder().apply(SpecOption.compose(options)).build();
    }

    private static SpecOption homeTmpfs(HomeMount home) {
        return SpecOptions.homeTmpfs(home.path(), home.uid(), home.gid());
    }
}

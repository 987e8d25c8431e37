package dev.locald.runtime;

import dev.locald.etc.HostEntry;
import dev.locald.image.CnbUser;
import dev.locald.image.EnvList;
import dev.locald.image.NetworkMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything needed to run one process in one container: the assembled rootfs, the process (args,
 * env, cwd, numeric user), what is mounted, the network mode, limits and deadline, and the identity
 * the synthetic root gives the CNB user. Build with {@link #builder}.
 *
 * @param id runc container id, unique among running containers ({@code [A-Za-z0-9][A-Za-z0-9_.-]*})
 * @param rootfs the run's own (writable) root, absolute
 * @param imagePath the image config's {@code PATH}, or empty for the standard default
 * @param env the caller's variables ({@code NAME=value}); they override PATH and HOME
 * @param diskTmp a host directory, absent until the run, that the runner creates (root, mode 1777) and binds
 *        at {@code /tmp} instead of the memory tmpfs, then removes; for processes whose temporary files
 *        must not count against the container's memory (the lifecycle exporter writes every layer there)
 * @param hostLoopbackPorts TCP ports of the host's loopback reachable on the container's own loopback; only
 *        with an {@link NetworkMode#ISOLATED} network (the host network reaches every port anyway)
 * @param timeout empty for no deadline
 */
public record ContainerRequest(
        String id,
        Path rootfs,
        boolean readonlyRootfs,
        List<String> args,
        Optional<String> imagePath,
        List<String> env,
        String cwd,
        long uid,
        long gid,
        List<Long> additionalGids,
        List<BindMount> mounts,
        Optional<Path> diskTmp,
        NetworkMode network,
        List<Integer> hostLoopbackPorts,
        ResourceLimits limits,
        Optional<Duration> timeout,
        String hostname,
        List<HostEntry> extraHosts,
        boolean terminal,
        CnbUser cnbUser) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public ContainerRequest {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid container id: " + id);
        }
        if (rootfs == null || !rootfs.isAbsolute()) {
            throw new IllegalArgumentException("rootfs must be an absolute path: " + rootfs);
        }
        args = List.copyOf(args);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a container needs a process to run (args is empty)");
        }
        env = List.copyOf(env);
        for (String variable : env) {
            if (EnvList.entry(variable)
                            .filter(e -> EnvList.isValidName(e.getKey()))
                            .isEmpty()
                    || variable.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid environment entry (want NAME=value): " + variable);
            }
        }
        ContainerPathCheck.requireAbsolute(cwd, "cwd");
        requireId(uid, "uid");
        requireId(gid, "gid");
        additionalGids = List.copyOf(additionalGids);
        additionalGids.forEach(g -> requireId(g, "additional gid"));
        mounts = List.copyOf(mounts);
        if (diskTmp == null || diskTmp.isPresent() && !diskTmp.get().isAbsolute()) {
            throw new IllegalArgumentException("diskTmp must be empty or an absolute path: " + diskTmp);
        }
        extraHosts = List.copyOf(extraHosts);
        HostEntry.requireHostname(hostname);
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + t);
            }
        });
        hostLoopbackPorts = List.copyOf(hostLoopbackPorts);
        for (int port : hostLoopbackPorts) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
        if (!hostLoopbackPorts.isEmpty() && network != NetworkMode.ISOLATED) {
            throw new IllegalArgumentException("host loopback ports are given only to an isolated network");
        }
        if (network == null || limits == null || cnbUser == null || imagePath == null) {
            throw new IllegalArgumentException("network, limits, cnbUser and imagePath are required");
        }
    }

    private static void requireId(long id, String what) {
        if (id < 0 || id > 4_294_967_294L) {
            throw new IllegalArgumentException(what + " out of range: " + id);
        }
    }

    /** A request running {@code args} as the CNB user in an isolated network, without limits. */
    public static Builder builder(String id, Path rootfs, CnbUser cnbUser) {
        return new Builder(id, rootfs, cnbUser);
    }

    public static final class Builder {
        private final String id;
        private final Path rootfs;
        private final CnbUser cnbUser;
        private boolean readonlyRootfs;
        private List<String> args = List.of();
        private Optional<String> imagePath = Optional.empty();
        private final List<String> env = new ArrayList<>();
        private String cwd = "/";
        private List<Long> additionalGids = List.of();
        private final List<BindMount> mounts = new ArrayList<>();
        private Optional<Path> diskTmp = Optional.empty();
        private NetworkMode network = NetworkMode.NONE;
        private List<Integer> hostLoopbackPorts = List.of();
        private ResourceLimits limits = ResourceLimits.none();
        private Optional<Duration> timeout = Optional.empty();
        private String hostname;
        private final List<HostEntry> extraHosts = new ArrayList<>();
        private boolean terminal;

        private Builder(String id, Path rootfs, CnbUser cnbUser) {
            this.id = id;
            this.rootfs = rootfs;
            this.cnbUser = cnbUser;
            this.hostname = "locald";
        }

        public Builder args(String... args) {
            this.args = List.of(args);
            return this;
        }

        public Builder args(List<String> args) {
            this.args = List.copyOf(args);
            return this;
        }

        public Builder readonlyRootfs(boolean readonly) {
            this.readonlyRootfs = readonly;
            return this;
        }

        public Builder imagePath(String path) {
            this.imagePath = Optional.ofNullable(path);
            return this;
        }

        public Builder env(String nameEqualsValue) {
            env.add(nameEqualsValue);
            return this;
        }

        public Builder env(List<String> variables) {
            env.addAll(variables);
            return this;
        }

        public Builder cwd(String cwd) {
            this.cwd = cwd;
            return this;
        }

        public Builder additionalGids(List<Long> gids) {
            this.additionalGids = List.copyOf(gids);
            return this;
        }

        public Builder mount(BindMount mount) {
            mounts.add(mount);
            return this;
        }

        /** A disk-backed {@code /tmp} at {@code hostDir} (created and removed by the runner). */
        public Builder diskTmp(Path hostDir) {
            this.diskTmp = Optional.ofNullable(hostDir);
            return this;
        }

        public Builder network(NetworkMode network) {
            this.network = network;
            return this;
        }

        public Builder hostLoopbackPorts(List<Integer> ports) {
            this.hostLoopbackPorts = List.copyOf(ports);
            return this;
        }

        public Builder limits(ResourceLimits limits) {
            this.limits = limits;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Optional.ofNullable(timeout);
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Builder extraHost(HostEntry entry) {
            extraHosts.add(entry);
            return this;
        }

        public Builder terminal(boolean terminal) {
            this.terminal = terminal;
            return this;
        }

        public ContainerRequest build() {
            return new ContainerRequest(
                    id,
                    rootfs,
                    readonlyRootfs,
                    args,
                    imagePath,
                    env,
                    cwd,
                    cnbUser.uid(),
                    cnbUser.gid(),
                    additionalGids,
                    mounts,
                    diskTmp,
                    network,
                    hostLoopbackPorts,
                    limits,
                    timeout,
                    hostname,
                    extraHosts,
                    terminal,
                    cnbUser);
        }
    }
}

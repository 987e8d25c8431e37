package dev.locald.runtime;

import dev.locald.image.EnvList;
import dev.locald.image.NetworkMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The small options locald builds every container spec from, one concern each (mounts, devices,
 * namespaces, user, env, rlimits, cgroups, masked paths). {@link ContainerSpecFactory} composes them.
 */
public final class SpecOptions {

    /** The standard PATH (docs/engine.md §6) when the image config has none. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** runc's default masked paths ({@code runc spec}, libcontainer/specconv/example.go). */
    public static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi",
            "/proc/asound",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/sys/firmware",
            "/proc/scsi");

    /** runc's default read-only paths. */
    public static final List<String> READONLY_PATHS =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** Moby's default capability set, for processes that run as root (uid 0) only. */
    public static final List<String> ROOT_CAPABILITIES = List.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FSETID",
            "CAP_FOWNER",
            "CAP_MKNOD",
            "CAP_NET_RAW",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETFCAP",
            "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_KILL",
            "CAP_AUDIT_WRITE");

    private static final List<String> READONLY_FILE_BIND = List.of("rbind", "ro", "nosuid", "nodev", "noexec");

    private SpecOptions() {}

    /** The kernel filesystems of docs/engine.md §3 plus {@code /dev/mqueue}; {@code /tmp} is {@link #tmp}. */
    public static SpecOption kernelFilesystems() {
        return kernelFilesystems(false);
    }

    /**
     * @param bindSys bind the host's /sys read-only instead of mounting sysfs: a user namespace may mount
     *        sysfs only in a network namespace it owns, so a rootless container on the host network cannot
     */
    public static SpecOption kernelFilesystems(boolean bindSys) {
        return spec -> spec.mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"))
                .mount(
                        "/sys",
                        bindSys ? "bind" : "sysfs",
                        bindSys ? "/sys" : "sysfs",
                        bindSys
                                ? List.of("rbind", "nosuid", "noexec", "nodev", "ro")
                                : List.of("nosuid", "noexec", "nodev", "ro"))
                .mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"))
                .mount(
                        "/dev/pts",
                        "devpts",
                        "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"))
                .mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"))
                .mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
    }

    /**
     * {@code /tmp}, mode 1777 and not noexec (JVMs unpack native libraries there): a tmpfs, or the
     * caller's host directory (already 1777) when temporary files must go to disk, not to memory.
     */
    public static SpecOption tmp(Optional<Path> diskTmp) {
        return spec -> {
            if (diskTmp.isPresent()) {
                spec.mount("/tmp", "bind", diskTmp.get().toString(), List.of("rbind", "nosuid", "nodev"));
            } else {
                spec.mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777"));
            }
        };
    }

    /**
     * The devices of docs/engine.md §4. runc creates null, zero, full, random, urandom and tty itself (and
     * allows them in the device cgroup); listing them pins their numbers and modes. Without a terminal,
     * {@code /dev/console} is the host's {@code /dev/null} bound in, never the host console.
     */
    public static SpecOption standardDevices() {
        return standardDevices(true);
    }

    /**
     * @param cgroupRules also the device cgroup's rules; without cgroups (rootless) runc bind-mounts the
     *        host's device nodes, since a user namespace cannot mknod them
     */
    public static SpecOption standardDevices(boolean cgroupRules) {
        return spec -> {
            // runc drops its own cgroup rule for a default device the spec lists, so each gets an explicit one
            if (cgroupRules) {
                spec.deviceRule(new RuntimeSpec.DeviceRule(false, null, null, null, "rwm"));
            }
            for (RuntimeSpec.Device device : STANDARD_DEVICES) {
                spec.device(device);
                if (cgroupRules) {
                    spec.deviceRule(new RuntimeSpec.DeviceRule(true, "c", device.major(), device.minor(), "rwm"));
                }
            }
            if (!spec.terminal()) {
                spec.mount("/dev/console", "bind", "/dev/null", List.of("bind", "nosuid", "noexec"));
            }
        };
    }

    private static final List<RuntimeSpec.Device> STANDARD_DEVICES = List.of(
            charDevice("/dev/null", 1, 3),
            charDevice("/dev/zero", 1, 5),
            charDevice("/dev/full", 1, 7),
            charDevice("/dev/random", 1, 8),
            charDevice("/dev/urandom", 1, 9),
            charDevice("/dev/tty", 5, 0));

    private static RuntimeSpec.Device charDevice(String path, long major, long minor) {
        return new RuntimeSpec.Device(path, "c", major, minor, 0666, 0L, 0L);
    }

    /** A generated file bind-mounted read-only (the synthetic /etc files). */
    public static SpecOption readonlyFile(String source, String destination) {
        return spec -> spec.mount(destination, "bind", source, READONLY_FILE_BIND);
    }

    /** A caller's bind mount; sources are the caller's directories, exec is allowed (buildpack layers). */
    public static SpecOption bindMount(BindMount mount) {
        return spec -> spec.mount(
                mount.destination(),
                "bind",
                mount.source().toString(),
                mount.readOnly() ? List.of("rbind", "ro", "nosuid", "nodev") : List.of("rbind", "nosuid", "nodev"));
    }

    /** A home directory the image lacks, as a tmpfs owned by its user. */
    public static SpecOption homeTmpfs(String path, long uid, long gid) {
        return spec ->
                spec.mount(path, "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=755", "uid=" + uid, "gid=" + gid));
    }

    public static SpecOption root(String path, boolean readonly) {
        return spec -> spec.root(path, readonly);
    }

    public static SpecOption process(List<String> args, String cwd, boolean terminal) {
        return spec -> spec.args(args).cwd(cwd).terminal(terminal);
    }

    /** Numeric user and groups; capabilities only for root, none at all for anyone else. */
    public static SpecOption user(long uid, long gid, List<Long> additionalGids) {
        return spec -> {
            spec.user(uid, gid, additionalGids);
            List<String> caps = uid == 0 ? ROOT_CAPABILITIES : List.of();
            spec.capabilities(caps, caps, caps);
        };
    }

    public static SpecOption noNewPrivileges() {
        return spec -> spec.noNewPrivileges(true);
    }

    /**
     * docs/engine.md §6: PATH (the image's or the default), HOME of the running user, TERM only with a
     * terminal, then the caller's variables, which replace earlier ones of the same name.
     */
    public static SpecOption environment(String path, String home, List<String> callerEnv) {
        return spec -> {
            spec.env("PATH", path).env("HOME", home);
            if (spec.terminal()) {
                spec.env("TERM", "xterm");
            }
            for (String variable : callerEnv) {
                EnvList.entry(variable).ifPresent(e -> spec.env(e.getKey(), e.getValue()));
            }
        };
    }

    public static SpecOption openFilesLimit(long limit) {
        return spec -> spec.rlimit("RLIMIT_NOFILE", limit, limit);
    }

    public static SpecOption hostname(String hostname) {
        return spec -> spec.hostname(hostname);
    }

    /** pid, ipc, uts and mount always; a new network namespace unless the host's is shared. */
    public static SpecOption namespaces(NetworkMode network) {
        return namespaces(network, Optional.empty());
    }

    /**
     * pid, ipc, uts and mount always; the host's network namespace, a new one with only loopback, or the
     * prepared isolated one at {@code isolatedNetwork} (see {@link IsolatedNetwork}).
     */
    public static SpecOption namespaces(NetworkMode network, Optional<Path> isolatedNetwork) {
        if (network == NetworkMode.ISOLATED && isolatedNetwork.isEmpty()) {
            throw new IllegalArgumentException("an isolated network needs its prepared namespace");
        }
        return spec -> {
            spec.namespace("pid").namespace("ipc").namespace("uts").namespace("mount");
            if (network == NetworkMode.NONE) {
                spec.namespace("network");
            } else if (network == NetworkMode.ISOLATED) {
                spec.namespace("network", isolatedNetwork.get().toString());
            }
        };
    }

    public static SpecOption maskedAndReadonlyPaths() {
        return spec -> spec.maskedPaths(MASKED_PATHS).readonlyPaths(READONLY_PATHS);
    }

    /** The seccomp filter of every process in the container; none when unconfined. */
    public static SpecOption seccomp(Optional<SeccompProfile> profile) {
        return spec -> profile.ifPresent(p -> spec.seccomp(p.linuxSeccomp()));
    }

    /**
     * The cgroup (relative to locald's own) and its limits. The kernel OOM killer is disabled for the
     * container so that a container at its memory limit stays under_oom until locald notices, reports
     * it and kills the whole container: on cgroup v1 the evidence of a kernel OOM kill disappears with
     * the cgroup when runc tears it down.
     */
    public static SpecOption cgroup(String cgroupsPath, ResourceLimits limits) {
        return spec -> {
            spec.cgroupsPath(cgroupsPath);
            limits.memoryBytes().ifPresent(bytes -> spec.memory(new RuntimeSpec.Memory(bytes, bytes, true)));
            limits.cpuQuotaMicros()
                    .ifPresent(quota -> spec.cpu(new RuntimeSpec.Cpu(quota, ResourceLimits.CPU_PERIOD_MICROS)));
            limits.pids().ifPresent(max -> spec.pids(new RuntimeSpec.Pids(max)));
        };
    }

    /**
     * Limits without cgroups (rootless on a host that delegates none): the pids limit as RLIMIT_NPROC for
     * a process that is not root inside (the kernel counts it per user, so concurrent builds' CNB users
     * share it, and root inside is the starting user, whose own processes it would count). Memory and
     * CPU cannot be held without a cgroup; readiness says so (docs/operations.md, "Rootless mode").
     */
    public static SpecOption processLimits(long uid, ResourceLimits limits) {
        return spec -> {
            if (uid != 0) {
                limits.pids().ifPresent(max -> spec.rlimit("RLIMIT_NPROC", max, max));
            }
        };
    }
}

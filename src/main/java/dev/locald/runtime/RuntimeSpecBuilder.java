package dev.locald.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable draft of a {@link RuntimeSpec} that {@link SpecOption}s work on. Starts empty except for
 * the OCI version; {@link #build()} freezes it.
 */
final class RuntimeSpecBuilder {

    private boolean terminal;
    private long uid;
    private long gid;
    private List<Long> additionalGids = List.of();
    private List<String> args = List.of();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String cwd = "/";
    private RuntimeSpec.Capabilities capabilities;
    private final List<RuntimeSpec.Rlimit> rlimits = new ArrayList<>();
    private boolean noNewPrivileges;
    private String rootPath;
    private boolean rootReadonly;
    private String hostname;
    private final List<RuntimeSpec.Mount> mounts = new ArrayList<>();
    private final List<RuntimeSpec.DeviceRule> deviceRules = new ArrayList<>();
    private RuntimeSpec.Memory memory;
    private RuntimeSpec.Cpu cpu;
    private RuntimeSpec.Pids pids;
    private String cgroupsPath;
    private final List<RuntimeSpec.Namespace> namespaces = new ArrayList<>();
    private final List<RuntimeSpec.Device> devices = new ArrayList<>();
    private final List<String> maskedPaths = new ArrayList<>();
    private final List<String> readonlyPaths = new ArrayList<>();
    private RuntimeSpec.Seccomp seccomp;
    private final List<RuntimeSpec.Hook> createRuntimeHooks = new ArrayList<>();

    public RuntimeSpecBuilder apply(SpecOption... options) {
        for (SpecOption option : options) {
            option.applyTo(this);
        }
        return this;
    }

    public RuntimeSpecBuilder terminal(boolean terminal) {
        this.terminal = terminal;
        return this;
    }

    public boolean terminal() {
        return terminal;
    }

    public RuntimeSpecBuilder user(long uid, long gid, List<Long> additionalGids) {
        this.uid = uid;
        this.gid = gid;
        this.additionalGids = List.copyOf(additionalGids);
        return this;
    }

    public long uid() {
        return uid;
    }

    public RuntimeSpecBuilder args(List<String> args) {
        this.args = List.copyOf(args);
        return this;
    }

    /** Sets a variable; a later value for the same name replaces the earlier one in its place. */
    public RuntimeSpecBuilder env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public RuntimeSpecBuilder cwd(String cwd) {
        this.cwd = cwd;
        return this;
    }

    public RuntimeSpecBuilder capabilities(List<String> bounding, List<String> effective, List<String> permitted) {
        this.capabilities = new RuntimeSpec.Capabilities(
                List.copyOf(bounding), List.copyOf(effective), List.of(), List.copyOf(permitted), List.of());
        return this;
    }

    public RuntimeSpecBuilder rlimit(String type, long hard, long soft) {
        rlimits.removeIf(r -> r.type().equals(type));
        rlimits.add(new RuntimeSpec.Rlimit(type, hard, soft));
        return this;
    }

    public RuntimeSpecBuilder noNewPrivileges(boolean noNewPrivileges) {
        this.noNewPrivileges = noNewPrivileges;
        return this;
    }

    public RuntimeSpecBuilder root(String path, boolean readonly) {
        this.rootPath = path;
        this.rootReadonly = readonly;
        return this;
    }

    public RuntimeSpecBuilder hostname(String hostname) {
        this.hostname = hostname;
        return this;
    }

    public RuntimeSpecBuilder mount(String destination, String type, String source, List<String> options) {
        mounts.add(new RuntimeSpec.Mount(destination, type, source, List.copyOf(options)));
        return this;
    }

    public RuntimeSpecBuilder deviceRule(RuntimeSpec.DeviceRule rule) {
        deviceRules.add(rule);
        return this;
    }

    public RuntimeSpecBuilder memory(RuntimeSpec.Memory memory) {
        this.memory = memory;
        return this;
    }

    public RuntimeSpecBuilder cpu(RuntimeSpec.Cpu cpu) {
        this.cpu = cpu;
        return this;
    }

    public RuntimeSpecBuilder pids(RuntimeSpec.Pids pids) {
        this.pids = pids;
        return this;
    }

    public RuntimeSpecBuilder cgroupsPath(String cgroupsPath) {
        this.cgroupsPath = cgroupsPath;
        return this;
    }

    /** A namespace joined at {@code path} (a bound namespace file) instead of a new one. */
    public RuntimeSpecBuilder namespace(String type, String path) {
        namespaces.add(new RuntimeSpec.Namespace(type, path));
        return this;
    }

    public RuntimeSpecBuilder namespace(String type) {
        namespaces.add(new RuntimeSpec.Namespace(type, null));
        return this;
    }

    public RuntimeSpecBuilder device(RuntimeSpec.Device device) {
        devices.add(device);
        return this;
    }

    public RuntimeSpecBuilder maskedPaths(List<String> paths) {
        maskedPaths.addAll(paths);
        return this;
    }

    public RuntimeSpecBuilder readonlyPaths(List<String> paths) {
        readonlyPaths.addAll(paths);
        return this;
    }

    public RuntimeSpecBuilder seccomp(RuntimeSpec.Seccomp seccomp) {
        this.seccomp = seccomp;
        return this;
    }

    public RuntimeSpecBuilder createRuntimeHook(RuntimeSpec.Hook hook) {
        createRuntimeHooks.add(hook);
        return this;
    }

    public RuntimeSpec build() {
        if (rootPath == null || args.isEmpty()) {
            throw new IllegalStateException("a runtime spec needs a root and a process");
        }
        List<String> envList = new ArrayList<>();
        env.forEach((name, value) -> envList.add(name + "=" + value));
        RuntimeSpec.Process process = new RuntimeSpec.Process(
                terminal,
                new RuntimeSpec.User(uid, gid, additionalGids.isEmpty() ? null : additionalGids),
                args,
                envList,
                cwd,
                capabilities,
                rlimits.isEmpty() ? null : List.copyOf(rlimits),
                noNewPrivileges);
        RuntimeSpec.Resources resources = new RuntimeSpec.Resources(List.copyOf(deviceRules), memory, cpu, pids);
        RuntimeSpec.Linux linux = new RuntimeSpec.Linux(
                resources,
                cgroupsPath,
                List.copyOf(namespaces),
                devices.isEmpty() ? null : List.copyOf(devices),
                List.copyOf(maskedPaths),
                List.copyOf(readonlyPaths),
                seccomp);
        return new RuntimeSpec(
                RuntimeSpec.OCI_VERSION,
                process,
                new RuntimeSpec.Root(rootPath, rootReadonly),
                hostname,
                List.copyOf(mounts),
                createRuntimeHooks.isEmpty() ? null : new RuntimeSpec.Hooks(List.copyOf(createRuntimeHooks)),
                linux);
    }
}

package dev.locald.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An OCI runtime spec ({@code config.json}, runtime-spec 1.0.2) as records, with property names exactly
 * as the spec spells them. Only what locald sets is modelled; absent (null) values are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"ociVersion", "process", "root", "hostname", "mounts", "hooks", "linux"})
record RuntimeSpec(
        String ociVersion, Process process, Root root, String hostname, List<Mount> mounts, Hooks hooks, Linux linux) {

    public static final String OCI_VERSION = "1.0.2-dev";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"terminal", "user", "args", "env", "cwd", "capabilities", "rlimits", "noNewPrivileges"})
    public record Process(
            Boolean terminal,
            User user,
            List<String> args,
            List<String> env,
            String cwd,
            Capabilities capabilities,
            List<Rlimit> rlimits,
            Boolean noNewPrivileges) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(long uid, long gid, List<Long> additionalGids) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Capabilities(
            List<String> bounding,
            List<String> effective,
            List<String> inheritable,
            List<String> permitted,
            List<String> ambient) {}

    public record Rlimit(String type, long hard, long soft) {}

    public record Root(String path, boolean readonly) {}

    /** Only createRuntime: run by runc in the host's namespaces before the container's process starts. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hooks(List<Hook> createRuntime) {}

    /** {@code timeout} in seconds; runc kills the hook and fails the start when it runs longer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hook(String path, List<String> args, Integer timeout) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"destination", "type", "source", "options"})
    public record Mount(String destination, String type, String source, List<String> options) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"resources", "cgroupsPath", "namespaces", "devices", "maskedPaths", "readonlyPaths", "seccomp"})
    public record Linux(
            Resources resources,
            String cgroupsPath,
            List<Namespace> namespaces,
            List<Device> devices,
            List<String> maskedPaths,
            List<String> readonlyPaths,
            Seccomp seccomp) {}

    /** {@code linux.seccomp}: what runc turns into the process's seccomp filter (see {@link SeccompProfile}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"defaultAction", "defaultErrnoRet", "architectures", "syscalls"})
    public record Seccomp(
            String defaultAction, Integer defaultErrnoRet, List<String> architectures, List<Syscall> syscalls) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"names", "action", "errnoRet", "args"})
    public record Syscall(List<String> names, String action, Integer errnoRet, List<SyscallArg> args) {}

    /** A condition on argument {@code index}; for {@code SCMP_CMP_MASKED_EQ}, {@code value} is the mask. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"index", "value", "valueTwo", "op"})
    public record SyscallArg(int index, long value, Long valueTwo, String op) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(String type, String path) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"devices", "memory", "cpu", "pids"})
    public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(Long limit, Long swap, Boolean disableOOMKiller) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(Long quota, Long period) {}

    public record Pids(long limit) {}
}

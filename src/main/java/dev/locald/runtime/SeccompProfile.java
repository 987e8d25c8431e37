package dev.locald.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The seccomp filter locald puts on every container (docs/security.md, "Seccomp"), as runc's
 * {@code linux.seccomp}. Chosen by {@code locald.runtime.seccomp}: {@code default} is the built-in
 * profile (resource {@code seccomp-default.json} next to this class: Docker's and containerd's default
 * allow-list reduced to processes without capabilities, which is what every locald container is),
 * {@code unconfined} is none, anything else is the path of a profile in runc's {@code linux.seccomp}
 * form. Every profile is checked when it is loaded, so a bad one stops locald at startup, not a build.
 */
public final class SeccompProfile {

    public static final String DEFAULT = "default";
    public static final String UNCONFINED = "unconfined";

    private static final String BUILT_IN_RESOURCE = "seccomp-default.json";
    // Json.STRICT: duplicate keys, trailing content and unknown properties are errors, not ignored
    private static final ObjectMapper JSON = Json.STRICT;
    private static final Set<String> ACTIONS = Set.of(
            "SCMP_ACT_KILL",
            "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRAP",
            "SCMP_ACT_ERRNO",
            "SCMP_ACT_TRACE",
            "SCMP_ACT_ALLOW",
            "SCMP_ACT_LOG");
    private static final Set<String> OPERATORS = Set.of(
            "SCMP_CMP_NE",
            "SCMP_CMP_LT",
            "SCMP_CMP_LE",
            "SCMP_CMP_EQ",
            "SCMP_CMP_GE",
            "SCMP_CMP_GT",
            "SCMP_CMP_MASKED_EQ");
    private static final Pattern ARCHITECTURE = Pattern.compile("SCMP_ARCH_[A-Z0-9_]+");
    private static final Pattern SYSCALL_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private static volatile SeccompProfile builtIn;

    private final String source;
    private final RuntimeSpec.Seccomp linuxSeccomp;

    private SeccompProfile(String source, RuntimeSpec.Seccomp linuxSeccomp) {
        this.source = source;
        this.linuxSeccomp = validate(linuxSeccomp, source);
    }

    /** The profile a {@code locald.runtime.seccomp} value names; empty for {@code unconfined}. */
    public static Optional<SeccompProfile> fromSetting(String setting) {
        String value = setting.strip();
        if (value.equals(DEFAULT)) {
            return Optional.of(builtIn());
        }
        if (value.equals(UNCONFINED)) {
            return Optional.empty();
        }
        Path file = Path.of(value);
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("locald.runtime.seccomp must be \"default\", \"unconfined\" or the"
                    + " absolute path of a seccomp profile, got: " + value);
        }
        return Optional.of(read(file));
    }

    /** The built-in profile for this host's architecture, loaded once. */
    public static SeccompProfile builtIn() {
        SeccompProfile profile = builtIn;
        if (profile == null) {
            profile = builtIn(System.getProperty("os.arch"));
            builtIn = profile;
        }
        return profile;
    }

    static SeccompProfile builtIn(String osArch) {
        BuiltIn file;
        try (InputStream in = SeccompProfile.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the built-in seccomp profile is missing from the classpath");
            }
            file = JSON.readValue(in, BuiltIn.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in seccomp profile", e);
        }
        return new SeccompProfile("(the built-in default)", file.forArchitecture(osArch));
    }

    /** A profile file in runc's {@code linux.seccomp} form (the OCI runtime spec's). */
    public static SeccompProfile read(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the seccomp profile " + file + " is not a regular file");
        }
        try {
            return new SeccompProfile(file.toString(), JSON.readValue(file.toFile(), RuntimeSpec.Seccomp.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "the seccomp profile " + file + " is not a valid linux.seccomp object: " + e.getOriginalMessage(),
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the seccomp profile " + file, e);
        }
    }

    /** Where the profile came from, for the startup log. */
    public String source() {
        return source;
    }

    /** How many syscall names the profile has rules for. */
    public int ruleCount() {
        return linuxSeccomp.syscalls().stream().mapToInt(s -> s.names().size()).sum();
    }

    RuntimeSpec.Seccomp linuxSeccomp() {
        return linuxSeccomp;
    }

    private static RuntimeSpec.Seccomp validate(RuntimeSpec.Seccomp seccomp, String source) {
        String in = " in the seccomp profile " + source;
        if (seccomp == null) {
            throw new IllegalArgumentException("no profile" + in);
        }
        requireAction(seccomp.defaultAction(), "defaultAction" + in);
        requireErrno(seccomp.defaultErrnoRet(), "defaultErrnoRet" + in);
        List<String> architectures = seccomp.architectures() == null ? List.of() : seccomp.architectures();
        for (String architecture : architectures) {
            if (architecture == null || !ARCHITECTURE.matcher(architecture).matches()) {
                throw new IllegalArgumentException("unknown architecture " + architecture + in);
            }
        }
        List<RuntimeSpec.Syscall> syscalls = seccomp.syscalls() == null ? List.of() : seccomp.syscalls();
        for (RuntimeSpec.Syscall rule : syscalls) {
            if (rule == null || rule.names() == null || rule.names().isEmpty()) {
                throw new IllegalArgumentException("a syscall rule without names" + in);
            }
            for (String name : rule.names()) {
                if (name == null || !SYSCALL_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("invalid syscall name " + name + in);
                }
            }
            String what = "the rule for " + rule.names().get(0);
            requireAction(rule.action(), "action of " + what + in);
            requireErrno(rule.errnoRet(), "errnoRet of " + what + in);
            for (RuntimeSpec.SyscallArg arg : rule.args() == null ? List.<RuntimeSpec.SyscallArg>of() : rule.args()) {
                if (arg == null || arg.index() < 0 || arg.index() > 5) {
                    throw new IllegalArgumentException("an argument index outside 0-5 in " + what + in);
                }
                if (!OPERATORS.contains(arg.op())) {
                    throw new IllegalArgumentException("unknown operator " + arg.op() + " in " + what + in);
                }
            }
        }
        return new RuntimeSpec.Seccomp(
                seccomp.defaultAction(), seccomp.defaultErrnoRet(), List.copyOf(architectures), List.copyOf(syscalls));
    }

    private static void requireAction(String action, String what) {
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException(
                    "unsupported " + what + ": " + action + " (one of " + String.join(", ", ACTIONS) + ")");
        }
    }

    private static void requireErrno(Integer errno, String what) {
        if (errno != null && (errno < 0 || errno > 4095)) {
            throw new IllegalArgumentException(what + " must be an errno between 0 and 4095, got " + errno);
        }
    }

    /**
     * The resource's form: runc's with the ABIs per host architecture ({@code os.arch}) and rules that apply
     * on some architectures only ({@code arches}), as Docker's profile has them; comments are kept in the file.
     */
    record BuiltIn(
            List<String> comment,
            String defaultAction,
            Integer defaultErrnoRet,
            Map<String, List<String>> architectures,
            List<Rule> syscalls) {

        record Rule(
                List<String> names,
                String action,
                Integer errnoRet,
                List<RuntimeSpec.SyscallArg> args,
                List<String> arches,
                String comment) {}

        RuntimeSpec.Seccomp forArchitecture(String osArch) {
            List<String> abis = architectures.get(osArch);
            if (abis == null) {
                throw new IllegalStateException(
                        "the built-in seccomp profile has no rules for this host's architecture (" + osArch
                                + "); set locald.runtime.seccomp to a profile file, or to unconfined");
            }
            List<RuntimeSpec.Syscall> rules = new ArrayList<>();
            for (Rule rule : syscalls) {
                if (rule.arches() == null || rule.arches().contains(osArch)) {
                    rules.add(new RuntimeSpec.Syscall(rule.names(), rule.action(), rule.errnoRet(), rule.args()));
                }
            }
            return new RuntimeSpec.Seccomp(defaultAction, defaultErrnoRet, abis, rules);
        }
    }
}

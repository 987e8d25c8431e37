package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and checking seccomp profiles; SeccompTest shows them in real containers. */
class SeccompProfileTest {

    private static Set<String> allowed(RuntimeSpec.Seccomp seccomp) {
        return seccomp.syscalls().stream()
                .filter(rule -> rule.action().equals("SCMP_ACT_ALLOW"))
                .flatMap(rule -> rule.names().stream())
                .collect(Collectors.toSet());
    }

    @Test
    void builtInForX86IsDockersNoCapabilityAllowList() {
        RuntimeSpec.Seccomp seccomp = SeccompProfile.builtIn("amd64").linuxSeccomp();
        assertEquals("SCMP_ACT_ERRNO", seccomp.defaultAction());
        assertEquals(1, seccomp.defaultErrnoRet());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), seccomp.architectures());
        Set<String> allowed = allowed(seccomp);
        assertTrue(allowed.containsAll(Set.of("read", "write", "execve", "openat", "arch_prctl", "modify_ldt")));
        for (String refused : List.of(
                "unshare",
                "setns",
                "mount",
                "umount2",
                "keyctl",
                "add_key",
                "request_key",
                "ptrace",
                "process_vm_readv",
                "bpf",
                "perf_event_open",
                "io_uring_setup",
                "init_module",
                "reboot",
                "chroot",
                "open_by_handle_at",
                "set_tls")) {
            assertFalse(allowed.contains(refused), refused + " is allowed");
        }
        // clone only without namespace flags; clone3, whose flags seccomp cannot read, as ENOSYS
        RuntimeSpec.Syscall clone = seccomp.syscalls().stream()
                .filter(rule -> rule.names().equals(List.of("clone")))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(new RuntimeSpec.SyscallArg(0, 0x7E020000L, 0L, "SCMP_CMP_MASKED_EQ")), clone.args());
        RuntimeSpec.Syscall clone3 = seccomp.syscalls().stream()
                .filter(rule -> rule.names().equals(List.of("clone3")))
                .findFirst()
                .orElseThrow();
        assertEquals("SCMP_ACT_ERRNO", clone3.action());
        assertEquals(38, clone3.errnoRet());
    }

    @Test
    void builtInForArm64HasItsAbisAndCalls() {
        RuntimeSpec.Seccomp seccomp = SeccompProfile.builtIn("aarch64").linuxSeccomp();
        assertEquals(List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"), seccomp.architectures());
        assertTrue(allowed(seccomp).contains("set_tls"));
        assertFalse(allowed(seccomp).contains("arch_prctl"));
    }

    @Test
    void anArchitectureWithoutBuiltInRulesSaysWhatToDo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SeccompProfile.builtIn("s390x"));
        assertTrue(e.getMessage().contains("s390x") && e.getMessage().contains("unconfined"), e.getMessage());
    }

    @Test
    void settings() {
        assertEquals(Optional.empty(), SeccompProfile.fromSetting("unconfined"));
        assertEquals(
                SeccompProfile.builtIn(), SeccompProfile.fromSetting("default").orElseThrow());
        IllegalArgumentException relative =
                assertThrows(IllegalArgumentException.class, () -> SeccompProfile.fromSetting("profile.json"));
        assertTrue(relative.getMessage().contains("absolute path"), relative.getMessage());
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> SeccompProfile.fromSetting("/nonexistent/p.json"));
        assertTrue(missing.getMessage().contains("not a regular file"), missing.getMessage());
    }

    @Test
    void aProfileFileIsRunCsLinuxSeccompObject(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(
                dir.resolve("p.json"),
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                        + " \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                        + " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
                        + " \"args\": [{\"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\"}]}]}");
        SeccompProfile profile = SeccompProfile.read(file);
        assertEquals(file.toString(), profile.source());
        assertEquals(3, profile.ruleCount());
        assertEquals(
                List.of(new RuntimeSpec.SyscallArg(0, 40, null, "SCMP_CMP_NE")),
                profile.linuxSeccomp().syscalls().get(1).args());
    }

    @Test
    void badProfilesAreRefusedNamingTheProblem(@TempDir Path dir) throws Exception {
        assertRefused(dir, "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "unsupported defaultAction");
        assertRefused(dir, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": []}", "flags");
        assertRefused(
                dir,
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                "without names");
        assertRefused(
                dir,
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"Read;\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                "invalid syscall name Read;");
        assertRefused(
                dir,
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                        + " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                "index outside 0-5");
        assertRefused(
                dir,
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                        + " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"EQ\"}]}]}",
                "unknown operator EQ");
        assertRefused(dir, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"x86_64\"]}", "architecture");
        assertRefused(dir, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}", "errno");
        assertRefused(dir, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"} {}", "not a valid");
    }

    private static void assertRefused(Path dir, String json, String expected) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.json"), json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeccompProfile.read(file));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
    }
}

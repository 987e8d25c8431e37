package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp profile in real containers under runc (docs/security.md, "Seccomp"): a process of the CNB
 * user calls unshare(CLONE_NEWUSER), clone with CLONE_NEWUSER, mount, keyctl and ptrace through a small
 * static C program (src/test/resources/dev/locald/runtime/syscall-probe.c, compiled here with gcc). The
 * same calls succeed, or fail otherwise, in the same container unconfined, so the profile is what refuses
 * them; and a profile file from {@code locald.runtime.seccomp} is the one applied.
 */
@Timeout(120)
@ExtendWith({RegistryExtension.class, EngineExtension.class})
class SeccompTest {

    private static final String PROBES = "for p in user-ns clone-ns mount mount-ns keyctl ptrace; do"
            + " /bin/syscall-probe $p; done; grep '^Seccomp:' /proc/self/status";

    static TestRegistry registry;
    static ImagePusher.PushedImage image;

    EngineFixture engine;

    @BeforeAll
    static void pushImage(TestRegistry testRegistry, @TempDir Path scratch) throws Exception {
        registry = testRegistry;
        byte[] probe = compileProbe(scratch);
        image = registry.pusher()
                .push(
                        "engine/seccomp",
                        "1",
                        TestImage.builder()
                                .layer(LayerTar.create().busybox().file("bin/syscall-probe", probe, 0755, 0, 0))
                                .build());
    }

    /** gcc -static: the probe runs in a busybox root with no C library. */
    private static byte[] compileProbe(Path scratch) throws IOException, InterruptedException {
        Path source = scratch.resolve("syscall-probe.c");
        try (InputStream in = SeccompTest.class.getResourceAsStream("syscall-probe.c")) {
            Files.copy(in, source);
        }
        Path binary = scratch.resolve("syscall-probe");
        Process gcc = new ProcessBuilder(
                        "gcc", "-static", "-O2", "-Wall", "-Werror", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc (packages gcc and libc6-dev, see scripts/test) failed: " + output);
        return Files.readAllBytes(binary);
    }

    @BeforeEach
    void createEngine(EngineFixture engine) {
        this.engine = engine;
    }

    private List<String> probe(ContainerRunner runner) throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult result = runner.run(
                ContainerRequest.builder(EngineFixture.newId(), engine.rootfs(registry, image), EngineFixture.CNB)
                        .args("/bin/sh", "-c", PROBES)
                        .build(),
                sink,
                Cancellation.none());
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        return sink.stdout();
    }

    @Test
    void theBuiltInProfileRefusesNamespacesMountKeyctlAndPtraceWithEperm() throws Exception {
        // engine.runner is what every container locald starts gets by default: the built-in profile
        assertEquals(
                List.of(
                        "user-ns errno=1 Operation not permitted",
                        "clone-ns errno=1 Operation not permitted",
                        "mount errno=1 Operation not permitted",
                        "mount-ns errno=1 Operation not permitted",
                        "keyctl errno=1 Operation not permitted",
                        "ptrace errno=1 Operation not permitted",
                        "Seccomp:\t2"),
                probe(engine.runner));
    }

    @Test
    void unconfinedTheSameCallsReachTheKernel() throws Exception {
        // mount: EFAULT, the kernel read the arguments (and would then have refused for want of CAP_SYS_ADMIN)
        assertEquals(
                List.of(
                        "user-ns ok",
                        "clone-ns ok",
                        "mount errno=14 Bad address",
                        "mount-ns ok",
                        "keyctl ok",
                        "ptrace ok",
                        "Seccomp:\t0"),
                probe(engine.runnerWith(Optional.empty())));
    }

    @Test
    void aProfileFileIsTheOneApplied(@TempDir Path dir) throws Exception {
        // allows everything but keyctl, refused with EACCES: neither the built-in profile nor unconfined does that
        Path file = Files.writeString(
                dir.resolve("profile.json"),
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                        + " \"syscalls\": [{\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
        List<String> out = probe(engine.runnerWith(SeccompProfile.fromSetting(file.toString())));
        assertEquals("keyctl errno=13 Permission denied", out.get(4));
        assertEquals("user-ns ok", out.get(0));
    }

    @Test
    void ordinaryWorkRunsUnderTheProfile() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult result = engine.runner.run(
                ContainerRequest.builder(EngineFixture.newId(), engine.rootfs(registry, image), EngineFixture.CNB)
                        .args(
                                "/bin/sh",
                                "-c",
                                "set -e; cd /tmp; mkdir d; echo hello > d/f; ln -s f d/l; chmod 600 d/f;"
                                        + " tar -cf a.tar d; rm -r d; tar -xf a.tar; cat d/l | sha256sum | cut -c1-8;"
                                        + " (sleep 0.1 & wait); mv d e; ls e; wget -q -T 1 http://127.0.0.1:1/ || true;"
                                        + " nproc >/dev/null; date +%Y >/dev/null; echo done")
                        .build(),
                sink,
                Cancellation.none());
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        assertEquals(List.of("5891b5b5", "f", "l", "done"), sink.stdout());
    }
}

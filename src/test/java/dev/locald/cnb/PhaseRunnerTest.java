package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.config.ByteSize;
import dev.locald.config.LocaldConfig.Rootfs.OverlayMode;
import dev.locald.etc.ResolvConf;
import dev.locald.etc.SyntheticRoot;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.image.NetworkMode;
import dev.locald.lifecycle.BuildDir;
import dev.locald.lifecycle.BuildWorkspace;
import dev.locald.lifecycle.Phase;
import dev.locald.lifecycle.PhaseImage;
import dev.locald.lifecycle.PhaseMount;
import dev.locald.lifecycle.PhaseSpec;
import dev.locald.lifecycle.RegistryAuthEnv;
import dev.locald.rootfs.RootfsAssembler;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.CgroupLayout;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.ContainerRunner;
import dev.locald.runtime.ContainerSpecFactory;
import dev.locald.runtime.ContainerSweeper;
import dev.locald.runtime.HostLimits;
import dev.locald.runtime.ResourceLimits;
import dev.locald.runtime.RunMode;
import dev.locald.runtime.RuncClient;
import dev.locald.runtime.SpecOptions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One phase through the real engine: what the phase's container gets from a builder image (PATH when the
 * image sets none, a disk-backed /tmp) and what is left afterwards.
 */
@Timeout(120)
class PhaseRunnerTest {

    private static final CnbUser USER = new CnbUser(1001, 1002);

    private Path base;
    private String cgroupParent;
    private RuncClient runc;
    private CgroupLayout cgroups;
    private PhaseRunner phases;

    @BeforeEach
    void engine() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        base = Files.createDirectories(
                Path.of("target", "phase-runner-it", unique).toAbsolutePath());
        Path resolv = Files.writeString(base.resolve("resolv.conf"), "nameserver 10.1.2.3\n");
        cgroupParent = "locald-phase-test-" + unique;
        runc = new RuncClient(
                Path.of("/usr/sbin/runc"),
                base.resolve("runc"),
                Duration.ofSeconds(30),
                RunMode.current().rootless());
        cgroups = CgroupLayout.ofCurrentProcess();
        ContainerRunner containers = new ContainerRunner(
                runc,
                new SyntheticRoot(new ResolvConf(resolv, List.of("8.8.8.8"))),
                new ContainerSpecFactory(HostLimits.openFilesFor(1_048_576), cgroupParent),
                cgroups,
                cgroupParent,
                new ContainerRunner.Settings(
                        base.resolve("bundles"), 65536, Duration.ofMillis(50), Duration.ofSeconds(10)));
        phases = new PhaseRunner(new RootfsAssembler(OverlayMode.AUTO), containers);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            new ContainerSweeper(runc, cgroups, cgroupParent, base.resolve("bundles")).sweep();
        } finally {
            TreeDeleter.deleteTree(base);
        }
    }

    @Test
    void aBuilderWithoutPathGetsTheDefaultPathAndTmpIsOnDiskInTheBuildDir() throws Exception {
        Path layer = Files.createDirectories(base.resolve("layer/bin"));
        Files.copy(Path.of("/bin/busybox"), layer.resolve("busybox"));
        Files.createSymbolicLink(layer.resolve("sh"), Path.of("busybox"));
        Path workDir = Files.createDirectories(base.resolve("work"));
        BuildWorkspace workspace = BuildWorkspace.create(workDir.resolve("build"), USER, Optional.empty());
        String script = String.join(
                "\n",
                "echo \"PATH=$PATH\"",
                "busybox stat -c 'T %a %u:%g' /tmp",
                "busybox grep ' /tmp ' /proc/self/mountinfo | busybox sed 's/^/M /'",
                "printf '#!/bin/sh\\necho exec-from-tmp\\n' > /tmp/s.sh && busybox chmod +x /tmp/s.sh && /tmp/s.sh");
        TreeMap<String, String> env = new TreeMap<>(Map.of("CNB_PLATFORM_API", "0.14"));
        PhaseSpec spec = new PhaseSpec(
                Phase.DETECTOR,
                PhaseImage.BUILDER,
                "/bin/sh",
                List.of("-c", script),
                env,
                false,
                List.of(new PhaseMount(BuildDir.LAYERS, false)),
                NetworkMode.NONE,
                USER);
        // a builder config whose Env has no PATH at all
        PhaseRunner.PhaseImageRoot image = new PhaseRunner.PhaseImageRoot(
                List.of(layer.getParent()), List.of("CNB_USER_ID=1001", "CNB_GROUP_ID=1002"), "");
        assertEquals(Optional.empty(), image.path());

        List<String> out = Collections.synchronizedList(new ArrayList<>());
        ContainerResult result = phases.run(
                        "locald-phase-test-" + UUID.randomUUID().toString().substring(0, 8),
                        spec,
                        image,
                        workspace,
                        RegistryAuthEnv.none(),
                        List.of(),
                        (stream, time, text) -> out.add(text),
                        Cancellation.none(),
                        Optional.of(Duration.ofMinutes(1)),
                        workDir,
                        noLimits(workDir))
                .container();

        assertEquals(0, result.exitCode(), out.toString());
        assertTrue(out.contains("PATH=" + SpecOptions.DEFAULT_PATH), out.toString());
        assertTrue(out.contains("T 1777 0:0"), out.toString());
        String mount = out.stream().filter(l -> l.startsWith("M ")).findFirst().orElseThrow();
        assertFalse(mount.contains(" - tmpfs "), "disk-backed, not in the phase's memory: " + mount);
        assertTrue(out.contains("exec-from-tmp"), out.toString());
        assertFalse(Files.exists(workDir.resolve("tmp-detector"), LinkOption.NOFOLLOW_LINKS), "phase /tmp removed");
    }

    /** A WorkingDir into /proc (the CVE-2024-21626 path) or with .. never becomes runc's cwd: / does. */
    @Test
    void anUnsafeWorkingDirIsReplacedByRoot() throws Exception {
        Path layer = Files.createDirectories(base.resolve("layer/bin"));
        Files.copy(Path.of("/bin/busybox"), layer.resolve("busybox"));
        Files.createSymbolicLink(layer.resolve("sh"), Path.of("busybox"));
        Files.createDirectories(base.resolve("layer/workspace"));
        for (String workingDir : List.of("/proc/self/fd/7", "/workspace/../proc", "/dev/shm", "/workspace/")) {
            Path workDir = Files.createDirectories(base.resolve("work-" + UUID.randomUUID()));
            BuildWorkspace workspace = BuildWorkspace.create(workDir.resolve("build"), USER, Optional.empty());
            PhaseSpec spec = new PhaseSpec(
                    Phase.DETECTOR,
                    PhaseImage.BUILDER,
                    "/bin/sh",
                    List.of("-c", "echo \"CWD=$(busybox pwd)\""),
                    new TreeMap<>(Map.of("CNB_PLATFORM_API", "0.14")),
                    false,
                    List.of(new PhaseMount(BuildDir.LAYERS, false)),
                    NetworkMode.NONE,
                    USER);
            PhaseRunner.PhaseImageRoot image =
                    new PhaseRunner.PhaseImageRoot(List.of(layer.getParent()), List.of(), workingDir);
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            ContainerResult result = phases.run(
                            "locald-phase-test-" + UUID.randomUUID().toString().substring(0, 8),
                            spec,
                            image,
                            workspace,
                            RegistryAuthEnv.none(),
                            List.of(),
                            (stream, time, text) -> out.add(text),
                            Cancellation.none(),
                            Optional.of(Duration.ofMinutes(1)),
                            workDir,
                            noLimits(workDir))
                    .container();
            assertEquals(0, result.exitCode(), workingDir + ": " + out);
            String expected = workingDir.equals("/workspace/") ? "/workspace" : "/";
            assertEquals(List.of("CWD=" + expected), out, workingDir);
        }
    }

    @Test
    void anImagePathIsKept() {
        PhaseRunner.PhaseImageRoot image = new PhaseRunner.PhaseImageRoot(
                List.of(Path.of("/l")), List.of("CNB_USER_ID=1", "PATH=/cnb/bin:/bin"), "");
        assertEquals(Optional.of("/cnb/bin:/bin"), image.path());
    }

    private static PhaseRunner.Limits noLimits(Path workDir) throws Exception {
        return new PhaseRunner.Limits(ResourceLimits.none(), DiskBudget.start(ByteSize.parse("1T"), List.of(workDir)));
    }
}

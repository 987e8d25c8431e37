package dev.locald.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import dev.locald.builds.BuildStore;
import dev.locald.fs.TreeDeleter;
import dev.locald.runtime.CgroupLayout;
import dev.locald.runtime.ContainerSweeper;
import dev.locald.runtime.RunMode;
import dev.locald.runtime.RuncClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What startup does for a build that was running when locald died: its container (still running: runc
 * containers outlive a SIGKILLed locald), its overlay-like mount and its work directory all go, and the
 * disk returns to what it held before the build.
 */
class InterruptedBuildReaperTest {

    private final Path data =
            Path.of("target", "ops-reaper-test", UUID.randomUUID().toString()).toAbsolutePath();
    private final RuncClient runc = new RuncClient(
            Path.of("/usr/sbin/runc"),
            data.resolve("runc"),
            Duration.ofSeconds(30),
            RunMode.current().rootless());
    private Path mountPoint;

    @AfterEach
    void cleanUp() throws Exception {
        for (var c : runc.list()) {
            runc.deleteForce(c.id());
        }
        if (mountPoint != null && TreeDeleter.mountPoints().contains(mountPoint)) {
            exec("umount", mountPoint.toString());
        }
        TreeDeleter.deleteTree(data);
    }

    @Test
    void anInterruptedBuildLeavesNoContainerMountOrWorkDirectory() throws Exception {
        BuildStore store = new BuildStore(data);
        Files.createDirectories(data.resolve("work"));
        Files.createDirectories(data.resolve("builds"));
        long before = usedBytes(data);

        BuildId id = BuildId.random();
        Path workDir = Files.createDirectories(store.workDir(id));
        Files.write(workDir.resolve("source.tar.gz"), new byte[256 * 1024]);
        mountPoint = Files.createDirectories(workDir.resolve("rootfs-1/m"));
        exec("mount", "-t", "tmpfs", "-o", "size=4m", "locald-ops-test", mountPoint.toString());
        Files.writeString(mountPoint.resolve("upper-file"), "written by a phase");
        String container = "locald-ops-test-" + id.value().substring(0, 8);
        BusyboxContainer.start(runc.stateRoot(), data.resolve("elsewhere"), container);
        assertEquals("running", runc.state(container).orElseThrow().status());

        ContainerSweeper sweeper = new ContainerSweeper(
                runc, CgroupLayout.ofCurrentProcess(), "locald-ops-reaper-test", data.resolve("bundles"));
        InterruptedBuildReaper reaper =
                new InterruptedBuildReaper(store, new WorkMounts(data.resolve("work"), WorkMounts.host()));
        Build interrupted = Build.queued(id, BuildRetentionTest.spec(), Instant.now())
                .pulling(Instant.now())
                .phaseStarted("build", Instant.now())
                .failed("locald stopped while this build was running", Instant.now());
        // steps 1 and 2 of the StartupSequence: the containers first, as they hold the mounts busy
        sweeper.sweep();
        reaper.cleanUp(interrupted);

        assertEquals(List.of(), runc.list());
        assertFalse(TreeDeleter.mountPoints().contains(mountPoint));
        assertFalse(Files.exists(workDir));
        TreeDeleter.deleteTree(data.resolve("elsewhere"));
        assertTrue(usedBytes(data) <= before, "disk usage is back to its level before the build");
    }

    private static long usedBytes(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}

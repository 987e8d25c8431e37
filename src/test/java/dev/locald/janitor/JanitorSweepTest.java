package dev.locald.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.runtime.RuncClient;
import dev.locald.runtime.RuncContainer;
import dev.locald.store.LayerStore;
import dev.locald.testsupport.OpsTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole janitor run against the service's real data directory, runc root and mount table. */
@QuarkusTest
@TestProfile(OpsTestProfile.class)
class JanitorSweepTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @Inject
    Janitor janitor;

    @Inject
    LocaldConfig config;

    @Inject
    LayerStore layers;

    @Inject
    RuncClient runc;

    private final List<String> containers = new ArrayList<>();
    private final List<Path> mounts = new ArrayList<>();
    private final List<Path> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (String id : containers) {
            if (runc.hasState(id)) {
                runc.deleteForce(id);
            }
        }
        for (Path m : mounts) {
            if (TreeDeleter.mountPoints().contains(m)) {
                run("umount", m.toString());
            }
        }
        for (Path p : cleanup) {
            TreeDeleter.deleteTree(p);
        }
    }

    @Test
    void symlinksPlantedInTheDataDirectoryAreRemovedNeverFollowed() throws Exception {
        Path data = config.dataDir().toAbsolutePath();
        Path outside = Files.createDirectories(
                Path.of("target", "ops-janitor-outside", UUID.randomUUID().toString())
                        .toAbsolutePath());
        cleanup.add(outside);
        Files.writeString(outside.resolve("precious"), "keep me");
        Files.createDirectories(outside.resolve("dir/nested"));
        Files.writeString(outside.resolve("dir/nested/also-precious"), "keep me too");
        Instant old = Instant.now().minus(Duration.ofDays(2));

        // work/<name> is itself a symlink to a directory outside
        Path workLink = data.resolve("work/planted-" + UUID.randomUUID());
        Files.createDirectories(workLink.getParent());
        Files.createSymbolicLink(workLink, outside);
        backdateLink(workLink, old);
        // an orphan work dir holding links out, to a directory and to a file
        Path workDir = Files.createDirectories(data.resolve("work/" + UUID.randomUUID()));
        Files.createSymbolicLink(workDir.resolve("escape"), outside);
        Files.createSymbolicLink(workDir.resolve("file-escape"), outside.resolve("precious"));
        Files.setLastModifiedTime(workDir, FileTime.from(old));
        // stale partial downloads: a symlink in blobs/tmp, a dir with links out in layers/tmp
        Path blobTemp = data.resolve("blobs/tmp/" + "ab".repeat(32) + "-planted");
        Files.createSymbolicLink(blobTemp, outside);
        backdateLink(blobTemp, old);
        Path layerTemp = Files.createDirectories(data.resolve("layers/tmp/planted-" + UUID.randomUUID()));
        Files.createSymbolicLink(layerTemp.resolve("usr"), outside.resolve("dir"));
        Files.setLastModifiedTime(layerTemp, FileTime.from(old));
        // an orphan extracted layer whose /etc is a link out (as a hostile image may have it)
        Digest orphan = Digest.ofBytes(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        Path layerDir = layers.ensure(orphan, dir -> Files.createSymbolicLink(dir.resolve("etc"), outside));
        Files.setLastModifiedTime(data.resolve("layers/used/" + orphan.hex()), FileTime.from(old));

        JanitorReport report = janitor.sweep(Instant.now());

        assertEquals(List.of(), report.errors());
        assertEquals("keep me", Files.readString(outside.resolve("precious")));
        assertEquals("keep me too", Files.readString(outside.resolve("dir/nested/also-precious")));
        try (var entries = Files.list(outside)) {
            assertEquals(2, entries.count());
        }
        for (Path planted : List.of(workLink, workDir, blobTemp, layerTemp, layerDir)) {
            assertFalse(Files.exists(planted, NOFOLLOW), planted + " should be gone");
        }
        assertTrue(report.workDirs().containsAll(List.of(workLink, workDir)), report.toString());
        assertTrue(report.store().layers().contains(orphan), report.toString());
        assertTrue(report.tempFiles() >= 2, report.toString());
    }

    @Test
    void containersAndMountsThatNoRunOwnsAreReaped() throws Exception {
        Path data = config.dataDir().toAbsolutePath();
        // a container in locald's runc root whose bundle is gone (its run ended without deleting it)
        String orphanId = "locald-ops-test-" + UUID.randomUUID().toString().substring(0, 8);
        startContainer(orphanId);
        // and one whose bundle is still there: a live run owns it
        String ownedId = "locald-ops-test-" + UUID.randomUUID().toString().substring(0, 8);
        startContainer(ownedId);
        Path ownedBundle = Files.createDirectories(config.runtime()
                .bundleDir()
                .orElse(data.resolve("bundles"))
                .toAbsolutePath()
                .resolve(ownedId));
        cleanup.add(ownedBundle);
        // a mount left under the work dir of a build that does not exist
        Path deadBuild = Files.createDirectories(data.resolve("work/" + UUID.randomUUID()));
        Path mountPoint = Files.createDirectories(deadBuild.resolve("rootfs-1/m"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "locald-ops-test", mountPoint.toString());
        mounts.add(mountPoint);
        Files.writeString(mountPoint.resolve("in-the-mount"), "x");
        Files.setLastModifiedTime(deadBuild, FileTime.from(Instant.now().minus(Duration.ofDays(1))));

        JanitorReport report = janitor.sweep(Instant.now());

        assertEquals(List.of(), report.errors());
        assertTrue(report.containers().contains(orphanId), report.toString());
        assertFalse(report.containers().contains(ownedId), report.toString());
        assertFalse(runc.hasState(orphanId));
        assertTrue(runc.state(ownedId).map(RuncContainer::status).orElse("gone").equals("running"));
        assertEquals(List.of(mountPoint), report.mounts());
        assertFalse(TreeDeleter.mountPoints().contains(mountPoint));
        assertTrue(report.workDirs().contains(deadBuild), "once unmounted, the orphan work dir is deleted: " + report);
        assertFalse(Files.exists(deadBuild, NOFOLLOW));
    }

    private void startContainer(String id) throws Exception {
        Path bundles = Path.of("target", "ops-janitor-bundles").toAbsolutePath();
        cleanup.add(bundles.resolve(id));
        containers.add(id);
        BusyboxContainer.start(runc.stateRoot(), bundles, id);
    }

    private static void backdateLink(Path link, Instant when) throws Exception {
        // touch -h changes the link itself; Files.setLastModifiedTime would follow it to the target
        run("touch", "-h", "-d", "@" + when.getEpochSecond(), link.toString());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}

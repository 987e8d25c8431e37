package dev.locald.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeDeleterTest {

    @TempDir
    Path tmp;

    @Test
    void deletesLinksNotTheirTargets() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "keep");
        Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        Files.writeString(tree.resolve("f"), "x");
        Files.createSymbolicLink(tmp.resolve("tree/a/dirlink"), outside);
        Files.createSymbolicLink(tmp.resolve("tree/filelink"), outside.resolve("keep"));
        Files.createSymbolicLink(tmp.resolve("tree/dangling"), tmp.resolve("nowhere"));
        TreeDeleter.deleteTree(tmp.resolve("tree"));
        assertFalse(Files.exists(tmp.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(outside.resolve("keep")));
    }

    @Test
    void aSymlinkRootIsOnlyUnlinkedAndMissingIsFine() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "keep");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), outside);
        TreeDeleter.deleteTree(link);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("keep")));
        TreeDeleter.deleteTree(tmp.resolve("never-existed"));
    }

    @Test
    void refusesToCrossAMountPoint() throws Exception {
        // a mount left inside the tree (e.g. a phase's bind mount) must stop the walk, not be emptied
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path mnt = Files.createDirectory(tree.resolve("mnt"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "needs permission to mount a tmpfs");
        try {
            Files.writeString(mnt.resolve("on-tmpfs"), "x");
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.IOException.class, () -> TreeDeleter.deleteTree(tree));
            assertTrue(e.getMessage().contains("is mounted inside it"), e.getMessage());
            assertTrue(Files.exists(mnt.resolve("on-tmpfs")));
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }
}

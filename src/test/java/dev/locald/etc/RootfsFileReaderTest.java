package dev.locald.etc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10) // reading a FIFO would block: the timeout turns that bug into a failure
class RootfsFileReaderTest {

    @TempDir
    Path root;

    @Test
    void readsARegularFile() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        assertArrayEquals(
                "root:x:0:0::/root:/bin/sh\n".getBytes(),
                RootfsFileReader.read(root, "etc/passwd", 1024).content().orElseThrow());
    }

    @Test
    void absentIsSaidSo() throws Exception {
        assertTrue(RootfsFileReader.read(root, "etc/passwd", 1024).absent());
    }

    @Test
    void refusesSymlinksEvenInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("real"), "x");
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("../real"));
        assertEquals(
                "/etc/passwd is a symbolic link",
                RootfsFileReader.read(root, "etc/passwd", 1024).refusal());
    }

    @Test
    void refusesASymlinkedParent() throws Exception {
        Path outside = Files.createTempDirectory("outside");
        Files.writeString(outside.resolve("passwd"), "secret");
        Files.createSymbolicLink(root.resolve("etc"), outside);
        assertEquals(
                "/etc is a symbolic link",
                RootfsFileReader.read(root, "etc/passwd", 1024).refusal());
    }

    @Test
    void refusesFifosWithoutOpeningThem() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("etc/group").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        assertEquals(
                "/etc/group is not a regular file",
                RootfsFileReader.read(root, "etc/group", 1024).refusal());
    }

    @Test
    void refusesDirectoriesAndHugeFiles() throws Exception {
        Files.createDirectories(root.resolve("etc/passwd"));
        assertEquals(
                "/etc/passwd is not a regular file",
                RootfsFileReader.read(root, "etc/passwd", 1024).refusal());
        Files.write(root.resolve("etc/group"), new byte[2048]);
        assertEquals(
                "/etc/group is larger than 1024 bytes",
                RootfsFileReader.read(root, "etc/group", 1024).refusal());
    }
}

package dev.locald.health;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small tmpfs mounted under target/ for one test; read-only remounts make it unwritable even for root. */
final class TmpfsMount implements AutoCloseable {

    private final Path point;

    private TmpfsMount(Path point) {
        this.point = point;
    }

    static TmpfsMount mount(String name, long bytes) throws IOException, InterruptedException {
        Path point = Path.of(
                        "target",
                        "ops-health-test",
                        name + "-" + ProcessHandle.current().pid())
                .toAbsolutePath();
        Files.createDirectories(point);
        run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "locald-ops-test", point.toString());
        return new TmpfsMount(point);
    }

    Path path() {
        return point;
    }

    void readOnly() throws IOException, InterruptedException {
        run("mount", "-o", "remount,ro", point.toString());
    }

    void readWrite() throws IOException, InterruptedException {
        run("mount", "-o", "remount,rw", point.toString());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", point.toString());
        Files.deleteIfExists(point);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}

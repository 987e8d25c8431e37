package dev.locald.rootfs;

import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mounts and unmounts overlay filesystems with the {@code mount} and {@code umount} binaries (Java has no
 * mount(2)). Options are built from paths relative to a working directory the command runs in, because
 * the kernel takes all mount options in one page: absolute paths of a few dozen store directories would
 * not fit, short relative ones do (the same trick Docker's overlay2 plays with its {@code l/} links).
 */
final class OverlayMount {

    /** mount(2) copies at most one page of option data, NUL included. */
    static final int MAX_OPTIONS_BYTES = 4095;

    private static final long TIMEOUT_SECONDS = 30;

    private OverlayMount() {}

    /**
     * Mounts an overlay at {@code mountPoint}.
     *
     * @param cwd              directory the relative paths are resolved against
     * @param lowersTopFirst   lower dirs, the top layer first, relative to {@code cwd}
     */
    static void mount(Path cwd, List<String> lowersTopFirst, String upper, String work, String mountPoint)
            throws IOException {
        // volatile: the upper dir is per assembly and deleted on close, so skipping its syncs is safe; without
        // it, each umount syncs the whole filesystem the upper dir lives on (the store, busy with other builds)
        String options = "userxattr,volatile,lowerdir=" + String.join(":", lowersTopFirst) + ",upperdir=" + upper
                + ",workdir=" + work;
        if (options.getBytes(StandardCharsets.UTF_8).length > MAX_OPTIONS_BYTES) {
            throw new IOException("overlay options for " + lowersTopFirst.size()
                    + " layers exceed one page; too many layers for one mount");
        }
        run(cwd, List.of("mount", "-t", "overlay", "overlay", "-o", options, mountPoint));
    }

    /** Unmounts {@code mountPoint}; when it is busy, detaches it lazily so that it can be cleaned up. */
    static void unmount(Path mountPoint) throws IOException {
        try {
            run(null, List.of("umount", mountPoint.toString()));
        } catch (IOException busy) {
            try {
                run(null, List.of("umount", "-l", mountPoint.toString()));
            } catch (IOException lazy) {
                lazy.addSuppressed(busy);
                throw lazy;
            }
        }
    }

    static boolean isMountPoint(Path path) throws IOException {
        Path real = path.toAbsolutePath().normalize();
        return TreeDeleter.mountPoints().contains(real);
    }

    private static void run(Path cwd, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        if (cwd != null) {
            builder.directory(cwd.toFile());
        }
        Process process = builder.start();
        try {
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(
                        String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running " + command.get(0));
        }
    }
}

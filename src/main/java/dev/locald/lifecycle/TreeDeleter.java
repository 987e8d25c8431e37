package dev.locald.lifecycle;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes directory trees that a build container could have written: symlinks are removed as links and
 * never followed, and the walk refuses to cross into another filesystem (a mount left behind), so
 * nothing outside the tree can be deleted.
 */
public final class TreeDeleter {
    private TreeDeleter() {
    }

    /** Deletes {@code root} and everything below it; a missing root is fine, a symlink root is unlinked only. */
    public static void deleteTree(Path root) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isDirectory()) {
            Files.delete(root);
            return;
        }
        walk(root, true);
    }

    /** Empties {@code dir} (a real directory) and keeps it. */
    public static void deleteContents(Path dir) throws IOException {
        OwnedFiles.requireRealDirectory(dir, "directory");
        walk(dir, false);
    }

    private static void walk(Path root, boolean deleteRoot) throws IOException {
        Object device = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                if (!device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException("refusing to delete across a mount point at " + dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Files.delete(file); // unlink: a symlink is removed, never its target
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (deleteRoot || !dir.equals(root)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

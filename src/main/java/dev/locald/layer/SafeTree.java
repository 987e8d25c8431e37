package dev.locald.layer;

import static dev.locald.fs.NoFollow.lstat;

import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The no-follow primitives for writing a tree from an archive, shared by layer extraction ({@link LayerTree})
 * and app-source unpacking ({@code source.WorkspaceWriter}). Every path is an {@link EntryPath} walked
 * component by component with {@code lstat}: a missing directory is created (mode 0755), nothing in the
 * way is ever followed, and a final component is unlinked before a new one is created with {@code O_EXCL}.
 * What differs between the two writers (whether a non-directory in the way is replaced or refused, who
 * owns what the walk creates, what is remembered) is the caller's {@link Walk}.
 */
public final class SafeTree {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private SafeTree() {}

    /** The caller's policy for one walk; {@code E} is how it refuses. */
    public interface Walk<E extends Exception> {
        /** A directory the walk has just created (mode 0755), e.g. to chown it. */
        void created(Path dir) throws IOException;

        /** A component on the way exists but is not a directory: throw to refuse, return to replace it by one. */
        void notDirectory(String relative, BasicFileAttributes found) throws E;

        /** The final component of an entry exists: throw to refuse, return (after forgetting it) to remove it. */
        void replacing(EntryPath path, BasicFileAttributes found) throws E;

        /** A component on the way that is a directory now. */
        default void passed(String relative) {}
    }

    /** The directory {@code dir} under {@code root}, creating missing ones; {@code entry} labels I/O errors. */
    public static <E extends Exception> Path directory(Path root, EntryPath dir, String entry, Walk<E> walk)
            throws IOException, E {
        Path current = root;
        StringBuilder relative = new StringBuilder();
        for (String component : dir.components()) {
            if (relative.length() > 0) {
                relative.append('/');
            }
            relative.append(component);
            String rel = relative.toString();
            Path next = current.resolve(component);
            BasicFileAttributes attributes = lstat(next);
            if (attributes != null && !attributes.isDirectory()) {
                walk.notDirectory(rel, attributes);
                Files.delete(next); // unlinks a symlink itself, never its target
                attributes = null;
            }
            if (attributes == null) {
                createDirectory(next, entry);
                walk.created(next);
            }
            walk.passed(rel);
            current = next;
        }
        return current;
    }

    /** The path for a new non-root entry: its parents walked, whatever was there removed, never written through. */
    public static <E extends Exception> Path replaceable(Path root, EntryPath path, String entry, Walk<E> walk)
            throws IOException, E {
        if (path.isRoot()) {
            throw new IllegalArgumentException("the root is not replaceable");
        }
        Path target = directory(root, path.parent(), entry, walk).resolve(path.name());
        BasicFileAttributes existing = lstat(target);
        if (existing != null) {
            walk.replacing(path, existing);
            remove(target, existing);
        }
        return target;
    }

    /** Removes {@code target} (a directory with everything beneath it) without following links. */
    public static void remove(Path target, BasicFileAttributes existing) throws IOException {
        if (existing.isDirectory()) {
            TreeDeleter.deleteTree(target);
        } else {
            Files.delete(target);
        }
    }

    /** A directory with mode 0755, explicit so that the process umask cannot make it unreadable. */
    public static void createDirectory(Path dir, String entry) throws IOException {
        try {
            Files.createDirectory(dir);
            chmod(dir, 0755);
        } catch (FileSystemException e) {
            throw new IOException(entry + ": cannot create directory " + dir + ": " + e.getReason(), e);
        }
    }

    /** A new regular file, created with {@code O_EXCL}: it cannot be an existing file or link. */
    public static OutputStream newFile(Path target) throws IOException {
        return Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
    }

    /** chmod that never follows a link: the JDK does it as {@code fchmod} on an {@code O_NOFOLLOW} fd. */
    public static void chmod(Path target, int mode) throws IOException {
        Files.setAttribute(target, "unix:mode", mode & 07777, NOFOLLOW);
    }

    public static String kind(BasicFileAttributes attributes) {
        return attributes.isSymbolicLink()
                ? "symlink"
                : attributes.isDirectory() ? "directory" : attributes.isRegularFile() ? "file" : "special file";
    }
}

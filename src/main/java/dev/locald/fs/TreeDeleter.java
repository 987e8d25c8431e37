package dev.locald.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes a directory tree that may contain anything a layer could hold. Symlinks are removed, never
 * followed; the walk never leaves the filesystem the tree starts on, and it refuses to start when
 * anything is mounted at or beneath the tree (it never unmounts: that is the owner's job, and deleting
 * through a live mount would delete the mounted content).
 */
public final class TreeDeleter {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private TreeDeleter() {}

    /** Deletes {@code path} and everything beneath it; a missing path is not an error. */
    public static void deleteTree(Path path) throws IOException {
        BasicFileAttributes attributes = NoFollow.lstat(path);
        if (attributes == null) {
            return;
        }
        if (!attributes.isDirectory()) {
            Files.deleteIfExists(path);
            return;
        }
        deleteContents(path, checkedDevice(path));
        Files.deleteIfExists(path);
    }

    /** Empties the real directory {@code dir} and keeps it; a symlink in its place is refused. */
    public static void deleteContents(Path dir) throws IOException {
        BasicFileAttributes attributes = NoFollow.lstat(dir);
        if (attributes == null || !attributes.isDirectory()) {
            throw new IOException("refusing to empty " + dir + ": not a directory (or a symlink to one)");
        }
        deleteContents(dir, checkedDevice(dir));
    }

    private static Object checkedDevice(Path dir) throws IOException {
        Path real = dir.toRealPath();
        for (Path mountPoint : mountPoints()) {
            if (mountPoint.startsWith(real)) {
                throw new IOException("refusing to delete " + dir + ": " + mountPoint + " is mounted inside it");
            }
        }
        return Files.getAttribute(dir, "unix:dev", NOFOLLOW);
    }

    private static void deleteContents(Path dir, Object device) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                throw new IOException("this platform offers no SecureDirectoryStream; refusing to delete " + dir);
            }
            List<Path> names = new ArrayList<>();
            for (Path entry : secure) {
                names.add(entry.getFileName());
            }
            for (Path name : names) {
                BasicFileAttributes attributes;
                try {
                    attributes = secure.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW)
                            .readAttributes();
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (attributes.isDirectory()) {
                    Path child = dir.resolve(name);
                    if (!device.equals(Files.getAttribute(child, "unix:dev", NOFOLLOW))) {
                        throw new IOException("refusing to delete " + child + ": another filesystem is mounted there");
                    }
                    deleteContents(child, device);
                    secure.deleteDirectory(name);
                } else {
                    secure.deleteFile(name);
                }
            }
        }
    }

    /** Mount points of this process's mount namespace, with mountinfo's octal escapes decoded. */
    public static List<Path> mountPoints() throws IOException {
        List<Path> points = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length > 4) {
                points.add(Path.of(unescape(fields[4])));
            }
        }
        return points;
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}

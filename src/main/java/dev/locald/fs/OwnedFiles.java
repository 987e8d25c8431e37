package dev.locald.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * File operations for directories a build container can also write: nothing here follows a symlink
 * (final component opened with O_NOFOLLOW, owners set with lchown, files created with O_EXCL), so a link
 * planted by a buildpack cannot redirect a host-side read or write.
 */
public final class OwnedFiles {
    private OwnedFiles() {}

    /** lchown to {@code uid:gid}; a no-op when the ids already match. */
    public static void chown(Path path, int uid, int gid) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** chmod without following a symlink at {@code path} (fchmod on an O_NOFOLLOW descriptor). */
    public static void chmod(Path path, String mode) throws IOException {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(PosixFilePermissions.fromString(mode));
    }

    /** Fails unless {@code dir} is a directory itself, not a symlink to one. */
    public static void requireRealDirectory(Path dir, String what) throws IOException {
        BasicFileAttributes attrs = NoFollow.lstat(dir);
        if (attrs == null) {
            throw new IOException(what + " " + dir + " does not exist");
        }
        if (!attrs.isDirectory()) {
            throw new IOException(what + " " + dir + " is not a directory (symlinks are not followed)");
        }
    }

    /** Creates {@code dir/name} (which must not exist) with the given bytes, mode and owner. */
    public static Path writeNew(Path dir, String name, byte[] content, String mode, int uid, int gid)
            throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
            throw new IOException("refusing file name '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        requireRealDirectory(dir, "directory");
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(
                file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            out.write(content);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " already exists; refusing to overwrite it", e);
        }
        chmod(file, mode);
        chown(file, uid, gid);
        return file;
    }

    /**
     * Reads a small regular file written by a phase. A symlink, FIFO, device or directory at that path is
     * refused before opening, and the open itself does not follow a final symlink.
     */
    public static byte[] readRegular(Path file, long maxBytes, String what) throws IOException {
        BasicFileAttributes attrs = NoFollow.lstat(file);
        if (attrs == null) {
            throw new NoSuchFileException(file.toString(), null, what + " does not exist");
        }
        if (!attrs.isRegularFile()) {
            throw new IOException(what + " at " + file + " is not a regular file"
                    + (attrs.isSymbolicLink() ? " (it is a symlink, which is not followed)" : ""));
        }
        if (attrs.size() > maxBytes) {
            throw new IOException(what + " at " + file + " is " + attrs.size() + " bytes; the limit is " + maxBytes);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException(what + " at " + file + " grew past the limit of " + maxBytes + " bytes");
            }
            return bytes;
        }
    }
}

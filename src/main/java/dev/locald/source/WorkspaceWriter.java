package dev.locald.source;

import static dev.locald.fs.NoFollow.lstat;

import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import dev.locald.lifecycle.BuildpackRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates source entries inside a workspace root with the defences used for image layers:
 * names are relative and free of {@code ..}; every parent is walked component by component and must be a
 * real directory (an entry through a symlink is refused, so nothing is written through a link); final
 * components are created with O_EXCL|O_NOFOLLOW after unlinking what was there; symlinks must be relative
 * and stay inside the root lexically; hardlinks may only point at regular files written earlier by the
 * same source; everything is owned by the CNB user; setuid/setgid/sticky bits are dropped.
 */
final class WorkspaceWriter {
    private static final int MAX_NAME_BYTES = 4096;
    private static final int MAX_COMPONENT_BYTES = 255;

    private final Path root;
    private final CnbUser owner;
    private final SourceLimits limits;
    private final long compressedBytes;
    private final Set<String> regularFiles = new HashSet<>();
    private final byte[] buffer = new byte[64 * 1024];
    private long entries;
    private long expandedBytes;

    /** @param compressedBytes size of the archive, for the ratio check; 0 disables it (directory copies) */
    WorkspaceWriter(Path root, CnbUser owner, SourceLimits limits, long compressedBytes) {
        this.root = root;
        this.owner = owner;
        this.limits = limits;
        this.compressedBytes = compressedBytes;
    }

    /** Normalised relative name, or null for the root itself ("." or "./"). */
    static List<String> components(String rawName) throws SourceArchiveException {
        if (rawName == null || rawName.isEmpty()) {
            throw new SourceArchiveException("an entry has an empty name");
        }
        String shown = BuildpackRef.quote(rawName);
        if (rawName.indexOf('\0') >= 0) {
            throw new SourceArchiveException("entry " + shown + " has a NUL in its name");
        }
        if (rawName.indexOf('\\') >= 0) {
            throw new SourceArchiveException("entry " + shown + " has a backslash in its name");
        }
        if (rawName.startsWith("/")) {
            throw new SourceArchiveException(
                    "entry " + shown + " has an absolute path; source entries must be relative");
        }
        if (rawName.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new SourceArchiveException("entry " + shown + " has a name longer than " + MAX_NAME_BYTES + " bytes");
        }
        List<String> out = new ArrayList<>();
        for (String c : rawName.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                throw new SourceArchiveException(
                        "entry " + shown + " contains '..'; source entries must stay inside the workspace");
            }
            if (c.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
                throw new SourceArchiveException(
                        "entry " + shown + " has a path component longer than " + MAX_COMPONENT_BYTES + " bytes");
            }
            out.add(c);
        }
        return out;
    }

    void countEntry(String name) throws SourceArchiveException {
        if (++entries > limits.maxEntries()) {
            throw new SourceArchiveException("the source has more than " + limits.maxEntries() + " entries (at "
                    + BuildpackRef.quote(name) + ")");
        }
    }

    void directory(String name, int mode) throws IOException, SourceArchiveException {
        List<String> c = components(name);
        if (c.isEmpty()) {
            return; // the workspace itself: keep our own mode and owner
        }
        Path parent = parent(name, c);
        Path dir = parent.resolve(c.get(c.size() - 1));
        BasicFileAttributes existing = lstat(dir);
        if (existing == null) {
            Files.createDirectory(dir);
        } else if (!existing.isDirectory()) {
            throw new SourceArchiveException("entry " + BuildpackRef.quote(name)
                    + " is a directory, but an earlier entry created it as a " + kind(existing));
        }
        Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(perms(mode | 0700));
        OwnedFiles.chown(dir, owner.uid(), owner.gid());
    }

    void file(String name, int mode, InputStream content) throws IOException, SourceArchiveException {
        List<String> c = components(name);
        if (c.isEmpty()) {
            throw new SourceArchiveException("a file entry names the workspace root");
        }
        Path file = replaceable(name, c);
        try (OutputStream out = Files.newOutputStream(
                file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = ArchiveRead.of(() -> content.read(buffer))) != -1) {
                expandedBytes += n;
                checkExpanded(name);
                out.write(buffer, 0, n);
            }
        }
        Files.getFileAttributeView(
                        file, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(perms(mode | 0600));
        OwnedFiles.chown(file, owner.uid(), owner.gid());
        regularFiles.add(String.join("/", c));
    }

    void symlink(String name, String target) throws IOException, SourceArchiveException {
        List<String> c = components(name);
        if (c.isEmpty()) {
            throw new SourceArchiveException("a symlink entry names the workspace root");
        }
        checkSymlinkTarget(name, c, target);
        Path link = replaceable(name, c);
        Files.createSymbolicLink(link, link.getFileSystem().getPath(target));
        OwnedFiles.chown(link, owner.uid(), owner.gid()); // lchown: the link itself
        regularFiles.remove(String.join("/", c));
    }

    void hardlink(String name, String targetName) throws IOException, SourceArchiveException {
        List<String> c = components(name);
        List<String> t;
        try {
            t = components(targetName);
        } catch (SourceArchiveException e) {
            throw new SourceArchiveException(
                    "hardlink " + BuildpackRef.quote(name) + " points outside the workspace: " + e.getMessage());
        }
        String key = String.join("/", t);
        if (c.isEmpty() || t.isEmpty() || !regularFiles.contains(key)) {
            throw new SourceArchiveException(
                    "hardlink " + BuildpackRef.quote(name) + " -> " + BuildpackRef.quote(targetName)
                            + " does not point at a regular file written earlier by this source");
        }
        Path target = parent(targetName, t).resolve(t.get(t.size() - 1));
        BasicFileAttributes ta = lstat(target);
        if (ta == null || !ta.isRegularFile()) {
            throw new SourceArchiveException(
                    "hardlink target " + BuildpackRef.quote(targetName) + " is no longer a regular file");
        }
        Path link = replaceable(name, c);
        Files.createLink(link, target); // link(2) does not follow; target verified a regular file above
        regularFiles.add(String.join("/", c));
    }

    /**
     * Symlinks are kept only with relative targets that stay inside the workspace when resolved lexically
     * from the link's directory. They are never followed here; inside a container they resolve within the
     * container's own root anyway.
     */
    static void checkSymlinkTarget(String name, List<String> c, String target) throws SourceArchiveException {
        String shown = BuildpackRef.quote(name) + " -> " + BuildpackRef.quote(target);
        if (target == null || target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new SourceArchiveException("symlink " + shown + " has an empty or invalid target");
        }
        if (target.startsWith("/")) {
            throw new SourceArchiveException(
                    "symlink " + shown + " has an absolute target; only relative links inside the workspace are kept");
        }
        if (target.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new SourceArchiveException(
                    "symlink " + shown + " has a target longer than " + MAX_NAME_BYTES + " bytes");
        }
        int depth = c.size() - 1; // the link's directory
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            depth += part.equals("..") ? -1 : 1;
            if (depth < 0) {
                throw new SourceArchiveException("symlink " + shown + " points outside the workspace");
            }
        }
    }

    private void checkExpanded(String name) throws SourceArchiveException {
        if (expandedBytes > limits.maxExpandedBytes()) {
            throw new SourceArchiveException("the source expands to more than " + limits.maxExpandedBytes()
                    + " bytes (at " + BuildpackRef.quote(name) + ")");
        }
        if (compressedBytes > 0
                && expandedBytes > SourceLimits.RATIO_GRACE_BYTES
                && expandedBytes / compressedBytes > limits.maxRatio()) {
            throw new SourceArchiveException("the source expands more than " + limits.maxRatio()
                    + " times its archive size (at " + BuildpackRef.quote(name) + "); refusing a likely archive bomb");
        }
    }

    /** The parent dir of an entry, creating missing directories; refuses symlinks and files on the way. */
    private Path parent(String name, List<String> c) throws IOException, SourceArchiveException {
        Path dir = root;
        for (int i = 0; i < c.size() - 1; i++) {
            dir = dir.resolve(c.get(i));
            BasicFileAttributes a = lstat(dir);
            if (a == null) {
                Files.createDirectory(dir);
                Files.getFileAttributeView(
                                dir, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(perms(0755));
                OwnedFiles.chown(dir, owner.uid(), owner.gid());
            } else if (a.isSymbolicLink()) {
                throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " goes through the symlink "
                        + BuildpackRef.quote(String.join("/", c.subList(0, i + 1)))
                        + "; writing through links is refused");
            } else if (!a.isDirectory()) {
                throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " needs "
                        + BuildpackRef.quote(String.join("/", c.subList(0, i + 1))) + " to be a directory, but it is a "
                        + kind(a));
            }
        }
        return dir;
    }

    /** The path for a non-directory entry: an earlier non-directory there is unlinked (last entry wins). */
    private Path replaceable(String name, List<String> c) throws IOException, SourceArchiveException {
        Path p = parent(name, c).resolve(c.get(c.size() - 1));
        BasicFileAttributes a = lstat(p);
        if (a != null) {
            if (a.isDirectory()) {
                throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " would replace a directory");
            }
            Files.delete(p); // unlinks a symlink itself, never its target
            regularFiles.remove(String.join("/", c));
        }
        return p;
    }

    private static String kind(BasicFileAttributes a) {
        return a.isSymbolicLink()
                ? "symlink"
                : a.isDirectory() ? "directory" : a.isRegularFile() ? "file" : "special file";
    }

    static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}

package dev.locald.source;

import static dev.locald.fs.NoFollow.lstat;

import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import dev.locald.layer.EntryPath;
import dev.locald.layer.SafeTree;
import dev.locald.lifecycle.BuildpackRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * Creates source entries inside a workspace root with the defences used for image layers (the shared
 * {@link EntryPath} and {@link SafeTree}; this class adds the source policy in {@code SourceWalk}):
 * names are relative and free of {@code ..}; every parent is walked component by component and must be a
 * real directory (an entry through a symlink is refused, so nothing is written through a link); final
 * components are created with O_EXCL|O_NOFOLLOW after unlinking what was there; symlinks must be relative
 * and stay inside the root lexically; hardlinks may only point at regular files written earlier by the
 * same source; everything is owned by the CNB user; setuid/setgid/sticky bits are dropped.
 */
final class WorkspaceWriter {
    private static final int MAX_NAME_BYTES = 4096;

    private final Path root;
    private final SourceFilter filter;
    private final CnbUser owner;
    private final SourceLimits limits;
    private final long compressedBytes;
    private final Set<String> regularFiles = new HashSet<>();
    private final byte[] buffer = new byte[64 * 1024];
    private long entries;
    private long expandedBytes;

    /** @param compressedBytes size of the archive, for the ratio check; 0 disables it (directory copies) */
    WorkspaceWriter(Path root, CnbUser owner, SourceLimits limits, long compressedBytes) {
        this(root, owner, limits, compressedBytes, SourceFilter.ALL);
    }

    /** @param filter which entries are written; the others are counted but skipped */
    WorkspaceWriter(Path root, CnbUser owner, SourceLimits limits, long compressedBytes, SourceFilter filter) {
        this.filter = filter;
        this.root = root;
        this.owner = owner;
        this.limits = limits;
        this.compressedBytes = compressedBytes;
    }

    /** The normalised relative name (the root itself for "." or "./"); source names must be relative. */
    static EntryPath components(String rawName) throws SourceArchiveException {
        if (rawName == null || rawName.isEmpty()) {
            throw new SourceArchiveException("an entry has an empty name");
        }
        String shown = BuildpackRef.quote(rawName);
        if (rawName.indexOf('\\') >= 0) {
            throw new SourceArchiveException("entry " + shown + " has a backslash in its name");
        }
        if (rawName.startsWith("/")) {
            throw new SourceArchiveException(
                    "entry " + shown + " has an absolute path; source entries must be relative");
        }
        try {
            return EntryPath.of(rawName, MAX_NAME_BYTES);
        } catch (EntryPath.InvalidName e) {
            throw new SourceArchiveException(
                    switch (e.problem()) {
                        case NUL -> "entry " + shown + " has a NUL in its name";
                        case TOO_LONG -> "entry " + shown + " has a name longer than " + MAX_NAME_BYTES + " bytes";
                        case PARENT_REFERENCE ->
                            "entry " + shown + " contains '..'; source entries must stay inside the workspace";
                        case COMPONENT_TOO_LONG ->
                            "entry " + shown + " has a path component longer than " + EntryPath.MAX_COMPONENT_BYTES
                                    + " bytes";
                    });
        }
    }

    /** Whether the entry is written at all (a project descriptor's include/exclude). */
    boolean keeps(String name, boolean directory) {
        return filter.keeps(name, directory);
    }

    boolean skipsTree(String name) {
        return filter.skipsTree(name);
    }

    void countEntry(String name) throws SourceArchiveException {
        if (++entries > limits.maxEntries()) {
            throw new SourceArchiveException("the source has more than " + limits.maxEntries() + " entries (at "
                    + BuildpackRef.quote(name) + ")");
        }
    }

    void directory(String name, int mode) throws IOException, SourceArchiveException {
        EntryPath c = components(name);
        if (c.isRoot()) {
            return; // the workspace itself: keep our own mode and owner
        }
        Path dir = parent(name, c).resolve(c.name());
        BasicFileAttributes existing = lstat(dir);
        if (existing == null) {
            SafeTree.createDirectory(dir, label(name));
        } else if (!existing.isDirectory()) {
            throw new SourceArchiveException("entry " + BuildpackRef.quote(name)
                    + " is a directory, but an earlier entry created it as a " + SafeTree.kind(existing));
        }
        SafeTree.chmod(dir, (mode | 0700) & 0777);
        OwnedFiles.chown(dir, owner.uid(), owner.gid());
    }

    void file(String name, int mode, InputStream content) throws IOException, SourceArchiveException {
        EntryPath c = components(name);
        if (c.isRoot()) {
            throw new SourceArchiveException("a file entry names the workspace root");
        }
        Path file = replaceable(name, c);
        try (OutputStream out = SafeTree.newFile(file)) {
            int n;
            while ((n = ArchiveRead.of(() -> content.read(buffer))) != -1) {
                expandedBytes += n;
                checkExpanded(name);
                out.write(buffer, 0, n);
            }
        }
        SafeTree.chmod(file, (mode | 0600) & 0777); // setuid, setgid and sticky dropped
        OwnedFiles.chown(file, owner.uid(), owner.gid());
        regularFiles.add(c.relative());
    }

    void symlink(String name, String target) throws IOException, SourceArchiveException {
        EntryPath c = components(name);
        if (c.isRoot()) {
            throw new SourceArchiveException("a symlink entry names the workspace root");
        }
        checkSymlinkTarget(name, c, target);
        Path link = replaceable(name, c);
        Files.createSymbolicLink(link, link.getFileSystem().getPath(target));
        OwnedFiles.chown(link, owner.uid(), owner.gid()); // lchown: the link itself
        regularFiles.remove(c.relative());
    }

    void hardlink(String name, String targetName) throws IOException, SourceArchiveException {
        EntryPath c = components(name);
        EntryPath t;
        try {
            t = components(targetName);
        } catch (SourceArchiveException e) {
            throw new SourceArchiveException(
                    "hardlink " + BuildpackRef.quote(name) + " points outside the workspace: " + e.getMessage());
        }
        if (c.isRoot() || t.isRoot() || !regularFiles.contains(t.relative())) {
            throw new SourceArchiveException(
                    "hardlink " + BuildpackRef.quote(name) + " -> " + BuildpackRef.quote(targetName)
                            + " does not point at a regular file written earlier by this source");
        }
        Path target = parent(targetName, t).resolve(t.name());
        BasicFileAttributes ta = lstat(target);
        if (ta == null || !ta.isRegularFile()) {
            throw new SourceArchiveException(
                    "hardlink target " + BuildpackRef.quote(targetName) + " is no longer a regular file");
        }
        Path link = replaceable(name, c);
        Files.createLink(link, target); // link(2) does not follow; target verified a regular file above
        regularFiles.add(c.relative());
    }

    /**
     * Symlinks are kept only with relative targets that stay inside the workspace when resolved lexically
     * from the link's directory. They are never followed here; inside a container they resolve within the
     * container's own root anyway.
     */
    static void checkSymlinkTarget(String name, EntryPath c, String target) throws SourceArchiveException {
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
        int depth = c.components().size() - 1; // the link's directory
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
    private Path parent(String name, EntryPath c) throws IOException, SourceArchiveException {
        return SafeTree.directory(root, c.parent(), label(name), new SourceWalk(name));
    }

    /** The path for a non-directory entry: an earlier non-directory there is unlinked (last entry wins). */
    private Path replaceable(String name, EntryPath c) throws IOException, SourceArchiveException {
        return SafeTree.replaceable(root, c, label(name), new SourceWalk(name));
    }

    private static String label(String name) {
        return "entry " + BuildpackRef.quote(name);
    }

    /** Source policy: nothing is written through a link or replaces a directory; what is created is the CNB user's. */
    private final class SourceWalk implements SafeTree.Walk<SourceArchiveException> {
        private final String name;

        SourceWalk(String name) {
            this.name = name;
        }

        @Override
        public void created(Path dir) throws IOException {
            OwnedFiles.chown(dir, owner.uid(), owner.gid());
        }

        @Override
        public void notDirectory(String relative, BasicFileAttributes found) throws SourceArchiveException {
            if (found.isSymbolicLink()) {
                throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " goes through the symlink "
                        + BuildpackRef.quote(relative) + "; writing through links is refused");
            }
            throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " needs "
                    + BuildpackRef.quote(relative) + " to be a directory, but it is a " + SafeTree.kind(found));
        }

        @Override
        public void replacing(EntryPath path, BasicFileAttributes found) throws SourceArchiveException {
            if (found.isDirectory()) {
                throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " would replace a directory");
            }
            regularFiles.remove(path.relative()); // the caller unlinks a symlink itself, never its target
        }
    }
}

package dev.locald.layer;

import static dev.locald.fs.NoFollow.lstat;

import dev.locald.fs.OwnedFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The filesystem side of applying one layer onto a root directory. Every path is walked component by
 * component with {@code lstat}; nothing is ever followed: a missing parent becomes a real directory, a
 * parent that this layer made a symlink or file is refused, and an existing entry is unlinked before a
 * new one is created with {@code O_EXCL}. Ownership is set with {@code lchown}, modes after it (chown
 * clears setuid), directory times once the layer is done.
 *
 * <p>Safe by invariant, not by {@code openat2}: only the extractor writes this tree while it runs.
 */
final class LayerTree {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final long MAX_ID = 0xFFFF_FFFEL;

    private final Path root;
    /** Whether the root already holds lower layers (flat apply) rather than being this layer's own dir. */
    private final boolean hasLowerContent;

    private final ExtractionLimits limits;
    /** Paths named by an entry of this layer. */
    private final Set<String> written = new HashSet<>();
    /** Directories above a path of this layer (they hold this layer's content). */
    private final Set<String> ancestors = new HashSet<>();

    private final Map<String, FileTime> directoryTimes = new HashMap<>();
    private long fileBytes;

    LayerTree(Path root, boolean hasLowerContent, ExtractionLimits limits) {
        this.root = root;
        this.hasLowerContent = hasLowerContent;
        this.limits = limits;
    }

    Path root() {
        return root;
    }

    long fileBytes() {
        return fileBytes;
    }

    boolean writtenByThisLayer(EntryPath path) {
        return written.contains(path.relative());
    }

    boolean holdsThisLayersContent(EntryPath path) {
        return ancestors.contains(path.relative());
    }

    Path resolve(EntryPath path) {
        Path p = root;
        for (String component : path.components()) {
            p = p.resolve(component);
        }
        return p;
    }

    /**
     * The directory that holds {@code path}, creating missing directories on the way. A component that
     * exists as something other than a directory is refused when this layer made it (a write through
     * a symlink could leave the root); in a flat apply, one left by a lower layer is replaced by a
     * directory, which is what an overlay mount shows for the same layers.
     */
    Path parentDirectory(EntryPath path, String entryName) throws IOException {
        return directory(path.parent(), entryName);
    }

    Path directory(EntryPath path, String entryName) throws IOException {
        return SafeTree.directory(root, path, label(entryName), new LayerWalk(entryName));
    }

    /** Layer policy: a lower layer's non-directory gives way (as in an overlay mount), this layer's is refused. */
    private final class LayerWalk implements SafeTree.Walk<InvalidLayerException> {
        private final String entryName;

        LayerWalk(String entryName) {
            this.entryName = entryName;
        }

        @Override
        public void created(Path dir) {
            // owned by the extracting user, like the root; the layer's own entry, if any, sets its owner
        }

        @Override
        public void notDirectory(String relative, BasicFileAttributes found) throws InvalidLayerException {
            if (!hasLowerContent || written.contains(relative)) {
                throw new InvalidLayerException("layer entry '" + entryName + "': parent '" + relative + "' is a "
                        + SafeTree.kind(found) + " created earlier in this layer, not a directory");
            }
        }

        @Override
        public void replacing(EntryPath path, BasicFileAttributes found) {
            forget(path, found.isDirectory());
        }

        @Override
        public void passed(String relative) {
            ancestors.add(relative);
        }
    }

    private static String label(String entryName) {
        return "layer entry '" + entryName + "'";
    }

    /**
     * Like {@link #directory} but creates and replaces nothing: the existing directory, or null when a
     * component is missing or (from a lower layer) not a directory.
     */
    Path existingDirectory(EntryPath path, String entryName) throws IOException {
        Path dir = root;
        StringBuilder relative = new StringBuilder();
        for (String component : path.components()) {
            if (relative.length() > 0) {
                relative.append('/');
            }
            relative.append(component);
            Path next = dir.resolve(component);
            BasicFileAttributes attributes = lstat(next);
            if (attributes == null) {
                return null;
            }
            if (!attributes.isDirectory()) {
                if (written.contains(relative.toString())) {
                    throw new InvalidLayerException("layer entry '" + entryName + "': parent '" + relative + "' is a "
                            + SafeTree.kind(attributes) + " created earlier in this layer, not a directory");
                }
                return null;
            }
            dir = next;
        }
        return dir;
    }

    void directoryEntry(EntryPath path, TarArchiveEntry entry) throws IOException {
        String name = entry.getName();
        if (path.isRoot()) {
            // the root's own attributes are the container's, not the layer's
            return;
        }
        Path target = parentDirectory(path, name).resolve(path.name());
        BasicFileAttributes existing = lstat(target);
        if (existing == null || !existing.isDirectory()) {
            if (existing != null) {
                remove(path, target, existing);
            }
            SafeTree.createDirectory(target, label(name));
        }
        markWritten(path);
        ancestors.add(path.relative());
        applyOwnerAndMode(target, entry, false);
        directoryTimes.put(path.relative(), entry.getLastModifiedTime());
    }

    void fileEntry(EntryPath path, TarArchiveEntry entry, LayerStream content) throws IOException {
        String name = entry.getName();
        long size = entry.getRealSize();
        if (size < 0 || size > limits.maxFileBytes()) {
            throw new InvalidLayerException("layer entry '" + name + "': file of " + size + " bytes exceeds the "
                    + limits.maxFileBytes() + "-byte limit");
        }
        Path target = replaceable(path, name);
        long written = 0;
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = SafeTree.newFile(target)) {
            int n;
            while ((n = content.read(buffer)) > 0) {
                written += n;
                fileBytes += n;
                if (written > limits.maxFileBytes() || fileBytes > limits.maxExpandedBytes()) {
                    throw new InvalidLayerException("layer entry '" + name + "': writing it exceeds the "
                            + (written > limits.maxFileBytes() ? "per-file" : "per-layer") + " size limit");
                }
                out.write(buffer, 0, n);
            }
        } catch (FileSystemException e) {
            throw new IOException("layer entry '" + name + "': cannot write " + target + ": " + e.getReason(), e);
        }
        if (written != size) {
            throw new InvalidLayerException("layer entry '" + name + "': expected " + size + " bytes, got " + written);
        }
        markWritten(path);
        applyOwnerAndMode(target, entry, false);
        setTime(target, entry.getLastModifiedTime());
    }

    void symlinkEntry(EntryPath path, TarArchiveEntry entry) throws IOException {
        String name = entry.getName();
        String linkTarget = entry.getLinkName();
        if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
            throw new InvalidLayerException("layer entry '" + name + "': symlink with an empty or invalid target");
        }
        if (linkTarget.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > limits.maxPathLength()) {
            throw new InvalidLayerException(
                    "layer entry '" + name + "': symlink target longer than " + limits.maxPathLength() + " bytes");
        }
        Path target = replaceable(path, name);
        Path link;
        try {
            link = root.getFileSystem().getPath(linkTarget);
        } catch (InvalidPathException e) {
            throw new InvalidLayerException("layer entry '" + name + "': unusable symlink target: " + e.getMessage());
        }
        // stored verbatim and never followed; what it points at is resolved inside the container only
        Files.createSymbolicLink(target, link);
        markWritten(path);
        applyOwnerAndMode(target, entry, true);
        setTime(target, entry.getLastModifiedTime());
    }

    /**
     * A hardlink to a regular file (or symlink) that an earlier entry of this same layer wrote. The
     * target is walked like any entry path, so it can neither leave the root nor pass through a
     * symlink. A target from a lower layer is refused: a layer dir used as an overlay lower cannot see
     * lower layers, and real image builders never emit such links (overlay copy-up breaks them).
     */
    void hardlinkEntry(EntryPath path, EntryPath targetPath, TarArchiveEntry entry) throws IOException {
        String name = entry.getName();
        if (targetPath.isRoot() || targetPath.isWithin(path)) {
            throw new InvalidLayerException("layer entry '" + name + "': hardlink to '" + entry.getLinkName()
                    + "' names the root, itself or something beneath itself");
        }
        if (!written.contains(targetPath.relative())) {
            throw new InvalidLayerException("layer entry '" + name + "': hardlink target '" + entry.getLinkName()
                    + "' is not a file written earlier in this layer");
        }
        Path dir = existingDirectory(targetPath.parent(), name);
        BasicFileAttributes targetAttributes = dir == null ? null : lstat(dir.resolve(targetPath.name()));
        if (targetAttributes == null || targetAttributes.isDirectory() || targetAttributes.isOther()) {
            throw new InvalidLayerException("layer entry '" + name + "': hardlink target '" + entry.getLinkName()
                    + "' is not a regular file or symlink of this layer");
        }
        Path existing = dir.resolve(targetPath.name());
        Path target = replaceable(path, name);
        // link(2) does not dereference a symlink target: the new name is another name of that symlink
        Files.createLink(target, existing);
        markWritten(path);
    }

    /** The path for a new non-directory entry, with whatever was there removed (never written through). */
    private Path replaceable(EntryPath path, String entryName) throws IOException {
        if (path.isRoot()) {
            throw new InvalidLayerException("layer entry '" + entryName + "': cannot replace the root directory");
        }
        return SafeTree.replaceable(root, path, label(entryName), new LayerWalk(entryName));
    }

    /** Removes an existing entry (a directory with everything beneath it) without following links. */
    void remove(EntryPath path, Path target, BasicFileAttributes existing) throws IOException {
        forget(path, existing.isDirectory());
        SafeTree.remove(target, existing);
    }

    /** Drops what this layer remembers about {@code path} (and, for a directory, what lies beneath it). */
    private void forget(EntryPath path, boolean directory) {
        if (directory) {
            String prefix = path.relative() + "/";
            written.removeIf(p -> p.startsWith(prefix));
            ancestors.removeIf(p -> p.startsWith(prefix));
            directoryTimes.keySet().removeIf(p -> p.startsWith(prefix));
        }
        written.remove(path.relative());
        ancestors.remove(path.relative());
        directoryTimes.remove(path.relative());
    }

    private void markWritten(EntryPath path) {
        written.add(path.relative());
    }

    private void applyOwnerAndMode(Path target, TarArchiveEntry entry, boolean symlink) throws IOException {
        long uid = entry.getLongUserId();
        long gid = entry.getLongGroupId();
        if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
            throw new InvalidLayerException(
                    "layer entry '" + entry.getName() + "': owner " + uid + ":" + gid + " is out of range");
        }
        try {
            OwnedFiles.chown(target, (int) uid, (int) gid);
        } catch (java.nio.file.FileSystemException e) {
            // EINVAL: an id the user namespace does not map (rootless mode maps 65536; docs/operations.md)
            if ("Invalid argument".equals(e.getReason())) {
                throw new InvalidLayerException(
                        "layer entry '" + entry.getName() + "': owner " + uid + ":" + gid
                                + " is beyond the ids this rootless locald maps",
                        e);
            }
            throw e;
        }
        if (!symlink) {
            // after chown, which clears setuid/setgid
            SafeTree.chmod(target, entry.getMode());
        }
    }

    private static void setTime(Path target, FileTime time) throws IOException {
        // never reached for FIFOs or devices: the JDK opens the file to set times and would block on a FIFO
        Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(time, null, null);
    }

    /** Applies the directory times recorded by this layer: last, since writing into a dir changes its mtime. */
    void finishDirectoryTimes() throws IOException {
        for (Map.Entry<String, FileTime> time : directoryTimes.entrySet()) {
            if (Thread.interrupted()) {
                throw new InterruptedIOException("layer extraction interrupted");
            }
            EntryPath path = new EntryPath(java.util.List.of(time.getKey().split("/")));
            Path dir = existingDirectory(path, time.getKey());
            if (dir != null) {
                setTime(dir, time.getValue());
            }
        }
    }
}

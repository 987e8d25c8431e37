package dev.locald.layer;

import static dev.locald.fs.NoFollow.lstat;

import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The copy fallback: applies extracted lower dirs (the {@link OverlayWhiteouts} form) bottom to top onto
 * one directory, doing in user space what the overlay mount does — xwhiteouts delete, opaque dirs
 * drop what lower layers put in them. Files are copied, not hardlinked to the shared layer store (a
 * container writing to a hardlinked file would change the store); hardlinks inside one layer stay
 * hardlinks. Symlinks are copied as links, never followed.
 */
public final class LowerDirFlattener {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private LowerDirFlattener() {}

    public static void flatten(List<Path> lowerDirsBottomToTop, Path target) throws IOException {
        for (Path layer : lowerDirsBottomToTop) {
            new LayerCopy().merge(layer, target, true);
        }
    }

    private static final class LayerCopy {
        /** Source inode → first copy, so that the layer's hardlinks stay hardlinks. */
        private final Map<Object, Path> copies = new HashMap<>();

        void merge(Path source, Path target, boolean layerRoot) throws IOException {
            String opaque = OverlayWhiteouts.read(source, OverlayWhiteouts.OPAQUE_XATTR);
            // as overlay does, an opaque marker on a layer's root is ignored
            if ("y".equals(opaque) && !layerRoot) {
                for (Path child : list(target)) {
                    remove(child);
                }
            }
            for (Path child : list(source)) {
                Path name = child.getFileName();
                PosixFileAttributes attributes = Files.readAttributes(child, PosixFileAttributes.class, NOFOLLOW);
                Path destination = target.resolve(name.toString());
                if ("x".equals(opaque)
                        && attributes.isRegularFile()
                        && attributes.size() == 0
                        && "y".equals(OverlayWhiteouts.read(child, OverlayWhiteouts.WHITEOUT_XATTR))) {
                    remove(destination);
                    continue;
                }
                BasicFileAttributes existing = lstat(destination);
                if (attributes.isDirectory()) {
                    if (existing != null && !existing.isDirectory()) {
                        Files.delete(destination);
                        existing = null;
                    }
                    if (existing == null) {
                        Files.createDirectory(destination);
                    }
                    merge(child, destination, false);
                    copyMetadata(child, destination, attributes);
                    continue;
                }
                if (existing != null) {
                    remove(destination);
                }
                if (attributes.isSymbolicLink()) {
                    Files.createSymbolicLink(destination, Files.readSymbolicLink(child));
                    Files.setAttribute(
                            destination, "unix:uid", Files.getAttribute(child, "unix:uid", NOFOLLOW), NOFOLLOW);
                    Files.setAttribute(
                            destination, "unix:gid", Files.getAttribute(child, "unix:gid", NOFOLLOW), NOFOLLOW);
                    Files.getFileAttributeView(destination, BasicFileAttributeView.class, NOFOLLOW)
                            .setTimes(attributes.lastModifiedTime(), null, null);
                } else if (attributes.isRegularFile()) {
                    Path first = attributes.fileKey() == null ? null : copies.get(attributes.fileKey());
                    if (first != null && lstat(first) != null) {
                        Files.createLink(destination, first);
                    } else {
                        Files.copy(child, destination, NOFOLLOW);
                        copyMetadata(child, destination, attributes);
                        if (attributes.fileKey() != null) {
                            copies.put(attributes.fileKey(), destination);
                        }
                    }
                } else {
                    throw new IOException("unexpected special file in an extracted layer: " + child);
                }
            }
        }

        private static void copyMetadata(Path source, Path destination, PosixFileAttributes attributes)
                throws IOException {
            Files.setAttribute(destination, "unix:uid", Files.getAttribute(source, "unix:uid", NOFOLLOW), NOFOLLOW);
            Files.setAttribute(destination, "unix:gid", Files.getAttribute(source, "unix:gid", NOFOLLOW), NOFOLLOW);
            // after chown, which clears setuid/setgid
            Files.setAttribute(
                    destination,
                    "unix:mode",
                    (Integer) Files.getAttribute(source, "unix:mode", NOFOLLOW) & 07777,
                    NOFOLLOW);
            Files.getFileAttributeView(destination, BasicFileAttributeView.class, NOFOLLOW)
                    .setTimes(attributes.lastModifiedTime(), null, null);
        }

        private static void remove(Path path) throws IOException {
            BasicFileAttributes attributes = lstat(path);
            if (attributes == null) {
                return;
            }
            if (attributes.isDirectory()) {
                TreeDeleter.deleteTree(path);
            } else {
                Files.delete(path);
            }
        }

        private static List<Path> list(Path dir) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(children::add);
            }
            return children;
        }
    }
}

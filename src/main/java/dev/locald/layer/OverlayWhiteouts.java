package dev.locald.layer;

import static dev.locald.fs.NoFollow.lstat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whiteouts in the form an overlay mount with {@code -o userxattr} reads from a lower layer (kernel ≥ 6.7,
 * proven on this kernel): a whiteout is an empty regular file carrying {@code user.overlay.whiteout=y}
 * whose parent carries {@code user.overlay.opaque=x}; an opaque directory carries
 * {@code user.overlay.opaque=y}. Everything is settable from Java without mknod or privileges.
 *
 * <p>Markers are written after the last entry, because OCI allows {@code .wh..wh..opq} after entries of
 * the same directory, and a whiteout only ever hides lower content:
 * <ul>
 *   <li>a whiteout of a non-directory this layer writes does nothing (the entry hides the lower one);</li>
 *   <li>a whiteout of a directory this layer writes (or writes into) makes that directory opaque;</li>
 *   <li>no whiteout file is made beneath an opaque directory: the kernel does not look for xwhiteouts
 *       there and would show them as empty files (verified), and nothing below is visible anyway.</li>
 * </ul>
 */
public final class OverlayWhiteouts implements Whiteouts {

    public static final String WHITEOUT_XATTR = "overlay.whiteout";
    public static final String OPAQUE_XATTR = "overlay.opaque";

    private final LayerTree tree;
    private final Map<EntryPath, String> whiteouts = new LinkedHashMap<>();
    private final Map<EntryPath, String> opaque = new LinkedHashMap<>();

    OverlayWhiteouts(LayerTree tree) {
        this.tree = tree;
    }

    @Override
    public void whiteout(EntryPath path, String entryName) {
        whiteouts.putIfAbsent(path, entryName);
    }

    @Override
    public void opaque(EntryPath dir, String entryName) throws InvalidLayerException {
        if (dir.isRoot()) {
            // overlay ignores an opaque marker on a lower layer's root (verified), so it cannot be honoured
            throw new InvalidLayerException("layer entry '" + entryName + "': an opaque root directory cannot be "
                    + "represented as an overlay layer");
        }
        opaque.putIfAbsent(dir, entryName);
    }

    @Override
    public void finish() throws IOException {
        List<Map.Entry<EntryPath, String>> files = new ArrayList<>();
        for (Map.Entry<EntryPath, String> whiteout : whiteouts.entrySet()) {
            EntryPath path = whiteout.getKey();
            boolean thisLayers = tree.writtenByThisLayer(path) || tree.holdsThisLayersContent(path);
            if (!thisLayers) {
                files.add(whiteout);
                continue;
            }
            Path parent = tree.existingDirectory(path.parent(), whiteout.getValue());
            BasicFileAttributes attributes = parent == null ? null : lstat(parent.resolve(path.name()));
            if (attributes != null && attributes.isDirectory()) {
                opaque.putIfAbsent(path, whiteout.getValue());
            }
        }
        Set<EntryPath> opaqueDirs = new LinkedHashSet<>(opaque.keySet());
        for (Map.Entry<EntryPath, String> dir : opaque.entrySet()) {
            write(tree.directory(dir.getKey(), dir.getValue()), OPAQUE_XATTR, "y");
        }
        for (Map.Entry<EntryPath, String> whiteout : files) {
            EntryPath path = whiteout.getKey();
            if (opaqueDirs.stream().anyMatch(path.parent()::isWithin)) {
                continue;
            }
            Path parent = tree.parentDirectory(path, whiteout.getValue());
            Path marker = parent.resolve(path.name());
            BasicFileAttributes existing = lstat(marker);
            if (existing != null) {
                // an opaque marker below made this directory: as an opaque dir it hides the lower one too
                continue;
            }
            Files.createFile(marker);
            write(marker, WHITEOUT_XATTR, "y");
            if (!"y".equals(read(parent, OPAQUE_XATTR))) {
                write(parent, OPAQUE_XATTR, "x");
            }
        }
    }

    public static void write(Path path, String name, String value) throws IOException {
        view(path).write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    static String read(Path path, String name) throws IOException {
        UserDefinedFileAttributeView view = view(path);
        if (!view.list().contains(name)) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate(view.size(name));
        view.read(name, buffer);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static UserDefinedFileAttributeView view(Path path) {
        return Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }
}

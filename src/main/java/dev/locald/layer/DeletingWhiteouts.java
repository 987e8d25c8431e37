package dev.locald.layer;

import static dev.locald.fs.NoFollow.lstat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Whiteouts applied to a flat tree that already holds the lower layers: the whited-out path is deleted,
 * an opaque directory loses every child that this layer did not write — also when the marker comes
 * after this layer's entries in the same directory. The rules match {@link OverlayWhiteouts}, so a flat
 * tree and an overlay mount of the same layers look the same.
 */
final class DeletingWhiteouts implements Whiteouts {

    private final LayerTree tree;

    DeletingWhiteouts(LayerTree tree) {
        this.tree = tree;
    }

    @Override
    public void whiteout(EntryPath path, String entryName) throws IOException {
        Path parent = tree.existingDirectory(path.parent(), entryName);
        if (parent == null) {
            return;
        }
        Path victim = parent.resolve(path.name());
        BasicFileAttributes attributes = lstat(victim);
        if (attributes == null) {
            return;
        }
        if (tree.writtenByThisLayer(path) || tree.holdsThisLayersContent(path)) {
            if (attributes.isDirectory()) {
                prune(path, victim);
            }
            return;
        }
        tree.remove(path, victim, attributes);
    }

    @Override
    public void opaque(EntryPath dir, String entryName) throws IOException {
        // the marker says this layer has the directory: made (or made a directory) as in the overlay form
        prune(dir, tree.directory(dir, entryName));
    }

    @Override
    public void finish() {
        // everything happened as the entries came
    }

    /** Deletes what lower layers left beneath {@code dir}, keeping this layer's entries. */
    private void prune(EntryPath dir, Path directory) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(children::add);
        }
        for (Path child : children) {
            EntryPath childPath = dir.child(child.getFileName().toString());
            BasicFileAttributes attributes = lstat(child);
            if (attributes == null) {
                continue;
            }
            if (tree.writtenByThisLayer(childPath) || tree.holdsThisLayersContent(childPath)) {
                if (attributes.isDirectory()) {
                    prune(childPath, child);
                }
            } else {
                tree.remove(childPath, child, attributes);
            }
        }
    }
}

package dev.locald.rootfs;

import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A root filesystem assembled for one container: an overlay mount over shared layer dirs with its own
 * upper dir, or (fallback) a private flat copy. {@link #close()} unmounts and deletes everything the
 * assembly created — never the layer dirs — without following links.
 */
public final class AssembledRootfs implements AutoCloseable {

    private final Path assemblyDir;
    private final Path root;
    private final boolean overlay;
    private boolean mounted;
    private boolean closed;

    AssembledRootfs(Path assemblyDir, Path root, boolean overlay) {
        this.assemblyDir = assemblyDir;
        this.root = root;
        this.overlay = overlay;
        this.mounted = overlay;
    }

    /** The directory to use as the container's root. */
    public Path root() {
        return root;
    }

    /** Whether {@link #root()} is an overlay mount (false: a flat copy). */
    public boolean overlay() {
        return overlay;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        if (mounted) {
            OverlayMount.unmount(root);
            mounted = false;
        }
        // refuses (and deletes nothing) should anything still be mounted in the assembly
        TreeDeleter.deleteTree(assemblyDir);
        closed = true;
    }
}

package dev.locald.janitor;

import dev.locald.builds.BuildId;
import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mounts under the builds' work directories ({@code <data>/work/<build id>/…}, where executors assemble
 * root filesystems): finds those whose build is not running and unmounts them, deepest first, so that
 * the directories beneath can be deleted. Mounts anywhere else are never touched.
 */
final class WorkMounts {

    private final Path workRoot;
    private final MountTable mounts;

    /** Reads and changes the mount table; a seam so that the choice of mounts can be tested on its own. */
    public interface MountTable {
        List<Path> mountPoints() throws IOException;

        void unmount(Path point) throws IOException, InterruptedException;
    }

    public WorkMounts(Path workRoot, MountTable mounts) {
        this.workRoot = workRoot.toAbsolutePath().normalize();
        this.mounts = mounts;
    }

    /** The host's mount table of this process's namespace, changed with umount(8). */
    public static MountTable host() {
        return new MountTable() {
            @Override
            public List<Path> mountPoints() throws IOException {
                return TreeDeleter.mountPoints();
            }

            @Override
            public void unmount(Path point) throws IOException, InterruptedException {
                // --no-canonicalize: umount must not resolve symlinks in a path it was given by us
                Process umount = new ProcessBuilder("umount", "--no-canonicalize", point.toString())
                        .redirectErrorStream(true)
                        .start();
                String output = new String(umount.getInputStream().readAllBytes()).trim();
                if (umount.waitFor() != 0) {
                    throw new IOException("umount " + point + " failed: " + output);
                }
            }
        };
    }

    /** Unmounts everything under the work root that belongs to no build in {@code live}; returns what it unmounted. */
    public List<Path> unmountOrphans(Set<BuildId> live) throws IOException, InterruptedException {
        List<Path> doomed = new ArrayList<>();
        for (Path point : mounts.mountPoints()) {
            if (!point.startsWith(workRoot) || point.equals(workRoot)) {
                continue;
            }
            Optional<BuildId> owner =
                    BuildId.parse(workRoot.relativize(point).getName(0).toString());
            if (owner.isEmpty() || !live.contains(owner.get())) {
                doomed.add(point);
            }
        }
        return unmountDeepestFirst(doomed);
    }

    /** Unmounts everything under {@code <work root>/<id>} (crash recovery of one build). */
    public List<Path> unmountBuild(BuildId id) throws IOException, InterruptedException {
        Path dir = workRoot.resolve(id.value());
        List<Path> doomed = new ArrayList<>();
        for (Path point : mounts.mountPoints()) {
            if (point.startsWith(dir)) {
                doomed.add(point);
            }
        }
        return unmountDeepestFirst(doomed);
    }

    private List<Path> unmountDeepestFirst(List<Path> points) throws IOException, InterruptedException {
        List<Path> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        // a point listed twice has two stacked mounts: each listing is one umount
        for (Path point : sorted) {
            mounts.unmount(point);
        }
        return sorted;
    }
}

package dev.locald.runtime;

import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Crash recovery at startup: removes every container in locald's own runc root, the pasta processes of
 * isolated networks (by the pid files in the bundles), the mounts left under the bundles directory
 * (isolated networks' bound namespaces among them), the bundle directories and the cgroups left under locald's cgroup parent.
 * Must run before the first container starts (nothing of a live locald may be in these places).
 */
public final class ContainerSweeper {

    private static final Logger LOG = Logger.getLogger(ContainerSweeper.class);

    /** What a sweep removed. */
    public record Report(
            List<String> containers,
            List<String> mounts,
            List<String> bundles,
            List<String> cgroups,
            List<Long> networkHelpers) {
        public Report(List<String> containers, List<String> mounts, List<String> bundles, List<String> cgroups) {
            this(containers, mounts, bundles, cgroups, List.of());
        }

        public boolean isEmpty() {
            return containers.isEmpty()
                    && mounts.isEmpty()
                    && bundles.isEmpty()
                    && cgroups.isEmpty()
                    && networkHelpers.isEmpty();
        }
    }

    private final RuncClient runc;
    private final CgroupLayout cgroups;
    private final String cgroupParent;
    private final Path bundlesDir;

    public ContainerSweeper(RuncClient runc, CgroupLayout cgroups, String cgroupParent, Path bundlesDir) {
        this.runc = runc;
        this.cgroups = cgroups;
        this.cgroupParent = cgroupParent;
        this.bundlesDir = bundlesDir.toAbsolutePath();
    }

    public Report sweep() throws IOException, InterruptedException {
        List<String> containers = new ArrayList<>();
        for (RuncContainer container : runc.list()) {
            runc.deleteForce(container.id());
            containers.add(container.id());
        }
        // pasta keeps an isolated network alive; end it before its bound namespace file is unmounted
        List<Long> networkHelpers = new ArrayList<>();
        if (Files.isDirectory(bundlesDir)) {
            try (Stream<Path> children = Files.list(bundlesDir)) {
                for (Path bundle : children.toList()) {
                    IsolatedNetwork.killLeftPasta(bundle).ifPresent(networkHelpers::add);
                }
            }
        }
        List<String> mounts = unmountUnder(bundlesDir);
        List<String> bundles = new ArrayList<>();
        if (Files.isDirectory(bundlesDir)) {
            try (Stream<Path> children = Files.list(bundlesDir)) {
                for (Path bundle : children.toList()) {
                    TreeDeleter.deleteTree(bundle);
                    bundles.add(bundle.getFileName().toString());
                }
            }
        }
        List<String> leftCgroups = new ArrayList<>(cgroups.children(cgroupParent));
        cgroups.removeTree(cgroupParent);
        Report report = new Report(containers, mounts, bundles, leftCgroups, networkHelpers);
        if (!report.isEmpty()) {
            LOG.infof(
                    "removed what a previous run left: containers %s, mounts %s, bundles %s, cgroups %s,"
                            + " network helpers (pasta pids) %s",
                    containers, mounts, bundles, leftCgroups, networkHelpers);
        }
        return report;
    }

    /** Unmounts (deepest first) every mount point below {@code dir}, as listed in /proc/self/mountinfo. */
    static List<String> unmountUnder(Path dir) throws IOException, InterruptedException {
        String prefix = dir.toString() + "/";
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4) {
                String point = fields[4].replace("\\040", " ").replace("\\134", "\\");
                if (point.startsWith(prefix)) {
                    points.add(point);
                }
            }
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            Process umount = new ProcessBuilder("umount", point)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(umount.getInputStream().readAllBytes()).trim();
            if (umount.waitFor() != 0) {
                throw new IOException("umount " + point + " failed: " + output);
            }
        }
        return points;
    }
}

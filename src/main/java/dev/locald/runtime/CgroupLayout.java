package dev.locald.runtime;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where runc puts a container whose {@code cgroupsPath} is relative: in every hierarchy, below the
 * cgroup locald itself runs in (runc is locald's child). Used to watch the memory cgroup and to remove
 * what runc leaves behind (it never removes the parents of a relative path).
 */
public final class CgroupLayout {

    /** One mounted hierarchy and locald's own cgroup in it. */
    record Hierarchy(Set<String> controllers, Path mountPoint, String ownPath) {
        Path dir(String relative) {
            Path base = ownPath.equals("/") ? mountPoint : mountPoint.resolve(ownPath.substring(1));
            return base.resolve(relative);
        }
    }

    private final List<Hierarchy> hierarchies;

    CgroupLayout(List<Hierarchy> hierarchies) {
        this.hierarchies = List.copyOf(hierarchies);
    }

    /** No hierarchy: containers get no cgroups (rootless, {@link RunMode}). */
    public static CgroupLayout none() {
        return new CgroupLayout(List.of());
    }

    /** The layout of the current process, from /proc/self/cgroup and /proc/self/mountinfo. */
    public static CgroupLayout ofCurrentProcess() throws IOException {
        return parse(Files.readString(Path.of("/proc/self/cgroup")), Files.readString(Path.of("/proc/self/mountinfo")));
    }

    static CgroupLayout parse(String procCgroup, String mountinfo) {
        record CgroupMount(String fsType, Set<String> options, Path mountPoint, String root) {}
        List<CgroupMount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (after.length >= 3 && (after[0].equals("cgroup") || after[0].equals("cgroup2"))) {
                mounts.add(new CgroupMount(
                        after[0],
                        new HashSet<>(Arrays.asList(after[2].split(","))),
                        Path.of(unescape(before[4])),
                        unescape(before[3])));
            }
        }
        List<Hierarchy> hierarchies = new ArrayList<>();
        for (String line : procCgroup.split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length != 3) {
                continue;
            }
            Set<String> controllers = fields[1].isEmpty() ? Set.of() : Set.of(fields[1].split(","));
            Optional<CgroupMount> mount = mounts.stream()
                    .filter(m -> controllers.isEmpty()
                            ? m.fsType().equals("cgroup2")
                            : m.fsType().equals("cgroup") && m.options().containsAll(controllers))
                    .findFirst();
            if (mount.isEmpty()) {
                continue;
            }
            String own = fields[2];
            String root = mount.get().root();
            // inside a cgroup namespace or a bind-mounted subtree, the mount shows only part of the tree
            if (!root.equals("/") && own.startsWith(root)) {
                own = own.substring(root.length());
                own = own.isEmpty() ? "/" : own;
            }
            hierarchies.add(new Hierarchy(controllers, mount.get().mountPoint(), own));
        }
        return new CgroupLayout(hierarchies);
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\");
    }

    /** The directories of {@code relative} in every hierarchy (existing or not). */
    public List<Path> dirs(String relative) {
        return hierarchies.stream().map(h -> h.dir(relative)).toList();
    }

    /** The memory controller's directory for {@code relative}, when the memory controller is mounted. */
    public Optional<Path> memoryDir(String relative) {
        return controllerDir("memory", relative);
    }

    /** The directory of {@code relative} in the hierarchy of {@code controller}, when that controller is mounted. */
    public Optional<Path> controllerDir(String controller, String relative) {
        return hierarchies.stream()
                .filter(h -> h.controllers().contains(controller))
                .findFirst()
                .map(h -> h.dir(relative));
    }

    /**
     * Removes {@code relative} and every cgroup below it in every hierarchy (deepest first). Fails when a
     * cgroup still has tasks.
     */
    public void removeTree(String relative) throws IOException {
        for (Path dir : dirs(relative)) {
            removeDirTree(dir);
        }
    }

    /**
     * Removes {@code relative} in every hierarchy where it has no child cgroups left; where another
     * container still has one below it, it stays.
     *
     * @return whether it is gone everywhere
     */
    public boolean removeIfUnused(String relative) throws IOException {
        boolean gone = true;
        for (Path dir : dirs(relative)) {
            try {
                Files.delete(dir);
            } catch (NoSuchFileException e) {
                // already gone
            } catch (DirectoryNotEmptyException e) {
                gone = false;
            } catch (FileSystemException e) {
                if (childDirs(dir).isEmpty()) {
                    throw e;
                }
                gone = false;
            }
        }
        return gone;
    }

    /** The names of the cgroups directly below {@code relative}, over all hierarchies. */
    public Set<String> children(String relative) throws IOException {
        Set<String> names = new HashSet<>();
        for (Path dir : dirs(relative)) {
            childDirs(dir).forEach(child -> names.add(child.getFileName().toString()));
        }
        return names;
    }

    private static void removeDirTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        for (Path child : childDirs(dir)) {
            removeDirTree(child);
        }
        try {
            // rmdir: a cgroup directory goes away with its control files once it has no tasks
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            // removed concurrently (runc finishing its own teardown)
        }
    }

    private static List<Path> childDirs(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}

package dev.locald.lifecycle;

import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The directories one build hands to its phases — {@code /layers}, {@code /workspace}, {@code /platform}
 * and the repository's {@code /cache} — created fresh under the build's work dir and owned by the CNB
 * user, so that no phase needs root (kpack's model).
 */
public final class BuildWorkspace {

    private final Path root;
    private final Map<BuildDir, Path> dirs = new EnumMap<>(BuildDir.class);

    private BuildWorkspace(Path root) {
        this.root = root;
    }

    /** Creates {@code layers}, {@code workspace} and {@code platform} under {@code workDir}, owned by {@code owner}. */
    public static BuildWorkspace create(Path workDir, CnbUser owner, Optional<Path> cacheDir) throws IOException {
        BuildWorkspace workspace = new BuildWorkspace(workDir);
        workspace.dirs.put(BuildDir.LAYERS, ownedDir(workDir.resolve("layers"), owner));
        workspace.dirs.put(BuildDir.WORKSPACE, ownedDir(workDir.resolve("workspace"), owner));
        workspace.dirs.put(BuildDir.PLATFORM, ownedDir(workDir.resolve("platform"), owner));
        cacheDir.ifPresent(dir -> workspace.dirs.put(BuildDir.CACHE, dir));
        return workspace;
    }

    private static Path ownedDir(Path dir, CnbUser owner) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " already exists; a build's directories are always fresh");
        }
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
        return dir;
    }

    public Path root() {
        return root;
    }

    public Path layers() {
        return dirs.get(BuildDir.LAYERS);
    }

    public Path workspace() {
        return dirs.get(BuildDir.WORKSPACE);
    }

    public Path platform() {
        return dirs.get(BuildDir.PLATFORM);
    }

    /** The host directory behind one of the build dirs a phase mounts. */
    public Path dir(BuildDir dir) {
        Path path = dirs.get(dir);
        if (path == null) {
            throw new IllegalStateException("this build has no " + dir + " directory");
        }
        return path;
    }
}

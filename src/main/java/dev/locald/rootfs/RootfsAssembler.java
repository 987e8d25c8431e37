package dev.locald.rootfs;

import dev.locald.config.LocaldConfig;
import dev.locald.config.LocaldConfig.Rootfs.OverlayMode;
import dev.locald.fs.TreeDeleter;
import dev.locald.layer.LowerDirFlattener;
import dev.locald.layer.OverlayWhiteouts;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Assembles a container root from extracted layer dirs. With overlay (the normal case) assembly is one
 * mount, O(1) in image size: {@code lowerdir} = the layers top first, a fresh upper and work dir per
 * assembly, {@code -o userxattr} so that the {@link OverlayWhiteouts xwhiteouts} count, {@code volatile}
 * because the upper dir is thrown away on close (a container's durable output goes to bind mounts). Without it, the
 * layers are copied into a private directory ({@link LowerDirFlattener}).
 *
 * <p>Layout of one assembly, in a fresh 0700 directory under the work dir (0700 keeps host users away
 * from setuid binaries of the image): {@code l/<n>} short links to the layer dirs (so that hundreds of
 * layers fit into the one page of mount options), {@code u} upper, {@code w} work, {@code m} the root.
 */
@Singleton
public final class RootfsAssembler {

    private static final Logger LOG = Logger.getLogger(RootfsAssembler.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final OverlayMode mode;
    private Boolean overlayWorks;
    private String overlayProblem;

    @Inject
    public RootfsAssembler(LocaldConfig config) {
        this(config.rootfs().overlay());
    }

    public RootfsAssembler(OverlayMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /**
     * Assembles the layers (bottom layer first) into a new root under {@code workDir}. The layer dirs are
     * only read. Close the result to unmount and delete the assembly.
     */
    public AssembledRootfs assemble(List<Path> lowerDirsBottomToTop, Path workDir) throws IOException {
        if (lowerDirsBottomToTop.isEmpty()) {
            throw new IllegalArgumentException("an image needs at least one layer");
        }
        List<Path> layers = new ArrayList<>();
        for (Path layer : lowerDirsBottomToTop) {
            if (!Files.isDirectory(layer, NOFOLLOW)) {
                throw new IOException("layer dir is missing or not a directory: " + layer);
            }
            layers.add(layer.toAbsolutePath());
        }
        Files.createDirectories(workDir);
        boolean overlay = useOverlay(workDir);
        Path assembly = Files.createTempDirectory(
                workDir, "rootfs-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path root = assembly.resolve("m");
            createDirectory(root, "rwxr-xr-x");
            if (overlay) {
                mountOverlay(assembly, layers);
            } else {
                LowerDirFlattener.flatten(layers, root);
            }
            return new AssembledRootfs(assembly, root, overlay);
        } catch (IOException | RuntimeException e) {
            try {
                if (overlay && OverlayMount.isMountPoint(assembly.resolve("m"))) {
                    OverlayMount.unmount(assembly.resolve("m"));
                }
                TreeDeleter.deleteTree(assembly);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Whether assemblies use overlay (probing once under {@code workDir} in {@code auto} mode, exactly as the
     * first {@link #assemble} would); when not, {@link #overlayProblem()} says why.
     */
    public boolean usesOverlay(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        return useOverlay(workDir);
    }

    /** The configured mode. */
    public OverlayMode mode() {
        return mode;
    }

    /** Why overlay is not used, when {@code auto} found it unavailable; empty otherwise. */
    public synchronized String overlayProblem() {
        return overlayProblem == null ? "" : overlayProblem;
    }

    private static void mountOverlay(Path assembly, List<Path> layers) throws IOException {
        Path links = assembly.resolve("l");
        Files.createDirectory(links);
        List<String> lowersTopFirst = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Files.createSymbolicLink(
                    links.resolve(Integer.toString(i)), layers.get(i).toAbsolutePath());
            lowersTopFirst.add(0, "l/" + i);
        }
        // the upper root's attributes are what the container sees as "/"
        createDirectory(assembly.resolve("u"), "rwxr-xr-x");
        createDirectory(assembly.resolve("w"), "rwx------");
        OverlayMount.mount(assembly, lowersTopFirst, "u", "w", "m");
    }

    private synchronized boolean useOverlay(Path workDir) {
        return switch (mode) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> {
                if (overlayWorks == null) {
                    overlayWorks = probe(workDir);
                }
                yield overlayWorks;
            }
        };
    }

    /**
     * Mounts a two-layer overlay whose top layer whites out a file of the bottom one, the way real
     * assemblies do, and checks the result: a kernel without xwhiteout support would show the file.
     */
    private boolean probe(Path workDir) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(workDir, "overlay-probe-");
            Path bottom = Files.createDirectory(dir.resolve("bottom"));
            Files.writeString(bottom.resolve("hidden"), "lower");
            Files.writeString(bottom.resolve("kept"), "lower");
            Path top = Files.createDirectory(dir.resolve("top"));
            Files.createFile(top.resolve("hidden"));
            OverlayWhiteouts.write(top.resolve("hidden"), OverlayWhiteouts.WHITEOUT_XATTR, "y");
            OverlayWhiteouts.write(top, OverlayWhiteouts.OPAQUE_XATTR, "x");
            try (AssembledRootfs rootfs = probeAssembly(dir, List.of(bottom, top))) {
                Path root = rootfs.root();
                if (Files.exists(root.resolve("hidden"), NOFOLLOW) || !Files.exists(root.resolve("kept"), NOFOLLOW)) {
                    overlayProblem = "overlay mounts but ignores user.overlay xwhiteouts (kernel older than 6.7?)";
                    LOG.warnf("rootfs: %s; copying layers instead", overlayProblem);
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            overlayProblem = "overlay with userxattr is unavailable: " + e.getMessage();
            LOG.warnf("rootfs: %s; copying layers instead", overlayProblem);
            return false;
        } finally {
            if (dir != null) {
                try {
                    TreeDeleter.deleteTree(dir);
                } catch (IOException e) {
                    LOG.warnf("rootfs: could not delete overlay probe dir %s: %s", dir, e.getMessage());
                }
            }
        }
    }

    private static AssembledRootfs probeAssembly(Path dir, List<Path> layers) throws IOException {
        Path assembly = Files.createDirectory(dir.resolve("assembly"));
        createDirectory(assembly.resolve("m"), "rwxr-xr-x");
        mountOverlay(assembly, layers);
        return new AssembledRootfs(assembly, assembly.resolve("m"), true);
    }

    private static void createDirectory(Path dir, String permissions) throws IOException {
        Files.createDirectory(dir);
        // explicit: the process umask must not decide what the container sees
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(permissions));
    }
}

package dev.locald.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.config.LocaldConfig.Rootfs.OverlayMode;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.LayerCompression;
import dev.locald.layer.LayerExtractor;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RootModeOnly;
import dev.locald.testsupport.SampleImages;
import dev.locald.testsupport.Sandbox;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TreeListing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole images: layers extracted with {@link LayerExtractor}, assembled by overlay and by the copy
 * fallback, and applied flat — each compared with what {@code umoci unpack} makes of the same layers.
 */
class RootfsAssemblerTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private Sandbox sandbox;

    @BeforeEach
    void createSandbox() throws IOException {
        sandbox = Sandbox.create();
    }

    @AfterEach
    void unmountAndDelete() throws IOException, InterruptedException {
        // a failed test must not leave a mount behind, nor delete through one
        for (Path mountPoint : TreeDeleter.mountPoints()) {
            if (mountPoint.startsWith(sandbox.base)) {
                run("umount", "-l", mountPoint.toString());
            }
        }
        sandbox.close();
    }

    @Test
    void overlayCopyFallbackAndFlatApplyAllMatchUmoci() throws Exception {
        List<TestImage.Layer> layers = SampleImages.whiteoutsLinksAndOwners();
        SortedMap<String, String> umoci = umociUnpack(layers);
        assertTrue(umoci.containsKey("/opt/app/new1") && !umoci.containsKey("/opt/app/old1"), umoci.toString());

        List<Path> lowers = extractEach(layers);
        try (AssembledRootfs rootfs = new RootfsAssembler(OverlayMode.TRUE).assemble(lowers, workDir())) {
            assertTrue(rootfs.overlay());
            assertEquals(umoci, TreeListing.of(rootfs.root()), "overlay view differs from umoci");
            assertEquals(
                    Files.getAttribute(rootfs.root().resolve("e/f"), "unix:ino"),
                    Files.getAttribute(rootfs.root().resolve("e/g"), "unix:ino"),
                    "hardlinks stay hardlinks");
        }
        try (AssembledRootfs rootfs = new RootfsAssembler(OverlayMode.FALSE).assemble(lowers, workDir())) {
            assertFalse(rootfs.overlay());
            assertEquals(umoci, TreeListing.of(rootfs.root()), "copy fallback differs from umoci");
            assertEquals(
                    Files.getAttribute(rootfs.root().resolve("e/f"), "unix:ino"),
                    Files.getAttribute(rootfs.root().resolve("e/g"), "unix:ino"),
                    "hardlinks stay hardlinks");
        }
        Path flat = Files.createDirectory(sandbox.base.resolve("flat"));
        LayerExtractor extractor = new LayerExtractor(Sandbox.LIMITS);
        for (TestImage.Layer layer : layers) {
            extractor.applyFlat(
                    new ByteArrayInputStream(
                            dev.locald.testsupport.ImagePusher.compress(layer.tar(), layer.compression())),
                    LayerCompression.valueOf(layer.compression().name()),
                    Sandbox.diffId(layer.tar()),
                    flat);
        }
        assertEquals(umoci, TreeListing.of(flat), "flat apply differs from umoci");
    }

    @Test
    @RootModeOnly("it tars the host's own directories, which a user namespace sees as nobody's and partly cannot read")
    void aGnuTarOfRealHostDirectoriesMatchesUmoci() throws Exception {
        // GNU tar's own format (long names, hardlinks, real modes) over real trees, then a layer on top
        Process tar = new ProcessBuilder(
                        "tar",
                        "--numeric-owner",
                        "--format=gnu",
                        "-C",
                        "/",
                        "-cf",
                        "-",
                        "etc",
                        "usr/share/zoneinfo",
                        "usr/lib/os-release",
                        "bin/busybox")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] host = tar.getInputStream().readAllBytes();
        tar.waitFor();
        assertTrue(host.length > 1 << 20, "tar produced " + host.length + " bytes");
        List<TestImage.Layer> layers = List.of(
                new TestImage.Layer(host, TestImage.Compression.GZIP),
                new TestImage.Layer(
                        LayerTar.create()
                                .whiteout("etc/passwd")
                                .opaque("etc/ssl")
                                .dir("etc/ssl")
                                .file("etc/ssl/only", "only")
                                .whiteout("usr/share/zoneinfo/Europe")
                                .toBytes(),
                        TestImage.Compression.ZSTD));
        SortedMap<String, String> umoci = umociUnpack(layers);
        assertTrue(umoci.size() > 500 && !umoci.containsKey("/etc/passwd"), "umoci listed " + umoci.size());
        try (AssembledRootfs rootfs = new RootfsAssembler(OverlayMode.TRUE).assemble(extractEach(layers), workDir())) {
            assertEquals(umoci, TreeListing.of(rootfs.root()), "overlay view differs from umoci");
        }
    }

    @Test
    void overlayAndFlatAgreeOnEdgeCasesUmociResolvesDifferently() throws Exception {
        // a parent that a lower layer made a symlink becomes a directory; whiteouts of this layer's own
        // paths; a whiteout below an opaque dir; an opaque marker before the dir's entries
        List<TestImage.Layer> layers = List.of(
                new TestImage.Layer(
                        LayerTar.create()
                                .dir("usr")
                                .dir("usr/lib")
                                .file("usr/lib/a", "a")
                                .symlink("lib", "usr/lib")
                                .dir("w")
                                .file("w/lower", "l")
                                .dir("w/sub")
                                .file("w/sub/lower", "l")
                                .dir("o")
                                .file("o/lower", "l")
                                .dir("o/sub")
                                .file("o/sub/lower", "l")
                                .file("o/sub/z", "z")
                                .file("same", "lower")
                                .dir("recreated")
                                .file("recreated/lower", "l")
                                .symlink("s2", "usr/lib")
                                .toBytes(),
                        TestImage.Compression.NONE),
                new TestImage.Layer(
                        LayerTar.create()
                                .dir("lib")
                                .file("lib/b", "b")
                                .file("w/new", "n")
                                .whiteout("w/new")
                                .whiteout("w/sub")
                                .dir("w/sub")
                                .file("w/sub/new", "n")
                                .opaque("o")
                                .dir("o/sub")
                                .whiteout("o/sub/z")
                                .file("o/sub/new", "n")
                                .file("same", "upper")
                                .whiteout("same")
                                .file("recreated/new", "n")
                                .whiteout("recreated")
                                .opaque("s2")
                                .toBytes(),
                        TestImage.Compression.NONE));
        List<Path> lowers = extractEach(layers);
        Path flat = Files.createDirectory(sandbox.base.resolve("flat"));
        for (TestImage.Layer layer : layers) {
            new LayerExtractor(Sandbox.LIMITS)
                    .applyFlat(
                            new ByteArrayInputStream(layer.tar()),
                            LayerCompression.NONE,
                            Sandbox.diffId(layer.tar()),
                            flat);
        }
        SortedMap<String, String> expected = TreeListing.of(flat);
        assertEquals("d 0755 0:0", expected.get("/lib"));
        assertEquals("d 0755 0:0", expected.get("/s2"));
        assertTrue(expected.containsKey("/usr/lib/a"), expected.toString());
        assertFalse(expected.containsKey("/w/sub/lower"), expected.toString());
        assertFalse(expected.containsKey("/o/lower"), expected.toString());
        assertFalse(expected.containsKey("/o/sub/z"), expected.toString());
        assertFalse(expected.containsKey("/recreated/lower"), expected.toString());
        assertTrue(expected.containsKey("/w/new") && expected.containsKey("/recreated/new"), expected.toString());
        assertTrue(expected.get("/same").contains(" 5 "), expected.toString());
        for (OverlayMode mode : new OverlayMode[] {OverlayMode.TRUE, OverlayMode.FALSE}) {
            try (AssembledRootfs rootfs = new RootfsAssembler(mode).assemble(lowers, workDir())) {
                assertEquals(expected, TreeListing.of(rootfs.root()), "overlay=" + mode);
            }
        }
    }

    @Test
    void aParentDirMissingFromAnUpperLayerShowsAsRoot0755AsWithDockerOverlay2() throws Exception {
        // a layer dir cannot see the layers below it: a parent that the tar omits is created 0755 root,
        // and as the upper-most copy of that dir its attributes win in the overlay (Docker's overlay2 does
        // the same); real builders emit every parent. applyFlat sees the lower dir and keeps it.
        List<TestImage.Layer> layers = List.of(
                new TestImage.Layer(
                        LayerTar.create()
                                .dir("home")
                                .dir("home/user", 0700, 1000, 1000)
                                .toBytes(),
                        TestImage.Compression.NONE),
                new TestImage.Layer(
                        LayerTar.create()
                                .file("home/user/.profile", "x", 0644, 1000, 1000)
                                .toBytes(),
                        TestImage.Compression.NONE));
        try (AssembledRootfs rootfs = new RootfsAssembler(OverlayMode.TRUE).assemble(extractEach(layers), workDir())) {
            assertEquals("d 0755 0:0", TreeListing.describe(rootfs.root().resolve("home/user")));
        }
        Path flat = Files.createDirectory(sandbox.base.resolve("flat"));
        for (TestImage.Layer layer : layers) {
            new LayerExtractor(Sandbox.LIMITS)
                    .applyFlat(
                            new ByteArrayInputStream(layer.tar()),
                            LayerCompression.NONE,
                            Sandbox.diffId(layer.tar()),
                            flat);
        }
        assertEquals("d 0700 1000:1000", TreeListing.describe(flat.resolve("home/user")));
    }

    @Test
    void writesGoToTheUpperDirAndCloseRemovesEverythingButTheLayers() throws Exception {
        List<Path> lowers = extractEach(SampleImages.whiteoutsLinksAndOwners());
        SortedMap<String, String> layersBefore = listAll(lowers);
        Path workDir = workDir();
        Path root;
        try (AssembledRootfs rootfs = new RootfsAssembler(OverlayMode.TRUE).assemble(lowers, workDir)) {
            root = rootfs.root();
            assertEquals(
                    "700", Integer.toOctalString((Integer) Files.getAttribute(root.getParent(), "unix:mode") & 0777));
            Files.writeString(root.resolve("etc/keep"), "changed by a build");
            Files.delete(root.resolve("usr/bin/tool"));
            Files.createDirectories(root.resolve("workspace/app"));
            try (AssembledRootfs second = new RootfsAssembler(OverlayMode.TRUE).assemble(lowers, workDir)) {
                assertEquals(
                        "new keep", Files.readString(second.root().resolve("etc/keep")), "each assembly is pristine");
                assertTrue(Files.exists(second.root().resolve("usr/bin/tool")));
            }
        }
        assertFalse(TreeDeleter.mountPoints().contains(root), "unmounted");
        try (var left = Files.list(workDir)) {
            assertEquals(0, left.count(), "nothing of the assembly is left");
        }
        assertEquals(layersBefore, listAll(lowers), "the shared layer dirs are unchanged");
    }

    @Test
    void aFailedAssemblyLeavesNothingBehind() throws Exception {
        List<Path> lowers = new ArrayList<>(extractEach(SampleImages.whiteoutsLinksAndOwners()));
        lowers.add(sandbox.canary);
        Path workDir = workDir();
        for (OverlayMode mode : new OverlayMode[] {OverlayMode.TRUE, OverlayMode.FALSE}) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IOException.class, () -> new RootfsAssembler(mode).assemble(lowers, workDir));
            assertTrue(e.getMessage().contains("canary"), e.getMessage());
        }
        // more lower dirs than overlay stacks (500): the mount itself fails, after the assembly dir exists
        List<Path> tooMany = new ArrayList<>();
        Path store = Files.createDirectories(sandbox.base.resolve("many"));
        for (int i = 0; i < 520; i++) {
            tooMany.add(Files.createDirectory(store.resolve(Integer.toString(i))));
        }
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class, () -> new RootfsAssembler(OverlayMode.TRUE).assemble(tooMany, workDir));
        assertTrue(e.getMessage().contains("mount"), e.getMessage());
        try (var left = Files.list(workDir)) {
            assertEquals(0, left.count(), "the assembly dir of a failed mount is removed");
        }
        assertTrue(TreeDeleter.mountPoints().stream().noneMatch(p -> p.startsWith(sandbox.base)));
    }

    @Test
    void closeIsSafeTwiceAndAutoFindsOverlayHere() throws Exception {
        RootfsAssembler auto = new RootfsAssembler(OverlayMode.AUTO);
        AssembledRootfs rootfs = auto.assemble(extractEach(SampleImages.whiteoutsLinksAndOwners()), workDir());
        assertTrue(rootfs.overlay(), "overlay with xwhiteouts works on this kernel: " + auto.overlayProblem());
        rootfs.close();
        rootfs.close();
        assertEquals("", auto.overlayProblem());
    }

    @Test
    void manyLayersFitTheMountOptionsAndAssemblyTimeIsFlatInImageSize() throws Exception {
        List<Path> small = extractEach(SampleImages.whiteoutsLinksAndOwners());
        List<TestImage.Layer> big = new ArrayList<>();
        big.add(new TestImage.Layer(LayerTar.create().busybox().toBytes(), TestImage.Compression.NONE));
        for (int layer = 0; layer < 60; layer++) {
            LayerTar tar = LayerTar.create().dir("layer" + layer);
            for (int file = 0; file < (layer < 10 ? 2000 : 10); file++) {
                tar.file("layer" + layer + "/f" + file, "content " + layer + "/" + file);
            }
            big.add(new TestImage.Layer(tar.toBytes(), TestImage.Compression.NONE));
        }
        List<Path> large = extractEach(big);
        long[] smallMillis = assemblyMillis(small);
        long[] largeMillis = assemblyMillis(large);
        System.out.printf(
                "rootfs: warm overlay assembly (mount + umount + delete), median/min of 15 (load average %s): "
                        + "%d/%d ms for %d layers/%d entries, %d/%d ms for %d layers/%d entries%n",
                Files.readString(Path.of("/proc/loadavg")).trim(),
                smallMillis[0],
                smallMillis[1],
                small.size(),
                listAll(small).size(),
                largeMillis[0],
                largeMillis[1],
                large.size(),
                listAll(large).size());
        // flat in image size: 400 times the entries and 20 times the layers cost about the same; the
        // absolute figure depends on machine load (two process spawns), so it is reported, not asserted
        assertTrue(
                largeMillis[1] < 3 * smallMillis[1] + 50,
                "assembly grows with the image: " + smallMillis[1] + " vs " + largeMillis[1] + " ms");
        try (AssembledRootfs rootfs = new RootfsAssembler(OverlayMode.TRUE).assemble(large, workDir())) {
            assertEquals("content 9/1999", Files.readString(rootfs.root().resolve("layer9/f1999")));
            assertTrue(Files.isSymbolicLink(rootfs.root().resolve("bin/sh")));
        }
    }

    /** Median and minimum wall time of assemble + close; prints the mount and unmount halves. */
    private long[] assemblyMillis(List<Path> lowers) throws IOException {
        RootfsAssembler assembler = new RootfsAssembler(OverlayMode.TRUE);
        Path workDir = workDir();
        long[] nanos = new long[15];
        long[] closing = new long[15];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            AssembledRootfs rootfs = assembler.assemble(lowers, workDir);
            try {
                assertTrue(Files.isDirectory(rootfs.root().resolve("bin"), NOFOLLOW));
            } finally {
                long closeStart = System.nanoTime();
                rootfs.close();
                closing[i] = System.nanoTime() - closeStart;
            }
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        Arrays.sort(closing);
        System.out.printf(
                "rootfs: %d layers: assemble+close median %d ms, of which close median %d ms%n",
                lowers.size(), TimeUnit.NANOSECONDS.toMillis(nanos[7]), TimeUnit.NANOSECONDS.toMillis(closing[7]));
        return new long[] {
            TimeUnit.NANOSECONDS.toMillis(nanos[nanos.length / 2]), TimeUnit.NANOSECONDS.toMillis(nanos[0])
        };
    }

    private Path workDir() throws IOException {
        return Files.createDirectories(sandbox.base.resolve("work"));
    }

    @Test
    void relativeLayerPathsAssembleAsOverlay() throws Exception {
        // dev mode and tests configure the data dir relative to the working directory
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> relative = extractEach(SampleImages.whiteoutsLinksAndOwners()).stream()
                .map(cwd::relativize)
                .toList();
        assertFalse(relative.get(0).isAbsolute());
        try (AssembledRootfs rootfs =
                new RootfsAssembler(OverlayMode.TRUE).assemble(relative, cwd.relativize(workDir()))) {
            assertTrue(rootfs.overlay());
            assertEquals("new1", Files.readString(rootfs.root().resolve("opt/app/new1")));
        }
    }

    private List<Path> extractEach(List<TestImage.Layer> layers) throws IOException {
        Path store = Files.createDirectories(sandbox.base.resolve("layers"));
        List<Path> dirs = new ArrayList<>();
        for (TestImage.Layer layer : layers) {
            Path dir = Files.createTempDirectory(store, "layer-");
            sandbox.extract(layer.tar(), layer.compression(), dir);
            dirs.add(dir);
        }
        return dirs;
    }

    private static SortedMap<String, String> listAll(List<Path> dirs) throws IOException {
        SortedMap<String, String> all = new java.util.TreeMap<>();
        for (Path dir : dirs) {
            TreeListing.of(dir).forEach((path, line) -> all.put(dir.getFileName() + path, line));
        }
        return all;
    }

    /** umoci's view of the same layer tars (it takes them uncompressed and compresses them itself). */
    private SortedMap<String, String> umociUnpack(List<TestImage.Layer> layers) throws Exception {
        Path dir = Files.createDirectory(sandbox.base.resolve("umoci"));
        Path layout = dir.resolve("layout");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":test");
        for (int i = 0; i < layers.size(); i++) {
            Path tar =
                    Files.write(dir.resolve("layer" + i + ".tar"), layers.get(i).tar());
            run("umoci", "raw", "add-layer", "--image", layout + ":test", tar.toString());
        }
        Path bundle = dir.resolve("bundle");
        run("umoci", "unpack", "--image", layout + ":test", bundle.toString());
        return TreeListing.of(bundle.resolve("rootfs"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}

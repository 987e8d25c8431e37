package dev.locald.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.fs.TreeDeleter;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile layers (anchors §B5), each applied both as an overlay lower dir and flat onto a tree: a clear
 * error naming the entry, or a result contained in the root; never a change outside it.
 */
class HostileLayerTest {

    enum Mode {
        LAYER,
        FLAT;

        ExtractedLayer apply(Sandbox sandbox, byte[] tar) throws IOException {
            return this == LAYER ? sandbox.extract(tar) : sandbox.applyFlat(tar);
        }
    }

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private static void assertRefused(Mode mode, Sandbox sandbox, LayerTar tar, String entryInMessage)
            throws IOException {
        InvalidLayerException e = assertThrows(InvalidLayerException.class, () -> mode.apply(sandbox, tar.toBytes()));
        assertTrue(
                e.getMessage().contains(entryInMessage),
                "message should name '" + entryInMessage + "': " + e.getMessage());
        sandbox.assertOutsideUntouched();
        // the caller's clean-up of the half-written target removes it all and nothing else
        TreeDeleter.deleteTree(sandbox.root);
        assertFalse(Files.exists(sandbox.root, NOFOLLOW));
        sandbox.assertOutsideUntouched();
        Files.createDirectory(sandbox.root);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void absoluteSymlinkThenWriteThroughItIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(
                    mode,
                    s,
                    LayerTar.create()
                            .dir("etc")
                            .symlink("localetc", s.outsideDir.toString())
                            .file("/localetc/unbroken", "x"),
                    "localetc/unbroken");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void relativeEscapeViaSymlinkIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(
                    mode, s, LayerTar.create().symlink("foo", "../outside").file("foo/breakout", "x"), "foo/breakout");
        }
        try (Sandbox s = Sandbox.create()) {
            assertRefused(
                    mode,
                    s,
                    LayerTar.create().symlink("foo", "/").file("foo/tmp/breakout-x", "x"),
                    "foo/tmp/breakout-x");
            assertFalse(Files.exists(Path.of("/tmp/breakout-x")));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void dotDotNamesAreRefusedAndAbsoluteNamesStayInside(Mode mode) throws IOException {
        for (String name : new String[] {"../canary", "a/../../canary", "./../outside/x", "/../canary"}) {
            try (Sandbox s = Sandbox.create()) {
                // commons-compress drops a leading slash when writing, so the message shows the name without it
                assertRefused(mode, s, LayerTar.create().file(name, "pwned"), name.replaceFirst("^/", ""));
            }
        }
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .file("/etc/abs", "inside")
                            .file("///./etc//two", "inside")
                            .toBytes());
            assertEquals("inside", Files.readString(s.root.resolve("etc/abs")));
            assertEquals("inside", Files.readString(s.root.resolve("etc/two")));
            s.assertOutsideUntouched();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hardlinksOutOfTheLayerAreRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().hardlink("localpasswd", "../../../../canary"), "localpasswd");
        }
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().hardlink("localcanary", s.canary.toString()), "localcanary");
        }
        try (Sandbox s = Sandbox.create()) {
            // absolute link names mean the root: a link to a file of this layer is fine and stays inside
            mode.apply(
                    s,
                    LayerTar.create()
                            .dir("etc")
                            .file("etc/passwd", "root:x:0:0::/root:/bin/sh")
                            .hardlink("localpasswd", "/etc/passwd")
                            .toBytes());
            assertEquals(
                    Files.getAttribute(s.root.resolve("etc/passwd"), "unix:ino"),
                    Files.getAttribute(s.root.resolve("localpasswd"), "unix:ino"));
            assertEquals(2, (Integer) Files.getAttribute(s.root.resolve("localpasswd"), "unix:nlink"));
            s.assertOutsideUntouched();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hardlinkToSomethingBeneathItselfIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().dir("a").file("a/b", "x").hardlink("a", "a/b"), "'a'");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hardlinkThroughASymlinkedParentIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(
                    mode,
                    s,
                    LayerTar.create()
                            .dir("breakouts")
                            .symlink("breakouts/d1", "../..")
                            .hardlink("breakouts/mypasswd", "/breakouts/d1/canary"),
                    "breakouts/mypasswd");
        }
        try (Sandbox s = Sandbox.create()) {
            // even when the symlink points inside the root, a link is never resolved through it
            assertRefused(
                    mode,
                    s,
                    LayerTar.create()
                            .dir("real")
                            .file("real/f", "x")
                            .symlink("alias", "real")
                            .hardlink("link", "alias/f"),
                    "link");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hardlinkToASymlinkThenChmodChangesNothingOutside(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            TarArchiveEntry dirOverLink = new TarArchiveEntry("h2/", TarConstants.LF_DIR);
            dirOverLink.setMode(0777);
            dirOverLink.setUserId(4242);
            mode.apply(
                    s,
                    LayerTar.create()
                            .symlink("s", s.canary.toString())
                            .hardlink("h", "s")
                            .hardlink("h2", "s")
                            .file("h", "replaced", 04777, 4242, 4242)
                            .raw(out -> write(out, dirOverLink, null))
                            .toBytes());
            assertTrue(Files.isSymbolicLink(s.root.resolve("s")));
            assertTrue(Files.isRegularFile(s.root.resolve("h"), NOFOLLOW));
            assertEquals("replaced", Files.readString(s.root.resolve("h")));
            assertTrue(Files.isDirectory(s.root.resolve("h2"), NOFOLLOW));
            s.assertOutsideUntouched();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void regularFileReplacesSymlinkWithoutWritingThroughIt(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .symlink("a", s.canary.toString())
                            .file("a", "pwned", 0777, 0, 0)
                            .symlink("b", "../canary")
                            .file("b", "pwned")
                            .toBytes());
            assertEquals("pwned", Files.readString(s.root.resolve("a"), StandardCharsets.UTF_8));
            assertFalse(Files.isSymbolicLink(s.root.resolve("a")));
            assertFalse(Files.isSymbolicLink(s.root.resolve("b")));
            s.assertOutsideUntouched();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void directoryOverSymlinkAndSymlinkOverDirectoryReplaceTheType(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .symlink("d", s.outsideDir.toString())
                            .dir("d", 0777, 0, 0)
                            .file("d/f", "inside")
                            .dir("e")
                            .file("e/f", "gone")
                            .symlink("e", s.outsideDir.toString())
                            .toBytes());
            assertTrue(Files.isDirectory(s.root.resolve("d"), NOFOLLOW));
            assertEquals("inside", Files.readString(s.root.resolve("d/f")));
            assertTrue(Files.isSymbolicLink(s.root.resolve("e")));
            assertEquals(s.outsideDir, Files.readSymbolicLink(s.root.resolve("e")));
            s.assertOutsideUntouched();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                ".wh.",
                ".wh..",
                ".wh...",
                "etc/.wh..",
                "etc/.wh.",
                ".wh..wh.plnk",
                ".wh.dir/inner",
                "etc/.wh..wh..opq/x"
            })
    void invalidWhiteoutsAreRefused(String name) throws IOException {
        for (Mode mode : Mode.values()) {
            try (Sandbox s = Sandbox.create()) {
                assertRefused(mode, s, LayerTar.create().dir("etc").file(name, ""), name);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void whiteoutThatIsNotARegularFileIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().dir(".wh.etc"), ".wh.etc");
        }
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().symlink(".wh.etc", "/"), ".wh.etc");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void whiteoutThroughASymlinkedParentIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(
                    mode,
                    s,
                    LayerTar.create().symlink("localetc", s.base.toString()).whiteout("localetc/canary"),
                    "localetc/.wh.canary");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void entryBeneathARegularFileIsRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().file("a", "file").file("a/b", "x"), "a/b");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void devicesAndFifosAreSkippedWithAWarning(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            ExtractedLayer layer = mode.apply(
                    s,
                    LayerTar.create()
                            .dir("dev")
                            .charDevice("dev/mem", 1, 1)
                            .raw(out -> {
                                TarArchiveEntry block = new TarArchiveEntry("dev/sda", TarConstants.LF_BLK);
                                block.setDevMajor(8);
                                block.setDevMinor(0);
                                write(out, block, null);
                            })
                            .charDevice("dev/huge", 2_000_000, 2_000_000)
                            .fifo("dev/fifo")
                            .toBytes());
            try (var children = Files.list(s.root.resolve("dev"))) {
                assertEquals(0, children.count());
            }
            assertEquals(4, layer.warnings().size(), layer.warnings().toString());
            assertTrue(
                    layer.warnings().get(0).contains("dev/mem"),
                    layer.warnings().toString());
            s.assertOutsideUntouched();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void setuidSetgidAndStickyBitsSurviveChown(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .dir("bin")
                            .file("bin/su", "su", 04755, 0, 0)
                            .file("bin/wall", "wall", 02755, 0, 5)
                            .file("bin/mine", "mine", 06711, 1000, 1000)
                            .dir("tmp", 01777, 0, 0)
                            .toBytes());
            assertEquals(04755, mode(s.root.resolve("bin/su")));
            assertEquals(02755, mode(s.root.resolve("bin/wall")));
            assertEquals(06711, mode(s.root.resolve("bin/mine")));
            assertEquals(1000, Files.getAttribute(s.root.resolve("bin/mine"), "unix:uid"));
            assertEquals(01777, mode(s.root.resolve("tmp")));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void ownersOutOfRangeAreRefused(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(
                    mode,
                    s,
                    LayerTar.create().raw(out -> {
                        TarArchiveEntry entry = new TarArchiveEntry("big");
                        entry.setUserId(1L << 40);
                        entry.setSize(0);
                        write(out, entry, new byte[0]);
                    }),
                    "big");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void xattrsFromPaxHeadersAreNotApplied(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .raw(out -> {
                                TarArchiveEntry dir = new TarArchiveEntry("d/", TarConstants.LF_DIR);
                                dir.setMode(0755);
                                dir.addPaxHeader("SCHILY.xattr.user.overlay.opaque", "y");
                                write(out, dir, null);
                                TarArchiveEntry file = new TarArchiveEntry("d/f");
                                file.setSize(0);
                                file.addPaxHeader("SCHILY.xattr.user.overlay.whiteout", "y");
                                write(out, file, new byte[0]);
                            })
                            .toBytes());
            for (Path p : new Path[] {s.root.resolve("d"), s.root.resolve("d/f")}) {
                assertEquals(
                        java.util.List.of(),
                        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW)
                                .list());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void duplicateEntriesTheLastOneWins(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .file("a", "first")
                            .file("a", "second", 0600, 1, 1)
                            .dir("d", 0700, 0, 0)
                            .dir("d", 0750, 2, 2)
                            .file("f", "x")
                            .hardlink("g", "f")
                            .file("f", "new")
                            .file("x", "file")
                            .dir("x")
                            .symlink("y", "t1")
                            .symlink("y", "t2")
                            .toBytes());
            assertEquals("second", Files.readString(s.root.resolve("a")));
            assertEquals(0600, mode(s.root.resolve("a")));
            assertEquals(0750, mode(s.root.resolve("d")));
            assertEquals("x", Files.readString(s.root.resolve("g")), "the earlier link keeps the earlier inode");
            assertEquals("new", Files.readString(s.root.resolve("f")));
            assertTrue(Files.isDirectory(s.root.resolve("x"), NOFOLLOW));
            assertEquals(Path.of("t2"), Files.readSymbolicLink(s.root.resolve("y")));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void longNamesAreExtractedAndOverlongOnesRefused(Mode mode) throws IOException {
        String longDir = "d".repeat(200) + "/" + "e".repeat(200) + "/" + "f".repeat(200);
        try (Sandbox s = Sandbox.create()) {
            mode.apply(
                    s,
                    LayerTar.create()
                            .file(longDir + "/file", "deep")
                            .symlink("link", "/" + longDir)
                            .toBytes());
            assertEquals("deep", Files.readString(s.root.resolve(longDir + "/file")));
            assertEquals(Path.of("/" + longDir), Files.readSymbolicLink(s.root.resolve("link")));
        }
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().file("x".repeat(256), "x"), "xxxxxxxx");
        }
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().file(("y".repeat(200) + "/").repeat(25) + "z", "x"), "yyyy");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theRootItselfIsNeverReplaced(Mode mode) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            int before = mode(s.root);
            mode.apply(
                    s,
                    LayerTar.create()
                            .dir("./", 0777, 1000, 1000)
                            .dir("/", 0700, 5, 5)
                            .toBytes());
            assertEquals(before, mode(s.root));
            assertEquals(0, Files.getAttribute(s.root, "unix:uid"));
        }
        try (Sandbox s = Sandbox.create()) {
            assertRefused(mode, s, LayerTar.create().symlink("./", "/"), "./");
        }
    }

    @org.junit.jupiter.api.Test
    void anOpaqueRootCannotBeAnOverlayLayerButAppliesFlat() throws IOException {
        try (Sandbox s = Sandbox.create()) {
            assertRefused(Mode.LAYER, s, LayerTar.create().file("new", "n").opaque(""), ".wh..wh..opq");
        }
        try (Sandbox s = Sandbox.create()) {
            s.applyFlat(LayerTar.create().file("old", "o").toBytes());
            s.applyFlat(LayerTar.create().file("new", "n").opaque("").toBytes());
            assertTrue(Files.exists(s.root.resolve("new")));
            assertFalse(Files.exists(s.root.resolve("old")));
        }
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    static void write(
            org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out,
            TarArchiveEntry entry,
            byte[] content) {
        try {
            out.putArchiveEntry(entry);
            if (content != null) {
                out.write(content);
            }
            out.closeArchiveEntry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package dev.locald.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.image.LayerCompression;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.Sandbox;
import dev.locald.testsupport.TestImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The stream side: compression, DiffID, truncation, trailing bytes, decompression bombs and limits. */
class LayerStreamLimitsTest {

    private static final byte[] SIMPLE =
            LayerTar.create().dir("etc").file("etc/hello", "hello\n").toBytes();

    @ParameterizedTest
    @EnumSource(TestImage.Compression.class)
    void extractsEachCompressionAndVerifiesTheDiffId(TestImage.Compression compression) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            ExtractedLayer layer = s.extract(SIMPLE, compression, s.root);
            assertEquals(Sandbox.diffId(SIMPLE), layer.diffId());
            assertEquals(2, layer.entries());
            assertEquals(SIMPLE.length, layer.tarBytes(), "the whole decompressed stream is read");
            assertEquals("hello\n", Files.readString(s.root.resolve("etc/hello")));
        }
    }

    @ParameterizedTest
    @EnumSource(TestImage.Compression.class)
    void recognisesTheCompressionWhenNoneIsDeclared(TestImage.Compression compression) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            new LayerExtractor(Sandbox.LIMITS)
                    .extract(
                            new ByteArrayInputStream(ImagePusher.compress(SIMPLE, compression)),
                            null,
                            Sandbox.diffId(SIMPLE),
                            s.root);
            assertEquals("hello\n", Files.readString(s.root.resolve("etc/hello")));
        }
    }

    @Test
    void mediaTypesMapToCompressionsAndUnknownOnesAreRefused() throws IOException {
        assertEquals(
                LayerCompression.GZIP, LayerCompression.ofMediaType("application/vnd.oci.image.layer.v1.tar+gzip"));
        assertEquals(
                LayerCompression.GZIP,
                LayerCompression.ofMediaType("application/vnd.docker.image.rootfs.diff.tar.gzip"));
        assertEquals(
                LayerCompression.GZIP,
                LayerCompression.ofMediaType("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
        assertEquals(
                LayerCompression.ZSTD, LayerCompression.ofMediaType("application/vnd.oci.image.layer.v1.tar+zstd"));
        assertEquals(LayerCompression.NONE, LayerCompression.ofMediaType("application/vnd.oci.image.layer.v1.tar"));
        assertEquals(
                LayerCompression.NONE,
                LayerCompression.ofMediaType("application/vnd.oci.image.layer.nondistributable.v1.tar"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LayerCompression.ofMediaType("application/vnd.oci.image.config.v1+json"));
        assertTrue(e.getMessage().contains("application/vnd.oci.image.config.v1+json"));
        assertThrows(IllegalArgumentException.class, () -> LayerCompression.ofMediaType(null));
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
        assertTrue(assertThrows(InvalidLayerException.class, () -> LayerStream.sniff(xz, xz.length))
                .getMessage()
                .contains("xz"));
    }

    @Test
    void aCompressionThatContradictsTheBytesIsRefused() throws IOException {
        try (Sandbox s = Sandbox.create()) {
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(SIMPLE),
                                    LayerCompression.GZIP,
                                    Sandbox.diffId(SIMPLE),
                                    s.root));
            assertTrue(e.getMessage().contains("declared as GZIP"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(TestImage.Compression.class)
    void aWrongDiffIdIsRefused(TestImage.Compression compression) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            Digest wrong = Digest.ofBytes("other".getBytes());
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(ImagePusher.compress(SIMPLE, compression)),
                                    LayerCompression.valueOf(compression.name()),
                                    wrong,
                                    s.root));
            assertTrue(
                    e.getMessage().contains(wrong.toString())
                            && e.getMessage().contains(Sandbox.diffId(SIMPLE).toString()),
                    e.getMessage());
        }
    }

    @Test
    void bytesAfterTheEndOfArchiveArePartOfTheDiffId() throws IOException {
        byte[] withTrailer = Arrays.copyOf(SIMPLE, SIMPLE.length + 5000);
        Arrays.fill(withTrailer, SIMPLE.length, withTrailer.length, (byte) 'j');
        try (Sandbox s = Sandbox.create()) {
            ExtractedLayer layer = s.extract(withTrailer, TestImage.Compression.GZIP, s.root);
            assertEquals(withTrailer.length, layer.tarBytes());
            assertEquals(Sandbox.diffId(withTrailer), layer.diffId());
        }
        try (Sandbox s = Sandbox.create()) {
            // the DiffID of the tar without its trailer does not match what was read
            assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(withTrailer),
                                    LayerCompression.NONE,
                                    Sandbox.diffId(SIMPLE),
                                    s.root));
        }
    }

    @Test
    void garbageAfterAGzipMemberIsRefusedButConcatenatedMembersAreRead() throws IOException {
        byte[] gzip = ImagePusher.compress(SIMPLE, TestImage.Compression.GZIP);
        try (Sandbox s = Sandbox.create()) {
            byte[] garbage = concat(gzip, "garbage-after-the-member".getBytes());
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(garbage),
                                    LayerCompression.GZIP,
                                    Sandbox.diffId(SIMPLE),
                                    s.root));
            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        }
        try (Sandbox s = Sandbox.create()) {
            byte[] trailer = new byte[1024];
            byte[] twoMembers = concat(gzip, ImagePusher.compress(trailer, TestImage.Compression.GZIP));
            ExtractedLayer layer = new LayerExtractor(Sandbox.LIMITS)
                    .extract(
                            new ByteArrayInputStream(twoMembers),
                            LayerCompression.GZIP,
                            Sandbox.diffId(concat(SIMPLE, trailer)),
                            s.root);
            assertEquals(SIMPLE.length + 1024, layer.tarBytes());
        }
    }

    @ParameterizedTest
    @EnumSource(TestImage.Compression.class)
    void truncatedLayersAreRefused(TestImage.Compression compression) throws IOException {
        byte[] tar =
                LayerTar.create().file("big", new byte[100_000], 0644, 0, 0).toBytes();
        byte[] blob = ImagePusher.compress(tar, compression);
        byte[] cut = Arrays.copyOf(blob, blob.length / 2);
        try (Sandbox s = Sandbox.create()) {
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(cut),
                                    LayerCompression.valueOf(compression.name()),
                                    Sandbox.diffId(tar),
                                    s.root));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("expected"), e.getMessage());
        }
    }

    @Test
    void aTarCutInsideAHeaderIsRefused() throws IOException {
        byte[] tar = LayerTar.create().file("a", "x").file("b", "y").toBytes();
        byte[] cut = Arrays.copyOf(tar, 512 + 512 + 100);
        try (Sandbox s = Sandbox.create()) {
            assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(cut), LayerCompression.NONE, Sandbox.diffId(tar), s.root));
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TestImage.Compression.class,
            names = {"GZIP", "ZSTD"})
    void decompressionBombsAreRefusedByRatio(TestImage.Compression compression) throws IOException {
        byte[] tar =
                LayerTar.create().file("zeros", new byte[40 << 20], 0644, 0, 0).toBytes();
        byte[] blob = ImagePusher.compress(tar, compression);
        ExtractionLimits limits = new ExtractionLimits(1L << 30, 1000, 100, 4096, 1L << 30);
        try (Sandbox s = Sandbox.create()) {
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(limits)
                            .extract(
                                    new ByteArrayInputStream(blob),
                                    LayerCompression.valueOf(compression.name()),
                                    Sandbox.diffId(tar),
                                    s.root));
            assertTrue(e.getMessage().contains("decompression bomb"), e.getMessage());
            s.assertOutsideUntouched();
        }
    }

    @Test
    void expandedSizeEntryCountAndFileSizeAreBounded() throws IOException {
        byte[] big = LayerTar.create().file("f", new byte[2 << 20], 0644, 0, 0).toBytes();
        try (Sandbox s = Sandbox.create()) {
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(new ExtractionLimits(1 << 20, 1000, 1000, 4096, 1L << 30))
                            .extract(
                                    new ByteArrayInputStream(big), LayerCompression.NONE, Sandbox.diffId(big), s.root));
            assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());
        }
        try (Sandbox s = Sandbox.create()) {
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(new ExtractionLimits(1L << 30, 1000, 1000, 4096, 1 << 20))
                            .extract(
                                    new ByteArrayInputStream(big), LayerCompression.NONE, Sandbox.diffId(big), s.root));
            assertTrue(e.getMessage().contains("'f'") && e.getMessage().contains("limit"), e.getMessage());
        }
        LayerTar many = LayerTar.create();
        for (int i = 0; i < 101; i++) {
            many.file("f" + i, "");
        }
        byte[] manyTar = many.toBytes();
        try (Sandbox s = Sandbox.create()) {
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(new ExtractionLimits(1L << 30, 100, 1000, 4096, 1L << 30))
                            .extract(
                                    new ByteArrayInputStream(manyTar),
                                    LayerCompression.NONE,
                                    Sandbox.diffId(manyTar),
                                    s.root));
            assertTrue(e.getMessage().contains("more than 100 entries"), e.getMessage());
        }
    }

    @Test
    void theTargetMustBeAnEmptyDirectory() throws IOException {
        try (Sandbox s = Sandbox.create()) {
            Files.writeString(s.root.resolve("left-over"), "x");
            IOException e = assertThrows(IOException.class, () -> s.extract(SIMPLE));
            assertTrue(e.getMessage().contains("not empty"), e.getMessage());
            Path link = Files.createSymbolicLink(s.base.resolve("link"), s.outsideDir);
            assertThrows(
                    IOException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(SIMPLE),
                                    LayerCompression.NONE,
                                    Sandbox.diffId(SIMPLE),
                                    link));
            Files.delete(link);
        }
    }

    @Test
    void treeDeleterRemovesLinksNotTheirTargetsAndRefusesMounts() throws IOException, InterruptedException {
        try (Sandbox s = Sandbox.create()) {
            Path tree = Files.createDirectories(s.root.resolve("a/b"));
            Files.createSymbolicLink(tree.resolve("to-canary"), s.canary);
            Files.createSymbolicLink(tree.resolve("to-outside"), s.outsideDir);
            Files.writeString(tree.resolve("file"), "x");
            Files.setAttribute(tree, "unix:mode", 0);
            TreeDeleter.deleteTree(s.root.resolve("a"));
            assertTrue(Files.notExists(s.root.resolve("a")));
            s.assertOutsideUntouched();

            Path mounted = Files.createDirectories(s.root.resolve("m"));
            Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "tmpfs", mounted.toString())
                    .inheritIO()
                    .start();
            assertEquals(0, mount.waitFor());
            try {
                Files.writeString(mounted.resolve("inside-mount"), "x");
                IOException e = assertThrows(IOException.class, () -> TreeDeleter.deleteTree(s.root));
                assertTrue(e.getMessage().contains("mounted"), e.getMessage());
                assertTrue(Files.exists(mounted.resolve("inside-mount")));
            } finally {
                assertEquals(
                        0,
                        new ProcessBuilder("umount", mounted.toString())
                                .inheritIO()
                                .start()
                                .waitFor());
            }
        }
    }

    @Test
    void sparseFilesFromGnuTarAreRefused() throws Exception {
        // commons-compress would write the holes as real zeros: refused (HostileTarFormTest has every form)
        try (Sandbox s = Sandbox.create()) {
            Path src = Files.createDirectory(s.base.resolve("sparse-src"));
            try (var file = java.nio.channels.FileChannel.open(
                    src.resolve("holes"),
                    java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                file.write(java.nio.ByteBuffer.wrap("start".getBytes()), 0);
                file.write(java.nio.ByteBuffer.wrap("end".getBytes()), 8L << 20);
            }
            Path tarFile = s.base.resolve("sparse.tar");
            Process tar = new ProcessBuilder(
                            "tar", "--sparse", "--format=pax", "-C", src.toString(), "-cf", tarFile.toString(), "holes")
                    .inheritIO()
                    .start();
            assertEquals(0, tar.waitFor());
            byte[] bytes = Files.readAllBytes(tarFile);
            assertTrue(bytes.length < (1 << 20), "tar stored the holes sparsely: " + bytes.length);
            Path target = Files.createDirectory(s.base.resolve("sparse-root"));
            InvalidLayerException e = assertThrows(
                    InvalidLayerException.class,
                    () -> new LayerExtractor(Sandbox.LIMITS)
                            .extract(
                                    new ByteArrayInputStream(bytes),
                                    LayerCompression.NONE,
                                    Sandbox.diffId(bytes),
                                    target));
            assertTrue(e.getMessage().contains("'holes'") && e.getMessage().contains("sparse"), e.getMessage());
            try (var children = Files.list(target)) {
                assertEquals(0, children.count());
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}

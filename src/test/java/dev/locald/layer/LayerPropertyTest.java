package dev.locald.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.image.LayerCompression;
import dev.locald.store.LayerStore;
import dev.locald.testsupport.RawTar;
import dev.locald.testsupport.Sandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based hostile layers (jqwik, in the normal {@code mvn test}): random tars written block by
 * block with every entry type and extension — files, directories, symlinks with absolute, relative and
 * {@code ..} targets, hardlinks to earlier, later, missing and outside names, PAX headers (long names,
 * {@code path} and {@code linkpath} overrides, global headers), GNU long names and links, the four sparse
 * forms, whiteouts and opaque markers, devices and FIFOs, odd modes and owners, duplicate, {@code ./}-,
 * {@code //}- and very long names, bad checksums, truncation and trailing garbage. Invariants:
 * <ul>
 *   <li>nothing outside the root changes ({@link Sandbox#assertOutsideUntouched});</li>
 *   <li>the only exception is {@link InvalidLayerException};</li>
 *   <li>a layer refused through the {@link LayerStore} leaves neither a layer nor a temp dir;</li>
 *   <li>an accepted layer stays within the limits: entries, per-file and per-layer bytes on disk.</li>
 * </ul>
 * A failure prints the seed; {@code docs/security.md} says how to re-run it.
 */
class LayerPropertyTest {

    /** Tight, so that random layers reach them (up to 14 entries, a few over the per-file limit). */
    static final ExtractionLimits LIMITS = new ExtractionLimits(512L << 10, 12, 1000, 4096, 128L << 10);

    enum Kind {
        FILE,
        DIR,
        SYMLINK,
        HARDLINK,
        CHAR,
        BLOCK,
        FIFO,
        WHITEOUT,
        OPAQUE,
        SPARSE,
        PAX_PATH,
        PAX_LINKPATH,
        PAX_GLOBAL,
        GNU_LONG_NAME,
        GNU_LONG_LINK,
        BAD_CHECKSUM,
        BIG_FILE
    }

    /** One generated entry; {@code $BASE}, {@code $OUTSIDE} and {@code $CANARY} in names become sandbox paths. */
    record Op(Kind kind, String name, String target, long mode, long uid, long gid, int size, int variant) {}

    /** What happens to the archive bytes after the entries. */
    enum Ending {
        CLEAN,
        ONE_ZERO_BLOCK,
        NONE,
        TRUNCATED,
        GARBAGE
    }

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void randomLayersOnlyEverFailWithInvalidLayerAndNeverTouchTheOutside(
            @ForAll("layers") List<Op> ops, @ForAll Ending ending, @ForAll boolean flat) throws IOException {
        try (Sandbox s = Sandbox.create()) {
            byte[] tar = end(build(ops, s), ending);
            if (flat) {
                applyFlat(s, tar);
            } else {
                extractThroughTheStore(s, tar);
            }
            s.assertOutsideUntouched();
        }
    }

    private static void extractThroughTheStore(Sandbox s, byte[] tar) throws IOException {
        // the store lives inside the sandbox root, so that everything outside the root must stay as it was
        LayerStore store = new LayerStore(s.root);
        Digest diffId = Sandbox.diffId(tar);
        try {
            Path dir = store.ensure(diffId, target -> {
                ExtractedLayer layer = new LayerExtractor(LIMITS)
                        .extract(new ByteArrayInputStream(tar), LayerCompression.NONE, diffId, target);
                assertTrue(layer.entries() <= LIMITS.maxEntries(), "entries " + layer.entries());
            });
            assertWithinLimits(dir);
            Statistics.label("outcome").collect("applied");
        } catch (InvalidLayerException refused) {
            Statistics.label("outcome").collect("refused");
            assertEquals(List.of(), store.listAll(), "a refused layer left a layer: " + refused.getMessage());
            assertEquals(0, store.tempDirCount(), "a refused layer left a temp dir: " + refused.getMessage());
        } catch (IOException | RuntimeException e) {
            fail("only InvalidLayerException may come out, got " + e, e);
        }
    }

    private static void applyFlat(Sandbox s, byte[] tar) throws IOException {
        // a lower layer first, so that the random one has things to replace and white out
        byte[] lower = RawTar.create()
                .entry(dir("a"), new byte[0])
                .file("a/b", bytes("lower"))
                .entry(dir("l"), new byte[0])
                .file("l/x", bytes("x"))
                .file("h", bytes("h"))
                .toBytes();
        new LayerExtractor(LIMITS)
                .applyFlat(new ByteArrayInputStream(lower), LayerCompression.NONE, Sandbox.diffId(lower), s.root);
        try {
            new LayerExtractor(LIMITS)
                    .applyFlat(new ByteArrayInputStream(tar), LayerCompression.NONE, Sandbox.diffId(tar), s.root);
            assertWithinLimits(s.root);
            Statistics.label("outcome").collect("applied flat");
        } catch (InvalidLayerException refused) {
            Statistics.label("outcome").collect("refused flat");
            // the caller deletes the partial tree: that removes it all and nothing else
            s.assertOutsideUntouched();
            TreeDeleter.deleteTree(s.root);
            assertTrue(Files.notExists(s.root, LinkOption.NOFOLLOW_LINKS));
            Files.createDirectory(s.root);
        } catch (IOException | RuntimeException e) {
            fail("only InvalidLayerException may come out, got " + e, e);
        }
    }

    /** Bytes on disk, not what the tar says: a sparse or otherwise expanded file would show here. */
    private static void assertWithinLimits(Path root) throws IOException {
        Map<Object, Long> inodes = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile()) {
                    assertTrue(a.size() <= LIMITS.maxFileBytes(), p + " has " + a.size() + " bytes");
                    inodes.put(a.fileKey(), a.size());
                }
            }
        }
        long total = inodes.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(total <= LIMITS.maxExpandedBytes(), "the tree holds " + total + " bytes");
    }

    @Provide
    Arbitrary<List<Op>> layers() {
        return op().list().ofMinSize(1).ofMaxSize(14);
    }

    private Arbitrary<Op> op() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.FILE)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.DIR)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.SYMLINK)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.HARDLINK)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(Kind.WHITEOUT, Kind.OPAQUE)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(Kind.CHAR, Kind.BLOCK, Kind.FIFO)),
                net.jqwik.api.Tuple.of(
                        3,
                        Arbitraries.of(
                                Kind.PAX_PATH,
                                Kind.PAX_LINKPATH,
                                Kind.PAX_GLOBAL,
                                Kind.GNU_LONG_NAME,
                                Kind.GNU_LONG_LINK)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Kind.SPARSE, Kind.BAD_CHECKSUM, Kind.BIG_FILE)));
        Arbitrary<Long> modes = Arbitraries.of(0L, 0644L, 0755L, 04755L, 02755L, 07777L, 01777L, 0777L, 0400L);
        Arbitrary<Long> ids = Arbitraries.of(0L, 1000L, 65534L, 0x1FFFFFL, 0xFFFFFFFEL, 0xFFFFFFFFL, 1L << 40);
        return Combinators.combine(
                        kinds,
                        name(),
                        target(),
                        modes,
                        ids,
                        ids,
                        Arbitraries.integers().between(0, 3000),
                        Arbitraries.integers().between(0, 7))
                .as(Op::new);
    }

    private Arbitrary<String> name() {
        Arbitrary<String> vocabulary = Arbitraries.of(
                "a",
                "b",
                "a/b",
                "a/b/c",
                "l",
                "l/x",
                "l/y/z",
                "h",
                "a/h",
                "d/",
                "x/./y",
                ".wh.a",
                "a/.wh.b",
                "a/.wh..wh..opq",
                ".wh..wh..opq",
                ".wh..",
                ".wh.",
                "a/.wh...",
                "../x",
                "a/../../x",
                "./",
                ".",
                "/",
                "//a//b",
                "./a/./b",
                "/abs",
                "///abs/x",
                "$CANARY",
                "outside/x",
                "..",
                "a/..",
                "dev/null",
                "etc/passwd",
                "a\\b",
                "é/ü",
                "a/b/",
                "l/");
        Arbitrary<String> generated =
                Arbitraries.strings().withChars("ab/.").ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> longOnes = Arbitraries.of(
                "n".repeat(99),
                "n".repeat(100),
                "n".repeat(101),
                "p".repeat(155) + "/" + "q".repeat(99),
                "c".repeat(255),
                "c".repeat(256),
                ("s".repeat(200) + "/").repeat(19) + "t",
                ("s".repeat(200) + "/").repeat(21) + "t");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, vocabulary),
                net.jqwik.api.Tuple.of(3, generated),
                net.jqwik.api.Tuple.of(1, longOnes));
    }

    private Arbitrary<String> target() {
        return Arbitraries.of(
                "",
                "a",
                "a/b",
                "l",
                "h",
                "/a/b",
                "..",
                "../..",
                "../outside",
                "/",
                "/../canary",
                "$BASE",
                "$OUTSIDE",
                "$CANARY",
                "$OUTSIDE/x",
                "./a",
                "a/../h",
                "later",
                "missing",
                "//a//b",
                "/dev/null",
                "t".repeat(300),
                "u".repeat(5000));
    }

    /** Writes the ops as a tar, resolving the sandbox placeholders. */
    static byte[] build(List<Op> ops, Sandbox s) {
        RawTar tar = RawTar.create();
        for (Op op : ops) {
            String name = resolve(op.name(), s);
            String target = resolve(op.target(), s);
            byte[] content = new byte[op.size()];
            Arrays.fill(content, (byte) ('a' + op.variant()));
            RawTar.Header h = new RawTar.Header(name, (byte) '0');
            h.mode = op.mode();
            h.uid = op.uid();
            h.gid = op.gid();
            h.gnu = op.variant() == 7;
            switch (op.kind()) {
                case FILE -> {
                    h.size = content.length;
                    tar.entry(h, content);
                }
                case BIG_FILE -> {
                    // past the per-file limit, written for real (zeros compress away in a real layer)
                    byte[] big = new byte[(int) LIMITS.maxFileBytes() + 1 + op.size()];
                    h.size = big.length;
                    tar.entry(h, big);
                }
                case DIR -> {
                    h.type = '5';
                    tar.entry(h, null);
                }
                case SYMLINK, HARDLINK -> {
                    h.type = (byte) (op.kind() == Kind.SYMLINK ? '2' : '1');
                    h.linkName = target;
                    tar.entry(h, null);
                }
                case CHAR, BLOCK, FIFO -> {
                    h.type = (byte) (op.kind() == Kind.CHAR ? '3' : op.kind() == Kind.BLOCK ? '4' : '6');
                    h.devMajor = op.uid() & 0x1FFFFF;
                    h.devMinor = op.gid() & 0x1FFFFF;
                    tar.entry(h, null);
                }
                case WHITEOUT -> {
                    int slash = name.lastIndexOf('/');
                    h.name = name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1);
                    tar.entry(h, null);
                }
                case OPAQUE -> {
                    h.name = (name.endsWith("/") || name.isEmpty() ? name : name + "/") + ".wh..wh..opq";
                    tar.entry(h, null);
                }
                case SPARSE -> {
                    long real = (long) op.size() << 20;
                    byte[] data = bytes("tail");
                    switch (op.variant() % 4) {
                        case 0 -> tar.oldGnuSparse(name, real + data.length, data);
                        case 1 -> tar.paxSparse00(name, real + data.length, data);
                        case 2 -> tar.paxSparse01(name, real + data.length, data);
                        default -> tar.paxSparse10(name, real + data.length, data);
                    }
                }
                case PAX_PATH -> {
                    Map<String, String> records = new LinkedHashMap<>();
                    records.put("path", name);
                    if (op.variant() % 2 == 1) {
                        records.put("uid", Long.toString(op.uid()));
                        records.put("size", Integer.toString(content.length));
                    }
                    tar.pax(records);
                    h.name = "ustar-name-" + op.variant();
                    h.size = content.length;
                    tar.entry(h, content);
                }
                case PAX_LINKPATH -> {
                    tar.pax(Map.of("linkpath", target, "path", name));
                    h.name = "ln";
                    h.type = (byte) (op.variant() % 2 == 0 ? '2' : '1');
                    tar.entry(h, null);
                }
                case PAX_GLOBAL -> tar.pax(Map.of("path", name, "mtime", "1.5"), true);
                case GNU_LONG_NAME -> {
                    tar.gnuLong((byte) 'L', name);
                    h.name = "short";
                    h.gnu = true;
                    h.size = content.length;
                    tar.entry(h, content);
                }
                case GNU_LONG_LINK -> {
                    tar.gnuLong((byte) 'K', target);
                    h.type = (byte) (op.variant() % 2 == 0 ? '2' : '1');
                    h.gnu = true;
                    tar.entry(h, null);
                }
                case BAD_CHECKSUM -> {
                    h.size = content.length;
                    h.checksumError = 1 + op.variant();
                    tar.entry(h, content);
                }
                default -> throw new IllegalStateException(op.kind().toString());
            }
        }
        return tar.toBytes();
    }

    private static byte[] end(byte[] tar, Ending ending) {
        int zeros = 2 * RawTar.BLOCK;
        return switch (ending) {
            case CLEAN -> tar;
            case ONE_ZERO_BLOCK -> Arrays.copyOf(tar, tar.length - RawTar.BLOCK);
            case NONE -> Arrays.copyOf(tar, tar.length - zeros);
            case TRUNCATED -> Arrays.copyOf(tar, Math.max(0, tar.length - zeros - 700));
            case GARBAGE -> {
                byte[] out = Arrays.copyOf(tar, tar.length + 100);
                Arrays.fill(out, tar.length, out.length, (byte) 'g');
                yield out;
            }
        };
    }

    private static String resolve(String value, Sandbox s) {
        return value.replace("$BASE", s.base.toString())
                .replace("$OUTSIDE", s.outsideDir.toString())
                .replace("$CANARY", s.canary.toString());
    }

    private static RawTar.Header dir(String name) {
        RawTar.Header h = new RawTar.Header(name, (byte) '5');
        h.mode = 0755;
        return h;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

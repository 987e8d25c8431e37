package dev.locald.layer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.Sandbox;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * Random layers from a vocabulary of hostile names and link targets, applied in both modes (and two
 * layers deep in the flat mode): extraction either succeeds or fails with {@link InvalidLayerException},
 * and nothing outside the root ever changes. Seeded, so a failure names the seed that reproduces it.
 */
class RandomLayerTest {

    private static final String[] NAMES = {
        "a",
        "b",
        "a/b",
        "a/b/c",
        "c/d",
        "/abs",
        "l",
        "l/x",
        "l/y/z",
        "m/n",
        "a/l",
        "a/l/x",
        "d/",
        "x/./y",
        ".wh.a",
        "a/.wh.b",
        "a/.wh..wh..opq",
        ".wh..wh..opq",
        ".wh.l",
        "l/.wh.x",
        "../x",
        "a/../../x",
        "./",
        "h",
        "a/h",
        "canary",
        "outside",
        "outside/x"
    };
    private static final byte[] TYPES = {
        TarConstants.LF_NORMAL,
        TarConstants.LF_DIR,
        TarConstants.LF_SYMLINK,
        TarConstants.LF_LINK,
        TarConstants.LF_FIFO,
        TarConstants.LF_CHR
    };
    private static final int ROUNDS = 150;

    @Test
    void randomLayersNeverWriteOutsideTheRoot() throws IOException {
        int applied = 0;
        int refused = 0;
        for (long seed = 1; seed <= ROUNDS; seed++) {
            for (HostileLayerTest.Mode mode : HostileLayerTest.Mode.values()) {
                try (Sandbox sandbox = Sandbox.create()) {
                    List<String> targets = List.of(
                            "..",
                            "../..",
                            "/",
                            "a",
                            "l",
                            "/a/b",
                            "a/b/c",
                            "../outside",
                            sandbox.base.toString(),
                            sandbox.outsideDir.toString(),
                            sandbox.canary.toString(),
                            "/../canary",
                            "h");
                    Random random = new Random(seed * 31 + mode.ordinal());
                    int layers = mode == HostileLayerTest.Mode.FLAT ? 2 : 1;
                    for (int layer = 0; layer < layers; layer++) {
                        byte[] tar = randomTar(random, targets);
                        try {
                            mode.apply(sandbox, tar);
                            applied++;
                        } catch (InvalidLayerException expected) {
                            refused++;
                            // refusing is a fine answer to a hostile layer
                        } catch (IOException | RuntimeException e) {
                            throw new AssertionError("seed " + seed + " " + mode + ": unexpected " + e, e);
                        }
                        if (mode == HostileLayerTest.Mode.LAYER) {
                            break;
                        }
                    }
                    try {
                        sandbox.assertOutsideUntouched();
                    } catch (AssertionError e) {
                        fail("seed " + seed + " " + mode + ": " + e.getMessage());
                    }
                }
            }
        }
        System.out.printf("rootfs: random layers: %d applied, %d refused%n", applied, refused);
        // both outcomes must be common, or the vocabulary no longer tests anything
        assertTrue(applied > ROUNDS / 5 && refused > ROUNDS / 5, applied + " applied, " + refused + " refused");
    }

    private static byte[] randomTar(Random random, List<String> targets) {
        LayerTar tar = LayerTar.create();
        int entries = 1 + random.nextInt(12);
        for (int i = 0; i < entries; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            byte type = TYPES[random.nextInt(TYPES.length)];
            String target = targets.get(random.nextInt(targets.size()));
            int mode = random.nextBoolean() ? 0755 : 04777;
            tar.raw(out -> {
                TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
                entry.setMode(mode);
                entry.setUserId(random.nextBoolean() ? 0 : 1000);
                byte[] content = null;
                if (type == TarConstants.LF_SYMLINK || type == TarConstants.LF_LINK) {
                    entry.setLinkName(target);
                } else if (type == TarConstants.LF_NORMAL && !entry.isDirectory()) {
                    content = ("content of " + name).getBytes();
                    entry.setSize(content.length);
                }
                HostileLayerTest.write(out, entry, content);
            });
        }
        return tar.toBytes();
    }
}

package dev.locald.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.testsupport.RawTar;
import dev.locald.testsupport.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tar forms below the entry level, written block by block with {@link RawTar} because commons-compress
 * cannot write them: sparse entries (which commons-compress expands into real zeros, so a layer of a few
 * blocks would write gigabytes) and headers whose checksum is wrong.
 */
class HostileTarFormTest {

    /** The four ways a tar can say "sparse". */
    enum Sparse {
        OLD_GNU,
        PAX_0_0,
        PAX_0_1,
        PAX_1_0;

        RawTar write(RawTar tar, String name, long realSize, byte[] data) {
            return switch (this) {
                case OLD_GNU -> tar.oldGnuSparse(name, realSize, data);
                case PAX_0_0 -> tar.paxSparse00(name, realSize, data);
                case PAX_0_1 -> tar.paxSparse01(name, realSize, data);
                case PAX_1_0 -> tar.paxSparse10(name, realSize, data);
            };
        }
    }

    private static final long HOLE = 256L << 20;

    @ParameterizedTest
    @EnumSource(Sparse.class)
    void sparseEntriesAreRefusedBeforeAnythingIsWritten(Sparse form) throws IOException {
        byte[] tar = form.write(RawTar.create(), "big", HOLE, "tail".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        assertTrue(tar.length < 8 * RawTar.BLOCK, "a few blocks: " + tar.length);
        for (HostileLayerTest.Mode mode : HostileLayerTest.Mode.values()) {
            try (Sandbox s = Sandbox.create()) {
                InvalidLayerException e =
                        assertThrows(InvalidLayerException.class, () -> mode.apply(s, tar), form + " " + mode);
                assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("sparse"), e.getMessage());
                assertEquals(0, entriesUnder(s), "nothing of a refused sparse entry is written");
                s.assertOutsideUntouched();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aHeaderWithAWrongChecksumIsRefused() throws IOException {
        RawTar.Header bad = new RawTar.Header("etc/passwd", (byte) '0');
        bad.size = 5;
        bad.checksumError = 1;
        byte[] tar = RawTar.create()
                .file("first", "ok".getBytes(StandardCharsets.UTF_8))
                .entry(bad, "pwned".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        for (HostileLayerTest.Mode mode : HostileLayerTest.Mode.values()) {
            try (Sandbox s = Sandbox.create()) {
                InvalidLayerException e =
                        assertThrows(InvalidLayerException.class, () -> mode.apply(s, tar), mode.toString());
                assertTrue(e.getMessage().contains("checksum"), e.getMessage());
                assertTrue(Files.notExists(s.root.resolve("etc/passwd")));
                s.assertOutsideUntouched();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aHeaderWithTheRightChecksumIsExtracted() throws IOException {
        RawTar.Header good = new RawTar.Header("etc/passwd", (byte) '0');
        good.size = 4;
        try (Sandbox s = Sandbox.create()) {
            s.extract(RawTar.create()
                    .entry(good, "root".getBytes(StandardCharsets.UTF_8))
                    .toBytes());
            assertEquals("root", Files.readString(s.root.resolve("etc/passwd")));
        }
    }

    private static long entriesUnder(Sandbox s) throws IOException {
        try (Stream<java.nio.file.Path> walk = Files.walk(s.root)) {
            return walk.count() - 1;
        }
    }
}

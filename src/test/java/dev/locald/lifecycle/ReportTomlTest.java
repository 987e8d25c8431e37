package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTomlTest {

    static final String D = "sha256:" + "ab".repeat(32);

    @TempDir
    Path layers;

    @Test
    void readsWhatTheExporterWrites() throws Exception {
        Files.writeString(layers.resolve("report.toml"), """
                [image]
                tags = ["localhost:5000/app:latest", "localhost:5000/app:v1"]
                digest = "%s"
                manifest-size = 1234

                [build]
                [[build.bom]]
                name = "ignored"
                """.formatted(D));
        Report r = ReportToml.read(layers);
        assertEquals(Optional.of(Digest.parse(D)), r.digest());
        assertEquals(List.of("localhost:5000/app:latest", "localhost:5000/app:v1"), r.tags());
        assertEquals(OptionalLong.of(1234), r.manifestSize());
        assertTrue(r.imageId().isEmpty());
    }

    @Test
    void acceptsTheSpecsStringManifestSizeAndImageIdOnly() throws Exception {
        Report r = ReportToml.parse("[image]\nimage-id = \"" + D + "\"\nmanifest-size = \"99\"\n");
        assertEquals(Optional.of(Digest.parse(D)), r.imageId());
        assertEquals(OptionalLong.of(99), r.manifestSize());
        assertEquals(List.of(), r.tags());
    }

    @Test
    void missingFileIsAClearError() {
        ReportToml.ReportException e = assertThrows(ReportToml.ReportException.class, () -> ReportToml.read(layers));
        assertTrue(e.getMessage().startsWith("the exporter wrote no report.toml"), e.getMessage());
    }

    @Test
    void invalidContentIsNamedWithoutBeingQuoted() {
        assertMessage("[image\ndigest = \"topsecret\"", "report.toml is not valid TOML");
        assertMessage("x = 1", "report.toml has no [image] table");
        assertMessage("[image]\ntags = []", "names neither image.digest nor image.image-id");
        assertMessage("[image]\ndigest = \"sha256:../../etc\"", "image.digest is not a sha256 digest");
        assertMessage("[image]\ndigest = \"" + D + "\"\ntags = \"x\"", "image.tags is not an array");
        assertMessage(
                "[image]\ndigest = \"" + D + "\"\nmanifest-size = -3", "manifest-size is not a non-negative integer");
        assertMessage(
                "[image]\ndigest = \"" + D + "\"\nmanifest-size = \"big\"",
                "manifest-size is not a non-negative integer");
    }

    private static void assertMessage(String toml, String expected) {
        ReportToml.ReportException e = assertThrows(ReportToml.ReportException.class, () -> ReportToml.parse(toml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }

    @Test
    void aSymlinkPlantedByABuildpackIsNotFollowed() throws IOException {
        Path secret = Files.writeString(
                layers.getParent().resolve("host-secret-" + System.nanoTime()), "[image]\ndigest = \"" + D + "\"\n");
        try {
            Files.createSymbolicLink(layers.resolve("report.toml"), secret);
            ReportToml.ReportException e =
                    assertThrows(ReportToml.ReportException.class, () -> ReportToml.read(layers));
            assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        } finally {
            Files.delete(secret);
        }
    }

    @Test
    void aFifoOrDirectoryOrHugeFileIsRefusedWithoutReading() throws Exception {
        Files.createDirectory(layers.resolve("report.toml"));
        assertTrue(assertThrows(ReportToml.ReportException.class, () -> ReportToml.read(layers))
                .getMessage()
                .contains("not a regular file"));
        Files.delete(layers.resolve("report.toml"));
        Process p = new ProcessBuilder("mkfifo", layers.resolve("report.toml").toString()).start();
        assertEquals(0, p.waitFor());
        assertTrue(assertThrows(ReportToml.ReportException.class, () -> ReportToml.read(layers))
                .getMessage()
                .contains("not a regular file"));
        Files.delete(layers.resolve("report.toml"));
        Files.write(layers.resolve("report.toml"), new byte[(int) ReportToml.MAX_BYTES + 1]);
        assertTrue(assertThrows(ReportToml.ReportException.class, () -> ReportToml.read(layers))
                .getMessage()
                .contains("the limit is"));
    }
}

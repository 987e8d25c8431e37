package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuncCheckTest {

    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void realRuncIsUpWithItsVersion() {
        HealthCheckResponse up = new RuncCheck(RUNC, TIMEOUT).call();
        assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
        assertTrue(
                String.valueOf(up.getData().orElseThrow().get("version")).matches("\\d+\\.\\d+\\.\\d+.*"),
                up.getData().toString());
    }

    @Test
    void missingRuncIsDownAndInstallingItIsUp(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("sbin/runc");
        RuncCheck check = new RuncCheck(binary, TIMEOUT);
        HealthCheckResponse down = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertEquals(
                "runc not found at " + binary
                        + ": install the runc package (apt-get install runc) or set locald.runtime.runc-binary",
                DataDirCheckTest.reason(down));

        Files.createDirectories(binary.getParent());
        Files.copy(RUNC, binary);
        HealthCheckResponse up = check.call();
        assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
        assertEquals(binary.toString(), up.getData().orElseThrow().get("binary"));
    }

    @Test
    void aBinaryThatFailsIsDown(@TempDir Path dir) throws Exception {
        Path broken =
                script(dir, "broken", "#!/bin/sh\necho 'runc: error while loading shared libraries' >&2\nexit 127\n");
        HealthCheckResponse down = new RuncCheck(broken, TIMEOUT).call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        String reason = DataDirCheckTest.reason(down);
        assertTrue(reason.contains("failed with exit code 127"), reason);
        assertTrue(reason.contains("error while loading shared libraries"), reason);
    }

    @Test
    void somethingElseThanRuncIsDown(@TempDir Path dir) throws Exception {
        Path impostor = script(dir, "impostor", "#!/bin/sh\necho 'crun version 1.8'\n");
        HealthCheckResponse down = new RuncCheck(impostor, TIMEOUT).call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertTrue(DataDirCheckTest.reason(down).contains("does not look like runc"), DataDirCheckTest.reason(down));
    }

    @Test
    void aHangingBinaryIsDownAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path hanging = script(dir, "hanging", "#!/bin/sh\nexec sleep 30\n");
        long start = System.nanoTime();
        HealthCheckResponse down = new RuncCheck(hanging, Duration.ofMillis(300)).call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertTrue(DataDirCheckTest.reason(down).contains("did not answer within"), DataDirCheckTest.reason(down));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void aNonExecutableFileIsDown(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("runc");
        Files.writeString(plain, "not a program");
        HealthCheckResponse down = new RuncCheck(plain, TIMEOUT).call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertTrue(DataDirCheckTest.reason(down).contains("is not an executable file"), DataDirCheckTest.reason(down));
    }

    private static Path script(Path dir, String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}

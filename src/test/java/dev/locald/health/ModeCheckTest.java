package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.runtime.RunMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModeCheckTest {

    @TempDir
    Path dir;

    private Path tun(String permissions) throws IOException {
        Path tun = Files.createFile(dir.resolve("tun"));
        Files.setPosixFilePermissions(tun, PosixFilePermissions.fromString(permissions));
        return tun;
    }

    @Test
    void rootModeIsUpWithEveryLimit() throws IOException {
        HealthCheckResponse response = new ModeCheck(RunMode.root(), "isolated", tun("rw-------")).call();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("root", response.getData().orElseThrow().get("mode"));
        assertTrue(response.getData().orElseThrow().get("limits").toString().contains("memory"));
    }

    @Test
    void rootlessModeSaysWhichLimitsHold() throws IOException {
        HealthCheckResponse response = new ModeCheck(new RunMode(true, 0, 65537), "isolated", tun("rw-rw-rw-")).call();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("rootless", response.getData().orElseThrow().get("mode"));
        assertTrue(response.getData()
                .orElseThrow()
                .get("limitsNotEnforced")
                .toString()
                .startsWith("memory, cpus"));
    }

    @Test
    void tooFewMappedIdsIsDownWithTheRootStep() throws IOException {
        HealthCheckResponse response = new ModeCheck(new RunMode(true, 0, 1), "host", tun("rw-rw-rw-")).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertTrue(response.getData().orElseThrow().get("missing").toString().contains("usermod --add-subuids"));
    }

    @Test
    void anOrdinaryUserOutsideANamespaceIsDown() throws IOException {
        HealthCheckResponse response =
                new ModeCheck(new RunMode(false, 1001, 4294967295L), "host", tun("rw-rw-rw-")).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertTrue(response.getData().orElseThrow().get("missing").toString().contains("scripts/locald"));
    }
}

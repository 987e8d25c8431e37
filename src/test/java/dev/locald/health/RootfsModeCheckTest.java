package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.config.LocaldConfig.Rootfs.OverlayMode;
import dev.locald.rootfs.RootfsAssembler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class RootfsModeCheckTest {

    private static Path workRoot(String name) throws Exception {
        return Files.createDirectories(
                Path.of("target", "ops-rootfs-check", name).toAbsolutePath());
    }

    @Test
    void autoProbesOverlayAndReportsIt() throws Exception {
        HealthCheckResponse r = new RootfsModeCheck(new RootfsAssembler(OverlayMode.AUTO), workRoot("auto")).call();
        assertEquals(HealthCheckResponse.Status.UP, r.getStatus());
        // this machine supports overlay with userxattr (docs/machine-facts.md)
        assertEquals(
                "overlay",
                r.getData().orElseThrow().get("assembly"),
                r.getData().toString());
        try (var left = Files.list(workRoot("auto"))) {
            assertEquals(0, left.count(), "the probe leaves nothing behind");
        }
    }

    @Test
    void copyModeIsReportedWithItsReason() throws Exception {
        HealthCheckResponse r = new RootfsModeCheck(new RootfsAssembler(OverlayMode.FALSE), workRoot("copy")).call();
        assertEquals(HealthCheckResponse.Status.UP, r.getStatus());
        assertEquals("copy", r.getData().orElseThrow().get("assembly"));
        assertTrue(DataDirCheckTest.reason(r).contains("locald.rootfs.overlay=false"));
    }
}

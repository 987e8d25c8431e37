package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirCheckTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void readOnlyDataDirIsDownAndWritableAgainIsUp() throws Exception {
        try (TmpfsMount tmpfs = TmpfsMount.mount("readonly", 16 * MIB)) {
            DataDirCheck check = new DataDirCheck(tmpfs.path(), MIB);
            assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());

            tmpfs.readOnly();
            // we run as root: prove that the directory is really unwritable, or the test would mean nothing
            assertThrows(IOException.class, () -> Files.writeString(tmpfs.path().resolve("x"), "x"));
            HealthCheckResponse down = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            String reason = reason(down);
            assertTrue(reason.contains("cannot write to the data directory " + tmpfs.path()), reason);
            assertTrue(reason.contains("Read-only file system"), reason);
            assertTrue(reason.contains("mount it read-write"), reason);

            tmpfs.readWrite();
            assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
            try (var left = Files.list(tmpfs.path())) {
                assertEquals(0, left.count(), "the probe file is deleted after each check");
            }
        }
    }

    @Test
    void crossingTheFreeSpaceFloorIsDownAndFreeingSpaceIsUp() throws Exception {
        try (TmpfsMount tmpfs = TmpfsMount.mount("floor", 16 * MIB)) {
            DataDirCheck check = new DataDirCheck(tmpfs.path(), 8 * MIB);
            HealthCheckResponse up = check.call();
            assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
            assertTrue((Long) up.getData().orElseThrow().get("freeBytes") >= 8 * MIB);

            Path filler = tmpfs.path().resolve("filler");
            Files.write(filler, new byte[(int) (10 * MIB)]);
            HealthCheckResponse down = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            String reason = reason(down);
            assertTrue(reason.contains("below locald.health.min-free-bytes=" + 8 * MIB), reason);
            assertTrue((Long) down.getData().orElseThrow().get("freeBytes") < 8 * MIB);

            Files.delete(filler);
            assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
        }
    }

    @Test
    void missingDataDirIsDown(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope");
        DataDirCheck check = new DataDirCheck(missing, 0);
        HealthCheckResponse down = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        assertTrue(reason(down).contains("does not exist"), reason(down));
        Files.createDirectory(missing);
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
    }

    static String reason(HealthCheckResponse response) {
        return String.valueOf(response.getData().orElseThrow().get("reason"));
    }
}

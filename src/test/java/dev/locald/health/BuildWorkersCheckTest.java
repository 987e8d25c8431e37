package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.builds.BuildId;
import dev.locald.builds.BuildService.WorkerStatus;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class BuildWorkersCheckTest {

    @Test
    void deadWorkersOrAStuckTimerAreDownAndRecoveryIsUp() {
        AtomicReference<WorkerStatus> status = new AtomicReference<>(new WorkerStatus(2, 2, 1, List.of()));
        BuildWorkersCheck check = new BuildWorkersCheck(now -> status.get());
        HealthCheckResponse up = check.call();
        assertEquals(HealthCheckResponse.Status.UP, up.getStatus(), "an abandoned (replaced) worker is not fatal");
        assertEquals(1L, ((Number) up.getData().orElseThrow().get("abandoned")).longValue());

        status.set(new WorkerStatus(2, 1, 0, List.of()));
        HealthCheckResponse dead = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, dead.getStatus());
        assertTrue(DataDirCheckTest.reason(dead).startsWith("only 1 of 2 build workers are alive"));

        BuildId stuck = BuildId.random();
        status.set(new WorkerStatus(2, 2, 0, List.of(stuck)));
        HealthCheckResponse wedged = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, wedged.getStatus());
        assertTrue(DataDirCheckTest.reason(wedged).contains(stuck.value()));
        assertTrue(DataDirCheckTest.reason(wedged).contains("the build timer is stuck"));

        status.set(new WorkerStatus(2, 2, 0, List.of()));
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
    }
}

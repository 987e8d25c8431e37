package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.builds.BuildService.QueueStatus;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class BuildQueueCheckTest {

    @Test
    void aFullQueueIsDownAndADrainedOneIsUp() {
        AtomicReference<QueueStatus> status = new AtomicReference<>(new QueueStatus(3, 4, 2, 2));
        BuildQueueCheck check = new BuildQueueCheck(status::get);
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());

        status.set(new QueueStatus(4, 4, 2, 2));
        HealthCheckResponse down = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        String reason = DataDirCheckTest.reason(down);
        assertTrue(reason.startsWith("the build queue is full (4 of 4 waiting, 2 running)"), reason);
        assertTrue(reason.contains("locald.builds.queue-capacity"), reason);

        status.set(new QueueStatus(0, 4, 1, 2));
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
    }
}

package dev.locald.health;

import dev.locald.builds.BuildService;
import dev.locald.builds.BuildService.QueueStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the build queue is full: a new build would be refused with 429, so send it elsewhere. */
@Readiness
@Singleton
public class BuildQueueCheck implements HealthCheck {

    static final String NAME = "build-queue";

    private final Supplier<QueueStatus> status;

    @Inject
    public BuildQueueCheck(BuildService builds) {
        this(builds::queueStatus);
    }

    public BuildQueueCheck(Supplier<QueueStatus> status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        QueueStatus s = status.get();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("queued", s.queued())
                .withData("capacity", s.capacity())
                .withData("running", s.running())
                .withData("maxConcurrent", s.maxConcurrent());
        if (s.isFull()) {
            return response.down()
                    .withData(
                            "reason",
                            "the build queue is full (" + s.queued() + " of " + s.capacity()
                                    + " waiting, " + s.running()
                                    + " running): new builds get 429 until some start; raise "
                                    + "locald.builds.queue-capacity or locald.builds.max-concurrent, or add a replica")
                    .build();
        }
        return response.up().build();
    }
}

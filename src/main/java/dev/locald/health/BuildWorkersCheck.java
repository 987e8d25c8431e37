package dev.locald.health;

import dev.locald.builds.BuildService;
import dev.locald.builds.BuildService.WorkerStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.function.Function;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: the build executor is not wedged. Down when build workers have died, or when a build is past
 * its deadline plus the cancel grace and still running (the timer that ends such builds is stuck). It
 * never looks at runc, registries or disk: those make locald not ready, not dead, and a restart would not
 * fix them.
 */
@Liveness
@Singleton
public class BuildWorkersCheck implements HealthCheck {

    static final String NAME = "build-workers";

    private final Function<Instant, WorkerStatus> status;

    @Inject
    public BuildWorkersCheck(BuildService builds) {
        this(builds::workerStatus);
    }

    public BuildWorkersCheck(Function<Instant, WorkerStatus> status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        WorkerStatus s = status.apply(Instant.now());
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("configured", s.configured())
                .withData("alive", s.alive())
                .withData("abandoned", s.abandoned());
        if (s.alive() < s.configured()) {
            return response.down()
                    .withData(
                            "reason",
                            "only " + s.alive() + " of " + s.configured()
                                    + " build workers are alive: builds would wait forever; restart locald")
                    .build();
        }
        if (!s.overdue().isEmpty()) {
            return response.down()
                    .withData(
                            "reason",
                            "builds " + s.overdue() + " are past their deadline and cancel "
                                    + "grace but still running: the build timer is stuck; restart locald")
                    .build();
        }
        return response.up().build();
    }
}

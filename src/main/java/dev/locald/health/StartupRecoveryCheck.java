package dev.locald.health;

import dev.locald.janitor.StartupRecovery;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Startup;

/** Started once crash recovery (janitor.StartupSequence) has run; what it could not clean is reported as a warning. */
@Startup
@Singleton
public class StartupRecoveryCheck implements HealthCheck {

    static final String NAME = "crash-recovery";

    private final StartupRecovery recovery;

    public StartupRecoveryCheck(StartupRecovery recovery) {
        this.recovery = recovery;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        Optional<List<String>> outcome = recovery.outcome();
        if (outcome.isEmpty()) {
            return response.down()
                    .withData("reason", "the startup sweep of leftovers from a previous run has not finished")
                    .build();
        }
        if (!outcome.get().isEmpty()) {
            // up all the same: the janitor retries every interval, and a startup probe that never passes would
            // only restart locald in a loop; the warning tells the operator what to fix
            return response.up()
                    .withData(
                            "warning",
                            "parts of the startup sweep failed: " + String.join("; ", outcome.get())
                                    + " (the janitor retries; see the service log)")
                    .build();
        }
        return response.up().build();
    }
}

package dev.locald.janitor;

import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * Whether the {@link StartupSequence} (crash recovery) has run, and what it could not clean; read by the
 * startup health check.
 */
@Singleton
public class StartupRecovery {

    private volatile Optional<List<String>> outcome = Optional.empty();

    void finished(List<String> errors) {
        outcome = Optional.of(List.copyOf(errors));
    }

    /** Empty until the startup sequence has finished; then the errors it met (none when it succeeded). */
    public Optional<List<String>> outcome() {
        return outcome;
    }
}

package dev.locald.builds;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One lifecycle phase of a build. {@code duration} and {@code exitCode} are null while the phase runs
 * (and stay null when the build was stopped inside it).
 */
public record PhaseRecord(String name, Instant startedAt, Duration duration, Integer exitCode) {
    public PhaseRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    public boolean isFinished() {
        return duration != null;
    }

    PhaseRecord finish(int exit, Duration took) {
        return new PhaseRecord(name, startedAt, took, exit);
    }
}

package dev.locald.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import dev.locald.builds.BuildSpec;
import dev.locald.image.NetworkMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildRetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void buildsPastTheAgeGoAndRunningOnesStay() {
        Build old = failed(Duration.ofDays(8));
        Build recent = failed(Duration.ofDays(6));
        Build running = Build.queued(BuildId.random(), spec(), NOW.minus(Duration.ofDays(30)))
                .pulling(NOW.minus(Duration.ofDays(30)));
        Build queued = Build.queued(BuildId.random(), spec(), NOW.minus(Duration.ofDays(30)));
        List<BuildId> doomed =
                new BuildRetention(Duration.ofDays(7), 100).expired(List.of(old, recent, running, queued), NOW);
        assertEquals(List.of(old.id()), doomed);
    }

    @Test
    void beyondTheCountTheOldestGoFirst() {
        Build a = failed(Duration.ofHours(4));
        Build b = failed(Duration.ofHours(3));
        Build c = failed(Duration.ofHours(2));
        Build d = failed(Duration.ofHours(1));
        List<BuildId> doomed = new BuildRetention(Duration.ofDays(7), 2).expired(List.of(c, a, d, b), NOW);
        assertEquals(List.of(a.id(), b.id()), doomed);
        assertEquals(List.of(), new BuildRetention(Duration.ofDays(7), 4).expired(List.of(c, a, d, b), NOW));
    }

    private static Build failed(Duration ago) {
        Instant at = NOW.minus(ago);
        return Build.queued(BuildId.random(), spec(), at.minusSeconds(60))
                .pulling(at.minusSeconds(50))
                .failed("x", at);
    }

    static BuildSpec spec() {
        return new BuildSpec(
                "localhost:5000/app",
                "localhost:5000/builder",
                null,
                List.of(),
                List.of(),
                List.of(),
                false,
                false,
                NetworkMode.HOST,
                null,
                false,
                null,
                null,
                null,
                null,
                null);
    }
}

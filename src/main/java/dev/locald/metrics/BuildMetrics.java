package dev.locald.metrics;

import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import dev.locald.builds.BuildListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;

/**
 * Build metrics from {@link BuildListener} events: {@code locald_builds_finished_total{outcome}},
 * {@code locald_build_duration_seconds{outcome}} (from start, or acceptance for builds that never started)
 * and {@code locald_build_phase_duration_seconds{phase}}.
 */
// created at startup so that the outcome counters exist (at 0) before the first build ends
@Startup
@Singleton
public class BuildMetrics implements BuildListener {

    static final String FINISHED = "locald.builds.finished";
    static final String DURATION = "locald.build.duration";
    static final String PHASE_DURATION = "locald.build.phase.duration";

    private final MeterRegistry registry;

    public BuildMetrics(MeterRegistry registry) {
        this.registry = registry;
        // known outcomes appear at 0 from the start, so a rate over them is defined before the first build ends
        for (String outcome : new String[] {"succeeded", "failed", "cancelled"}) {
            finished(outcome);
        }
    }

    @Override
    public void phaseFinished(BuildId id, String phase, int exitCode, Duration duration) {
        Timer.builder(PHASE_DURATION)
                .description("How long each lifecycle phase ran")
                .tag("phase", phase)
                .register(registry)
                .record(duration);
    }

    @Override
    public void buildEnded(Build build) {
        String outcome = build.state().name().toLowerCase(Locale.ROOT);
        finished(outcome).increment();
        if (build.finishedAt() != null) {
            var start = build.startedAt() != null ? build.startedAt() : build.createdAt();
            Timer.builder(DURATION)
                    .description("How long finished builds ran, by outcome")
                    .tag("outcome", outcome)
                    .register(registry)
                    .record(Duration.between(start, build.finishedAt()));
        }
    }

    private Counter finished(String outcome) {
        return Counter.builder(FINISHED)
                .description("Builds that reached a terminal state, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }
}

package dev.locald.builds;

import java.time.Duration;

/**
 * Observes what builds do, for metrics and the like. Beans of this type are called by {@link BuildService}
 * on the thread that made the change; they must be quick and must not throw (a failure is logged and
 * ignored, it never changes a build).
 */
public interface BuildListener {

    /** A phase of a running build ended (its process exited) after {@code duration}. */
    default void phaseFinished(BuildId id, String phase, int exitCode, Duration duration) {}

    /** A build reached its terminal state (SUCCEEDED, FAILED or CANCELLED); {@code build} is the final record. */
    default void buildEnded(Build build) {}
}

package dev.locald.builds;

/** Runs one build's work (pull, phases). Implemented by the lead; the service owns queueing, state, deadlines, cancellation. */
public interface BuildExecutor {
    /**
     * Runs the build and returns what it published. Report phases and log lines through
     * {@code progress}; stop promptly (and leave no container behind) once {@code cancellation} is
     * cancelled, by returning or throwing anything. Throw {@link BuildFailure} with a user-facing
     * sentence for failures the user can understand; any other exception is reported as an internal error.
     */
    BuildResult execute(BuildJob job, BuildProgress progress, BuildCancellation cancellation) throws Exception;
}

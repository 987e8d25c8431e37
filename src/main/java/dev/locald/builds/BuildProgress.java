package dev.locald.builds;

import dev.locald.logs.LogStream;
import dev.locald.registry.RegistryCredential;
import java.time.Duration;
import java.time.Instant;

/** How a {@link BuildExecutor} reports what a build is doing. Calls never block on readers of the log. */
public interface BuildProgress {
    /** A lifecycle phase (e.g. {@code detect}, {@code creator}) starts; the build becomes RUNNING. */
    void phaseStarted(String name);

    /** The phase started last under {@code name} ended with the process's exit code. */
    void phaseFinished(String name, int exitCode, Duration duration);

    /**
     * One line of output. {@code phase} is the phase that wrote it, or null for locald's own lines
     * (pull progress). Secrets registered for the build are redacted before the line is stored.
     */
    void log(String phase, LogStream stream, Instant time, String text);

    /**
     * A credential the build learned after submission (the host's docker config): it is redacted from every
     * later line, as the request's own credentials are from the start.
     */
    void redact(RegistryCredential credential);

    /** A line of locald's own, outside any phase. */
    default void note(String text) {
        log(null, LogStream.SYSTEM, Instant.now(), text);
    }
}

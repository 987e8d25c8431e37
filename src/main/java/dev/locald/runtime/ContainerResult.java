package dev.locald.runtime;

import java.time.Duration;
import java.util.Optional;

/**
 * How a container ended.
 *
 * @param exitCode the process's exit code as runc reports it (128+n when killed by signal n)
 * @param signal the killing signal's name (e.g. {@code SIGKILL}) when the exit code says so
 * @param timedOut locald killed it at its deadline
 * @param cancelled locald killed it because the run was cancelled
 * @param oomKilled it reached its memory limit and was killed for it
 * @param pidsLimitReached a fork or clone failed at its pids limit, and it was killed for it
 */
public record ContainerResult(
        int exitCode,
        Optional<String> signal,
        boolean timedOut,
        boolean cancelled,
        boolean oomKilled,
        boolean pidsLimitReached,
        Duration duration) {

    public boolean succeeded() {
        return exitCode == 0 && !timedOut && !cancelled && !oomKilled && !pidsLimitReached;
    }
}

package dev.locald.builds;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A build's record: its state machine QUEUED → PULLING → RUNNING (per phase) → SUCCEEDED | FAILED |
 * CANCELLED, with timestamps, phases, result and the user-facing error. Immutable: each transition returns
 * the next record and refuses moves the machine does not allow (e.g. anything after a terminal state).
 *
 * @param error the sentence shown to the user when the build failed or was cancelled; null otherwise
 * @param cancelRequested a cancel was asked for while the build ran; it becomes CANCELLED when the executor stops
 */
public record Build(
        BuildId id,
        BuildState state,
        BuildSpec spec,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String currentPhase,
        List<PhaseRecord> phases,
        BuildResult result,
        String error,
        boolean cancelRequested) {

    public Build {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(createdAt, "createdAt");
        phases = phases == null ? List.of() : List.copyOf(phases);
    }

    public static Build queued(BuildId id, BuildSpec spec, Instant now) {
        return new Build(id, BuildState.QUEUED, spec, now, null, null, null, List.of(), null, null, false);
    }

    public Build pulling(Instant now) {
        require(state == BuildState.QUEUED, "start pulling");
        return new Build(id, BuildState.PULLING, spec, createdAt, now, null, null, phases, null, null, cancelRequested);
    }

    public Build phaseStarted(String name, Instant now) {
        require(state == BuildState.PULLING || state == BuildState.RUNNING, "start phase " + name);
        List<PhaseRecord> next = new ArrayList<>(phases);
        next.add(new PhaseRecord(name, now, null, null));
        return new Build(
                id, BuildState.RUNNING, spec, createdAt, startedAt, null, name, next, null, null, cancelRequested);
    }

    /** Records the end of the most recent unfinished phase called {@code name}. */
    public Build phaseFinished(String name, int exitCode, Duration duration) {
        require(state == BuildState.RUNNING, "finish phase " + name);
        List<PhaseRecord> next = new ArrayList<>(phases);
        for (int i = next.size() - 1; i >= 0; i--) {
            PhaseRecord p = next.get(i);
            if (p.name().equals(name) && !p.isFinished()) {
                next.set(i, p.finish(exitCode, duration));
                return new Build(id, state, spec, createdAt, startedAt, null, null, next, null, null, cancelRequested);
            }
        }
        throw new IllegalStateException("build " + id + " has no running phase " + name);
    }

    public Build withCancelRequested() {
        require(!state.isTerminal(), "request cancellation");
        return new Build(id, state, spec, createdAt, startedAt, finishedAt, currentPhase, phases, result, error, true);
    }

    public Build succeeded(BuildResult buildResult, Instant now) {
        require(state == BuildState.PULLING || state == BuildState.RUNNING, "succeed");
        Objects.requireNonNull(buildResult, "result");
        return new Build(
                id,
                BuildState.SUCCEEDED,
                spec,
                createdAt,
                startedAt,
                now,
                null,
                phases,
                buildResult,
                null,
                cancelRequested);
    }

    public Build failed(String userMessage, Instant now) {
        require(!state.isTerminal(), "fail");
        Objects.requireNonNull(userMessage, "userMessage");
        return new Build(
                id,
                BuildState.FAILED,
                spec,
                createdAt,
                startedAt,
                now,
                currentPhase,
                phases,
                null,
                userMessage,
                cancelRequested);
    }

    public Build cancelled(Instant now) {
        require(!state.isTerminal(), "cancel");
        return new Build(
                id,
                BuildState.CANCELLED,
                spec,
                createdAt,
                startedAt,
                now,
                currentPhase,
                phases,
                null,
                "the build was cancelled",
                true);
    }

    private void require(boolean allowed, String action) {
        if (!allowed) {
            throw new IllegalStateException("build " + id + " cannot " + action + " in state " + state);
        }
    }
}

package dev.locald.lifecycle;

import java.time.Duration;
import java.util.Optional;

/**
 * The sentence a user sees when a phase ends badly, from its exit code (contract §2.2) or from how the
 * container ended (signal, deadline, cancellation, out of memory). Every sentence names the phase and
 * the code so an operator can look it up.
 */
public final class PhaseExit {
    private PhaseExit() {}

    /** How the phase container ended; engine-neutral mirror of the runtime's result. */
    public record Outcome(
            int exitCode,
            Optional<String> signal,
            boolean timedOut,
            boolean cancelled,
            boolean oomKilled,
            Duration timeout) {
        public Outcome {
            signal = signal == null ? Optional.empty() : signal;
        }

        public static Outcome exited(int exitCode) {
            return new Outcome(exitCode, Optional.empty(), false, false, false, Duration.ZERO);
        }

        public boolean succeeded() {
            return exitCode == 0 && signal.isEmpty() && !timedOut && !cancelled && !oomKilled;
        }
    }

    /** The message for a non-successful outcome; checks the container's fate before the exit code. */
    public static String describe(Phase phase, Outcome outcome) {
        String p = phase.id();
        if (outcome.cancelled()) {
            return "the build was cancelled during the " + p;
        }
        if (outcome.timedOut()) {
            return "the " + p + " did not finish within its " + human(outcome.timeout()) + " deadline and was stopped";
        }
        if (outcome.oomKilled()) {
            return "the " + p + " ran out of memory and was killed";
        }
        if (outcome.signal().isPresent()) {
            return "the " + p + " was killed by signal " + outcome.signal().get();
        }
        return describe(phase, outcome.exitCode());
    }

    /** The message for a phase that exited with {@code code}. */
    public static String describe(Phase phase, int code) {
        String p = phase.id();
        String tag = " (" + p + " exit " + code + ")";
        // Codes 20-99 are phase-specific; the creator passes through whichever inner phase failed.
        String specific = switch (code) {
            case 0 -> "the " + p + " succeeded";
            case 1 -> "the " + p + " failed; see its log for the cause";
            case 2 -> "locald passed the " + p + " an argument its lifecycle does not understand; this is a locald bug";
            case 3 -> "the " + p + " rejected its inputs (invalid arguments or run image metadata); see its log";
            case 11 -> "the builder's lifecycle does not support the platform API locald chose; this is a locald bug";
            case 12 -> "a buildpack uses a buildpack API the builder's lifecycle does not support";
            case 20 -> "no buildpack detected for this app";
            case 21 -> "buildpack detection failed: a buildpack's detect step errored";
            case 22 -> "buildpack detection failed with an unexpected error";
            case 32 -> "could not analyze the previous image or access the registry";
            case 42 -> "could not restore cached layers";
            case 51 -> "a buildpack failed during build";
            case 52 -> "the build failed with an unexpected lifecycle error";
            case 62 -> "could not publish the image";
            case 72 -> "could not rebase the image";
            case 82 -> "the launcher failed to start the process";
            case 91, 92 -> "an image extension failed to generate";
            case 102 -> "an image extension failed to extend the image";
            default -> range(p, code);
        };
        return specific + tag;
    }

    private static String range(String p, int code) {
        if (code >= 30 && code <= 39) {
            return "the analyzer failed";
        } else if (code >= 40 && code <= 49) {
            return "the restorer failed";
        } else if (code >= 50 && code <= 59) {
            return "the build step failed";
        } else if (code >= 60 && code <= 69) {
            return "could not publish the image";
        } else if (code >= 128 && code < 128 + 65) {
            return "the " + p + " was killed by signal " + (code - 128);
        }
        return "the " + p + " failed with an unexpected exit code";
    }

    private static String human(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return "configured";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return (s / 3600) + " h";
        }
        if (s % 60 == 0) {
            return (s / 60) + " min";
        }
        return s + " s";
    }
}

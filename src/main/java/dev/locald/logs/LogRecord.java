package dev.locald.logs;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored log line. {@code seq} starts at 1 and grows by one per record of a build, so a client that
 * saw record N resumes with everything after N. {@code phase} is null for lines written before any phase
 * (pulling) and for locald's own notices.
 */
public record LogRecord(long seq, Instant time, String phase, LogStream stream, String text) {
    public LogRecord {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be positive: " + seq);
        }
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(text, "text");
    }

    /** The phase shown as the text prefix: the phase name, or {@code locald} for service lines. */
    public String label() {
        return phase == null ? "locald" : phase;
    }
}

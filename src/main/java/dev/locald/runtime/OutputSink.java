package dev.locald.runtime;

import java.time.Instant;

/**
 * Receives the container's output line by line as it is produced. Called from one thread per stream,
 * so an implementation shared by both streams must be thread-safe.
 */
@FunctionalInterface
public interface OutputSink {

    /** One line without its terminating newline; lines longer than the cap arrive split. */
    void line(StreamKind stream, Instant time, String text);
}

package dev.locald.logs;

/** Where a log line came from: a phase's stdout or stderr, or locald itself. */
public enum LogStream {
    STDOUT,
    STDERR,
    /** Lines written by locald (pull progress, notices such as truncation). */
    SYSTEM
}

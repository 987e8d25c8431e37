package dev.locald.runtime;

/** Which output stream of the container a line came from. */
public enum StreamKind {
    STDOUT,
    STDERR
}

package dev.locald.builds;

/** Where a build is in its life. Terminal states never change again. */
public enum BuildState {
    QUEUED,
    /** Picked up by a worker; images are being resolved and pulled. */
    PULLING,
    /** A lifecycle phase is running ({@link Build#currentPhase()} names it). */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

package dev.locald.builds;

import java.time.Duration;

/** The queue holds as many builds as it may; the client should try again after {@link #retryAfter()}. */
public class QueueFullException extends Exception {
    private final Duration retryAfter;

    public QueueFullException(int capacity, Duration retryAfter) {
        super("the build queue is full (" + capacity + " builds waiting); try again later");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

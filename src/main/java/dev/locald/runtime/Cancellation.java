package dev.locald.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A flag another thread raises to stop a run. The runner notices it within its poll interval and ends
 * the container (runc kill, then delete).
 */
public final class Cancellation {

    private final AtomicBoolean cancelled = new AtomicBoolean();

    public static Cancellation create() {
        return new Cancellation();
    }

    /** A cancellation that is never raised. */
    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }
}

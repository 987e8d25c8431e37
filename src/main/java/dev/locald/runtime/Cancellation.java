package dev.locald.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A flag another thread raises to stop a run. The runner notices it within its poll interval and ends
 * the container (runc kill, then delete).
 */
public final class Cancellation {

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Cancellation parent;

    private Cancellation(Cancellation parent) {
        this.parent = parent;
    }

    public static Cancellation create() {
        return new Cancellation(null);
    }

    /** A cancellation that is never raised. */
    public static Cancellation none() {
        return new Cancellation(null);
    }

    /** A cancellation raised with this one, or on its own (which leaves this one alone). */
    public Cancellation child() {
        return new Cancellation(this);
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get() || parent != null && parent.isCancelled();
    }
}

package dev.locald.builds;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells a running build to stop. The service cancels it on a user's cancel request or at the build's
 * deadline; the executor registers hooks (stop the container, abort a pull) with {@link #onCancel}.
 * A hook registered after cancellation runs at once, so there is no window in which a cancel is lost.
 */
public final class BuildCancellation {
    private final List<Runnable> hooks = new ArrayList<>();
    private boolean cancelled;

    /** Cancels (idempotent) and runs every hook once, in registration order. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = new ArrayList<>(hooks);
            hooks.clear();
        }
        RuntimeException first = null;
        for (Runnable hook : toRun) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                // every hook must get its chance to stop its part; report the first failure afterwards
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code hook} when the build is cancelled, or now if it already is. */
    public void onCancel(Runnable hook) {
        synchronized (this) {
            if (!cancelled) {
                hooks.add(hook);
                return;
            }
        }
        hook.run();
    }
}

package dev.locald.builds;

import dev.locald.logs.BuildLog;
import dev.locald.logs.Redactor;
import java.util.concurrent.ScheduledFuture;
import org.jboss.logging.Logger;

/**
 * What the service holds for one build. Every state change happens under the instance's monitor; the
 * volatile fields may also be read without it.
 */
final class TrackedBuild {
    private static final Logger LOG = Logger.getLogger(TrackedBuild.class);

    volatile Build build;
    volatile BuildJob job;
    final Redactor redactor;
    final BuildCancellation cancellation;
    volatile BuildLog log;
    /** The worker running the build; guarded by this. */
    Thread worker;
    /** The whole-build deadline timer; guarded by this. */
    ScheduledFuture<?> deadline;
    /** Ends the build when its executor ignores a cancel; guarded by this. */
    ScheduledFuture<?> abandonTimer;
    /** Guarded by this. */
    boolean timedOut;

    /** A build loaded from disk: finished, its log read back from the file on demand. */
    TrackedBuild(Build build) {
        this.build = build;
        this.job = null;
        this.redactor = null;
        this.cancellation = null;
        this.log = null;
    }

    TrackedBuild(Build build, BuildJob job, BuildLog log, Redactor redactor) {
        this.build = build;
        this.job = job;
        this.log = log;
        this.redactor = redactor;
        this.cancellation = new BuildCancellation();
    }

    /** Drops the in-memory log window: later readers read the file. */
    void releaseLive() {
        log = null;
    }

    /** Runs the cancel hooks (call outside the monitor: a hook may block on runc); a failing hook is logged. */
    void cancelQuietly() {
        try {
            cancellation.cancel();
        } catch (RuntimeException e) {
            LOG.errorf(e, "build %s: a cancel hook failed", build.id());
        }
    }
}

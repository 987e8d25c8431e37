package dev.locald.builds;

import dev.locald.logs.LogStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The clock of running builds: each one's whole-build deadline, and the cancel grace after a cancel or a
 * timeout, after which a build whose executor has not stopped is recorded as ended anyway and its worker
 * is replaced.
 */
final class BuildDeadlines {
    private static final Logger LOG = Logger.getLogger(BuildDeadlines.class);

    private final Duration cancelGrace;
    private final TrackedBuilds builds;
    private final BuildQueue queue;
    private final ScheduledExecutorService timer;

    BuildDeadlines(Duration cancelGrace, TrackedBuilds builds, BuildQueue queue) {
        this.cancelGrace = cancelGrace;
        this.builds = builds;
        this.queue = queue;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "locald-build-timer-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    Duration cancelGrace() {
        return cancelGrace;
    }

    /** Starts the build's deadline (its job's timeout from now); call holding {@code t}'s monitor. */
    void arm(TrackedBuild t) {
        t.deadline = timer.schedule(() -> timeOut(t), t.job.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The executor returned: the deadline no longer applies. */
    void disarm(TrackedBuild t) {
        t.deadline.cancel(false);
    }

    /** A cancel was requested: give the executor the grace period to stop; call holding {@code t}'s monitor. */
    void startGrace(TrackedBuild t) {
        if (t.abandonTimer == null) {
            t.abandonTimer = timer.schedule(() -> abandon(t), cancelGrace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void stop() {
        timer.shutdownNow();
    }

    private void timeOut(TrackedBuild t) {
        synchronized (t) {
            if (t.build.state().isTerminal() || t.timedOut) {
                return;
            }
            t.timedOut = true;
            t.log.append(
                    null,
                    LogStream.SYSTEM,
                    Instant.now(),
                    "the build exceeded its timeout of " + human(t.job.timeout()) + "; stopping it");
            startGrace(t);
        }
        t.cancelQuietly();
    }

    /** The executor did not stop within the grace period: record the end anyway and replace its worker. */
    private void abandon(TrackedBuild t) {
        synchronized (t) {
            if (t.build.state().isTerminal()) {
                return;
            }
            LOG.warnf(
                    "build %s: the executor did not stop within %s of being cancelled; recording the build as ended",
                    t.build.id(), cancelGrace);
            Instant now = Instant.now();
            Build last = t.timedOut ? t.build.failed(timeoutMessage(t.job.timeout()), now) : t.build.cancelled(now);
            builds.endWithSummary(t, last, now);
            // retired before the monitor is released: once the executor returns, the worker must see it
            queue.retire(t.worker);
        }
        queue.addWorker();
    }

    static String timeoutMessage(Duration timeout) {
        return "the build timed out after " + human(timeout);
    }

    /** 1h30m, 45s, 1m5s: how people write durations. */
    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds == 0) {
            return d.toMillis() + "ms";
        }
        StringBuilder s = new StringBuilder();
        if (seconds >= 3600) {
            s.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            s.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0) {
            s.append(seconds % 60).append('s');
        }
        return s.toString();
    }
}

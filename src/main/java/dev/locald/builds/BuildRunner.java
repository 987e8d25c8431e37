package dev.locald.builds;

import dev.locald.logs.BuildLog;
import dev.locald.logs.LogStream;
import dev.locald.registry.RegistryCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs one build on a worker thread: QUEUED to PULLING with its deadline armed, the executor, then the
 * terminal state chosen from how the executor returned and whether the build was cancelled or timed out.
 */
final class BuildRunner {
    private static final Logger LOG = Logger.getLogger(BuildRunner.class);

    /** The executor, or null when this locald has none. */
    private final Supplier<BuildExecutor> executor;

    private final TrackedBuilds builds;
    private final BuildDeadlines deadlines;
    private final BooleanSupplier stopping;

    BuildRunner(
            Supplier<BuildExecutor> executor,
            TrackedBuilds builds,
            BuildDeadlines deadlines,
            BooleanSupplier stopping) {
        this.executor = executor;
        this.builds = builds;
        this.deadlines = deadlines;
        this.stopping = stopping;
    }

    void run(TrackedBuild t) {
        // the build id on every service log line written while this worker runs it (JSON logs show the MDC)
        MDC.put(BuildService.BUILD_ID_MDC, t.build.id().value());
        try {
            runTracked(t);
        } finally {
            MDC.remove(BuildService.BUILD_ID_MDC);
        }
    }

    private void runTracked(TrackedBuild t) {
        BuildJob job;
        synchronized (t) {
            if (t.build.state() != BuildState.QUEUED) {
                return;
            }
            t.worker = Thread.currentThread();
            Instant now = Instant.now();
            // the deadline counts from now: time spent waiting in the queue is not the build's
            job = t.job.startingAt(now);
            t.job = job;
            builds.save(t, t.build.pulling(now));
            deadlines.arm(t);
        }
        BuildResult result = null;
        Throwable error = null;
        try {
            BuildExecutor executor = this.executor.get();
            if (executor == null) {
                throw new BuildFailure("this locald has no build executor configured");
            }
            result = executor.execute(job, new Progress(t), t.cancellation);
        } catch (Throwable e) {
            error = e;
        } finally {
            deadlines.disarm(t);
        }
        finish(t, result, error);
    }

    private void finish(TrackedBuild t, BuildResult result, Throwable error) {
        synchronized (t) {
            if (t.build.state().isTerminal()) {
                // abandoned after the cancel grace; whatever the executor says now comes too late
                return;
            }
            Instant now = Instant.now();
            Build b = t.build;
            Build last;
            if (stopping.getAsBoolean()) {
                last = b.failed(BuildRecovery.INTERRUPTED, now);
            } else if (t.timedOut) {
                last = b.failed(BuildDeadlines.timeoutMessage(t.job.timeout()), now);
            } else if (t.cancellation.isCancelled()) {
                last = b.cancelled(now);
            } else if (error instanceof BuildFailure failure) {
                last = b.failed(t.redactor.redact(failure.userMessage()), now);
            } else if (error != null) {
                LOG.errorf("build %s: the executor failed: %s", b.id(), t.redactor.redact(String.valueOf(error)));
                last = b.failed(
                        "locald hit an internal error while running this build ("
                                + error.getClass().getSimpleName() + "); the service log has the details",
                        now);
            } else if (result == null) {
                last = b.failed("locald hit an internal error: the build executor returned no result", now);
            } else {
                last = b.succeeded(result, now);
            }
            builds.endWithSummary(t, last, now);
        }
    }

    /** The executor's view of the build; every state change is saved before the call returns. */
    private final class Progress implements BuildProgress {
        private final TrackedBuild t;

        Progress(TrackedBuild t) {
            this.t = t;
        }

        @Override
        public void phaseStarted(String name) {
            synchronized (t) {
                if (!t.build.state().isTerminal()) {
                    builds.save(t, t.build.phaseStarted(name, Instant.now()));
                }
            }
        }

        @Override
        public void phaseFinished(String name, int exitCode, Duration duration) {
            synchronized (t) {
                if (!t.build.state().isTerminal()) {
                    builds.save(t, t.build.phaseFinished(name, exitCode, duration));
                    builds.notifyListeners(l -> l.phaseFinished(t.build.id(), name, exitCode, duration));
                }
            }
        }

        @Override
        public void redact(RegistryCredential credential) {
            BuildService.addCredential(t.redactor, credential);
        }

        @Override
        public void log(String phase, LogStream stream, Instant time, String text) {
            BuildLog log = t.log;
            if (log != null) {
                log.append(phase, stream, time, text);
            }
        }
    }
}

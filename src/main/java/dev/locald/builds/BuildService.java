package dev.locald.builds;

import dev.locald.config.LocaldConfig;
import dev.locald.registry.RegistryCredential;
import dev.locald.logs.BuildLog;
import dev.locald.logs.LogFollower;
import dev.locald.logs.LogLimits;
import dev.locald.logs.LogRecord;
import dev.locald.logs.LogStream;
import dev.locald.logs.Redactor;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Owns builds from acceptance to deletion: a bounded queue in front of a fixed number of workers, the
 * record of every state change, whole-build deadlines, cancellation and the per-build log. The work itself
 * (pulling, phases) is the {@link BuildExecutor}'s.
 */
@Startup
@ApplicationScoped
public class BuildService {
    private static final Logger LOG = Logger.getLogger(BuildService.class);
    private static final LogLimits REOPENED_LOG = new LogLimits(64, 1024, 1);
    /** The MDC key holding the id of the build a worker runs. */
    public static final String BUILD_ID_MDC = "buildId";
    private static final Duration OVERDUE_SLACK = Duration.ofSeconds(30);

    private final LocaldConfig.Builds config;
    private final BuildStore store;
    private final Instance<BuildExecutor> executors;
    private final Instance<InterruptedBuildCleanup> cleanups;
    private final Instance<BuildListener> listeners;
    private final LogLimits logLimits;
    private final Map<BuildId, Tracked> builds = new ConcurrentHashMap<>();
    private final Deque<Tracked> waiting = new ArrayDeque<>();
    private final Object queueLock = new Object();
    private final Set<Thread> retired = ConcurrentHashMap.newKeySet();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger workerNumber = new AtomicInteger();
    private int admitting;
    private volatile boolean stopping;
    private ScheduledExecutorService timer;
    private ExecutorService logReaders;
    private LogFollower follower;

    public BuildService(LocaldConfig config, BuildStore store, Instance<BuildExecutor> executors,
            Instance<InterruptedBuildCleanup> cleanups, Instance<BuildListener> listeners) {
        this.config = config.builds();
        this.store = store;
        this.executors = executors;
        this.cleanups = cleanups;
        this.listeners = listeners;
        this.logLimits = new LogLimits(this.config.logMaxLineLength(), this.config.logMaxBytes(),
                this.config.logMemoryLines());
    }

    @PostConstruct
    void start() {
        BuildRecovery.Recovered recovered;
        try {
            recovered = new BuildRecovery(store).recover(Instant.now());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build records", e);
        }
        for (Build build : recovered.all()) {
            builds.put(build.id(), new Tracked(build));
        }
        for (Build interrupted : recovered.interrupted()) {
            for (InterruptedBuildCleanup cleanup : cleanups) {
                try {
                    cleanup.cleanUp(interrupted);
                } catch (Exception e) {
                    LOG.errorf(e, "cleaning up interrupted build %s failed", interrupted.id());
                }
            }
        }
        if (!recovered.interrupted().isEmpty()) {
            LOG.warnf("%d builds were running when locald stopped; they are marked failed",
                    recovered.interrupted().size());
        }
        timer = Executors.newSingleThreadScheduledExecutor(daemon("locald-build-timer"));
        logReaders = Executors.newFixedThreadPool(2, daemon("locald-log-reader"));
        follower = new LogFollower(logReaders);
        for (int i = 0; i < config.maxConcurrent(); i++) {
            startWorker();
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        synchronized (queueLock) {
            queueLock.notifyAll();
        }
        for (Tracked t : builds.values()) {
            if (t.cancellation != null && !t.build.state().isTerminal()) {
                t.cancellation.cancel();
            }
        }
        timer.shutdownNow();
        logReaders.shutdownNow();
    }

    /**
     * Accepts a build: records it as QUEUED, stores its source under its work directory and queues it.
     * Nothing is written when the queue is full.
     */
    public Build submit(BuildRequest request, SourceSubmission source) throws QueueFullException, IOException {
        synchronized (queueLock) {
            if (waiting.size() + admitting >= config.queueCapacity()) {
                throw new QueueFullException(config.queueCapacity(), config.retryAfter());
            }
            admitting++;
        }
        BuildId id = BuildId.random();
        boolean queued = false;
        try {
            Instant now = Instant.now();
            Path workDir = store.workDir(id);
            Files.createDirectories(workDir);
            BuildSource buildSource;
            if (source instanceof SourceSubmission.Upload upload) {
                Path stored = workDir.resolve("source." + upload.format().extension());
                Files.move(upload.tempFile(), stored, StandardCopyOption.REPLACE_EXISTING);
                buildSource = new BuildSource.Archive(stored, upload.format());
            } else {
                buildSource = new BuildSource.Directory(((SourceSubmission.Directory) source).path());
            }
            Build build = Build.queued(id, request.spec(), now);
            store.create(build);
            Redactor redactor = redactorFor(request);
            BuildLog log = BuildLog.create(store.logFile(id), redactor, logLimits);
            Duration timeout = request.timeout().orElse(config.defaultTimeout());
            BuildJob job = new BuildJob(id, request, buildSource, workDir, now, now.plus(timeout), timeout);
            Tracked tracked = new Tracked(build, job, log, redactor);
            builds.put(id, tracked);
            synchronized (queueLock) {
                admitting--;
                queued = true;
                waiting.addLast(tracked);
                queueLock.notifyAll();
            }
            return build;
        } finally {
            if (!queued) {
                synchronized (queueLock) {
                    admitting--;
                }
                builds.remove(id);
                try {
                    store.delete(id);
                } catch (IOException e) {
                    LOG.errorf(e, "could not remove the rejected build %s", id);
                }
            }
        }
    }

    public Optional<Build> find(BuildId id) {
        Tracked t = builds.get(id);
        return t == null ? Optional.empty() : Optional.of(t.build);
    }

    /** Builds, newest first, optionally only those in {@code states} (empty = all). */
    public BuildPage list(Set<BuildState> states, int offset, int limit) {
        List<Build> matching = new ArrayList<>();
        for (Tracked t : builds.values()) {
            Build b = t.build;
            if (states.isEmpty() || states.contains(b.state())) {
                matching.add(b);
            }
        }
        matching.sort(Comparator.comparing(Build::createdAt).reversed().thenComparing(b -> b.id().value()));
        int from = Math.min(offset, matching.size());
        int to = Math.min(matching.size(), from + limit);
        return new BuildPage(List.copyOf(matching.subList(from, to)), matching.size());
    }

    /**
     * Cancels a build (idempotent). A queued build is CANCELLED at once; a running one is told to stop and
     * becomes CANCELLED when its executor returns. A finished build is returned unchanged.
     */
    public Build cancel(BuildId id) throws NoSuchBuildException {
        Tracked t = tracked(id);
        BuildCancellation toCancel = null;
        Build current;
        synchronized (t) {
            Build b = t.build;
            if (b.state().isTerminal()) {
                return b;
            }
            if (b.state() == BuildState.QUEUED) {
                synchronized (queueLock) {
                    waiting.remove(t);
                }
                t.log.append(null, LogStream.SYSTEM, Instant.now(), "build cancelled before it started");
                end(t, b.cancelled(Instant.now()));
                return t.build;
            }
            if (!b.cancelRequested()) {
                save(t, b.withCancelRequested());
                t.log.append(null, LogStream.SYSTEM, Instant.now(), "cancelling the build");
                toCancel = t.cancellation;
                scheduleAbandon(t);
            }
            current = t.build;
        }
        if (toCancel != null) {
            cancelQuietly(t, toCancel);
        }
        return current;
    }

    /** Deletes a finished build's record, log and work directory. */
    public void delete(BuildId id) throws NoSuchBuildException, BuildNotFinishedException, IOException {
        Tracked t = tracked(id);
        synchronized (t) {
            if (!t.build.state().isTerminal()) {
                throw new BuildNotFinishedException(t.build);
            }
            builds.remove(id);
        }
        store.delete(id);
    }

    /**
     * The build's log records after {@code afterSeq}. With {@code untilFinished} the stream follows the
     * build live and completes when it has ended.
     */
    public Multi<LogRecord> logs(BuildId id, long afterSeq, boolean untilFinished) throws NoSuchBuildException {
        return follower.follow(openLog(id), afterSeq, untilFinished);
    }

    /** Like {@link #logs}, each item holding every record available at that moment (fewer, larger writes). */
    public Multi<List<LogRecord>> logBatches(BuildId id, long afterSeq, boolean untilFinished) throws NoSuchBuildException {
        return follower.followBatches(openLog(id), afterSeq, untilFinished);
    }

    private BuildLog openLog(BuildId id) throws NoSuchBuildException {
        Tracked t = tracked(id);
        BuildLog log = t.log;
        if (log == null) {
            try {
                log = BuildLog.openFinished(store.logFile(id), REOPENED_LOG);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the log of build " + id, e);
            }
        }
        return log;
    }

    /** How full the queue is right now. */
    public QueueStatus queueStatus() {
        int running = 0;
        for (Tracked t : builds.values()) {
            BuildState state = t.build.state();
            if (state == BuildState.PULLING || state == BuildState.RUNNING) {
                running++;
            }
        }
        synchronized (queueLock) {
            return new QueueStatus(waiting.size() + admitting, config.queueCapacity(), running, config.maxConcurrent());
        }
    }

    /**
     * Whether the workers are healthy: how many are alive, how many were abandoned after the cancel grace
     * and are still stuck inside their executor, and which builds are past their deadline plus the cancel
     * grace without having been ended (which means the build timer itself is stuck).
     */
    public WorkerStatus workerStatus(Instant now) {
        List<BuildId> overdue = new ArrayList<>();
        for (Tracked t : builds.values()) {
            Build b = t.build;
            BuildJob job = t.job;
            if (job != null && (b.state() == BuildState.PULLING || b.state() == BuildState.RUNNING)
                    && now.isAfter(job.deadline().plus(config.cancelGrace()).plus(OVERDUE_SLACK))) {
                overdue.add(b.id());
            }
        }
        int alive = 0;
        for (Thread worker : workers) {
            if (worker.isAlive() && !retired.contains(worker)) {
                alive++;
            }
        }
        return new WorkerStatus(config.maxConcurrent(), stopping ? 0 : alive, retired.size(), overdue);
    }

    /** Queue occupancy: {@code queued} of {@code capacity} waiting, {@code running} of {@code maxConcurrent} running. */
    public record QueueStatus(int queued, int capacity, int running, int maxConcurrent) {
        public boolean isFull() {
            return queued >= capacity;
        }
    }

    /** See {@link #workerStatus}. */
    public record WorkerStatus(int configured, int alive, int abandoned, List<BuildId> overdue) {
        public WorkerStatus {
            overdue = List.copyOf(overdue);
        }
    }

    private void notifyListeners(java.util.function.Consumer<BuildListener> call) {
        for (BuildListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a build listener failed");
            }
        }
    }

    private Tracked tracked(BuildId id) throws NoSuchBuildException {
        Tracked t = builds.get(id);
        if (t == null) {
            throw new NoSuchBuildException(id);
        }
        return t;
    }

    private void startWorker() {
        Thread worker = new Thread(this::work, "locald-build-worker-" + workerNumber.incrementAndGet());
        worker.setDaemon(true);
        workers.add(worker);
        worker.start();
    }

    private void work() {
        try {
            workLoop();
        } finally {
            workers.remove(Thread.currentThread());
        }
    }

    private void workLoop() {
        while (!stopping && !retired.contains(Thread.currentThread())) {
            Tracked next;
            synchronized (queueLock) {
                while (waiting.isEmpty() && !stopping) {
                    try {
                        queueLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                next = waiting.pollFirst();
            }
            try {
                run(next);
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "worker failed on build %s", next.build.id());
            }
        }
        retired.remove(Thread.currentThread());
    }

    private void run(Tracked t) {
        // the build id on every service log line written while this worker runs it (JSON logs show the MDC)
        MDC.put(BUILD_ID_MDC, t.build.id().value());
        try {
            runTracked(t);
        } finally {
            MDC.remove(BUILD_ID_MDC);
        }
    }

    private void runTracked(Tracked t) {
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
            save(t, t.build.pulling(now));
            t.deadline = timer.schedule(() -> timeOut(t), job.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        BuildResult result = null;
        Throwable error = null;
        try {
            BuildExecutor executor = executors.isResolvable() ? executors.get() : null;
            if (executor == null) {
                throw new BuildFailure("this locald has no build executor configured");
            }
            result = executor.execute(job, new Progress(t), t.cancellation);
        } catch (Throwable e) {
            error = e;
        } finally {
            t.deadline.cancel(false);
        }
        finish(t, result, error);
    }

    private void finish(Tracked t, BuildResult result, Throwable error) {
        synchronized (t) {
            if (t.build.state().isTerminal()) {
                // abandoned after the cancel grace; whatever the executor says now comes too late
                return;
            }
            Instant now = Instant.now();
            Build b = t.build;
            Build last;
            if (stopping) {
                last = b.failed(BuildRecovery.INTERRUPTED, now);
            } else if (t.timedOut) {
                last = b.failed(timeoutMessage(t.job.timeout()), now);
            } else if (t.cancellation.isCancelled()) {
                last = b.cancelled(now);
            } else if (error instanceof BuildFailure failure) {
                last = b.failed(t.redactor.redact(failure.userMessage()), now);
            } else if (error != null) {
                LOG.errorf("build %s: the executor failed: %s", b.id(), t.redactor.redact(String.valueOf(error)));
                last = b.failed("locald hit an internal error while running this build ("
                        + error.getClass().getSimpleName() + "); the service log has the details", now);
            } else if (result == null) {
                last = b.failed("locald hit an internal error: the build executor returned no result", now);
            } else {
                last = b.succeeded(result, now);
            }
            t.log.append(null, LogStream.SYSTEM, now, summary(last));
            end(t, last);
        }
    }

    /** Saves a terminal record, then closes the log, so a reader that saw the log end finds the final record. */
    private void end(Tracked t, Build terminal) {
        save(t, terminal);
        t.log.finish();
        t.releaseLive();
        notifyListeners(l -> l.buildEnded(terminal));
    }

    private void timeOut(Tracked t) {
        BuildCancellation toCancel;
        synchronized (t) {
            if (t.build.state().isTerminal() || t.timedOut) {
                return;
            }
            t.timedOut = true;
            t.log.append(null, LogStream.SYSTEM, Instant.now(),
                    "the build exceeded its timeout of " + human(t.job.timeout()) + "; stopping it");
            toCancel = t.cancellation;
            scheduleAbandon(t);
        }
        cancelQuietly(t, toCancel);
    }

    private void scheduleAbandon(Tracked t) {
        if (t.abandonTimer == null) {
            t.abandonTimer = timer.schedule(() -> abandon(t), config.cancelGrace().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The executor did not stop within the grace period: record the end anyway and replace its worker. */
    private void abandon(Tracked t) {
        synchronized (t) {
            if (t.build.state().isTerminal()) {
                return;
            }
            LOG.warnf("build %s: the executor did not stop within %s of being cancelled; recording the build as ended",
                    t.build.id(), config.cancelGrace());
            Instant now = Instant.now();
            Build last = t.timedOut ? t.build.failed(timeoutMessage(t.job.timeout()), now) : t.build.cancelled(now);
            t.log.append(null, LogStream.SYSTEM, now, summary(last));
            end(t, last);
            if (t.worker != null) {
                retired.add(t.worker);
            }
        }
        startWorker();
    }

    private void cancelQuietly(Tracked t, BuildCancellation cancellation) {
        try {
            cancellation.cancel();
        } catch (RuntimeException e) {
            LOG.errorf(e, "build %s: a cancel hook failed", t.build.id());
        }
    }

    private void save(Tracked t, Build next) {
        try {
            store.save(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the record of build " + next.id(), e);
        }
        t.build = next;
    }

    private static Redactor redactorFor(BuildRequest request) {
        Redactor redactor = new Redactor();
        request.registryAuth().ifPresent(auth -> {
            if (auth instanceof RegistryCredential.Basic basic) {
                redactor.addBasicAuth(basic.username(), basic.password());
            } else if (auth instanceof RegistryCredential.Bearer token) {
                redactor.addSecret(token.token());
            }
        });
        for (String name : request.secretEnv()) {
            redactor.addSecret(request.env().get(name));
        }
        return redactor;
    }

    private static String summary(Build b) {
        return switch (b.state()) {
            case SUCCEEDED -> "build succeeded: " + b.result().image() + "@" + b.result().digest();
            case CANCELLED -> "build cancelled";
            case FAILED -> "build failed: " + b.error();
            default -> throw new IllegalStateException("not terminal: " + b.state());
        };
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

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One page of {@link #list}: the builds and how many match in all. */
    public record BuildPage(List<Build> items, int total) {
    }

    /** What the service holds for one build; fields guarded by the instance's monitor unless volatile. */
    private static final class Tracked {
        volatile Build build;
        volatile BuildJob job;
        final Redactor redactor;
        final BuildCancellation cancellation;
        volatile BuildLog log;
        Thread worker;
        ScheduledFuture<?> deadline;
        ScheduledFuture<?> abandonTimer;
        boolean timedOut;

        /** A build loaded from disk: finished, its log read back from the file on demand. */
        Tracked(Build build) {
            this.build = build;
            this.job = null;
            this.redactor = null;
            this.cancellation = null;
            this.log = null;
        }

        Tracked(Build build, BuildJob job, BuildLog log, Redactor redactor) {
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
    }

    /** The executor's view of the build; every state change is saved before the call returns. */
    private final class Progress implements BuildProgress {
        private final Tracked t;

        Progress(Tracked t) {
            this.t = t;
        }

        @Override
        public void phaseStarted(String name) {
            synchronized (t) {
                if (!t.build.state().isTerminal()) {
                    save(t, t.build.phaseStarted(name, Instant.now()));
                }
            }
        }

        @Override
        public void phaseFinished(String name, int exitCode, Duration duration) {
            synchronized (t) {
                if (!t.build.state().isTerminal()) {
                    save(t, t.build.phaseFinished(name, exitCode, duration));
                    notifyListeners(l -> l.phaseFinished(t.build.id(), name, exitCode, duration));
                }
            }
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

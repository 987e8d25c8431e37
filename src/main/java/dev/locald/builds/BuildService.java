package dev.locald.builds;

import dev.locald.config.LocaldConfig;
import dev.locald.logs.BuildLog;
import dev.locald.logs.LogFollower;
import dev.locald.logs.LogLimits;
import dev.locald.logs.LogRecord;
import dev.locald.logs.LogStream;
import dev.locald.logs.Redactor;
import dev.locald.registry.RegistryCredential;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Owns builds from acceptance to deletion: submit, find, list, cancel, delete and logs. The queue and its
 * workers are {@link BuildQueue}'s, deadlines and the cancel grace {@link BuildDeadlines}', running one build
 * {@link BuildRunner}'s; the work itself (pulling, phases) is the {@link BuildExecutor}'s. At startup
 * {@link #recover} and then {@link #startWorkers} must be called, in that order (the startup sequence does).
 */
@ApplicationScoped
public class BuildService {
    private static final Logger LOG = Logger.getLogger(BuildService.class);
    private static final LogLimits REOPENED_LOG = new LogLimits(64, 1024, 1);
    /** The MDC key holding the id of the build a worker runs. */
    public static final String BUILD_ID_MDC = "buildId";

    private static final int MIN_REDACTED_LENGTH = 4;

    private static final Duration OVERDUE_SLACK = Duration.ofSeconds(30);

    private final LocaldConfig.Builds config;
    private final BuildStore store;
    private final Instance<BuildExecutor> executors;
    private final LogLimits logLimits;
    private final TrackedBuilds builds;
    private final BuildQueue queue;
    private BuildDeadlines deadlines;
    private BuildRunner runner;
    private ExecutorService logReaders;
    private LogFollower follower;

    public BuildService(
            LocaldConfig config,
            BuildStore store,
            Instance<BuildExecutor> executors,
            Instance<BuildListener> listeners) {
        this.config = config.builds();
        this.store = store;
        this.executors = executors;
        this.logLimits =
                new LogLimits(this.config.logMaxLineLength(), this.config.logMaxBytes(), this.config.logMemoryLines());
        this.builds = new TrackedBuilds(store, listeners);
        this.queue = new BuildQueue(this.config.queueCapacity(), this.config.maxConcurrent(), this.config.retryAfter());
    }

    @PostConstruct
    void init() {
        deadlines = new BuildDeadlines(config.cancelGrace(), builds, queue);
        runner = new BuildRunner(
                () -> executors.isResolvable() ? executors.get() : null, builds, deadlines, queue::isStopping);
        AtomicInteger n = new AtomicInteger();
        logReaders = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "locald-log-reader-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        follower = new LogFollower(logReaders);
    }

    /**
     * Crash recovery of the build history: loads every stored build and marks those that were running when
     * locald stopped FAILED. Returns those; cleaning up what they left is the caller's. Call once, before
     * {@link #startWorkers}.
     */
    public List<Build> recover() {
        BuildRecovery.Recovered recovered;
        try {
            recovered = new BuildRecovery(store).recover(Instant.now());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build records", e);
        }
        for (Build build : recovered.all()) {
            builds.add(new TrackedBuild(build));
        }
        if (!recovered.interrupted().isEmpty()) {
            LOG.warnf(
                    "%d builds were running when locald stopped; they are marked failed",
                    recovered.interrupted().size());
        }
        return recovered.interrupted();
    }

    /** Starts the workers: queued builds run from now on. */
    public void startWorkers() {
        queue.start(runner::run);
    }

    @PreDestroy
    void stop() {
        queue.stop();
        for (TrackedBuild t : builds.all()) {
            if (t.cancellation != null && !t.build.state().isTerminal()) {
                t.cancellation.cancel();
            }
        }
        deadlines.stop();
        logReaders.shutdownNow();
    }

    /**
     * Accepts a build: records it as QUEUED, stores its source under its work directory and queues it.
     * Nothing is written when the queue is full.
     */
    public Build submit(BuildRequest request, SourceSubmission source) throws QueueFullException, IOException {
        return submit(request, source, null);
    }

    /** Like {@link #submit(BuildRequest, SourceSubmission)}, recording {@code owner} (an API token's name). */
    public Build submit(BuildRequest request, SourceSubmission source, String owner)
            throws QueueFullException, IOException {
        queue.reserve();
        BuildId id = BuildId.random();
        boolean queued = false;
        try {
            Instant now = Instant.now();
            Path workDir = store.workDir(id);
            Files.createDirectories(workDir);
            BuildSource buildSource = SourceStager.stage(source, workDir);
            Build build = Build.queued(id, request.spec(owner), now);
            store.create(build);
            Redactor redactor = redactorFor(request, source);
            BuildLog log = BuildLog.create(store.logFile(id), redactor, logLimits);
            Duration timeout = request.timeout().orElse(config.defaultTimeout());
            BuildJob job = new BuildJob(id, request, buildSource, workDir, now, now.plus(timeout), timeout);
            TrackedBuild tracked = new TrackedBuild(build, job, log, redactor);
            builds.add(tracked);
            queue.admit(tracked);
            queued = true;
            return build;
        } finally {
            if (!queued) {
                queue.release();
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
        return builds.find(id).map(t -> t.build);
    }

    /** Builds, newest first, optionally only those in {@code states} (empty = all). */
    public BuildPage list(Set<BuildState> states, int offset, int limit) {
        return list(states, null, offset, limit);
    }

    /** Like {@link #list(Set, int, int)}, only the builds of {@code owner} unless it is null. */
    public BuildPage list(Set<BuildState> states, String owner, int offset, int limit) {
        List<Build> matching = new ArrayList<>();
        for (TrackedBuild t : builds.all()) {
            Build b = t.build;
            if ((states.isEmpty() || states.contains(b.state()))
                    && (owner == null || owner.equals(b.spec().owner()))) {
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
        TrackedBuild t = builds.get(id);
        boolean cancelRunning = false;
        Build current;
        synchronized (t) {
            Build b = t.build;
            if (b.state().isTerminal()) {
                return b;
            }
            if (b.state() == BuildState.QUEUED) {
                queue.remove(t);
                t.log.append(null, LogStream.SYSTEM, Instant.now(), "build cancelled before it started");
                builds.end(t, b.cancelled(Instant.now()));
                return t.build;
            }
            if (!b.cancelRequested()) {
                builds.save(t, b.withCancelRequested());
                t.log.append(null, LogStream.SYSTEM, Instant.now(), "cancelling the build");
                cancelRunning = true;
                deadlines.startGrace(t);
            }
            current = t.build;
        }
        if (cancelRunning) {
            t.cancelQuietly();
        }
        return current;
    }

    /** Deletes a finished build's record, log and work directory. */
    public void delete(BuildId id) throws NoSuchBuildException, BuildNotFinishedException, IOException {
        TrackedBuild t = builds.get(id);
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
    public Multi<List<LogRecord>> logBatches(BuildId id, long afterSeq, boolean untilFinished)
            throws NoSuchBuildException {
        return follower.followBatches(openLog(id), afterSeq, untilFinished);
    }

    private BuildLog openLog(BuildId id) throws NoSuchBuildException {
        TrackedBuild t = builds.get(id);
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

    /**
     * The directory of SBOM files the build's buildpacks wrote (kept from {@code layers/sbom}), or empty when
     * there is none (the buildpacks wrote none, or the build has not succeeded).
     */
    public Optional<Path> sbom(BuildId id) throws NoSuchBuildException {
        builds.get(id);
        Path dir = store.sbomDir(id);
        return Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Optional.of(dir) : Optional.empty();
    }

    /** The build's report as JSON ({@code report.json}, see {@link BuildStore#reportFile}), or empty before success. */
    public Optional<byte[]> report(BuildId id) throws NoSuchBuildException, IOException {
        builds.get(id);
        Path file = store.reportFile(id);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** How full the queue is right now. */
    public QueueStatus queueStatus() {
        int running = 0;
        for (TrackedBuild t : builds.all()) {
            BuildState state = t.build.state();
            if (state == BuildState.PULLING || state == BuildState.RUNNING) {
                running++;
            }
        }
        return new QueueStatus(queue.queued(), queue.capacity(), running, queue.workerCount());
    }

    /**
     * Whether the workers are healthy: how many are alive, how many were abandoned after the cancel grace
     * and are still stuck inside their executor, and which builds are past their deadline plus the cancel
     * grace without having been ended (which means the build timer itself is stuck).
     */
    public WorkerStatus workerStatus(Instant now) {
        List<BuildId> overdue = new ArrayList<>();
        for (TrackedBuild t : builds.all()) {
            Build b = t.build;
            BuildJob job = t.job;
            if (job != null
                    && (b.state() == BuildState.PULLING || b.state() == BuildState.RUNNING)
                    && now.isAfter(job.deadline().plus(config.cancelGrace()).plus(OVERDUE_SLACK))) {
                overdue.add(b.id());
            }
        }
        return new WorkerStatus(queue.workerCount(), queue.aliveWorkers(), queue.retiredWorkers(), overdue);
    }

    /** Queue occupancy: {@code queued} of {@code capacity} waiting, {@code running} of {@code maxConcurrent}. */
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

    /** One page of {@link #list}: the builds and how many match in all. */
    public record BuildPage(List<Build> items, int total) {}

    /** The password (with its Basic form) or the token of {@code credential}. */
    static void addCredential(Redactor redactor, RegistryCredential credential) {
        if (credential instanceof RegistryCredential.Basic basic) {
            redactor.addBasicAuth(basic.username(), basic.password());
        } else if (credential instanceof RegistryCredential.Bearer token) {
            redactor.addSecret(token.token());
        }
    }

    private static Redactor redactorFor(BuildRequest request, SourceSubmission source) {
        Redactor redactor = new Redactor();
        if (source instanceof SourceSubmission.Git git) {
            git.auth().ifPresent(auth -> redactor.addBasicAuth(auth.username(), auth.password()));
        }
        request.registryAuth().ifPresent(auth -> addCredential(redactor, auth));
        for (String name : request.secretEnv()) {
            redactor.addSecret(request.env().get(name));
        }
        // a binding's entries are secrets; a log line is one line, so each line of a longer entry is one too
        for (ServiceBinding binding : request.bindings().values()) {
            for (String value : binding.entries().values()) {
                addLongEnough(redactor, value);
                for (String line : value.split("\r?\n")) {
                    addLongEnough(redactor, line.strip());
                }
            }
        }
        return redactor;
    }

    /** Values shorter than four characters would mask ordinary text everywhere in the log. */
    private static void addLongEnough(Redactor redactor, String value) {
        if (value.length() >= MIN_REDACTED_LENGTH) {
            redactor.addSecret(value);
        }
    }
}

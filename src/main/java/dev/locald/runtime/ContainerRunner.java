package dev.locald.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.etc.PreparedRoot;
import dev.locald.etc.SyntheticRoot;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.NetworkMode;
import dev.locald.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs one process in one container under runc and reports how it ended: one bundle directory per run
 * ({@code config.json} and the synthetic /etc), {@code runc run} with stdin from /dev/null, stdout and
 * stderr streamed line by line into a sink, a deadline and a cancellation that end in {@code runc kill}
 * then {@code runc delete --force}, the memory cgroup watched for OOM and the pids cgroup for a refused fork
 * (either ends the container), and the bundle, runc state and
 * cgroups removed on every path, failures included.
 */
public final class ContainerRunner {

    private static final Logger LOG = Logger.getLogger(ContainerRunner.class);
    private static final ObjectMapper JSON = Json.PLAIN;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /** Tunables of the runner. */
    public record Settings(Path bundlesDir, int maxLineBytes, Duration pollInterval, Duration stopTimeout) {
        public Settings {
            bundlesDir = bundlesDir.toAbsolutePath();
            if (maxLineBytes < 1024) {
                throw new IllegalArgumentException("max line bytes must be at least 1024: " + maxLineBytes);
            }
        }
    }

    private enum Stop {
        TIMEOUT,
        CANCELLED,
        OOM,
        PIDS_LIMIT
    }

    private final RuncClient runc;
    private final SyntheticRoot syntheticRoot;
    private final ContainerSpecFactory specFactory;
    private final CgroupLayout cgroups;
    private final String cgroupParent;
    private final Settings settings;
    private final IsolatedNetwork isolatedNetwork;
    private final Object parentLock = new Object();
    private int activeRuns;

    public ContainerRunner(
            RuncClient runc,
            SyntheticRoot syntheticRoot,
            ContainerSpecFactory specFactory,
            CgroupLayout cgroups,
            String cgroupParent,
            Settings settings,
            IsolatedNetwork isolatedNetwork) {
        this.runc = runc;
        this.syntheticRoot = syntheticRoot;
        this.specFactory = specFactory;
        this.cgroups = cgroups;
        this.cgroupParent = cgroupParent;
        this.settings = settings;
        this.isolatedNetwork = isolatedNetwork;
    }

    /** A runner whose isolated networks use pasta from PATH with no deny list beyond the built-in one. */
    public ContainerRunner(
            RuncClient runc,
            SyntheticRoot syntheticRoot,
            ContainerSpecFactory specFactory,
            CgroupLayout cgroups,
            String cgroupParent,
            Settings settings) {
        this(
                runc,
                syntheticRoot,
                specFactory,
                cgroups,
                cgroupParent,
                settings,
                new IsolatedNetwork(
                        new IsolatedNetwork.Settings("pasta", List.of(), Optional.empty(), Duration.ofSeconds(10))));
    }

    /**
     * Runs the request to completion, deadline or cancellation.
     *
     * @throws ContainerStartException when runc could not start the container (its message says why)
     * @throws InterruptedException when the calling thread is interrupted; the container is ended and
     *         cleaned up first
     */
    public ContainerResult run(ContainerRequest request, OutputSink sink, Cancellation cancellation)
            throws IOException, InterruptedException {
        if (request.terminal()) {
            throw new IllegalArgumentException("terminal containers are not supported by the runner (no pty)");
        }
        Instant start = Instant.now();
        Files.createDirectories(settings.bundlesDir(), OWNER_ONLY);
        Bundle bundle = new Bundle(settings.bundlesDir().resolve(request.id()));
        try {
            // owner-only: config.json carries the process env, which may hold registry credentials
            Files.createDirectory(bundle.dir(), OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a bundle for container " + request.id() + " already exists: " + bundle.dir(), e);
        }
        Optional<Path> createdTmp = Optional.empty();
        IsolatedNetwork.Namespace network = null;
        try {
            Files.createDirectory(bundle.etcDir());
            if (request.diskTmp().isPresent()) {
                createdTmp = Optional.of(Files.createDirectory(request.diskTmp().get()));
                // what a tmpfs /tmp would be: root's, world-writable, sticky
                Files.setAttribute(createdTmp.get(), "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(createdTmp.get(), "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(createdTmp.get(), "unix:mode", 01777, LinkOption.NOFOLLOW_LINKS);
            }
            PreparedRoot root = syntheticRoot.prepare(
                    request.rootfs(),
                    bundle.etcDir(),
                    new SyntheticRoot.Request(
                            request.cnbUser(), request.hostname(), request.extraHosts(), request.network()));
            if (request.network() == NetworkMode.ISOLATED) {
                // in a directory of its own beside the bundle: its teardown finishes after the bundle is gone
                network = isolatedNetwork.create(
                        settings.bundlesDir(),
                        request.hostLoopbackPorts(),
                        syntheticRoot.resolvConf().forwardedResolver());
            }
            Optional<IsolatedNetwork.Namespace> isolated = Optional.ofNullable(network);
            bundle.writeConfig(specFactory.create(
                    request,
                    root,
                    isolated.map(IsolatedNetwork.Namespace::path),
                    isolated.map(
                            ns -> ns.readinessHook(isolatedNetwork.settings().setupTimeout()))));
            return runBundle(request, bundle, sink, cancellation, start, isolated);
        } finally {
            try {
                if (network != null) {
                    network.close();
                }
                TreeDeleter.deleteTree(bundle.dir());
            } finally {
                if (createdTmp.isPresent()) {
                    TreeDeleter.deleteTree(createdTmp.get());
                }
            }
        }
    }

    private ContainerResult runBundle(
            ContainerRequest request,
            Bundle bundle,
            OutputSink sink,
            Cancellation cancellation,
            Instant start,
            Optional<IsolatedNetwork.Namespace> network)
            throws IOException, InterruptedException {
        String cgroupsPath = specFactory.cgroupsPath(request.id());
        synchronized (parentLock) {
            activeRuns++;
        }
        Process process = null;
        Thread[] pumpThreads = new Thread[0];
        OutputPump[] pumps = new OutputPump[0];
        Optional<Stop> stop = Optional.empty();
        Throwable failure = null;
        try {
            process = runc.startRun(bundle, request.id());
            pumps = new OutputPump[] {
                new OutputPump(process.getInputStream(), StreamKind.STDOUT, sink, settings.maxLineBytes()),
                new OutputPump(process.getErrorStream(), StreamKind.STDERR, sink, settings.maxLineBytes())
            };
            pumpThreads = new Thread[] {
                new Thread(pumps[0], "runc-" + request.id() + "-stdout"),
                new Thread(pumps[1], "runc-" + request.id() + "-stderr")
            };
            for (Thread thread : pumpThreads) {
                thread.setDaemon(true);
                thread.start();
            }
            stop = await(process, request, cgroupsPath, cancellation, start);
            if (stop.isPresent()) {
                LOG.infof("container %s: %s, killing it", request.id(), stop.get());
                killAndAwait(request.id(), process);
                forceDelete(request.id());
            }
            for (Thread thread : pumpThreads) {
                thread.join(settings.stopTimeout().toMillis());
            }
            int exitCode = process.exitValue();
            // a phase that gives up at its first refused fork ends before the next poll; the kept cgroup
            // (runc run --keep) still counts the refusal
            boolean pidsRefused = stop.equals(Optional.of(Stop.PIDS_LIMIT))
                    || (stop.isEmpty() && exitCode != 0 && refusedFork(request, cgroupsPath));
            if (stop.isEmpty() && exitCode != 0 && !pidsRefused) {
                Optional<String> networkFailure =
                        network.isPresent() ? network.get().failure() : Optional.empty();
                if (networkFailure.isPresent()) {
                    throw new ContainerStartException(
                            "container " + request.id() + " could not run: " + networkFailure.get());
                }
                Optional<String> runcError = runcError(bundle);
                if (runcError.isPresent()) {
                    throw new ContainerStartException(
                            "container " + request.id() + " could not run: " + runcError.get());
                }
            }
            for (OutputPump pump : pumps) {
                if (pump.sinkFailure() != null) {
                    throw new IOException("output sink failed for container " + request.id(), pump.sinkFailure());
                }
                if (pump.readFailure() != null) {
                    throw new IOException(
                            "reading the output of container " + request.id() + " failed", pump.readFailure());
                }
            }
            Optional<String> signal = stop.isPresent() ? Optional.of("SIGKILL") : Signals.fromExitCode(exitCode);
            return new ContainerResult(
                    exitCode,
                    signal,
                    stop.equals(Optional.of(Stop.TIMEOUT)),
                    stop.equals(Optional.of(Stop.CANCELLED)),
                    stop.equals(Optional.of(Stop.OOM)),
                    pidsRefused,
                    Duration.between(start, Instant.now()));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            cleanUp(request.id(), cgroupsPath, process, pumpThreads, failure);
        }
    }

    /** Waits for the process to end; returns why locald must stop it when it must. */
    private Optional<Stop> await(
            Process process, ContainerRequest request, String cgroupsPath, Cancellation cancellation, Instant start)
            throws InterruptedException {
        Optional<Instant> deadline = request.timeout().map(start::plus);
        Optional<Path> oomControl = request.limits().memoryBytes().isPresent()
                ? cgroups.memoryDir(cgroupsPath).map(dir -> dir.resolve("memory.oom_control"))
                : Optional.empty();
        Optional<Path> pidsEvents = request.limits().pids().isPresent()
                ? cgroups.controllerDir("pids", cgroupsPath).map(dir -> dir.resolve("pids.events"))
                : Optional.empty();
        long poll = settings.pollInterval().toMillis();
        while (!process.waitFor(poll, TimeUnit.MILLISECONDS)) {
            if (cancellation.isCancelled()) {
                return Optional.of(Stop.CANCELLED);
            }
            if (deadline.isPresent() && Instant.now().isAfter(deadline.get())) {
                return Optional.of(Stop.TIMEOUT);
            }
            if (oomControl.isPresent() && underOom(oomControl.get())) {
                return Optional.of(Stop.OOM);
            }
            if (pidsEvents.isPresent() && pidsLimitReached(pidsEvents.get())) {
                return Optional.of(Stop.PIDS_LIMIT);
            }
        }
        return Optional.empty();
    }

    private boolean refusedFork(ContainerRequest request, String cgroupsPath) {
        return request.limits().pids().isPresent()
                && cgroups.controllerDir("pids", cgroupsPath)
                        .map(dir -> pidsLimitReached(dir.resolve("pids.events")))
                        .orElse(false);
    }

    /**
     * {@code pids.events} counts the forks and clones the pids limit refused ({@code max N}). A container
     * at its limit cannot be trusted to finish its work (a fork bomb spins until its deadline), so the first
     * refusal ends it and the caller can say which limit it was.
     */
    private static boolean pidsLimitReached(Path pidsEvents) {
        try {
            for (String line : Files.readAllLines(pidsEvents)) {
                if (line.startsWith("max ") && !line.equals("max 0")) {
                    return true;
                }
            }
            return false;
        } catch (NoSuchFileException e) {
            return false; // not created yet, or already torn down
        } catch (IOException e) {
            LOG.warnf("cannot read %s: %s", pidsEvents, e.getMessage());
            return false;
        }
    }

    /**
     * The OOM killer is disabled for locald's containers (see {@link SpecOptions#cgroup}), so a container
     * at its limit sits in {@code under_oom 1} until it is killed.
     */
    private static boolean underOom(Path oomControl) {
        try {
            for (String line : Files.readAllLines(oomControl)) {
                if (line.equals("under_oom 1")) {
                    return true;
                }
            }
            return false;
        } catch (NoSuchFileException e) {
            return false; // not created yet, or already torn down
        } catch (IOException e) {
            LOG.warnf("cannot read %s: %s", oomControl, e.getMessage());
            return false;
        }
    }

    /** Kills the whole container (init dies, the pid namespace takes every process with it). */
    private void killAndAwait(String id, Process process) throws InterruptedException {
        try {
            runc.kill(id, "KILL");
        } catch (IOException e) {
            // the container may have ended on its own between the check and the kill
            LOG.debugf("runc kill %s: %s", id, e.getMessage());
        }
        if (!process.waitFor(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            forceDelete(id);
            process.destroyForcibly();
            process.waitFor(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cleanUp(String id, String cgroupsPath, Process process, Thread[] pumpThreads, Throwable failure)
            throws InterruptedException {
        try {
            if (process != null && process.isAlive()) {
                killAndAwait(id, process);
            }
            if (runc.hasState(id)) {
                forceDelete(id);
            }
            for (Thread thread : pumpThreads) {
                thread.join(settings.stopTimeout().toMillis());
                if (thread.isAlive()) {
                    LOG.warnf("output of container %s still open after it ended; abandoning the reader", id);
                }
            }
            cgroups.removeTree(cgroupsPath);
        } catch (IOException | RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                throw new IllegalStateException("cleaning up container " + id + " failed", e);
            }
        } finally {
            releaseParent(failure);
        }
    }

    private void forceDelete(String id) throws InterruptedException {
        try {
            runc.deleteForce(id);
        } catch (IOException e) {
            if (runc.hasState(id)) {
                throw new IllegalStateException("runc delete --force " + id + " failed", e);
            }
        }
    }

    /** The last run to finish removes the parent cgroup runc leaves behind. */
    private void releaseParent(Throwable failure) {
        synchronized (parentLock) {
            activeRuns--;
            if (activeRuns == 0) {
                try {
                    cgroups.removeIfUnused(cgroupParent);
                } catch (IOException e) {
                    if (failure != null) {
                        failure.addSuppressed(e);
                    } else {
                        LOG.warnf("cannot remove cgroup parent %s: %s", cgroupParent, e.getMessage());
                    }
                }
            }
        }
    }

    /** runc's own error messages (its --log), which say why a container could not start. */
    private static Optional<String> runcError(Bundle bundle) throws IOException {
        if (!Files.exists(bundle.runcLog()) || Files.size(bundle.runcLog()) == 0) {
            return Optional.empty();
        }
        StringBuilder messages = new StringBuilder();
        for (String line : Files.readAllLines(bundle.runcLog(), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode entry = JSON.readTree(line);
            String level = entry.path("level").asText();
            if (level.equals("error") || level.equals("fatal")) {
                messages.append(messages.length() == 0 ? "" : "; ")
                        .append(entry.path("msg").asText());
            }
        }
        return messages.length() == 0 ? Optional.empty() : Optional.of(messages.toString());
    }
}

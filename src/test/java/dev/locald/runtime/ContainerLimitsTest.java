package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.NetworkMode;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.RootModeOnly;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Containers that misbehave: a fork bomb, a memory hog, one past its deadline, one cancelled from
 * another thread, and a crash left behind for the sweeper. After each, nothing is left.
 */
@Timeout(120)
@ExtendWith({RegistryExtension.class, EngineExtension.class})
@RootModeOnly("memory, pids and CPU limits are cgroups, which rootless containers do not get on this host")
class ContainerLimitsTest {

    static TestRegistry registry;
    static ImagePusher.PushedImage busybox;

    EngineFixture engine;

    @BeforeAll
    static void pushImage(TestRegistry testRegistry) {
        registry = testRegistry;
        busybox = registry.pusher()
                .push(
                        "engine/limits",
                        "1",
                        TestImage.builder().layer(LayerTar.create().busybox()).build());
    }

    @BeforeEach
    void createEngine(EngineFixture engine) {
        this.engine = engine;
    }

    private ContainerRequest.Builder request(String script) throws Exception {
        return ContainerRequest.builder(EngineFixture.newId(), engine.rootfs(registry, busybox), EngineFixture.CNB)
                .args("/bin/sh", "-c", script);
    }

    @Test
    void forkBombIsStoppedByThePidsLimit() throws Exception {
        String id = EngineFixture.newId();
        Path pidsCurrent = engine.cgroups.dirs(engine.cgroupParent + "/" + id).stream()
                .filter(p -> p.toString().contains("/pids/"))
                .findFirst()
                .orElseThrow()
                .resolve("pids.current");
        CollectingSink sink = new CollectingSink();
        ContainerRequest request = ContainerRequest.builder(id, engine.rootfs(registry, busybox), EngineFixture.CNB)
                .args("/bin/sh", "-c", "bomb() { bomb | bomb & }; bomb; while true; do :; done")
                .limits(ResourceLimits.none().withPids(40))
                .timeout(Duration.ofSeconds(60))
                .build();
        AtomicReference<Integer> maxTasks = new AtomicReference<>(0);
        AtomicReference<String> pidsMax = new AtomicReference<>("");
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    int tasks = Integer.parseInt(Files.readString(pidsCurrent).trim());
                    maxTasks.accumulateAndGet(tasks, Math::max);
                    pidsMax.set(Files.readString(pidsCurrent.resolveSibling("pids.max"))
                            .trim());
                } catch (Exception e) {
                    // the cgroup does not exist yet or is gone already
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.start();
        ContainerResult result;
        try {
            result = engine.runner.run(request, sink, Cancellation.none());
        } finally {
            watcher.interrupt();
            watcher.join();
        }
        assertTrue(
                sink.stderr().stream().anyMatch(l -> l.contains("can't fork")),
                sink.stderr().toString());
        // the limit (pids.max 40, see limitsAreWrittenToTheContainersCgroups) was never passed; the first refused
        // fork (pids.events) ended the bomb long before its deadline, and the result says why
        assertTrue(maxTasks.get() <= 40, "tasks peaked at " + maxTasks.get());
        assertTrue(result.pidsLimitReached(), result.toString());
        assertFalse(result.timedOut() || result.cancelled() || result.oomKilled(), result.toString());
        assertEquals(Optional.of("SIGKILL"), result.signal());
        assertTrue(pidsMax.get().isEmpty() || pidsMax.get().equals("40"), pidsMax.get());
    }

    @Test
    void aProcessThatGivesUpAtItsFirstRefusedForkIsReportedAtThePidsLimitToo() throws Exception {
        // polls every 60 s: the container ends long before the first poll, so only the kept cgroup
        // (runc run --keep) can say why
        ContainerRunner slowPoller = new ContainerRunner(
                engine.runc,
                new dev.locald.etc.SyntheticRoot(
                        new dev.locald.etc.ResolvConf(engine.hostResolvConf, List.of("8.8.8.8"))),
                new ContainerSpecFactory(HostLimits.openFilesFor(1_048_576), engine.cgroupParent),
                engine.cgroups,
                engine.cgroupParent,
                new ContainerRunner.Settings(
                        engine.base.resolve("bundles"), 65536, Duration.ofSeconds(60), Duration.ofSeconds(10)));
        CollectingSink sink = new CollectingSink();
        ContainerRequest request = ContainerRequest.builder(
                        EngineFixture.newId(), engine.rootfs(registry, busybox), EngineFixture.CNB)
                .args("/bin/sh", "-c", "i=0; while [ $i -lt 50 ]; do sleep 30 & i=$((i+1)); done; wait")
                .limits(ResourceLimits.none().withPids(8))
                .timeout(Duration.ofSeconds(50))
                .build();
        long start = System.nanoTime();
        ContainerResult result = slowPoller.run(request, sink, Cancellation.none());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 30, result.toString());
        assertTrue(
                sink.stderr().stream().anyMatch(l -> l.contains("can't fork")),
                sink.stderr().toString());
        assertNotEquals(0, result.exitCode(), result.toString());
        assertTrue(result.pidsLimitReached(), result.toString());
    }

    @Test
    void processOverTheMemoryLimitIsKilledAndReportedAsOom() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerRequest request = request("echo start; x=a; while true; do x=\"$x$x\"; done")
                .limits(ResourceLimits.none().withMemoryBytes(32L * 1024 * 1024))
                .timeout(Duration.ofSeconds(60))
                .build();
        ContainerResult result = engine.runner.run(request, sink, Cancellation.none());
        assertTrue(result.oomKilled(), result.toString());
        assertEquals(137, result.exitCode());
        assertEquals(Optional.of("SIGKILL"), result.signal());
        assertFalse(result.timedOut() || result.cancelled());
        assertEquals(List.of("start"), sink.stdout());
    }

    @Test
    void processWithinTheMemoryLimitIsNotReportedAsOom() throws Exception {
        ContainerRequest request = request("x=a; i=0; while [ $i -lt 16 ]; do x=\"$x$x\"; i=$((i+1)); done; echo ok")
                .limits(ResourceLimits.none()
                        .withMemoryBytes(64L * 1024 * 1024)
                        .withPids(64)
                        .withCpus(1))
                .build();
        CollectingSink sink = new CollectingSink();
        ContainerResult result = engine.runner.run(request, sink, Cancellation.none());
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        assertFalse(result.oomKilled());
        assertEquals(List.of("ok"), sink.stdout());
    }

    @Test
    void limitsAreWrittenToTheContainersCgroups() throws Exception {
        String id = EngineFixture.newId();
        String cgroupsPath = engine.cgroupParent + "/" + id;
        Path memory = engine.cgroups.memoryDir(cgroupsPath).orElseThrow();
        Path pids = engine.cgroups.dirs(cgroupsPath).stream()
                .filter(p -> p.toString().contains("/pids/"))
                .findFirst()
                .orElseThrow();
        Path cpu = engine.cgroups.dirs(cgroupsPath).stream()
                .filter(p -> p.toString().contains("/cpu/"))
                .findFirst()
                .orElseThrow();
        AtomicReference<List<String>> seen = new AtomicReference<>();
        ContainerRequest request = ContainerRequest.builder(id, engine.rootfs(registry, busybox), EngineFixture.CNB)
                .args("/bin/sh", "-c", "echo ready; sleep 30")
                .limits(ResourceLimits.none()
                        .withMemoryBytes(96L * 1024 * 1024)
                        .withPids(77)
                        .withCpus(0.5))
                .build();
        Cancellation cancellation = Cancellation.create();
        engine.runner.run(
                request,
                (stream, time, text) -> {
                    if (text.equals("ready")) {
                        try {
                            seen.set(List.of(
                                    Files.readString(memory.resolve("memory.limit_in_bytes"))
                                            .trim(),
                                    Files.readString(pids.resolve("pids.max")).trim(),
                                    Files.readString(cpu.resolve("cpu.cfs_quota_us"))
                                            .trim(),
                                    Files.readString(cpu.resolve("cpu.cfs_period_us"))
                                            .trim(),
                                    Files.readAllLines(memory.resolve("memory.oom_control"))
                                            .get(0)));
                        } catch (Exception e) {
                            seen.set(List.of(e.toString()));
                        }
                        cancellation.cancel();
                    }
                },
                cancellation);
        assertEquals(
                List.of(String.valueOf(96L * 1024 * 1024), "77", "50000", "100000", "oom_kill_disable 1"), seen.get());
    }

    @Test
    void processPastItsDeadlineIsKilled() throws Exception {
        Instant start = Instant.now();
        ContainerResult result = engine.runner.run(
                request("sleep 60 & sleep 60; echo never")
                        .timeout(Duration.ofSeconds(1))
                        .build(),
                new CollectingSink(),
                Cancellation.none());
        assertTrue(result.timedOut());
        assertEquals(Optional.of("SIGKILL"), result.signal());
        assertEquals(137, result.exitCode());
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(10)) < 0, result.toString());
    }

    @Test
    void cancellationFromAnotherThreadEndsTheWholeProcessTree() throws Exception {
        String id = EngineFixture.newId();
        String cgroupsPath = engine.cgroupParent + "/" + id;
        Path pidsDir = engine.cgroups.dirs(cgroupsPath).stream()
                .filter(p -> p.toString().contains("/pids/"))
                .findFirst()
                .orElseThrow();
        ContainerRequest request = ContainerRequest.builder(id, engine.rootfs(registry, busybox), EngineFixture.CNB)
                .args("/bin/sh", "-c", "sleep 300 & (sleep 300 & sleep 300) & sleep 1; echo started; wait")
                .build();
        Cancellation cancellation = Cancellation.create();
        CountDownLatch started = new CountDownLatch(1);
        List<Long> hostPids = new ArrayList<>();
        CompletableFuture<ContainerResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return engine.runner.run(
                        request,
                        (stream, time, text) -> {
                            if (text.equals("started")) {
                                started.countDown();
                            }
                        },
                        cancellation);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        for (String pid : Files.readAllLines(pidsDir.resolve("cgroup.procs"))) {
            if (!pid.isBlank()) {
                hostPids.add(Long.parseLong(pid.trim()));
            }
        }
        assertTrue(hostPids.size() >= 4, "sh and three sleeps: " + hostPids);
        cancellation.cancel();
        ContainerResult result = run.get(30, TimeUnit.SECONDS);
        assertTrue(result.cancelled());
        assertEquals(Optional.of("SIGKILL"), result.signal());
        for (long pid : hostPids) {
            assertFalse(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " survived");
        }
    }

    @Test
    void sweeperRemovesWhatACrashedLocaldLeft() throws Exception {
        // a "crash": runc started a container, then locald (here: the runc run process) died
        String id = EngineFixture.newId();
        Path rootfs = engine.rootfs(registry, busybox);
        Path bundleDir = engine.base.resolve("bundles").resolve(id);
        Files.createDirectories(bundleDir.resolve("etc"));
        Bundle bundle = new Bundle(bundleDir);
        ContainerSpecFactory specFactory = new ContainerSpecFactory(1024, engine.cgroupParent);
        ContainerRequest request = ContainerRequest.builder(id, rootfs, EngineFixture.CNB)
                .args("/bin/sleep", "300")
                .build();
        bundle.writeConfig(specFactory.create(
                request,
                new dev.locald.etc.SyntheticRoot(
                                new dev.locald.etc.ResolvConf(engine.hostResolvConf, List.of("8.8.8.8")))
                        .prepare(
                                rootfs,
                                bundle.etcDir(),
                                new dev.locald.etc.SyntheticRoot.Request(
                                        EngineFixture.CNB, "crash", List.of(), NetworkMode.NONE))));
        Process runc = engine.runc.startRun(bundle, id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (engine.runc.state(id).map(c -> !c.status().equals("running")).orElse(true)) {
            assertTrue(System.nanoTime() < deadline, "container did not start");
            Thread.sleep(50);
        }
        runc.destroyForcibly().waitFor();
        assertEquals(
                List.of(id), engine.runc.list().stream().map(RuncContainer::id).toList());

        // and a cgroup whose container state is gone (runc delete cannot find it)
        List<Path> orphan = engine.cgroups.dirs(engine.cgroupParent + "/orphan");
        for (Path dir : orphan) {
            Files.createDirectories(dir);
        }

        ContainerSweeper.Report report = engine.sweeper.sweep();
        assertEquals(List.of(id), report.containers());
        assertEquals(List.of(id), report.bundles());
        assertEquals(List.of("orphan"), report.cgroups());
        for (Path dir : orphan) {
            assertFalse(Files.exists(dir), dir.toString());
        }
        assertTrue(engine.sweeper.sweep().isEmpty(), "a second sweep finds nothing");
    }
}

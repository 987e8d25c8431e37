package dev.locald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.etc.PreparedRoot;
import dev.locald.etc.ResolvConf;
import dev.locald.etc.SyntheticRoot;
import dev.locald.image.NetworkMode;
import dev.locald.json.Json;
import dev.locald.runtime.Bundle;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.ContainerRequest;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.ContainerRunner;
import dev.locald.runtime.ContainerSpecFactory;
import dev.locald.runtime.EngineFixture;
import dev.locald.runtime.HostLimits;
import dev.locald.runtime.ResourceLimits;
import dev.locald.runtime.RunMode;
import dev.locald.runtime.SeccompProfile;
import dev.locald.testsupport.FakeInternet;
import dev.locald.testsupport.LayerTar;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (the name does not end in Test): run by {@code bench/container-start.sh}, i.e.
 * {@code mvn -q test -Dtest=ContainerStartBenchmark -Dbenchmark.runs=30}. Compares locald starting a
 * container of {@code /bin/true} (synthetic root + spec generation + runc run + cleanup) with a raw
 * {@code runc run} of a prepared bundle, both started from this JVM; and, interleaved in the same loop,
 * locald's container without limits or seccomp against the same with the built-in seccomp profile, with
 * cgroup limits (memory 4G, pids 4096, all cores), and with both; and the host network against the isolated one
 * (pasta) (docs/benchmarks.md).
 */
class ContainerStartBenchmark {

    @Test
    void localdVersusRawRunc() throws Exception {
        int runs = Integer.getInteger("benchmark.runs", 30);
        EngineFixture engine = new EngineFixture("nameserver 10.1.2.3\n");
        try {
            Path rootfs = Files.createDirectories(engine.base.resolve("rootfs"));
            Path tar = engine.base.resolve("busybox.tar");
            Files.write(tar, LayerTar.create().busybox().toBytes());
            Process untar = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", rootfs.toString())
                    .inheritIO()
                    .start();
            if (untar.waitFor() != 0) {
                throw new IllegalStateException("tar failed");
            }

            // raw: one bundle prepared once with the same generated config, run again and again
            Path rawBundleDir = Files.createDirectories(engine.base.resolve("raw-bundle"));
            Bundle rawBundle = new Bundle(rawBundleDir);
            Files.createDirectories(rawBundle.etcDir());
            // raw runc runs the spec locald generated before seccomp and limits, as in earlier figures
            ContainerSpecFactory specFactory = new ContainerSpecFactory(
                    HostLimits.openFilesFor(1_048_576), engine.cgroupParent, Optional.empty(), RunMode.current());
            ContainerRunner unconfined = engine.runnerWith(Optional.empty());
            ContainerRunner confined = engine.runnerWith(Optional.of(SeccompProfile.builtIn()));
            // the built-in profile with the 64-bit ABI alone: what the 32-bit ABIs (x86, x32) cost at start
            ContainerRunner confined64 = engine.runnerWith(
                    Optional.of(SeccompProfile.read(nativeAbiOnly(engine.base.resolve("x86-64.json")))));
            ResourceLimits limits = ResourceLimits.none()
                    .withMemoryBytes(4L << 30)
                    .withPids(4096)
                    .withCpus(Runtime.getRuntime().availableProcessors());
            ContainerRequest template = ContainerRequest.builder("raw", rootfs, EngineFixture.CNB)
                    .args("/bin/true")
                    .build();
            PreparedRoot prepared = new SyntheticRoot(new ResolvConf(engine.hostResolvConf, List.of("8.8.8.8")))
                    .prepare(
                            rootfs,
                            rawBundle.etcDir(),
                            new SyntheticRoot.Request(EngineFixture.CNB, "locald", List.of(), NetworkMode.NONE));
            rawBundle.writeConfig(specFactory.create(template, prepared));

            List<Double> locald = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            List<Double> specOnly = new ArrayList<>();
            List<Double> seccompOnly = new ArrayList<>();
            List<Double> limitsOnly = new ArrayList<>();
            List<Double> seccompAndLimits = new ArrayList<>();
            List<Double> seccomp64AndLimits = new ArrayList<>();
            List<Double> host = new ArrayList<>();
            List<Double> isolated = new ArrayList<>();
            for (int i = 0; i < runs + 5; i++) {
                double onHost = timedRun(unconfined, "bench-h-" + i, rootfs, ResourceLimits.none(), NetworkMode.HOST);
                double onIsolated =
                        timedRun(unconfined, "bench-i-" + i, rootfs, ResourceLimits.none(), NetworkMode.ISOLATED);
                long t0 = System.nanoTime();
                timedRun(unconfined, "bench-l-" + i, rootfs, ResourceLimits.none());
                long t1 = System.nanoTime();
                Process process = new ProcessBuilder(
                                "/usr/sbin/runc",
                                "--root",
                                engine.runc.stateRoot().toString(),
                                "run",
                                "--bundle",
                                rawBundleDir.toString(),
                                "bench-r-" + i)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (process.waitFor() != 0) {
                    throw new IllegalStateException("raw runc run failed");
                }
                long t2 = System.nanoTime();
                Path scratch = Files.createDirectories(engine.base.resolve("spec-" + i + "/etc"));
                long t3 = System.nanoTime();
                PreparedRoot root = new SyntheticRoot(new ResolvConf(engine.hostResolvConf, List.of("8.8.8.8")))
                        .prepare(
                                rootfs,
                                scratch,
                                new SyntheticRoot.Request(EngineFixture.CNB, "locald", List.of(), NetworkMode.NONE));
                new Bundle(scratch.getParent()).writeConfig(specFactory.create(template, root));
                long t4 = System.nanoTime();
                double withSeccomp = timedRun(confined, "bench-s-" + i, rootfs, ResourceLimits.none());
                double withLimits = timedRun(unconfined, "bench-c-" + i, rootfs, limits);
                double withBoth = timedRun(confined, "bench-b-" + i, rootfs, limits);
                double withBoth64 = timedRun(confined64, "bench-6-" + i, rootfs, limits);
                if (i >= 5) {
                    locald.add((t1 - t0) / 1e6);
                    raw.add((t2 - t1) / 1e6);
                    specOnly.add((t4 - t3) / 1e6);
                    seccompOnly.add(withSeccomp);
                    limitsOnly.add(withLimits);
                    seccompAndLimits.add(withBoth);
                    seccomp64AndLimits.add(withBoth64);
                    host.add(onHost);
                    isolated.add(onIsolated);
                }
            }
            engine.cgroups.removeIfUnused(engine.cgroupParent);
            System.out.printf(
                    "BENCHMARK runs=%d cpus=%d%n  locald run(/bin/true), no limits, no seccomp: %s%n"
                            + "  raw runc run:          %s%n"
                            + "  synthetic root + spec + config.json only: %s%n"
                            + "  locald run, seccomp:          %s%n"
                            + "  locald run, limits:           %s%n"
                            + "  locald run, seccomp + limits: %s%n"
                            + "  locald run, seccomp (x86-64 ABI only) + limits: %s%n"
                            + "  locald run, network host:     %s%n  locald run, network isolated: %s%n",
                    runs,
                    Runtime.getRuntime().availableProcessors(),
                    stats(locald),
                    stats(raw),
                    stats(specOnly),
                    stats(seccompOnly),
                    stats(limitsOnly),
                    stats(seccompAndLimits),
                    stats(seccomp64AndLimits),
                    stats(host),
                    stats(isolated));
        } finally {
            engine.network.drain();
            engine.sweeper.sweep();
            engine.deleteFiles();
        }
    }

    /** A 200 MiB download from the fake internet, through pasta and on the host network, one container run each. */
    @Test
    void isolatedDownloadThroughput() throws Exception {
        EngineFixture engine = new EngineFixture("nameserver 10.1.2.3\n");
        try (FakeInternet internet = FakeInternet.start()) {
            Path rootfs = Files.createDirectories(engine.base.resolve("rootfs"));
            Path tar = engine.base.resolve("busybox.tar");
            Files.write(tar, LayerTar.create().busybox().toBytes());
            if (new ProcessBuilder("tar", "-xf", tar.toString(), "-C", rootfs.toString())
                            .inheritIO()
                            .start()
                            .waitFor()
                    != 0) {
                throw new IllegalStateException("tar failed");
            }
            long size = 200L * 1024 * 1024;
            try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(
                    internet.fileDir().resolve("big").toFile(), "rw")) {
                big.setLength(size);
            }
            String url = "http://" + internet.serverAddress() + "/big";
            for (NetworkMode network : List.of(NetworkMode.HOST, NetworkMode.ISOLATED)) {
                List<String> out = new ArrayList<>();
                long start = System.nanoTime();
                ContainerResult result = engine.runner.run(
                        ContainerRequest.builder("bench-d-" + network.wireName(), rootfs, EngineFixture.CNB)
                                .args("/bin/sh", "-c", "wget -q -O /dev/null " + url)
                                .network(network)
                                .build(),
                        (s, t, x) -> out.add(x),
                        Cancellation.none());
                if (result.exitCode() != 0) {
                    throw new IllegalStateException("download failed: " + out);
                }
                // the whole run, container start and teardown included (busybox date has no %N)
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.printf(
                        "BENCHMARK download 200 MiB (whole container run), network %s: %d ms, %.0f MiB/s%n",
                        network.wireName(), millis, 200 * 1000.0 / millis);
            }
        } finally {
            engine.network.drain();
            engine.sweeper.sweep();
            engine.deleteFiles();
        }
    }

    /** The built-in profile's amd64 rules as a profile file that accepts the x86-64 syscall ABI only. */
    private static Path nativeAbiOnly(Path file) throws Exception {
        ObjectMapper json = Json.PLAIN;
        JsonNode builtIn;
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
            builtIn = json.readTree(in);
        }
        ObjectNode profile = json.createObjectNode();
        profile.set("defaultAction", builtIn.get("defaultAction"));
        profile.set("defaultErrnoRet", builtIn.get("defaultErrnoRet"));
        profile.putArray("architectures").add("SCMP_ARCH_X86_64");
        ArrayNode syscalls = profile.putArray("syscalls");
        for (JsonNode rule : builtIn.get("syscalls")) {
            JsonNode arches = rule.get("arches");
            if (arches == null || arches.toString().contains("\"amd64\"")) {
                ObjectNode copy = ((ObjectNode) rule).deepCopy();
                copy.remove(List.of("arches", "comment"));
                syscalls.add(copy);
            }
        }
        json.writeValue(file.toFile(), profile);
        return file;
    }

    /** One locald run of /bin/true, in milliseconds. */
    private static double timedRun(ContainerRunner runner, String id, Path rootfs, ResourceLimits limits)
            throws Exception {
        // the request's default network, as in earlier figures
        return timedRun(runner, id, rootfs, limits, NetworkMode.NONE);
    }

    private static double timedRun(
            ContainerRunner runner, String id, Path rootfs, ResourceLimits limits, NetworkMode network)
            throws Exception {
        long start = System.nanoTime();
        ContainerResult result = runner.run(
                ContainerRequest.builder(id, rootfs, EngineFixture.CNB)
                        .args("/bin/true")
                        .limits(limits)
                        .network(network)
                        .build(),
                (s, t, x) -> {},
                Cancellation.none());
        long end = System.nanoTime();
        if (result.exitCode() != 0) {
            throw new IllegalStateException("locald run " + id + " failed: " + result);
        }
        return (end - start) / 1e6;
    }

    private static String stats(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double sd = Math.sqrt(
                values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / values.size());
        return String.format(
                "mean %.1f ms ± %.1f, median %.1f ms, p90 %.1f ms, min %.1f, max %.1f, n %d",
                mean,
                sd,
                sorted.get(sorted.size() / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1),
                sorted.get(0),
                sorted.get(sorted.size() - 1),
                sorted.size());
    }
}

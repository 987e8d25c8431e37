package dev.locald.bench;

import dev.locald.etc.PreparedRoot;
import dev.locald.etc.ResolvConf;
import dev.locald.etc.SyntheticRoot;
import dev.locald.image.NetworkMode;
import dev.locald.runtime.Bundle;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.ContainerRequest;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.ContainerSpecFactory;
import dev.locald.runtime.EngineFixture;
import dev.locald.runtime.HostLimits;
import dev.locald.testsupport.FakeInternet;
import dev.locald.testsupport.LayerTar;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (the name does not end in Test): run by {@code bench/container-start.sh}, i.e.
 * {@code mvn -q test -Dtest=ContainerStartBenchmark -Dbenchmark.runs=30}. Compares locald starting a
 * container of {@code /bin/true} (synthetic root + spec generation + runc run + cleanup) with a raw
 * {@code runc run} of a prepared bundle, both started from this JVM.
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
            ContainerSpecFactory specFactory =
                    new ContainerSpecFactory(HostLimits.openFilesFor(1_048_576), engine.cgroupParent);
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
            List<Double> host = new ArrayList<>();
            List<Double> isolated = new ArrayList<>();
            for (int i = 0; i < runs + 5; i++) {
                long h0 = System.nanoTime();
                runTrue(engine, rootfs, "bench-h-" + i, NetworkMode.HOST);
                long h1 = System.nanoTime();
                runTrue(engine, rootfs, "bench-i-" + i, NetworkMode.ISOLATED);
                long h2 = System.nanoTime();
                if (i >= 5) {
                    host.add((h1 - h0) / 1e6);
                    isolated.add((h2 - h1) / 1e6);
                }
                long t0 = System.nanoTime();
                ContainerResult result = engine.runner.run(
                        ContainerRequest.builder("bench-l-" + i, rootfs, EngineFixture.CNB)
                                .args("/bin/true")
                                .build(),
                        (s, t, x) -> {},
                        Cancellation.none());
                long t1 = System.nanoTime();
                if (result.exitCode() != 0) {
                    throw new IllegalStateException("locald run failed: " + result);
                }
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
                if (i >= 5) {
                    locald.add((t1 - t0) / 1e6);
                    raw.add((t2 - t1) / 1e6);
                    specOnly.add((t4 - t3) / 1e6);
                }
            }
            engine.cgroups.removeIfUnused(engine.cgroupParent);
            System.out.printf(
                    "BENCHMARK runs=%d%n  locald run(/bin/true): %s%n  raw runc run:          %s%n"
                            + "  synthetic root + spec + config.json only: %s%n"
                            + "  locald run, network host:     %s%n  locald run, network isolated: %s%n",
                    runs, stats(locald), stats(raw), stats(specOnly), stats(host), stats(isolated));
        } finally {
            engine.sweeper.sweep();
            engine.deleteFiles();
        }
    }

    private static void runTrue(EngineFixture engine, Path rootfs, String id, NetworkMode network) throws Exception {
        ContainerResult result = engine.runner.run(
                ContainerRequest.builder(id, rootfs, EngineFixture.CNB)
                        .args("/bin/true")
                        .network(network)
                        .build(),
                (s, t, x) -> {},
                Cancellation.none());
        if (result.exitCode() != 0) {
            throw new IllegalStateException(network + " run failed: " + result);
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
            engine.sweeper.sweep();
            engine.deleteFiles();
        }
    }

    private static String stats(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double sd = Math.sqrt(
                values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / values.size());
        return String.format(
                "mean %.1f ms ± %.1f, median %.1f ms, min %.1f, max %.1f",
                mean, sd, sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
    }
}

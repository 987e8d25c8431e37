package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.locald.etc.ResolvConf;
import dev.locald.etc.SyntheticRoot;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.testsupport.FakeInternet;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything an engine integration test needs, all under one new temporary directory: a runc root, a
 * bundles dir, a unique cgroup parent, and rootfs dirs unpacked from images in the test registry.
 * {@link #assertNothingLeft()} checks runc, mountinfo and the cgroup filesystem after a run. Tests get
 * one from {@link EngineExtension}; public for the container-start benchmark.
 */
public final class EngineFixture {

    public static final CnbUser CNB = new CnbUser(1001, 1002);

    /** {@code request} with its process run as {@code uid:gid} rather than the CNB user. */
    public static ContainerRequest runAs(ContainerRequest r, long uid, long gid) {
        return new ContainerRequest(
                r.id(),
                r.rootfs(),
                r.readonlyRootfs(),
                r.args(),
                r.imagePath(),
                r.env(),
                r.cwd(),
                uid,
                gid,
                r.additionalGids(),
                r.mounts(),
                r.diskTmp(),
                r.network(),
                r.hostLoopbackPorts(),
                r.limits(),
                r.timeout(),
                r.hostname(),
                r.extraHosts(),
                r.terminal(),
                r.cnbUser());
    }

    /** A deny-list entry the isolated-network tests check (TEST-NET-3, never a real service). */
    public static final List<String> DENY = List.of("203.0.113.0/24");

    public final Path base;
    public final Path hostResolvConf;
    /** The isolated networks of {@link #runner} and {@link #runnerWith}. */
    public final IsolatedNetwork network;

    public final String cgroupParent;
    public final RuncClient runc;
    public final CgroupLayout cgroups;
    public final ContainerRunner runner;
    public final ContainerSweeper sweeper;

    public EngineFixture(String hostResolvConfContent) throws IOException {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        base = Files.createTempDirectory("locald-engine-");
        hostResolvConf = base.resolve("host-resolv.conf");
        Files.writeString(hostResolvConf, hostResolvConfContent);
        cgroupParent = "locald-engine-test-" + unique;
        runc = new RuncClient(
                Path.of("/usr/sbin/runc"),
                base.resolve("runc"),
                Duration.ofSeconds(30),
                RunMode.current().rootless());
        cgroups = CgroupLayout.ofCurrentProcess();
        // as configured by default: a host with only loopback resolvers is asked through pasta and the relay
        Optional<String> dnsForward = Optional.of(IsolatedNetwork.DNS_FORWARD_ADDRESS);
        // one warm namespace, as configured by default
        network =
                new IsolatedNetwork(new IsolatedNetwork.Settings("pasta", DENY, dnsForward, Duration.ofSeconds(10), 1));
        SyntheticRoot syntheticRoot =
                new SyntheticRoot(new ResolvConf(hostResolvConf, List.of("8.8.8.8", "8.8.4.4"), dnsForward));
        ContainerSpecFactory specFactory = new ContainerSpecFactory(HostLimits.openFilesFor(1_048_576), cgroupParent);
        runner = new ContainerRunner(
                runc,
                syntheticRoot,
                specFactory,
                cgroups,
                cgroupParent,
                new ContainerRunner.Settings(
                        base.resolve("bundles"), 65536, Duration.ofMillis(50), Duration.ofSeconds(10)),
                network);
        sweeper = new ContainerSweeper(runc, cgroups, cgroupParent, base.resolve("bundles"));
    }

    /** A runner like {@link #runner} with the given isolated networks. */
    public ContainerRunner runnerWith(IsolatedNetwork isolatedNetwork) throws IOException {
        return new ContainerRunner(
                runc,
                new SyntheticRoot(new ResolvConf(hostResolvConf, List.of("8.8.8.8", "8.8.4.4"))),
                new ContainerSpecFactory(HostLimits.openFilesFor(1_048_576), cgroupParent),
                cgroups,
                cgroupParent,
                new ContainerRunner.Settings(
                        base.resolve("bundles"), 65536, Duration.ofMillis(50), Duration.ofSeconds(10)),
                isolatedNetwork);
    }

    /** A runner like {@link #runner} (same runc root, cgroup parent and bundles) with the given seccomp filter. */
    public ContainerRunner runnerWith(Optional<SeccompProfile> seccomp) throws IOException {
        return new ContainerRunner(
                runc,
                new SyntheticRoot(new ResolvConf(hostResolvConf, List.of("8.8.8.8", "8.8.4.4"))),
                new ContainerSpecFactory(HostLimits.openFilesFor(1_048_576), cgroupParent, seccomp, RunMode.current()),
                cgroups,
                cgroupParent,
                new ContainerRunner.Settings(
                        base.resolve("bundles"), 65536, Duration.ofMillis(50), Duration.ofSeconds(10)),
                network);
    }

    Path rootfs(TestRegistry registry, ImagePusher.PushedImage image) throws IOException, InterruptedException {
        return TestRootfs.unpack(
                registry,
                image,
                base.resolve("rootfs-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    static String newId() {
        return "locald-engine-test-" + UUID.randomUUID().toString().substring(0, 12);
    }

    public void assertNothingLeft() throws IOException, InterruptedException {
        // the warm namespace is meant to live on; used ones are torn down in the background
        network.drain();
        assertEquals(List.of(), runc.list(), "runc containers left");
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(line.contains(base.toString()), "mount left: " + line);
        }
        for (Path dir : cgroups.dirs(cgroupParent)) {
            assertFalse(Files.exists(dir), "cgroup left: " + dir);
        }
        assertEquals(List.of(), FakeInternet.pastaProcesses(base), "pasta processes left");
        Path bundles = base.resolve("bundles");
        if (Files.isDirectory(bundles)) {
            try (var children = Files.list(bundles)) {
                assertEquals(List.of(), children.toList(), "bundles left");
            }
        }
    }

    /** Removes the rootfs dirs (owned by various uids, some made by runc). */
    public void deleteFiles() throws IOException {
        TreeDeleter.deleteTree(base);
    }
}

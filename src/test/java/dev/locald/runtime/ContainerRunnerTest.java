package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.etc.HostEntry;
import dev.locald.image.NetworkMode;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real containers under runc on busybox images pushed to a real registry, checked from the inside
 * (docs/engine.md §1–6), and after every run: no runc container, mount or cgroup left.
 */
@Timeout(120)
@ExtendWith({RegistryExtension.class, EngineExtension.class})
@EngineExtension.HostResolvConf(ContainerRunnerTest.HOST_RESOLV)
class ContainerRunnerTest {

    static final String HOST_RESOLV =
            "# host\nnameserver 127.0.0.53\nnameserver 10.1.2.3\nsearch corp.example\n" + "options ndots:2 edns0\n";

    static TestRegistry registry;
    static ImagePusher.PushedImage bare;
    static ImagePusher.PushedImage withEtc;
    static ImagePusher.PushedImage hostile;

    EngineFixture engine;

    @BeforeAll
    static void pushImages(TestRegistry testRegistry) {
        registry = testRegistry;
        ImagePusher pusher = registry.pusher();
        bare = pusher.push(
                "engine/bare",
                "1",
                TestImage.builder().layer(LayerTar.create().busybox()).build());
        withEtc = pusher.push(
                "engine/etc",
                "1",
                TestImage.builder()
                        .layer(LayerTar.create().busybox())
                        .layer(LayerTar.create()
                                .dir("etc")
                                .file(
                                        "etc/passwd",
                                        "root:x:0:0:root:/root:/bin/sh\nbuilder:x:1001:1002:Builder:/home/builder:/bin/sh\n")
                                .file("etc/group", "root:x:0:\nbuilders:x:1002:builder\nextra:x:2000:\n")
                                .dir("home")
                                .dir("home/builder", 0750, 1001, 1002))
                        .build());
        LayerTar hostileEtc = LayerTar.create()
                .dir("etc")
                .symlink("etc/passwd", "../../../../../etc/shadow")
                .fifo("etc/group")
                .symlink("etc/hostname", "/bin/busybox")
                .dir("etc/resolv.conf");
        if (!RunMode.current().rootless()) {
            // a user namespace cannot mknod, so a rootless root never holds a device node
            hostileEtc.charDevice("etc/hosts", 1, 3);
        }
        hostile = pusher.push(
                "engine/hostile",
                "1",
                TestImage.builder()
                        .layer(LayerTar.create().busybox())
                        .layer(hostileEtc)
                        .build());
    }

    @BeforeEach
    void createEngine(EngineFixture engine) {
        this.engine = engine;
    }

    private ContainerRequest.Builder request(ImagePusher.PushedImage image, String script) throws Exception {
        return ContainerRequest.builder(EngineFixture.newId(), engine.rootfs(registry, image), EngineFixture.CNB)
                .args("/bin/sh", "-c", script)
                .hostname("build-42");
    }

    /** {@code gid} of this process's user namespace as the host's initial namespace numbers it. */
    private static long hostGid(long gid) throws java.io.IOException {
        return hostId("gid", gid);
    }

    /** An id ({@code kind} uid or gid) of this process's user namespace as the host's initial one numbers it. */
    private static long hostId(String kind, long id) throws java.io.IOException {
        for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/" + kind + "_map"))) {
            String[] f = line.strip().split("\\s+");
            long inside = Long.parseLong(f[0]);
            if (id >= inside && id < inside + Long.parseLong(f[2])) {
                return Long.parseLong(f[1]) + id - inside;
            }
        }
        throw new IllegalStateException(kind + " " + id + " is not mapped");
    }

    private static ContainerResult run(EngineFixture engine, ContainerRequest request, CollectingSink sink)
            throws Exception {
        return engine.runner.run(request, sink, Cancellation.none());
    }

    @Test
    void cnbUserAndRootResolveInAnImageWithoutEtc() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult result = run(
                engine,
                request(
                                bare,
                                "id; id root; whoami; ls -ld /home/cnb; echo HOME=$HOME;"
                                        + " touch /home/cnb/f && ls -l /home/cnb/f")
                        .build(),
                sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        List<String> out = sink.stdout();
        assertEquals("uid=1001(cnb) gid=1002(cnb)", out.get(0));
        assertEquals("uid=0(root) gid=0(root) groups=0(root)", out.get(1));
        assertEquals("cnb", out.get(2));
        assertTrue(out.get(3).matches("drwxr-xr-x\\s+\\d+\\s+cnb\\s+cnb\\s+.*/home/cnb"), out.get(3));
        assertEquals("HOME=/home/cnb", out.get(4));
        assertTrue(out.get(5).matches("-rw-r--r--\\s+1\\s+cnb\\s+cnb\\s+0 .*/home/cnb/f"), out.get(5));
        assertEquals(Optional.empty(), result.signal());
    }

    @Test
    void imageUserDatabaseIsKeptWhenValidAndRootAdded() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult result = run(
                engine,
                request(withEtc, "id; echo HOME=$HOME; cat /etc/passwd; cat /etc/group;" + " ls -ld $HOME")
                        .additionalGids(List.of(1002L, 2000L))
                        .build(),
                sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        assertEquals(
                List.of(
                        "uid=1001(builder) gid=1002(builders) groups=1002(builders),2000(extra)",
                        "HOME=/home/builder",
                        "root:x:0:0:root:/root:/bin/sh",
                        "builder:x:1001:1002:Builder:/home/builder:/bin/sh",
                        "root:x:0:",
                        "builders:x:1002:builder",
                        "extra:x:2000:"),
                sink.stdout().subList(0, 7));
        assertTrue(
                sink.stdout().get(7).matches("drwxr-x---\\s+\\d+\\s+builder\\s+builders\\s+.*/home/builder"),
                sink.stdout().get(7));
    }

    @Test
    void hostileEtcEntriesAreNeitherReadNorFollowed() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerRequest request = request(
                        hostile,
                        "id; cat /etc/hostname; busybox true && echo busybox-intact;"
                                + " ls -l /etc/passwd /etc/group /etc/hostname /etc/hosts /etc/resolv.conf")
                .build();
        ContainerResult result = run(engine, request, sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        assertEquals("uid=1001(cnb) gid=1002(cnb)", sink.stdout().get(0));
        assertEquals("build-42", sink.stdout().get(1));
        assertEquals("busybox-intact", sink.stdout().get(2));
        for (String line : sink.stdout().subList(3, 8)) {
            assertTrue(line.startsWith("-r"), "a regular file bound read-only: " + line);
        }
        // the symlink was replaced in the run's root, not followed: busybox in the rootfs is untouched
        assertTrue(Files.isRegularFile(request.rootfs().resolve("etc/hostname"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.size(request.rootfs().resolve("bin/busybox")) > 100_000);
    }

    @Test
    void mountTableDevicesTmpAndEnvironment() throws Exception {
        CollectingSink sink = new CollectingSink();
        String script = String.join(
                "\n",
                "cat /proc/self/mountinfo | sed 's/^/M /'",
                "for d in null zero full random urandom tty console; do stat -c 'D %n %F %t:%T' /dev/$d; done",
                "stat -c 'T %a' /tmp",
                "printf '#!/bin/sh\\necho exec-from-tmp\\n' > /tmp/s.sh && chmod +x /tmp/s.sh && /tmp/s.sh",
                "echo x > /dev/full || echo full-failed",
                "env | sed 's/^/E /'",
                "ps -o pid,comm | sed 's/^/P /'",
                "echo N $(cat /proc/sys/kernel/hostname) $(ulimit -n)",
                "grep Cap /proc/self/status | sed 's/^/C /'",
                "grep NoNewPrivs /proc/self/status");
        ContainerResult result = run(engine, request(bare, script).build(), sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        List<String> out = sink.stdout();

        Map<String, String> mounts = new HashMap<>();
        for (String line : out) {
            if (line.startsWith("M ")) {
                String[] fields = line.substring(2).split(" ");
                int dash = List.of(fields).indexOf("-");
                mounts.put(fields[4], fields[5] + " " + fields[dash + 1] + " " + fields[dash + 3]);
            }
        }
        assertMount(mounts, "/proc", "proc", "rw", "nosuid", "nodev", "noexec");
        assertMount(mounts, "/sys", "sysfs", "ro", "nosuid", "nodev", "noexec");
        assertMount(mounts, "/dev", "tmpfs", "nosuid", "mode=755");
        // mountinfo shows the tty group as the host sees it: 5 as root, a subordinate gid rootless
        assertMount(mounts, "/dev/pts", "devpts", "nosuid", "noexec", "gid=" + hostGid(5), "mode=620", "ptmxmode=666");
        assertMount(mounts, "/dev/shm", "tmpfs", "nosuid", "nodev", "noexec");
        assertMount(mounts, "/dev/mqueue", "mqueue", "nosuid", "nodev", "noexec");
        assertMount(mounts, "/tmp", "tmpfs", "rw", "nosuid", "nodev");
        assertFalse(mounts.get("/tmp").contains("noexec"), mounts.get("/tmp"));
        assertMount(mounts, "/dev/console", "devtmpfs", "nosuid", "noexec");
        for (String etc : List.of("/etc/passwd", "/etc/group", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname")) {
            assertMount(mounts, etc, "", "ro", "nosuid", "nodev", "noexec");
        }
        assertMount(
                mounts, "/home/cnb", "tmpfs", "nosuid", "nodev", "uid=" + hostId("uid", 1001), "gid=" + hostGid(1002));
        assertTrue(out.stream().anyMatch(l -> l.startsWith("M ") && l.contains(" /proc/keys ")), "masked /proc/keys");

        List<String> devices = out.stream().filter(l -> l.startsWith("D ")).toList();
        assertEquals(
                List.of(
                        "D /dev/null character special file 1:3",
                        "D /dev/zero character special file 1:5",
                        "D /dev/full character special file 1:7",
                        "D /dev/random character special file 1:8",
                        "D /dev/urandom character special file 1:9",
                        "D /dev/tty character special file 5:0",
                        "D /dev/console character special file 1:3"),
                devices);
        assertTrue(out.contains("T 1777"));
        assertTrue(out.contains("exec-from-tmp"));
        assertTrue(out.contains("full-failed"));
        assertTrue(
                sink.stderr().stream().anyMatch(l -> l.contains("No space left on device")),
                sink.stderr().toString());

        List<String> env = out.stream()
                .filter(l -> l.startsWith("E "))
                .map(l -> l.substring(2))
                .toList();
        assertTrue(env.contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), env.toString());
        assertTrue(env.contains("HOME=/home/cnb"), env.toString());
        assertFalse(env.stream().anyMatch(e -> e.startsWith("TERM=")), env.toString());

        List<String> processes = out.stream().filter(l -> l.startsWith("P ")).toList();
        assertTrue(processes.size() <= 4, "only the container's processes are visible: " + processes);
        assertTrue(processes.get(1).matches("P\\s+1 sh"), processes.toString());

        assertTrue(out.contains("N build-42 " + HostLimits.openFilesFor(1_048_576)), out.toString());
        assertTrue(out.contains("C CapEff:\t0000000000000000"), out.toString());
        assertTrue(out.contains("C CapBnd:\t0000000000000000"), out.toString());
        assertTrue(out.contains("NoNewPrivs:\t1"), out.toString());
    }

    /** A disk-backed /tmp: the host dir the runner creates (root, 1777), exec allowed, gone after the run. */
    @Test
    void diskTmpIsAFreshRootOwnedStickyHostDirectoryRemovedAfterTheRun() throws Exception {
        Path hostTmp = engine.base.resolve("tmp-phase");
        CollectingSink sink = new CollectingSink();
        String script = String.join(
                "\n",
                "stat -c 'T %a %u:%g' /tmp",
                "grep ' /tmp ' /proc/self/mountinfo | sed 's/^/M /'",
                "printf '#!/bin/sh\\necho exec-from-tmp\\n' > /tmp/s.sh && chmod +x /tmp/s.sh && /tmp/s.sh",
                "dd if=/dev/zero of=/tmp/big bs=1024 count=2048 2>/dev/null && echo wrote-big");
        ContainerResult result =
                run(engine, request(bare, script).diskTmp(hostTmp).build(), sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        List<String> out = sink.stdout();
        assertTrue(out.contains("T 1777 0:0"), out.toString());
        String mount = out.stream().filter(l -> l.startsWith("M ")).findFirst().orElseThrow();
        assertFalse(mount.contains(" - tmpfs "), mount);
        assertFalse(mount.contains("noexec"), mount);
        assertTrue(out.contains("exec-from-tmp"), out.toString());
        assertTrue(out.contains("wrote-big"), out.toString());
        assertFalse(Files.exists(hostTmp, LinkOption.NOFOLLOW_LINKS), "the disk /tmp is removed after the run");
    }

    @Test
    void anExistingDiskTmpDirectoryIsRefusedAndKept() throws Exception {
        Path hostTmp = Files.createDirectory(engine.base.resolve("tmp-taken"));
        Files.writeString(hostTmp.resolve("keep"), "x");
        ContainerRequest request = request(bare, "echo never").diskTmp(hostTmp).build();
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> run(engine, request, new CollectingSink()));
        assertTrue(Files.exists(hostTmp.resolve("keep")));
    }

    private static void assertMount(Map<String, String> mounts, String point, String fsType, String... options) {
        String mount = mounts.get(point);
        assertTrue(mount != null, "no mount at " + point + " in " + mounts.keySet());
        String[] parts = mount.split(" ");
        if (!fsType.isEmpty()) {
            assertEquals(fsType, parts[1], point + ": " + mount);
        }
        List<String> all = new java.util.ArrayList<>(List.of(parts[0].split(",")));
        all.addAll(List.of(parts[2].split(",")));
        for (String option : options) {
            assertTrue(all.contains(option), point + " lacks " + option + ": " + mount);
        }
    }

    @Test
    void isolatedNetworkDropsLoopbackResolversAndHasOnlyLoopback() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerRequest request = request(
                        bare,
                        "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---;"
                                + " cat /etc/hostname; hostname; ls /sys/class/net")
                .extraHost(new HostEntry("registry.local", "10.0.0.5"))
                .extraHost(new HostEntry("v6.local", "2001:db8::1"))
                .build();
        ContainerResult result = run(engine, request, sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        assertEquals(
                List.of(
                        "# host",
                        "nameserver 10.1.2.3",
                        "search corp.example",
                        "options ndots:2 edns0",
                        "---",
                        "127.0.0.1\tlocalhost",
                        "::1\tlocalhost ip6-localhost ip6-loopback",
                        "127.0.0.1\tbuild-42",
                        "10.0.0.5\tregistry.local",
                        "2001:db8::1\tv6.local",
                        "---",
                        "build-42",
                        "build-42",
                        "lo"),
                sink.stdout());
    }

    @Test
    @EngineExtension.HostResolvConf("nameserver 127.0.0.53\nnameserver ::1\nsearch lan\n")
    void isolatedNetworkWithOnlyLoopbackResolversGetsTheFallbacks() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult result =
                run(engine, request(bare, "cat /etc/resolv.conf").build(), sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        assertEquals(List.of("search lan", "nameserver 8.8.8.8", "nameserver 8.8.4.4"), sink.stdout());
    }

    @Test
    void hostNetworkKeepsTheHostResolversAndSeesHostInterfaces() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerRequest request = request(
                        bare,
                        "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---;" + " ls /sys/class/net | wc -l")
                .network(NetworkMode.HOST)
                .build();
        ContainerResult result = run(engine, request, sink);
        assertEquals(0, result.exitCode(), sink.stderr().toString());
        List<String> out = sink.stdout();
        assertEquals(
                List.of(
                        "# host",
                        "nameserver 127.0.0.53",
                        "nameserver 10.1.2.3",
                        "search corp.example",
                        "options ndots:2 edns0",
                        "---",
                        "127.0.0.1\tlocalhost",
                        "::1\tlocalhost ip6-localhost ip6-loopback",
                        "127.0.0.1\tbuild-42",
                        "---"),
                out.subList(0, 10));
        long hostInterfaces;
        try (var list = Files.list(Path.of("/sys/class/net"))) {
            hostInterfaces = list.count();
        }
        assertEquals(String.valueOf(hostInterfaces), out.get(10).trim());
    }

    @Test
    void exitCodeAndSignalAreReported() throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult exit =
                run(engine, request(bare, "echo out; echo err >&2; exit 7").build(), sink);
        assertEquals(7, exit.exitCode());
        assertEquals(Optional.empty(), exit.signal());
        assertEquals(List.of("out"), sink.stdout());
        assertEquals(List.of("err"), sink.stderr());
        ContainerResult signalled =
                run(engine, request(bare, "sh -c 'kill -TERM $$'; exit $?").build(), new CollectingSink());
        assertEquals(143, signalled.exitCode());
        assertEquals(Optional.of("SIGTERM"), signalled.signal());
        assertFalse(signalled.timedOut() || signalled.cancelled() || signalled.oomKilled());
    }

    @Test
    void aProcessThatCannotStartIsAClearError() throws Exception {
        ContainerRequest request = ContainerRequest.builder(
                        EngineFixture.newId(), engine.rootfs(registry, bare), EngineFixture.CNB)
                .args("/no/such/program")
                .build();
        ContainerStartException e = assertThrows(
                ContainerStartException.class,
                () -> engine.runner.run(request, new CollectingSink(), Cancellation.none()));
        assertTrue(
                e.getMessage().contains("/no/such/program") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void theBundleIsReadableByItsOwnerOnly() throws Exception {
        ContainerRequest request = request(bare, "echo ok").env("SECRET=s3cr3t").build();
        Path bundle = engine.base.resolve("bundles").resolve(request.id());
        List<String> modes = new java.util.ArrayList<>();
        engine.runner.run(
                request,
                (stream, time, text) -> {
                    try {
                        modes.add(java.nio.file.attribute.PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(bundle)));
                        modes.add(java.nio.file.attribute.PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(bundle.getParent())));
                    } catch (java.io.IOException e) {
                        modes.add(e.toString());
                    }
                },
                Cancellation.none());
        assertEquals(List.of("rwx------", "rwx------"), modes);
    }

    @Test
    void aFailingSinkFailsTheRunAfterTheContainerIsCleanedUp() throws Exception {
        ContainerRequest request = request(bare, "i=0; while [ $i -lt 1000 ]; do echo line $i; i=$((i+1)); done")
                .build();
        java.io.IOException e = assertThrows(
                java.io.IOException.class,
                () -> engine.runner.run(
                        request,
                        (stream, time, text) -> {
                            throw new IllegalStateException("log disk full");
                        },
                        Cancellation.none()));
        assertEquals("log disk full", e.getCause().getMessage());
    }

    @Test
    void aSecondRunWithTheIdOfARunningContainerIsRefused() throws Exception {
        ContainerRequest first = request(bare, "echo started; sleep 30").build();
        Cancellation cancellation = Cancellation.create();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<ContainerResult> running =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return engine.runner.run(first, (s, t, text) -> started.countDown(), cancellation);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        try {
            assertTrue(started.await(30, java.util.concurrent.TimeUnit.SECONDS));
            ContainerRequest second = ContainerRequest.builder(first.id(), first.rootfs(), EngineFixture.CNB)
                    .args("/bin/true")
                    .build();
            java.io.IOException e = assertThrows(
                    java.io.IOException.class,
                    () -> engine.runner.run(second, new CollectingSink(), Cancellation.none()));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        } finally {
            cancellation.cancel();
        }
        assertTrue(running.get(30, java.util.concurrent.TimeUnit.SECONDS).cancelled());
    }
}

package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.NetworkMode;
import dev.locald.testsupport.FakeInternet;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.RootModeOnly;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The isolated network with real runc and real pasta against a fake internet (docs/engine.md, Network):
 * outbound works by name, the host's loopback, link-local addresses, the host's own addresses and the
 * deny list do not, only the given host loopback ports do; and no namespace or pasta is left on any path
 * (the extension checks after each test).
 */
@Timeout(120)
@ExtendWith({RegistryExtension.class, EngineExtension.class})
@EngineExtension.HostResolvConf("nameserver 127.0.0.53\n")
@RootModeOnly(
        "the fake internet is a network namespace joined to the host's by a veth pair, which takes the host's root")
class IsolatedNetworkTest {

    static TestRegistry registry;
    static ImagePusher.PushedImage bare;
    static FakeInternet internet;

    EngineFixture engine;

    @BeforeAll
    static void setUp(TestRegistry testRegistry) throws Exception {
        registry = testRegistry;
        bare = registry.pusher()
                .push(
                        "isolated/bare",
                        "1",
                        TestImage.builder().layer(LayerTar.create().busybox()).build());
        internet = FakeInternet.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (internet != null) {
            internet.close();
        }
        assertEquals(List.of(), FakeInternet.leftovers(), "fake-internet links left");
    }

    @BeforeEach
    void createEngine(EngineFixture engine) {
        this.engine = engine;
    }

    private ContainerRequest.Builder isolated(String script) throws Exception {
        return ContainerRequest.builder(EngineFixture.newId(), engine.rootfs(registry, bare), EngineFixture.CNB)
                .args("/bin/sh", "-c", script)
                .network(NetworkMode.ISOLATED);
    }

    private CollectingSink run(ContainerRequest request) throws Exception {
        CollectingSink sink = new CollectingSink();
        ContainerResult result = engine.runner.run(request, sink, Cancellation.none());
        assertEquals(0, result.exitCode(), sink.stdout() + " " + sink.stderr());
        return sink;
    }

    private static String fetch(String label, String url) {
        // busybox wget -T segfaults (docs: machine facts); timeout bounds it instead
        return "if timeout 10 wget -q -O - " + url + "; then echo; echo " + label + ":reached; else echo " + label
                + ":refused; fi;";
    }

    private void useHostResolvConf(String content) throws Exception {
        Files.writeString(engine.hostResolvConf, content);
    }

    @Test
    void reachesTheInternetByNameButNotTheHost() throws Exception {
        useHostResolvConf("nameserver 127.0.0.53\nnameserver " + internet.serverAddress() + "\n");
        int locald = registry.port();
        CollectingSink sink = run(isolated(fetch("internet", "http://" + FakeInternet.DOMAIN + "/hello.txt")
                        + fetch("canary", "http://127.0.0.1:" + internet.canaryPort() + "/hello.txt")
                        + fetch("linklocal", "http://" + internet.linkLocalAddress() + ":8080/hello.txt")
                        + fetch(
                                "hostaddress",
                                "http://10.203." + internet.serverAddress().split("\\.")[2] + ".1:"
                                        + internet.canaryPort() + "/hello.txt")
                        + fetch("registry", "http://127.0.0.1:" + locald + "/v2/")
                        + fetch("denied", "http://203.0.113.7/")
                        + "cat /etc/resolv.conf")
                .build());
        List<String> out = sink.stdout();
        String all = String.join("\n", out) + "\n" + String.join("\n", sink.stderr());
        assertTrue(out.contains("hello from the fake internet"), all);
        assertTrue(out.contains("internet:reached"), all);
        assertTrue(out.contains("canary:refused"), all);
        assertTrue(out.contains("linklocal:refused"), all);
        assertTrue(out.contains("hostaddress:refused"), all);
        assertTrue(out.contains("registry:refused"), all);
        assertTrue(out.contains("denied:refused"), all);
        // the refusals say why: nothing listens on the container's own loopback; the rest is prohibited
        assertTrue(all.contains("Connection refused"), all);
        assertTrue(all.contains("Permission denied") || all.contains("Network unreachable"), all);
        // resolv.conf: the host's minus its loopback resolver
        assertEquals("nameserver " + internet.serverAddress(), out.get(out.size() - 1), all);
    }

    @Test
    void onlyTheGivenHostLoopbackPortsAreReachable() throws Exception {
        useHostResolvConf("nameserver " + internet.serverAddress() + "\n");
        CollectingSink sink = run(isolated(fetch("registry", "http://127.0.0.1:" + registry.port() + "/v2/")
                        + fetch("canary", "http://127.0.0.1:" + internet.canaryPort() + "/hello.txt"))
                .hostLoopbackPorts(List.of(registry.port()))
                .build());
        String all = String.join("\n", sink.stdout()) + "\n" + String.join("\n", sink.stderr());
        assertTrue(sink.stdout().contains("registry:reached"), all);
        assertTrue(sink.stdout().contains("canary:refused"), all);
    }

    @Test
    void aHostWithOnlyALoopbackStubResolverResolvesThroughIt() throws Exception {
        // a stub on a loopback address other than 127.0.0.1 (as systemd-resolved's 127.0.0.53), port 53
        useHostResolvConf("search lan\nnameserver " + internet.loopbackResolver() + "\n");
        CollectingSink sink = run(isolated("cat /etc/resolv.conf;"
                        + fetch("internet", "http://" + FakeInternet.DOMAIN + "/hello.txt")
                        + fetch("canary", "http://127.0.0.1:" + internet.canaryPort() + "/hello.txt")
                        // the stub itself by TCP, and the host loopback's port 53 other than through the relay
                        + fetch("stub", "http://" + internet.loopbackResolver() + ":53/")
                        + fetch("tcp53", "http://127.0.0.1:53/"))
                .build());
        String all = String.join("\n", sink.stdout()) + "\n" + String.join("\n", sink.stderr());
        assertEquals(
                List.of("search lan", "nameserver 127.0.0.1"), sink.stdout().subList(0, 2), all);
        assertTrue(sink.stdout().contains("hello from the fake internet"), all);
        assertTrue(sink.stdout().contains("internet:reached"), all);
        assertTrue(sink.stdout().contains("canary:refused"), all);
        assertTrue(sink.stdout().contains("stub:refused"), all);
        assertTrue(sink.stdout().contains("tcp53:refused"), all);
    }

    @Test
    void aPastaThatFailsStopsTheContainerAndSaysWhy() throws Exception {
        // a "pasta" that writes to its log and exits without configuring the namespace
        Path fake = Files.writeString(
                engine.base.resolve("failing-pasta"), "#!/bin/sh\necho 'no tap device for you' >&2\nexit 3\n");
        Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        IsolatedNetwork failing = new IsolatedNetwork(new IsolatedNetwork.Settings(
                fake.toString(), EngineFixture.DENY, Optional.empty(), Duration.ofSeconds(10)));
        ContainerRunner runner = engine.runnerWith(failing);
        long started = System.nanoTime();
        ContainerStartException e = assertThrows(
                ContainerStartException.class,
                () -> runner.run(isolated("echo ran").build(), new CollectingSink(), Cancellation.none()));
        failing.close();
        assertTrue(e.getMessage().contains("pasta could not set up the container's network (exit 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("no tap device for you"), e.getMessage());
        // the hook gave up when pasta ended, not at the 10 s set-up timeout
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(8).toNanos(), "took until the timeout");
        engine.assertNothingLeft();
    }

    @Test
    void aHostWithoutNameserversGetsTheFallbacks() throws Exception {
        useHostResolvConf("options ndots:1\n");
        CollectingSink sink = run(isolated("cat /etc/resolv.conf").build());
        assertEquals(List.of("options ndots:1", "nameserver 8.8.8.8", "nameserver 8.8.4.4"), sink.stdout());
    }

    @Test
    void aCancelledOrTimedOutRunLeavesNoNamespaceOrPasta() throws Exception {
        useHostResolvConf("nameserver " + internet.serverAddress() + "\n");
        CollectingSink sink = new CollectingSink();
        ContainerResult timedOut = engine.runner.run(
                isolated("sleep 60").timeout(Duration.ofMillis(1500)).build(), sink, Cancellation.none());
        assertTrue(timedOut.timedOut());
        engine.assertNothingLeft();
        Cancellation cancellation = Cancellation.create();
        Thread canceller = new Thread(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cancellation.cancel();
        });
        canceller.start();
        ContainerResult cancelled = engine.runner.run(isolated("sleep 60").build(), sink, cancellation);
        canceller.join();
        assertTrue(cancelled.cancelled());
        engine.assertNothingLeft();
    }
}

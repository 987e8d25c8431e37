package dev.locald.builds;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.runtime.IsolatedNetwork;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.FakeInternet;
import dev.locald.testsupport.RootModeOnly;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The isolated build network through {@code POST /builds} (no network field: the default), against a fake
 * internet: buildpack code resolves the test domain with the DNS the host's resolv.conf names and downloads a
 * file, and cannot reach an HTTP canary on the host's 127.0.0.1, locald's own port or a link-local server,
 * each refusal in the build log; the untrusted builder's analyzer and exporter still reach the registry on
 * the host's loopback (the build publishes); nothing of the network is left afterwards, cancelled or not.
 */
@QuarkusTest
@TestProfile(IsolatedBuildNetworkTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RootModeOnly(
        "the fake internet is a network namespace joined to the host's by a veth pair, which takes the host's root")
class IsolatedBuildNetworkTest {

    static final Path DATA = Path.of("target/locald-isolated-net").toAbsolutePath();
    static final Path HOST_RESOLV = DATA.resolveSibling("locald-isolated-net-resolv.conf");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "locald.data-dir", DATA.toString(),
                    "locald.runtime.host-resolv-conf", HOST_RESOLV.toString(),
                    "locald.runtime.cgroup-parent", "locald-isolated-net");
        }
    }

    @Inject
    IsolatedNetwork isolatedNetwork;

    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;
    private FakeInternet internet;

    @BeforeAll
    void setUp() throws Exception {
        registry = TestRegistry.start();
        fixtures = FixtureImages.publishAll(registry);
        internet = FakeInternet.start();
        // read at every container start: a loopback stub the container cannot use, and the fake internet's DNS
        Files.writeString(HOST_RESOLV, "nameserver 127.0.0.53\nnameserver " + internet.serverAddress() + "\n");
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (internet != null) {
                internet.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
        assertEquals(List.of(), FakeInternet.leftovers(), "fake-internet links left");
    }

    @Test
    void buildpackCodeReachesTheInternetButNotTheHost() throws Exception {
        int localdPort = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        String probe = FakeInternet.probe("internet", "http://" + FakeInternet.DOMAIN + "/hello.txt")
                + FakeInternet.probe("canary", "http://127.0.0.1:" + internet.canaryPort() + "/hello.txt")
                + FakeInternet.probe("locald", "http://127.0.0.1:" + localdPort + "/q/health/live")
                + FakeInternet.probe("registry", "http://" + registry.hostPort() + "/v2/")
                + FakeInternet.probe("linklocal", "http://" + internet.linkLocalAddress() + ":8080/hello.txt")
                + "echo resolv: $(grep nameserver /etc/resolv.conf)\n";
        String location = BuildsApi.submit(
                Map.of(
                        "image", registry.hostPort() + "/isolated/hello:1",
                        "builder", fixtures.busybox().image().reference(),
                        "env", Map.of("FIXTURE_NET_PROBE", probe)),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(3));
        String log = BuildsApi.textLog(location);
        // five phases (untrusted builder): analyzer and exporter reached the loopback registry
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + "\n" + log);
        assertEquals("isolated", build.path("request").path("network").asText(), build.toPrettyString());
        assertTrue(log.contains("[exporter]"), log);
        assertTrue(log.contains(FakeInternet.FILE_CONTENT.trim()), log);
        assertTrue(log.contains("internet:reached"), log);
        assertTrue(log.contains("canary:refused"), log);
        assertTrue(log.contains("locald:refused"), log);
        assertTrue(log.contains("registry:refused"), log); // the builder is buildpack code: no registry port
        assertTrue(log.contains("linklocal:refused"), log);
        assertTrue(log.contains("Connection refused"), log);
        assertTrue(log.contains("Permission denied"), log);
        assertTrue(log.contains("resolv: nameserver " + internet.serverAddress()), log);
        assertNothingLeft();
    }

    @Test
    void aCancelledBuildLeavesNoNamespaceOrPasta() throws Exception {
        String location = BuildsApi.submit(
                Map.of(
                        "image", registry.hostPort() + "/isolated/cancelled:1",
                        "builder", fixtures.busybox().image().reference(),
                        "env", Map.of("FIXTURE_SLEEP", "60")),
                FixtureFolder.appTar("hello"));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!currentPhase(location).equals("builder")
                || FakeInternet.pastaProcesses(DATA).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the build never reached the builder with its pasta");
            Thread.sleep(50);
        }
        int status = given().post(location + "/cancel").then().extract().statusCode();
        assertTrue(status == 202 || status == 200, "cancel answered " + status);
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(1));
        assertEquals("cancelled", build.path("state").asText(), build.toPrettyString());
        assertNothingLeft();
    }

    private static String currentPhase(String location) {
        return given().get(location).then().statusCode(200).extract().path("currentPhase") instanceof String s ? s : "";
    }

    private void assertNothingLeft() throws Exception {
        // the warm namespace is meant to live on; used ones are torn down in the background
        isolatedNetwork.drain();
        assertEquals(List.of(), FakeInternet.pastaProcesses(DATA), "pasta processes left");
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(mounts.anyMatch(l -> l.contains("nsfs") && l.contains(DATA.toString())), "a namespace left");
        }
    }
}

package dev.locald.builds;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.RealCnb;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * An untrusted builder with a configured lifecycle image: analyzer, restorer and exporter run on the
 * lifecycle image (the only phases with credentials), detector and builder on the builder. Here with the
 * fixture lifecycle; {@link RealLifecycleImageBuildTest} runs the same with the real one.
 */
@QuarkusTest
@TestProfile(LifecycleImageBuildTest.Profile.class)
class LifecycleImageBuildTest {

    /**
     * The registry and fixtures exist before locald boots, so that its config can name the lifecycle image; the
     * init arg {@code lifecycle} ({@code fixture} or {@code real}) says which lifecycle the images carry.
     */
    public static class FixtureRegistry implements QuarkusTestResourceLifecycleManager {
        static TestRegistry registry;
        static FixtureImages.Fixtures fixtures;
        /** Why the real lifecycle is missing (no Go, outside CI): the tests skip with it instead of failing boot. */
        static TestAbortedException unavailable;

        private boolean real;

        @Override
        public void init(Map<String, String> initArgs) {
            real = "real".equals(initArgs.get("lifecycle"));
        }

        @Override
        public Map<String, String> start() {
            unavailable = null;
            FixtureImages.Lifecycle lifecycle = FixtureImages.Lifecycle.fixture();
            if (real) {
                try {
                    lifecycle = FixtureImages.Lifecycle.real(RealCnb.lifecycleDir());
                } catch (TestAbortedException e) {
                    unavailable = e;
                    return Map.of();
                }
            }
            registry = TestRegistry.start();
            fixtures = FixtureImages.publishAll(registry, lifecycle);
            return Map.of("locald.lifecycle.image", fixtures.lifecycle().reference());
        }

        @Override
        public void stop() {
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** Its own data dir per subclass, and the fixtures with the named lifecycle. */
    public static class Profile implements QuarkusTestProfile {
        private final String dataDir;
        private final String lifecycle;

        public Profile() {
            this("target/locald-e2e-lifecycle", "fixture");
        }

        Profile(String dataDir, String lifecycle) {
            this.dataDir = dataDir;
            this.lifecycle = lifecycle;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", dataDir);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FixtureRegistry.class, Map.of("lifecycle", lifecycle)));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void skipWithoutTheLifecycle() {
        if (FixtureRegistry.unavailable != null) {
            throw FixtureRegistry.unavailable;
        }
    }

    @Test
    void credentialedPhasesRunFromTheLifecycleImage() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "image", FixtureRegistry.registry.hostPort() + "/e2e/lifecycle-image:1",
                "builder", FixtureRegistry.fixtures.busybox().image().reference(),
                "registryAuth", Map.of("username", "ci", "password", "not-for-buildpacks")));
        String location = given().multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", FixtureFolder.appTar("hello"), "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        JsonNode build = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            build = JSON.readTree(given().get(location).asString());
            if (build.path("finishedAt").isTextual()) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString());
        assertEquals(
                List.of("analyzer", "detector", "restorer", "builder", "exporter"),
                build.path("phases").findValuesAsText("name"));
        String log = given().accept("text/plain").get(location + "/logs").asString();
        assertTrue(
                log.contains("pulling lifecycle image "
                        + FixtureRegistry.fixtures.lifecycle().reference()),
                log);
        assertFalse(log.contains("without the lifecycle image"), log);
        assertFalse(log.contains("not-for-buildpacks"), log);
    }
}

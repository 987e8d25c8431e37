package dev.locald.builds;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An untrusted builder with a configured lifecycle image: analyzer, restorer and exporter run on the
 * lifecycle image (the only phases with credentials), detector and builder on the builder.
 */
@QuarkusTest
@TestProfile(LifecycleImageBuildTest.Profile.class)
class LifecycleImageBuildTest {

    /** The registry and fixtures exist before locald boots, so that its config can name the lifecycle image. */
    public static class FixtureRegistry implements QuarkusTestResourceLifecycleManager {
        static TestRegistry registry;
        static FixtureImages.Fixtures fixtures;

        @Override
        public Map<String, String> start() {
            registry = TestRegistry.start();
            fixtures = FixtureImages.publishAll(registry);
            return Map.of("locald.lifecycle.image", fixtures.lifecycle().reference());
        }

        @Override
        public void stop() {
            registry.close();
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", "target/locald-e2e-lifecycle");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FixtureRegistry.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

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
        assertFalse(log.contains("no lifecycle image is configured"), log);
        assertFalse(log.contains("not-for-buildpacks"), log);
    }
}

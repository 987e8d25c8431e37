package dev.locald.builds;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.runtime.CgroupLayout;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.RootModeOnly;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Builds through the API that cross each limit of their request's {@code resources} — a buildpack that
 * forks past its pids limit, one that allocates past its memory limit, one that writes past its disk limit —
 * while a build with the configured limits runs beside them. Each fails with the sentence naming its limit
 * and phase, and leaves no container, cgroup, mount or work dir; the one beside them succeeds.
 */
@QuarkusTest
@TestProfile(BuildLimitsTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RootModeOnly("memory, pids and CPU limits are cgroups, which rootless containers do not get on this host")
class BuildLimitsTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "locald.data-dir", DATA_DIR,
                    "locald.builds.max-concurrent", "4",
                    "locald.builds.limits.memory", "1G",
                    "locald.builds.limits.pids", "1024",
                    "locald.builds.limits.disk", "2G");
        }
    }

    private static final String DATA_DIR = "target/locald-limits";
    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;

    @BeforeAll
    void publishFixtures() {
        registry = TestRegistry.start();
        fixtures = FixtureImages.publishAll(registry, FixtureImages.Lifecycle.fixture());
    }

    @AfterAll
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void eachCrossedLimitFailsItsBuildWithItsSentenceAndTheBuildBesideThemSucceeds() throws Exception {
        // untrusted: five phases; the hello buildpack runs FIXTURE_HOOK in the builder phase
        String forks =
                submit("forks", Map.of("pids", 64), "i=0; while [ $i -lt 500 ]; do sleep 300 & i=$((i+1)); done; wait");
        String allocates = submit("allocates", Map.of("memory", "64M"), "x=a; while true; do x=\"$x$x\"; done");
        String writes = submit(
                "writes",
                Map.of("disk", "50MiB"),
                "i=0; while [ $i -lt 100 ]; do dd if=/dev/zero bs=1M count=4 2>/dev/null >> big; i=$((i+1)); done;"
                        + " sleep 300");
        String beside = submit("beside", Map.of(), "echo nothing to cross");

        assertFailed(forks, "the build started too many processes (limit 64) in phase builder");
        assertFailed(allocates, "the build ran out of memory (limit 64 MiB) in phase builder");
        assertFailed(writes, "the build wrote more than 50 MiB in phase builder");
        JsonNode besideBuild = BuildsApi.awaitFinished(beside, Duration.ofMinutes(4));
        assertEquals("succeeded", besideBuild.path("state").asText(), besideBuild.toPrettyString());
        for (String location : List.of(forks, allocates, writes, beside)) {
            assertNoLeftovers(location);
        }
        // the request's limits are kept with the build, as asked
        given().get(allocates)
                .then()
                .statusCode(200)
                .body("request.resources.memory", equalTo("64 MiB"))
                .body("request.resources.pids", equalTo(null));
        given().get(beside).then().statusCode(200).body("request.resources", equalTo(null));
    }

    @Test
    void limitsAboveTheConfiguredOnesOrMalformedAreRefused() {
        String body = "{\"image\":\"" + registry.hostPort() + "/limits/refused:1\",\"builder\":\""
                + fixtures.busybox().image().reference() + "\",\"resources\":{\"memory\":\"2G\",\"cpus\":-1,"
                + "\"pids\":2048,\"disk\":\"lots\",\"gpu\":1}}";
        given().multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", FixtureFolder.appTar("hello"), "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("resources.memory"))
                .body("errors.field", hasItem("resources.cpus"))
                .body("errors.field", hasItem("resources.pids"))
                .body("errors.field", hasItem("resources.disk"))
                .body("errors.field", hasItem("resources.gpu"))
                .body(
                        "errors.find { it.field == 'resources.memory' }.message",
                        containsString("at most 1 GiB (locald.builds.limits.memory)"))
                .body(
                        "errors.find { it.field == 'resources.pids' }.message",
                        containsString("at most 1024 (locald.builds.limits.pids)"));
    }

    private String submit(String name, Map<String, Object> resources, String hook) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", registry.hostPort() + "/limits/" + name + ":1");
        request.put("builder", fixtures.busybox().image().reference());
        request.put("env", Map.of("FIXTURE_HOOK", hook));
        request.put("timeout", "PT3M");
        if (!resources.isEmpty()) {
            request.put("resources", resources);
        }
        return BuildsApi.submit(request, FixtureFolder.appTar("hello"));
    }

    private static void assertFailed(String location, String sentence) throws Exception {
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertEquals(sentence, build.path("error").asText(), build.toPrettyString());
    }

    /** No work dir, mount, runc container or cgroup (so no process: a cgroup with tasks cannot be removed). */
    private static void assertNoLeftovers(String location) throws Exception {
        String id = location.substring(location.lastIndexOf('/') + 1);
        Path data = Path.of(DATA_DIR).toAbsolutePath();
        assertFalse(Files.exists(data.resolve("work").resolve(id).resolve("build")), "work dir of " + id);
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(mounts.anyMatch(l -> l.contains(id)), "a mount of build " + id + " is left");
        }
        Process list = new ProcessBuilder("runc", "--root", data.resolve("runc").toString(), "list", "-q")
                .redirectErrorStream(true)
                .start();
        String containers = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), containers);
        assertFalse(containers.contains(id), "runc still lists a container of " + id + ": " + containers);
        CgroupLayout cgroups = CgroupLayout.ofCurrentProcess();
        assertFalse(
                cgroups.children("locald").stream().anyMatch(c -> c.contains(id)),
                "a cgroup of build " + id + " is left");
    }
}

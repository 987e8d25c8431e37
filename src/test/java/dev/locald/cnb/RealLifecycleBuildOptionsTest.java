package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RealCnbRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build options pack users know, with the real lifecycle (v0.21.17) and a pack-made builder, through
 * {@code POST /builds}: platform API 0.15 negotiated, {@code defaultProcess} and {@code creationTime} in the
 * published image, {@code execEnv} seen by the builder's system buildpack (scripts/real-cnb/buildpacks/exec-env,
 * named in the builder's /cnb/system.toml), {@code disableSystemBuildpacks} leaving it out, and
 * {@code previousImage} used for layer reuse.
 */
@QuarkusTest
@TestProfile(RealLifecycleBuildOptionsTest.Profile.class)
class RealLifecycleBuildOptionsTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", "target/locald-real-cnb-options", "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RealCnbRegistry.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROCFILE = "web: echo web-process-ran\nworker: echo worker-process-ran\n";

    @Inject
    LaunchedImages launched;

    @Test
    void trustedCreatorHonoursDefaultProcessCreationTimeAndExecEnvAtPlatform015() throws Exception {
        String target = RealCnbRegistry.registry.hostPort() + "/options/creator:1";
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", target);
        request.put("builder", RealCnbRegistry.images.tag("builder-1000"));
        request.put("trustBuilder", true);
        request.put("defaultProcess", "worker");
        request.put("creationTime", "2024-05-01T12:00:00Z");
        request.put("execEnv", "test");
        String location = BuildsApi.submit(request, app());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("platform API 0.15"), log);
        // the system buildpack ran (the lifecycle read /cnb/system.toml) and saw the environment asked for
        assertTrue(log.contains("exec-env: CNB_EXEC_ENV=test"), log);
        // the options are part of the build record
        JsonNode asked = build.path("request");
        assertEquals("worker", asked.path("defaultProcess").asText(), asked.toString());
        assertEquals("1714564800", asked.path("creationTime").asText(), asked.toString());
        assertEquals("test", asked.path("execEnv").asText(), asked.toString());

        PulledImage image = pulled(target, build);
        assertEquals(
                "2024-05-01T12:00:00Z",
                image.config().path("created").asText(),
                image.config().toString());
        assertEquals(
                "test", image.label("io.buildpacks.exec-env"), image.labels().toString());
        assertEquals(
                List.of("/cnb/process/worker"),
                JSON.convertValue(image.config().path("config").path("Entrypoint"), List.class),
                image.config().toString());
        LaunchedImages.Run run = launched.runDefaultProcess(
                target + "@" + build.path("result").path("digest").asText());
        assertTrue(run.output().contains("worker-process-ran"), run.output());
        assertFalse(run.output().contains("web-process-ran"), run.output());
    }

    @Test
    void fivePhasesDisableSystemBuildpacksAndReuseAPreviousImage() throws Exception {
        String first = RealCnbRegistry.registry.hostPort() + "/options/previous:1";
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", first);
        request.put("builder", RealCnbRegistry.images.tag("builder-1000"));
        String location = BuildsApi.submit(request, app());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("platform API 0.15"), log);
        // no execEnv: the lifecycle's default reaches the system buildpack; no creationTime: the reproducible one
        assertTrue(log.contains("exec-env: CNB_EXEC_ENV=production"), log);
        assertEquals(
                "1980-01-01T00:00:01Z",
                pulled(first, build).config().path("created").asText());

        String second = RealCnbRegistry.registry.hostPort() + "/options/next:1";
        request.put("image", second);
        request.put("previousImage", first);
        request.put("disableSystemBuildpacks", true);
        request.put("creationTime", "now");
        long before = System.currentTimeMillis() / 1000;
        location = BuildsApi.submit(request, app());
        build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertEquals(
                List.of("analyzer", "detector", "restorer", "builder", "exporter"),
                build.path("phases").findValuesAsText("name"));
        assertFalse(log.contains("exec-env:"), "the system buildpack was disabled:\n" + log);
        // the analyzer read the previous image's layer metadata, so the exporter reused its layers
        assertTrue(log.contains("Reusing layers from image '" + first.substring(0, first.lastIndexOf(':'))), log);
        assertEquals(first, build.path("request").path("previousImage").asText());
        long created = java.time.Instant.parse(
                        pulled(second, build).config().path("created").asText())
                .getEpochSecond();
        assertTrue(created >= before - 1, "created " + created + " is not the build's time " + before);
    }

    private static PulledImage pulled(String target, JsonNode build) {
        String repository = target.substring(target.indexOf('/') + 1, target.lastIndexOf(':'));
        return PulledImage.pull(
                RealCnbRegistry.registry,
                repository,
                build.path("result").path("digest").asText());
    }

    private static byte[] app() {
        return LayerTar.create().file("Procfile", PROCFILE).toBytes();
    }
}

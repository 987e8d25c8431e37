package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RealCnb;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The real CNB lifecycle (v0.21.17, built from its Go module) and builders made by pack, through
 * {@code POST /builds} on a real registry and runc: trusted (creator) and untrusted (five phases, the
 * credentialed ones from the lifecycle image), previous-image layer reuse and the cache, registry
 * credentials from the request and from a docker config.json, the failure sentences with the real exit
 * codes, a CNB user other than 1000, and platform API negotiation. Every published image is then pulled
 * and assembled by locald and its default process run under runc through the image's own launcher.
 */
@QuarkusTest
@TestProfile(RealLifecycleBuildTest.Profile.class)
class RealLifecycleBuildTest {

    static final String DATA_DIR = "target/locald-real-cnb";

    /** Registries and images exist before locald boots, so that its config can name them. */
    public static class RealRegistries implements QuarkusTestResourceLifecycleManager {
        static TestRegistry open;
        static TestRegistry withRequestAuth;
        static TestRegistry withDockerConfig;
        static RealCnb.Images images;

        @Override
        public Map<String, String> start() {
            open = TestRegistry.start();
            withRequestAuth = TestRegistry.startWithAuth("ci-bot", "request-secret-4711");
            withDockerConfig = TestRegistry.startWithAuth("config-bot", "config-secret-0815");
            images = RealCnb.publish(open);
            try {
                Path dockerConfig = Path.of(DATA_DIR + "-docker", "config.json").toAbsolutePath();
                Files.createDirectories(dockerConfig.getParent());
                String auth = Base64.getEncoder()
                        .encodeToString("config-bot:config-secret-0815".getBytes(StandardCharsets.UTF_8));
                Files.writeString(
                        dockerConfig,
                        "{\"auths\":{\"" + withDockerConfig.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
                return Map.of(
                        "locald.lifecycle.image",
                        images.tag("lifecycle"),
                        "locald.registry.docker-config",
                        dockerConfig.toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            for (TestRegistry registry : new TestRegistry[] {open, withRequestAuth, withDockerConfig}) {
                if (registry != null) {
                    registry.close();
                }
            }
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", DATA_DIR, "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RealRegistries.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROCFILE =
            "web: echo \"procfile says hello, GREETING=$GREETING\"\n" + "worker: echo working\n";

    @Inject
    LaunchedImages launched;

    @Test
    void trustedCreatorBuildsAProcfileAppThatRunsWithItsEnvAndLabels() throws Exception {
        String target = RealRegistries.open.hostPort() + "/real/procfile:1";
        String location = submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        builder(1000),
                        "trustBuilder",
                        true,
                        "env",
                        Map.of(
                                "BPE_GREETING",
                                "from-bpe",
                                "BP_IMAGE_LABELS",
                                "org.example.team=buildpacks org.example.note=\"two words\"")),
                app(PROCFILE));
        JsonNode build = awaitFinished(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + textLog(location));
        assertEquals(List.of("creator"), build.path("phases").findValuesAsText("name"));
        String log = textLog(location);
        // negotiation: the real lifecycle advertises 0.7–0.15, locald speaks 0.12–0.15
        assertTrue(log.contains("platform API 0.15"), log);
        String digest = build.path("result").path("digest").asText();
        PulledImage image = PulledImage.pull(RealRegistries.open, "real/procfile", digest);
        // BP_IMAGE_LABELS became labels; the lifecycle's own metadata labels are there too
        assertEquals(
                "buildpacks", image.label("org.example.team"), image.labels().toString());
        assertEquals(
                "two words", image.label("org.example.note"), image.labels().toString());
        assertNotNull(
                image.label("io.buildpacks.lifecycle.metadata"), image.labels().toString());
        // the image works: locald pulls and assembles it and runs its default process through its launcher
        LaunchedImages.Run run = launched.runDefaultProcess(target + "@" + digest);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("procfile says hello, GREETING=from-bpe"), run.output());
    }

    @Test
    void untrustedFivePhasesPublishWithRequestCredentialsFromTheLifecycleImage() throws Exception {
        String target = RealRegistries.withRequestAuth.hostPort() + "/real/untrusted:1";
        String location = submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        builder(1000),
                        "env",
                        Map.of("BPE_GREETING", "five-phases"),
                        "registryAuth",
                        Map.of("username", "ci-bot", "password", "request-secret-4711")),
                app(PROCFILE));
        JsonNode build = awaitFinished(location);
        String log = textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertEquals(
                List.of("analyzer", "detector", "restorer", "builder", "exporter"),
                build.path("phases").findValuesAsText("name"));
        // the credentialed phases ran from the configured lifecycle image, not the builder's own lifecycle
        assertTrue(log.contains("pulling lifecycle image " + RealRegistries.images.tag("lifecycle")), log);
        assertFalse(log.contains("request-secret-4711"), log);
        assertFalse(build.toString().contains("request-secret-4711"), build.toString());
        String digest = build.path("result").path("digest").asText();
        PulledImage image = PulledImage.pull(RealRegistries.withRequestAuth, "real/untrusted", digest);
        assertNotNull(
                image.label("io.buildpacks.build.metadata"), image.labels().toString());
    }

    @Test
    void credentialsFromTheDockerConfigPublish() throws Exception {
        String target = RealRegistries.withDockerConfig.hostPort() + "/real/docker-config:1";
        String location = submit(Map.of("image", target, "builder", builder(1000)), app(PROCFILE));
        JsonNode build = awaitFinished(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + textLog(location));
        assertFalse(textLog(location).contains("config-secret-0815"));
        PulledImage.pull(
                RealRegistries.withDockerConfig,
                "real/docker-config",
                build.path("result").path("digest").asText());
    }

    @Test
    void secondBuildReusesThePreviousImageAndTheCacheAndClearCacheRestoresNothing() throws Exception {
        String target = RealRegistries.open.hostPort() + "/real/cached:1";
        Map<String, Object> request = Map.of(
                "image",
                target,
                "builder",
                builder(1000),
                "trustBuilder",
                true,
                "env",
                Map.of("BPE_GREETING", "cached"));
        String first = submit(request, app(PROCFILE));
        assertEquals("succeeded", awaitFinished(first).path("state").asText(), textLog(first));
        assertTrue(textLog(first).contains("procfile: no cache yet, first build"), textLog(first));

        String second = submit(request, app(PROCFILE));
        assertEquals("succeeded", awaitFinished(second).path("state").asText(), textLog(second));
        String log = textLog(second);
        assertTrue(log.contains("procfile: cache restored, build 2"), log);
        // the exporter takes unchanged layers from the previous image instead of uploading them again
        assertTrue(log.contains("Reusing layer"), log);

        Map<String, Object> clearing = new LinkedHashMap<>(request);
        clearing.put("clearCache", true);
        String cleared = submit(clearing, app(PROCFILE));
        assertEquals("succeeded", awaitFinished(cleared).path("state").asText(), textLog(cleared));
        assertTrue(textLog(cleared).contains("procfile: no cache yet, first build"), textLog(cleared));
    }

    @Test
    void anAppNoBuildpackDetectsGivesTheUserSentence() throws Exception {
        String location = submit(
                Map.of("image", RealRegistries.open.hostPort() + "/real/nomatch:1", "builder", builder(1000)),
                app(null));
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.path("error").asText().contains("no buildpack detected for this app (detector exit 20)"),
                build.toPrettyString() + textLog(location));
    }

    @Test
    void aFailingBuildpackGivesTheUserSentenceAndItsMessage() throws Exception {
        byte[] source = LayerTar.create()
                .file("Procfile", PROCFILE)
                .file("fail-build", "please\n")
                .toBytes();
        String location = submit(
                Map.of("image", RealRegistries.open.hostPort() + "/real/failbuild:1", "builder", builder(1000)),
                source);
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(build.path("error").asText().contains("(builder exit 51)"), build.toPrettyString());
        assertTrue(textLog(location).contains("locald/fail: failing the build on purpose"), textLog(location));
    }

    @Test
    void aBuilderWithCnbUser1001RunsEveryPhaseAsThatUser() throws Exception {
        String target = RealRegistries.open.hostPort() + "/real/user1001:1";
        String location = submit(
                Map.of("image", target, "builder", builder(1001), "env", Map.of("BPE_GREETING", "user-1001")),
                app(PROCFILE));
        JsonNode build = awaitFinished(location);
        String log = textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("procfile: building as uid=1001 gid=1002"), log);
        String digest = build.path("result").path("digest").asText();
        PulledImage image = PulledImage.pull(RealRegistries.open, "real/user1001", digest);
        // the app's files were written by phases running as 1001:1002 (the real lifecycle keeps their owner)
        assertEquals("1001:1002", owner(image, "workspace/Procfile"));
        assertEquals("1001:1002", image.config().path("config").path("User").asText());
        LaunchedImages.Run run = launched.runDefaultProcess(target + "@" + digest);
        assertTrue(run.output().contains("procfile says hello, GREETING=user-1001"), run.output());
    }

    private static String builder(int uid) {
        return RealRegistries.images.tag("builder-" + uid);
    }

    /** A source tar holding just a Procfile, or nothing any buildpack detects. */
    private static byte[] app(String procfile) {
        LayerTar tar = LayerTar.create();
        if (procfile == null) {
            tar.file("README", "no Procfile here\n");
        } else {
            tar.file("Procfile", procfile);
        }
        return tar.toBytes();
    }

    private static String owner(PulledImage image, String path) throws Exception {
        String found = null;
        for (byte[] layer : image.layerTars()) {
            try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(layer))) {
                for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
                    if (name.equals(path)) {
                        found = e.getLongUserId() + ":" + e.getLongGroupId();
                    }
                }
            }
        }
        assertNotNull(found, path + " is in no layer");
        return found;
    }

    private static String submit(Map<String, Object> request, byte[] sourceTar) throws Exception {
        return BuildsApi.submit(request, sourceTar);
    }

    private static String textLog(String location) {
        return BuildsApi.textLog(location);
    }

    private static JsonNode awaitFinished(String location) throws Exception {
        return BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
    }
}

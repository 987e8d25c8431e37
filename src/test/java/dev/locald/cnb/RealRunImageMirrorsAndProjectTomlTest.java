package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RealCnb;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With the real lifecycle (v0.21.17) and the pack-made builder, through {@code POST /builds}: (1) the run image's
 * mirrors of {@code locald.registry.mirrors} handed to the lifecycle in the build's run.toml, for a builder whose
 * run image is named on a registry where nothing listens; (2) project.toml (exclude, build env, group) read by
 * locald and seen by the real buildpacks, and a malformed one refused before any phase. One registry and one
 * locald for both.
 */
@QuarkusTest
@TestProfile(RealRunImageMirrorsAndProjectTomlTest.Profile.class)
class RealRunImageMirrorsAndProjectTomlTest {

    /** Where nothing listens, with a configured mirror (the live registry). */
    static final String MIRRORED_ORIGIN = "127.0.0.1:1";
    /** Where nothing listens either, with no mirror configured. */
    static final String BARE_ORIGIN = "127.0.0.1:2";

    public static class RealRegistry implements QuarkusTestResourceLifecycleManager {
        static TestRegistry registry;
        static RealCnb.Images images;
        /** builder-1000 with its run image renamed to {@link #MIRRORED_ORIGIN}, and to {@link #BARE_ORIGIN}. */
        static String mirroredBuilder;

        static String bareBuilder;

        @Override
        public Map<String, String> start() {
            registry = TestRegistry.start();
            images = RealCnb.publish(registry);
            mirroredBuilder = withRunImageOn(MIRRORED_ORIGIN, "mirrored-run");
            bareBuilder = withRunImageOn(BARE_ORIGIN, "bare-run");
            return Map.of(
                    "locald.lifecycle.image",
                    images.tag("lifecycle"),
                    "locald.registry.mirrors.\"" + MIRRORED_ORIGIN + "\"",
                    registry.hostPort());
        }

        @Override
        public void stop() {
            if (registry != null) {
                registry.close();
            }
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", "target/locald-real-cnb-mirrors", "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RealRegistry.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String RUN_REPOSITORY = "real-cnb/run";

    @Inject
    LaunchedImages launched;

    @Test
    void theRunImageComesFromItsConfiguredMirrorAndTheLifecycleRecordsIt() throws Exception {
        TestRegistry registry = RealRegistry.registry;
        String target = registry.hostPort() + "/mirrors/app:1";
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", target);
        request.put("builder", RealRegistry.mirroredBuilder);
        String location = BuildsApi.submit(
                request, LayerTar.create().file("Procfile", "web: echo hi\n").toBytes());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        String origin = MIRRORED_ORIGIN + "/" + RUN_REPOSITORY + ":1000";
        String mirror = registry.hostPort() + "/" + RUN_REPOSITORY + ":1000";
        assertTrue(log.contains("run image " + origin + ": using " + mirror), log);

        // the app image is built on the mirror's run image: its first layers are the run image's
        PulledImage app = pulled(target, build);
        List<String> runLayers = layerDigests(manifest(registry, RUN_REPOSITORY, "1000"));
        List<String> appLayers = layerDigests(app.manifest());
        assertEquals(
                runLayers,
                appLayers.subList(0, runLayers.size()),
                app.manifest().toPrettyString());
        // the exporter recorded the run.toml entry locald handed over: the origin with the mirror, for rebase
        JsonNode runImage =
                JSON.readTree(app.label("io.buildpacks.lifecycle.metadata")).path("runImage");
        assertEquals(origin, runImage.path("image").asText(), runImage.toString());
        assertEquals(List.of(mirror), JSON.convertValue(runImage.path("mirrors"), List.class), runImage.toString());
        assertTrue(
                runImage.path("reference").asText().startsWith(registry.hostPort() + "/" + RUN_REPOSITORY + "@"),
                runImage.toString());
    }

    @Test
    void aRequestedRunImageGetsTheSameMirrorsAndOneReadableNowhereFailsBeforeAnyPhase() throws Exception {
        TestRegistry registry = RealRegistry.registry;
        String origin = MIRRORED_ORIGIN + "/" + RUN_REPOSITORY + ":1000";
        String target = registry.hostPort() + "/mirrors/requested:1";
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", target);
        request.put("builder", RealRegistry.images.tag("builder-1000"));
        request.put("runImage", origin);
        byte[] app = LayerTar.create().file("Procfile", "web: echo hi\n").toBytes();
        String location = BuildsApi.submit(request, app);
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        JsonNode runImage = JSON.readTree(pulled(target, build).label("io.buildpacks.lifecycle.metadata"))
                .path("runImage");
        assertEquals(origin, runImage.path("image").asText(), runImage.toString());
        assertTrue(
                runImage.path("reference").asText().startsWith(registry.hostPort() + "/" + RUN_REPOSITORY + "@"),
                runImage.toString());

        String missing = MIRRORED_ORIGIN + "/real-cnb/missing:1";
        request.put("image", registry.hostPort() + "/mirrors/missing:1");
        request.put("runImage", missing);
        location = BuildsApi.submit(request, app);
        build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        String error = build.path("error").asText();
        assertTrue(
                error.startsWith("the run image " + missing + " could be read neither from its registry nor from any"
                        + " of its mirrors, so no phase ran ("),
                error);
        assertTrue(error.contains(registry.hostPort() + "/real-cnb/missing:1: "), error);
        assertTrue(error.contains(missing + ": "), error);
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
    }

    @Test
    void withoutAConfiguredMirrorTheSameBuildFailsWithASentence() throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", RealRegistry.registry.hostPort() + "/mirrors/bare:1");
        request.put("builder", RealRegistry.bareBuilder);
        String location = BuildsApi.submit(
                request, LayerTar.create().file("Procfile", "web: echo hi\n").toBytes());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString() + log);
        String error = build.path("error").asText();
        assertTrue(error.contains("analyzer"), error + "\n" + log);
        assertFalse(log.contains("using " + RealRegistry.registry.hostPort()), log);
        assertTrue(log.contains(BARE_ORIGIN + "/" + RUN_REPOSITORY), log);
    }

    @Test
    void projectTomlExcludesFilesSetsBuildEnvAndReplacesTheBuildersOrder() throws Exception {
        String target = RealRegistry.registry.hostPort() + "/project/app:1";
        String toml = "[_]\nschema-version = \"0.2\"\nid = \"real\"\n\n[io.buildpacks]\nexclude = [\"secret.txt\"]\n\n"
                + "[[io.buildpacks.group]]\nid = \"locald/procfile\"\n\n"
                + "[[io.buildpacks.group]]\nuri = \"urn:cnb:builder:locald/environment-variables\"\n\n"
                + "[[io.buildpacks.build.env]]\nname = \"BPE_FROM_PROJECT\"\nvalue = \"descriptor\"\n\n"
                + "[[io.buildpacks.build.env]]\nname = \"BPE_CLASH\"\nvalue = \"descriptor\"\n";
        // fail-build would fail the build if the builder's order (whose first group holds locald/fail) were used
        byte[] app = LayerTar.create()
                .file("Procfile", "web: echo \"from_project=$FROM_PROJECT clash=$CLASH\"\n")
                .file("project.toml", toml)
                .file("kept.txt", "kept")
                .file("secret.txt", "do not ship")
                .file("fail-build", "")
                .toBytes();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", target);
        request.put("builder", RealRegistry.images.tag("builder-1000"));
        request.put("env", Map.of("BPE_CLASH", "request"));
        String location = BuildsApi.submit(request, app);
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("environment-variables: FROM_PROJECT (override) for launch"), log);

        PulledImage image = pulled(target, build);
        assertEquals("kept", image.file("workspace/kept.txt"), "the app layer holds the kept file");
        assertNull(image.file("workspace/secret.txt"), "project.toml excluded secret.txt from /workspace");
        List<String> buildpacks = new ArrayList<>();
        JSON.readTree(image.label("io.buildpacks.build.metadata"))
                .path("buildpacks")
                .forEach(b -> buildpacks.add(b.path("id").asText()));
        assertTrue(
                buildpacks.containsAll(List.of("locald/procfile", "locald/environment-variables"))
                        && !buildpacks.contains("locald/fail")
                        && !buildpacks.contains("locald/image-labels"),
                "the descriptor's group replaced the builder's order: " + buildpacks);
        LaunchedImages.Run run = launched.runDefaultProcess(
                target + "@" + build.path("result").path("digest").asText());
        assertTrue(run.output().contains("from_project=descriptor clash=request"), run.output());
    }

    @Test
    void aMalformedProjectTomlFailsBeforeAnyPhaseNamingTheKey() throws Exception {
        String toml = "[_]\nschema-version = \"0.2\"\n\n[[io.buildpacks.group]]\nid = \"locald/procfile\"\n"
                + "verison = \"0.1.0\"\n";
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", RealRegistry.registry.hostPort() + "/project/bad:1");
        request.put("builder", RealRegistry.images.tag("builder-1000"));
        String location = BuildsApi.submit(
                request,
                LayerTar.create()
                        .file("Procfile", "web: echo hi\n")
                        .file("project.toml", toml)
                        .toBytes());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(build.path("error").asText().contains("verison"), build.toPrettyString());
        assertTrue(build.path("error").asText().startsWith("project.toml"), build.toPrettyString());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
    }

    private static PulledImage pulled(String target, JsonNode build) {
        String repository = target.substring(target.indexOf('/') + 1, target.lastIndexOf(':'));
        return PulledImage.pull(
                RealRegistry.registry,
                repository,
                build.path("result").path("digest").asText());
    }

    private static List<String> layerDigests(JsonNode manifest) {
        List<String> digests = new ArrayList<>();
        manifest.path("layers").forEach(l -> digests.add(l.path("digest").asText()));
        return digests;
    }

    /**
     * Pushes builder-1000 again as {@code real-cnb/builder:<tag>} with its metadata label naming the run image on
     * {@code origin} (same repository): only the config changes, the layers are the builder's.
     */
    static String withRunImageOn(String origin, String tag) {
        TestRegistry registry = RealRegistry.registry;
        String host = registry.hostPort();
        String repository = "real-cnb/builder";
        JsonNode manifest = manifest(registry, repository, "1000");
        String mediaType = manifest.path("mediaType").asText();
        if (!mediaType.equals(ImagePusher.OCI_MANIFEST) && !mediaType.equals(ImagePusher.DOCKER_MANIFEST)) {
            throw new IllegalStateException("builder-1000 is no single image manifest: " + manifest);
        }
        ObjectNode config = (ObjectNode) read(get(
                registry.url() + "/v2/" + repository + "/blobs/"
                        + manifest.path("config").path("digest").asText(),
                "*/*"));
        ObjectNode labels = (ObjectNode) config.path("config").path("Labels");
        String metadata = labels.path("io.buildpacks.builder.metadata").asText();
        String renamed = metadata.replace(host + "/real-cnb/run:", origin + "/real-cnb/run:");
        if (renamed.equals(metadata)) {
            throw new IllegalStateException("builder-1000's metadata names no run image on " + host + ": " + metadata);
        }
        labels.put("io.buildpacks.builder.metadata", renamed);
        try {
            byte[] configBytes = JSON.writeValueAsBytes(config);
            ImagePusher pusher = registry.pusher();
            String digest = pusher.uploadBlob(repository, configBytes);
            ObjectNode descriptor = (ObjectNode) manifest.path("config");
            descriptor.put("digest", digest);
            descriptor.put("size", configBytes.length);
            pusher.putManifest(repository, tag, mediaType, JSON.writeValueAsBytes(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return host + "/" + repository + ":" + tag;
    }

    private static JsonNode manifest(TestRegistry registry, String repository, String reference) {
        return read(get(
                registry.url() + "/v2/" + repository + "/manifests/" + reference,
                ImagePusher.OCI_MANIFEST + ", " + ImagePusher.DOCKER_MANIFEST));
    }

    private static byte[] get(String url, String accept) {
        try {
            HttpResponse<byte[]> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Accept", accept)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + ": " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

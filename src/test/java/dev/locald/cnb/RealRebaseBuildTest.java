package dev.locald.cnb;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RealCnbRegistry;
import dev.locald.testsupport.TestImage;
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
 * Rebase with the real lifecycle's rebaser (v0.21.17, from the lifecycle image) through {@code POST /builds}: an
 * app built on run image v1 is put on v2; the new image's bottom layers are v2's, its app layers the very blobs
 * it had (same digests), and it still runs, now seeing v2's file. A run image the app's metadata does not name
 * needs {@code force}, as the lifecycle wants; without {@code runImage} the metadata's run image is resolved again.
 */
@QuarkusTest
@TestProfile(RealRebaseBuildTest.Profile.class)
class RealRebaseBuildTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", "target/locald-real-cnb-rebase", "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RealCnbRegistry.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    // the process shows which run image it runs on: v2's layer adds the file
    private static final String PROCFILE = "web: cat /run-image-version 2>/dev/null || echo run-image-v1\n";

    @Inject
    LaunchedImages launched;

    @Test
    void anAppOnRunImageV1IsRebasedOntoV2KeepingItsAppLayers() throws Exception {
        String target = RealCnbRegistry.registry.hostPort() + "/rebase/app:1";
        PulledImage v1 = PulledImage.pull(RealCnbRegistry.registry, "real-cnb/run", "1000");
        JsonNode built = build(target, "builder-1000");
        PulledImage app = pulled(target, built.path("result").path("digest").asText());
        List<String> appLayers = layerDigests(app);
        List<String> v1Layers = layerDigests(v1);
        assertEquals(v1Layers, appLayers.subList(0, v1Layers.size()), "the app is built on run image v1");
        assertTrue(launched.runDefaultProcess(target + "@" + app.manifestDigest())
                .output()
                .contains("run-image-v1"));

        PulledImage v2 = pushRunImage(v1, "real-cnb/run", "1000-v2", "run-image-v2");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("kind", "rebase");
        request.put("image", target);
        request.put("runImage", RealCnbRegistry.registry.hostPort() + "/real-cnb/run:1000-v2");
        request.put("tags", List.of(RealCnbRegistry.registry.hostPort() + "/rebase/app:1-rebased"));
        // a run image the app's metadata does not name: the lifecycle refuses it unless forced, as pack does
        JsonNode refused = awaitEnd(submit(request));
        assertEquals("failed", refused.path("state").asText(), refused.toPrettyString());
        assertTrue(
                refused.path("error").asText().contains("(rebaser exit 72)")
                        && refused.path("error").asText().contains("unless the request sets force: true"),
                refused.path("error").asText());
        assertEquals(app.manifestDigest(), pulled(target, "1").manifestDigest(), "the refused rebase wrote nothing");
        request.put("force", true);
        JsonNode rebase = submitAndAwait(request);
        assertEquals(Boolean.TRUE, rebase.path("request").path("force").asBoolean(), rebase.toPrettyString());
        assertEquals("rebase", rebase.path("kind").asText(), rebase.toPrettyString());
        assertEquals(List.of("rebaser"), rebase.path("phases").findValuesAsText("name"));
        String digest = rebase.path("result").path("digest").asText();
        assertNotEquals(app.manifestDigest(), digest);
        assertEquals(
                List.of(target, RealCnbRegistry.registry.hostPort() + "/rebase/app:1-rebased"),
                JSON.convertValue(rebase.path("result").path("tags"), List.class),
                rebase.toPrettyString());

        PulledImage rebased = pulled(target, digest);
        List<String> rebasedLayers = layerDigests(rebased);
        List<String> v2Layers = layerDigests(v2);
        assertEquals(v2Layers, rebasedLayers.subList(0, v2Layers.size()), "the run layers are v2's");
        assertEquals(
                appLayers.subList(v1Layers.size(), appLayers.size()),
                rebasedLayers.subList(v2Layers.size(), rebasedLayers.size()),
                "the app layers are unchanged");
        // the tag now names the rebased image, and so does the extra tag
        assertEquals(digest, pulled(target, "1").manifestDigest());
        assertEquals(
                digest,
                PulledImage.pull(RealCnbRegistry.registry, "rebase/app", "1-rebased")
                        .manifestDigest());
        LaunchedImages.Run run = launched.runDefaultProcess(target + "@" + digest);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("run-image-v2"), run.output());
        // the record and the view keep the kind across a re-read from disk (BuildStoreTest covers restarts)
        assertEquals(
                "rebase",
                fetch(rebase.path("links").path("self").asText()).path("kind").asText());
        assertEquals("build", built.path("kind").asText());
    }

    @Test
    void withoutRunImageTheRunImageOfTheMetadataIsResolvedAgain() throws Exception {
        String target = RealCnbRegistry.registry.hostPort() + "/rebase/again:1";
        PulledImage v1 = PulledImage.pull(RealCnbRegistry.registry, "real-cnb/run", "1001");
        JsonNode built = build(target, "builder-1001");
        PulledImage app = pulled(target, built.path("result").path("digest").asText());
        List<String> appLayers = layerDigests(app);
        List<String> v1Layers = layerDigests(v1);
        assertEquals(v1Layers, appLayers.subList(0, v1Layers.size()));

        // a new run image under the same tag: the one the app's metadata names
        PulledImage v2 = pushRunImage(v1, "real-cnb/run", "1001", "run-image-v2");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("kind", "rebase");
        request.put("image", target);
        JsonNode rebase = submitAndAwait(request);
        String digest = rebase.path("result").path("digest").asText();
        PulledImage rebased = pulled(target, digest);
        List<String> rebasedLayers = layerDigests(rebased);
        List<String> v2Layers = layerDigests(v2);
        assertEquals(v2Layers, rebasedLayers.subList(0, v2Layers.size()), "the run layers are v2's");
        assertEquals(
                appLayers.subList(v1Layers.size(), appLayers.size()),
                rebasedLayers.subList(v2Layers.size(), rebasedLayers.size()),
                "the app layers are unchanged");
        LaunchedImages.Run run = launched.runDefaultProcess(target + "@" + digest);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("run-image-v2"), run.output());
    }

    /** A rebaser stuck on a run image registry that never answers is stopped by POST /builds/{id}/cancel. */
    @Test
    void aRunningRebaseIsCancelled() throws Exception {
        String target = RealCnbRegistry.registry.hostPort() + "/rebase/cancel:1";
        build(target, "builder-1000");
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted and never answered
                    }
                } catch (java.io.IOException closed) {
                    held.forEach(socket -> {
                        try {
                            socket.close();
                        } catch (java.io.IOException ignored) {
                            // closing a socket of a finished test
                        }
                    });
                }
            });
            acceptor.start();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("kind", "rebase");
            request.put("image", target);
            request.put("runImage", "127.0.0.1:" + silent.getLocalPort() + "/stuck/run:1");
            request.put("force", true);
            String location = submit(request);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!"rebaser".equals(fetch(location).path("currentPhase").asText())) {
                assertTrue(System.nanoTime() < deadline, fetch(location).toPrettyString());
                Thread.sleep(100);
            }
            Thread.sleep(1000); // well inside the rebaser, waiting for the silent registry
            given().post(location + "/cancel").then().statusCode(202);
            JsonNode cancelled = awaitEnd(location);
            assertEquals("cancelled", cancelled.path("state").asText(), cancelled.toPrettyString());
            assertEquals("rebaser", cancelled.path("phases").get(0).path("name").asText());
            silent.close();
            acceptor.join(5000);
        }
    }

    private static JsonNode build(String target, String builder) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", target);
        request.put("builder", RealCnbRegistry.images.tag(builder));
        request.put("trustBuilder", true);
        String location = BuildsApi.submit(
                request, LayerTar.create().file("Procfile", PROCFILE).toBytes());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + BuildsApi.textLog(location));
        return build;
    }

    private static JsonNode submitAndAwait(Map<String, Object> request) throws Exception {
        String location = submit(request);
        JsonNode build = awaitEnd(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + BuildsApi.textLog(location));
        return build;
    }

    private static String submit(Map<String, Object> request) throws Exception {
        return given().contentType("application/json")
                .body(JSON.writeValueAsString(request))
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
    }

    private static JsonNode awaitEnd(String location) throws Exception {
        return BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
    }

    private static JsonNode fetch(String location) throws Exception {
        return JSON.readTree(
                given().get(location).then().statusCode(200).extract().asString());
    }

    /** Run image {@code base} plus one layer with /run-image-version, pushed as {@code repository:tag}. */
    private static PulledImage pushRunImage(PulledImage base, String repository, String tag, String version) {
        ImagePusher pusher = RealCnbRegistry.registry.pusher();
        byte[] tar = LayerTar.create().file("run-image-version", version + "\n").toBytes();
        byte[] blob = ImagePusher.compress(tar, TestImage.Compression.GZIP);
        String layerDigest = pusher.uploadBlob(repository, blob);
        ObjectNode config = base.config().deepCopy();
        ((ArrayNode) config.path("rootfs").path("diff_ids")).add(ImagePusher.digest(tar));
        if (config.path("history").isArray()) {
            ((ArrayNode) config.get("history")).addObject().put("created_by", "locald test: " + version);
        }
        byte[] configBytes = bytes(config);
        String configDigest = pusher.uploadBlob(repository, configBytes);
        ObjectNode manifest = base.manifest().deepCopy();
        ((ObjectNode) manifest.get("config")).put("digest", configDigest).put("size", configBytes.length);
        ArrayNode layers = (ArrayNode) manifest.get("layers");
        layers.addObject()
                .put("mediaType", layers.get(0).path("mediaType").asText())
                .put("digest", layerDigest)
                .put("size", blob.length);
        pusher.putManifest(repository, tag, manifest.path("mediaType").asText(), bytes(manifest));
        return PulledImage.pull(RealCnbRegistry.registry, repository, tag);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PulledImage pulled(String target, String reference) {
        String repository = target.substring(target.indexOf('/') + 1, target.lastIndexOf(':'));
        return PulledImage.pull(RealCnbRegistry.registry, repository, reference);
    }

    private static List<String> layerDigests(PulledImage image) {
        return image.manifest().path("layers").findValuesAsText("digest");
    }
}

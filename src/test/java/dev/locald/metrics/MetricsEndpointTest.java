package dev.locald.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.ImageReference;
import dev.locald.pull.ImagePuller;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.OpsTestProfile;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** /q/metrics after a build through the API (test executor) and real pulls from a real registry. */
@QuarkusTest
@TestProfile(OpsTestProfile.class)
class MetricsEndpointTest {

    @Inject
    ImagePuller puller;

    @Test
    void aBuildShowsItsOutcomeAndPhaseDurations() throws Exception {
        double before = value(metrics(), "locald_builds_finished_total{outcome=\"succeeded\"}");
        String id = given().multiPart(
                        "build",
                        "{\"image\":\"localhost:5000/apps/metrics:latest\","
                                + "\"builder\":\"localhost:5000/builders/fixture:1\",\"env\":{\"SCRIPT\":\"ok\"}}",
                        "application/json")
                .multiPart("source", "app.tar.gz", sampleTarGz(), "application/gzip")
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        awaitSucceeded(id);

        String text = metrics();
        assertEquals(before + 1, value(text, "locald_builds_finished_total{outcome=\"succeeded\"}"), text);
        assertTrue(value(text, "locald_build_phase_duration_seconds_count{phase=\"detect\"}") >= 1, text);
        assertTrue(value(text, "locald_build_phase_duration_seconds_count{phase=\"export\"}") >= 1, text);
        assertTrue(value(text, "locald_build_duration_seconds_count{outcome=\"succeeded\"}") >= 1, text);
        value(text, "locald_builds_finished_total{outcome=\"failed\"}");
        assertEquals(0, value(text, "locald_builds_queued"), text);
        value(text, "locald_builds_running");
    }

    @Test
    void pullsShowBytesAndLayerCacheHitsAndMisses() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            byte[] content = new byte[64 * 1024];
            // fresh content each run: the layer must not be in the store from an earlier run
            new java.util.Random(System.nanoTime()).nextBytes(content);
            TestImage image = TestImage.builder()
                    .layer(
                            LayerTar.create()
                                    .dir("data")
                                    .file("data/random", content, 0644, 0, 0)
                                    .toBytes(),
                            TestImage.Compression.GZIP)
                    .build();
            registry.pusher().push("metrics/sample", "1", image);
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/metrics/sample:1");

            String start = metrics();
            double bytes = value(start, "locald_pull_bytes_total");
            double hits = value(start, "locald_layer_cache_total{result=\"hit\"}");
            double misses = value(start, "locald_layer_cache_total{result=\"miss\"}");

            puller.pull(ref, Optional.empty());
            String afterFirst = metrics();
            assertEquals(misses + 1, value(afterFirst, "locald_layer_cache_total{result=\"miss\"}"), afterFirst);
            assertEquals(hits, value(afterFirst, "locald_layer_cache_total{result=\"hit\"}"), afterFirst);
            assertTrue(value(afterFirst, "locald_pull_bytes_total") > bytes + 64 * 1024 / 2, afterFirst);

            puller.pull(ref, Optional.empty());
            String afterSecond = metrics();
            assertEquals(hits + 1, value(afterSecond, "locald_layer_cache_total{result=\"hit\"}"), afterSecond);
            assertEquals(
                    value(afterFirst, "locald_pull_bytes_total"),
                    value(afterSecond, "locald_pull_bytes_total"),
                    "a cached layer downloads nothing");
            assertTrue(value(afterSecond, "locald_store_bytes{store=\"blobs\"}") >= 0, afterSecond);
            assertTrue(value(afterSecond, "locald_store_bytes{store=\"layers\"}") >= 0, afterSecond);
            value(afterSecond, "locald_store_items{store=\"layers\"}");
        }
    }

    private static String metrics() {
        // this Prometheus format ends label sets with ",}"; drop that comma so samples read as written
        return given().accept(ContentType.TEXT)
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .replace(",}", "}");
    }

    /** The sample's value; fails when the metric is not exposed. */
    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([0-9.eE+-]+|NaN)$")
                .matcher(text);
        assertTrue(m.find(), sample + " is not in /q/metrics:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    private static void awaitSucceeded(String id) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(30));
        String state = null;
        while (Instant.now().isBefore(end)) {
            state = given().accept(ContentType.JSON)
                    .get("/builds/" + id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("state");
            if ("succeeded".equals(state)) {
                return;
            }
            if ("failed".equals(state) || "cancelled".equals(state)) {
                break;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("build " + id + " is " + state + ", not succeeded");
    }

    private static byte[] sampleTarGz() throws Exception {
        byte[] tar = LayerTar.create().dir("app").file("app/index.txt", "hello").toBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar);
        }
        return out.toByteArray();
    }
}

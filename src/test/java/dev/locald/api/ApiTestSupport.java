package dev.locald.api;

import static io.restassured.RestAssured.given;

import dev.locald.testsupport.LayerTar;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Shared steps of the API tests: a sample source, submitting, waiting for a state, snapshotting the data dir. */
final class ApiTestSupport {
    static final Path DATA_DIR = Path.of(BuildApiTestProfile.DATA_DIR);

    private ApiTestSupport() {}

    static byte[] sampleTarGz() {
        byte[] tar = LayerTar.create().dir("app").file("app/index.txt", "hello").toBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String request(String script) {
        return "{\"image\":\"localhost:5000/apps/sample:latest\",\"builder\":\"localhost:5000/builders/fixture:1\","
                + "\"env\":{\"SCRIPT\":\"" + script + "\"}}";
    }

    static Response submit(String buildJson) {
        return given().multiPart("build", buildJson, "application/json")
                .multiPart("source", "app.tar.gz", sampleTarGz(), "application/gzip")
                .post("/builds");
    }

    /** Submits with the given script and returns the new build's id (asserting a 202). */
    static String submitScript(String script) {
        Response response = submit(request(script));
        response.then().statusCode(202);
        return response.jsonPath().getString("id");
    }

    static String state(String id) {
        return given().accept(ContentType.JSON)
                .get("/builds/" + id)
                .then()
                .statusCode(200)
                .extract()
                .path("state");
    }

    /** Polls until the build is in one of {@code states}; fails after {@code timeout}. */
    static String awaitState(String id, Duration timeout, String... states) {
        Instant end = Instant.now().plus(timeout);
        List<String> wanted = Arrays.asList(states);
        String state = null;
        while (Instant.now().isBefore(end)) {
            state = state(id);
            if (wanted.contains(state)) {
                return state;
            }
            sleep(25);
        }
        throw new AssertionError("build " + id + " is " + state + ", not " + wanted + " after " + timeout);
    }

    static String awaitEnded(String id) {
        return awaitState(id, Duration.ofSeconds(30), "succeeded", "failed", "cancelled");
    }

    /** Every path under the data dir with its size and modification time. */
    static TreeMap<String, String> snapshot() {
        return snapshot(DATA_DIR);
    }

    /** Every path under {@code dataDir} with its size and modification time. */
    static TreeMap<String, String> snapshot(Path dataDir) {
        TreeMap<String, String> tree = new TreeMap<>();
        if (!Files.exists(dataDir)) {
            return tree;
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.forEach(p -> {
                try {
                    BasicFileAttributes a =
                            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    tree.put(
                            dataDir.relativize(p).toString(),
                            (a.isDirectory() ? "dir" : Long.toString(a.size())) + "@"
                                    + a.lastModifiedTime().toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

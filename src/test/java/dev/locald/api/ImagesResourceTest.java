package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.image.Digest;
import dev.locald.pull.ImageLeases;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The images API against real registries (one open, one behind basic auth) and the real stores under
 * {@code target/locald-test}. That data dir is shared with other Quarkus tests and kept between runs, so
 * every image carries a random file (fresh digests) and assertions compare before and after.
 */
@QuarkusTest
class ImagesResourceTest {

    private static final Path DATA = Path.of("target/locald-test");
    private static final String PROBLEM = Problem.MEDIA_TYPE;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUILDER_LABEL = """
            {"description":"test builder",
             "lifecycle":{"version":"0.20.5","apis":{
               "buildpack":{"deprecated":["0.2"],"supported":["0.10","0.11"]},
               "platform":{"deprecated":["0.12"],"supported":["0.13","0.14"]}}},
             "buildpacks":[{"id":"examples/node","version":"1.2.3"}],
             "images":[{"image":"registry.example/run:base","mirrors":["mirror.example/run:base"]}],
             "stack":{"runImage":{"image":"legacy.example/run:1","mirrors":[]}}}""";

    static TestRegistry registry;
    static TestRegistry authRegistry;

    @Inject
    ImageLeases leases;

    @BeforeAll
    static void startRegistries() {
        registry = TestRegistry.start();
        authRegistry = TestRegistry.startWithAuth("operator", "right-pass");
    }

    @AfterAll
    static void stopRegistries() {
        if (registry != null) {
            registry.close();
        }
        if (authRegistry != null) {
            authRegistry.close();
        }
    }

    /** A layer unique to this run, so its digest was never cached before. */
    static LayerTar unique(String name) {
        return LayerTar.create()
                .dir(name)
                .file(name + "/nonce", UUID.randomUUID().toString());
    }

    static String body(String reference) {
        return JSON.createObjectNode().put("reference", reference).toString();
    }

    static Response post(String json) {
        return given().contentType(ContentType.JSON).body(json).post("/images");
    }

    @Test
    void builderPullShowsLayersConfigAndWhatTheBuilderSupports() {
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "images/builder",
                        "1",
                        TestImage.builder()
                                .layer(unique("base"))
                                .layer(unique("cnb"), TestImage.Compression.ZSTD)
                                .env("PATH=/usr/bin:/bin")
                                .env("CNB_USER_ID=1001")
                                .env("CNB_GROUP_ID=1002")
                                .user("1001:1002")
                                .label(dev.locald.image.BuilderMetadata.LABEL, BUILDER_LABEL)
                                .label("io.buildpacks.stack.id", "io.example.stack")
                                .build());
        String reference = registry.hostPort() + "/images/builder:1";

        Response response = post(body(reference));
        response.then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("reference", equalTo(reference))
                .body("references", equalTo(List.of(reference)))
                .body("digest", equalTo(pushed.manifestDigest()))
                .body("configDigest", equalTo(pushed.configDigest()))
                .body("platform", equalTo("linux/amd64"))
                .body("layerCount", equalTo(2))
                .body("layers[0].digest", equalTo(pushed.layerDigests().get(0)))
                .body("layers[0].diffId", equalTo(pushed.diffIds().get(0)))
                .body("layers[0].mediaType", equalTo("application/vnd.oci.image.layer.v1.tar+gzip"))
                .body("layers[1].mediaType", equalTo("application/vnd.oci.image.layer.v1.tar+zstd"))
                .body("layers[1].extractedSize", equalTo(36))
                .body("extractedSize", equalTo(72))
                .body("config.user", equalTo("1001:1002"))
                .body("config.env", equalTo(List.of("PATH=/usr/bin:/bin", "CNB_USER_ID=1001", "CNB_GROUP_ID=1002")))
                .body("config.labels.'io.buildpacks.stack.id'", equalTo("io.example.stack"))
                .body("builder.cnbUserId", equalTo(1001))
                .body("builder.cnbGroupId", equalTo(1002))
                .body("builder.lifecycleVersion", equalTo("0.20.5"))
                .body("builder.platformApis", equalTo(List.of("0.12", "0.13", "0.14")))
                .body("builder.lifecycleApis.buildpack.supported", equalTo(List.of("0.10", "0.11")))
                .body("builder.runImages[0].image", equalTo("registry.example/run:base"))
                .body("builder.runImages[0].mirrors", equalTo(List.of("mirror.example/run:base")))
                .body("builder.runImages[1].image", equalTo("legacy.example/run:1"))
                .body("builder.buildpacks[0].id", equalTo("examples/node"))
                .body("builder.stackId", equalTo("io.example.stack"))
                .body("lifecycle", nullValue())
                .body("warnings", nullValue())
                .body("inUse", equalTo(false));
        long size = response.jsonPath().getLong("size");
        List<Integer> sizes = response.jsonPath().getList("layers.size", Integer.class);
        assertEquals(sizes.stream().mapToLong(Integer::longValue).sum(), size);
        for (String digest : pushed.layerDigests()) {
            assertTrue(Files.isRegularFile(blob(digest)), "blob " + digest + " is stored");
        }
        for (String diffId : pushed.diffIds()) {
            assertTrue(Files.isDirectory(layer(diffId)), "layer " + diffId + " is extracted");
        }

        given().get("/images/" + pushed.manifestDigest())
                .then()
                .statusCode(200)
                .body("digest", equalTo(pushed.manifestDigest()))
                .body("reference", equalTo(reference))
                .body("builder.cnbUserId", equalTo(1001))
                .body("size", equalTo((int) size));
        given().get("/images")
                .then()
                .statusCode(200)
                .body("images.digest", hasItem(pushed.manifestDigest()))
                .body("images.find { it.digest == '" + pushed.manifestDigest() + "' }.size", equalTo((int) size))
                .body("images.find { it.digest == '" + pushed.manifestDigest() + "' }.extractedSize", equalTo(72))
                .body("images.find { it.digest == '" + pushed.manifestDigest() + "' }.builder", equalTo(true))
                .body("images.find { it.digest == '" + pushed.manifestDigest() + "' }.lastUsed", notNullValue())
                .body("total", notNullValue());
    }

    @Test
    void lifecycleImageShowsItsApisAndABrokenBuilderLabelIsAWarning() {
        ImagePusher.PushedImage lifecycle = registry.pusher()
                .push(
                        "images/lifecycle",
                        "1",
                        TestImage.builder()
                                .layer(unique("cnb"))
                                .label(
                                        "io.buildpacks.lifecycle.apis",
                                        "{\"buildpack\":{\"deprecated\":[],\"supported\":[\"0.11\"]},"
                                                + "\"platform\":{\"deprecated\":[\"0.12\"],\"supported\":[\"0.13\"]}}")
                                .build());
        post(body(registry.hostPort() + "/images/lifecycle:1"))
                .then()
                .statusCode(200)
                .body("digest", equalTo(lifecycle.manifestDigest()))
                .body("builder", nullValue())
                .body("lifecycle.platformApis", equalTo(List.of("0.12", "0.13")))
                .body("lifecycle.apis.buildpack.supported", equalTo(List.of("0.11")));

        registry.pusher()
                .push(
                        "images/half-builder",
                        "1",
                        TestImage.builder()
                                .layer(unique("x"))
                                .label(dev.locald.image.BuilderMetadata.LABEL, BUILDER_LABEL)
                                .build());
        post(body(registry.hostPort() + "/images/half-builder:1"))
                .then()
                .statusCode(200)
                .body("builder", nullValue())
                .body("warnings[0]", containsString("CNB_USER_ID"));
    }

    @Test
    void pullsByTagThroughAnIndexAndByDigest() {
        ImagePusher.PushedImage amd64 = registry.pusher()
                .push(
                        "images/multi",
                        "amd64",
                        TestImage.builder().layer(unique("amd")).build());
        ImagePusher.PushedImage arm64 = registry.pusher()
                .push(
                        "images/multi",
                        "arm64",
                        TestImage.builder()
                                .layer(unique("arm"))
                                .platform("linux", "arm64")
                                .build());
        String index = registry.pusher()
                .pushIndex(
                        "images/multi",
                        "1",
                        false,
                        List.of(
                                new ImagePusher.IndexEntry(arm64, "linux", "arm64"),
                                new ImagePusher.IndexEntry(amd64, "linux", "amd64")));
        String name = registry.hostPort() + "/images/multi";

        post(body(name + ":1"))
                .then()
                .statusCode(200)
                .body("digest", equalTo(amd64.manifestDigest()))
                .body("platform", equalTo("linux/amd64"));
        post(body(name + "@" + index)).then().statusCode(200).body("digest", equalTo(amd64.manifestDigest()));
        post(body(name + "@" + amd64.manifestDigest()))
                .then()
                .statusCode(200)
                .body("digest", equalTo(amd64.manifestDigest()))
                .body("layers[0].digest", equalTo(amd64.layerDigests().get(0)));
        given().get("/images/" + amd64.manifestDigest())
                .then()
                .statusCode(200)
                .body("references", hasItem(name + ":1"))
                .body("references", hasItem(name + "@" + index))
                .body("references", hasItem(name + "@" + amd64.manifestDigest()));
        assertFalse(Files.exists(blob(arm64.layerDigests().get(0))), "the other platform is not pulled");
    }

    @Test
    void deleteRemovesWhatNoOtherImageUsesAndKeepsSharedLayers() throws IOException {
        byte[] shared = unique("shared").toBytes();
        ImagePusher.PushedImage a = registry.pusher()
                .push(
                        "images/del-a",
                        "1",
                        TestImage.builder()
                                .layer(shared, TestImage.Compression.GZIP)
                                .layer(unique("a"))
                                .build());
        ImagePusher.PushedImage b = registry.pusher()
                .push(
                        "images/del-b",
                        "1",
                        TestImage.builder()
                                .layer(shared, TestImage.Compression.GZIP)
                                .layer(unique("b"))
                                .build());
        post(body(registry.hostPort() + "/images/del-a:1")).then().statusCode(200);
        post(body(registry.hostPort() + "/images/del-b:1")).then().statusCode(200);
        Set<String> recordsBefore = files(DATA.resolve("images"));

        given().delete("/images/" + a.manifestDigest()).then().statusCode(204);

        assertFalse(Files.exists(blob(a.layerDigests().get(1))), "a's own blob is removed");
        assertFalse(Files.exists(layer(a.diffIds().get(1))), "a's own layer is removed");
        assertTrue(Files.isRegularFile(blob(a.layerDigests().get(0))), "the shared blob stays for b");
        assertTrue(Files.isDirectory(layer(a.diffIds().get(0))), "the shared layer stays for b");
        assertTrue(Files.isDirectory(layer(b.diffIds().get(1))));
        Set<String> recordsAfter = files(DATA.resolve("images"));
        assertEquals(recordsBefore.size() - 1, recordsAfter.size(), "exactly a's record is gone");
        given().get("/images/" + a.manifestDigest()).then().statusCode(404).contentType(PROBLEM);
        given().get("/images/" + b.manifestDigest()).then().statusCode(200);
        given().get("/images").then().body("images.digest", not(hasItem(a.manifestDigest())));
        given().delete("/images/" + a.manifestDigest())
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("detail", containsString(a.manifestDigest()));

        given().delete("/images/" + b.manifestDigest()).then().statusCode(204);
        assertFalse(Files.exists(blob(a.layerDigests().get(0))), "with b gone the shared blob goes too");
        assertFalse(Files.exists(layer(a.diffIds().get(0))));
    }

    @Test
    void deleteOfAnImageARunningBuildUsesIsAConflict() {
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "images/busy",
                        "1",
                        TestImage.builder().layer(unique("busy")).build());
        post(body(registry.hostPort() + "/images/busy:1")).then().statusCode(200);
        Digest manifest = Digest.parse(pushed.manifestDigest());
        try (ImageLeases.Lease lease =
                leases.acquire(manifest, List.of(Digest.parse(pushed.diffIds().get(0))))) {
            given().get("/images/" + manifest).then().body("inUse", equalTo(true));
            given().delete("/images/" + manifest)
                    .then()
                    .statusCode(409)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:locald:problem:image-in-use"))
                    .body("detail", containsString("used by a running build"));
            assertTrue(Files.isDirectory(layer(pushed.diffIds().get(0))), "nothing was removed");
        }
        given().delete("/images/" + manifest).then().statusCode(204);
        assertFalse(Files.exists(layer(pushed.diffIds().get(0))));
    }

    @Test
    void unknownImageIsA404ProblemNamingIt() {
        post(body(registry.hostPort() + "/images/never-pushed:1"))
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:locald:problem:image-not-found"))
                .body("status", equalTo(404))
                .body("detail", containsString("images/never-pushed"))
                .body("detail", containsString("not found"));
        given().get("/images/sha256:" + "0".repeat(64))
                .then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("detail", containsString("no cached image"));
    }

    @Test
    void badReferencesDigestsAndBodiesAre400Problems() {
        post(body("Registry.Example/UPPER/case:1"))
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("errors[0].field", equalTo("reference"))
                .body("errors[0].message", containsString("UPPER/case"));
        post(body("example.com/app:bad tag"))
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("errors[0].message", containsString("invalid tag"));
        post("{}")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("errors[0].field", equalTo("reference"))
                .body("errors[0].message", containsString("required"));
        post("{\"reference\":\"example.com/app:1\",\"extra\":1}")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("errors[0].field", equalTo("extra"));
        post("{\"reference\":")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", containsString("not valid JSON"));
        given().get("/images/latest")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("errors[0].field", equalTo("digest"))
                .body("detail", containsString("not an image digest"));
        given().get("/images/sha256:ABC").then().statusCode(400).contentType(PROBLEM);
        given().delete("/images/sha512:" + "0".repeat(128))
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
    }

    @Test
    void wrongOrMissingCredentialsAre403ProblemsThatNeverEchoThePassword() {
        authRegistry
                .pusher()
                .push(
                        "images/private",
                        "1",
                        TestImage.builder().layer(unique("secret")).build());
        String reference = authRegistry.hostPort() + "/images/private:1";
        ObjectNode wrong = JSON.createObjectNode().put("reference", reference);
        wrong.putObject("registryAuth").put("username", "operator").put("password", "wrong-pass-123");

        Response refused = post(wrong.toString());
        refused.then()
                .statusCode(403)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:locald:problem:registry-credentials"))
                .body("detail", containsString("refused the credentials"))
                .body("detail", containsString("images/private"));
        assertFalse(refused.asString().contains("wrong-pass-123"), refused.asString());

        post(body(reference))
                .then()
                .statusCode(403)
                .contentType(PROBLEM)
                .body("detail", containsString("requires credentials"));

        ObjectNode right = JSON.createObjectNode().put("reference", reference);
        right.putObject("registryAuth").put("username", "operator").put("password", "right-pass");
        post(right.toString()).then().statusCode(200).body("reference", equalTo(reference));

        ObjectNode incomplete = JSON.createObjectNode().put("reference", reference);
        incomplete.putObject("registryAuth").put("username", "operator");
        post(incomplete.toString()).then().statusCode(400).body("errors[0].field", equalTo("registryAuth.password"));
    }

    @Test
    void hostileImageIs422NamingTheLayerAndLeavesNothingInTheStore() throws IOException {
        Set<String> blobsBefore = files(DATA.resolve("blobs/sha256"));
        Set<String> layersBefore = files(DATA.resolve("layers/sha256"));
        Set<String> recordsBefore = files(DATA.resolve("images"));
        ImagePusher.PushedImage hostile = registry.pusher()
                .push(
                        "images/hostile",
                        "1",
                        TestImage.builder()
                                .layer(unique("innocent"))
                                .layer(unique("evil").file("../escape", "pwned"))
                                .build());

        Response response = post(body(registry.hostPort() + "/images/hostile:1"));
        response.then()
                .statusCode(422)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:locald:problem:layer-refused"))
                .body("detail", containsString("layer " + hostile.layerDigests().get(1)))
                .body("detail", containsString("../escape"))
                .body("detail", containsString("nothing of the image was kept"));

        for (String digest : hostile.layerDigests()) {
            assertFalse(Files.exists(blob(digest)), "blob " + digest + " of the refused image is gone");
        }
        for (String diffId : hostile.diffIds()) {
            assertFalse(Files.exists(layer(diffId)), "layer " + diffId + " of the refused image is gone");
        }
        assertEquals(blobsBefore, files(DATA.resolve("blobs/sha256")));
        assertEquals(layersBefore, files(DATA.resolve("layers/sha256")));
        assertEquals(recordsBefore, files(DATA.resolve("images")));
        assertEquals(Set.of(), files(DATA.resolve("blobs/tmp")));
        assertEquals(Set.of(), files(DATA.resolve("layers/tmp")));
        assertFalse(Files.exists(DATA.resolve("layers/escape")));
        assertFalse(Files.exists(DATA.resolve("layers/sha256/escape")));
        given().get("/images")
                .then()
                .body("images.references.flatten()", not(hasItem(registry.hostPort() + "/images/hostile:1")));
    }

    @Test
    void droppedDeviceNodesAreWarningsInThePullAnswer() {
        ImagePusher.PushedImage image = registry.pusher()
                .push(
                        "images/devices",
                        "1",
                        TestImage.builder()
                                .layer(unique("devices")
                                        .dir("dev")
                                        .charDevice("dev/mem", 1, 1)
                                        .fifo("dev/initctl"))
                                .build());
        post(body(registry.hostPort() + "/images/devices:1"))
                .then()
                .statusCode(200)
                .body("warnings.size()", equalTo(2))
                .body(
                        "warnings[0]",
                        equalTo("layer " + image.layerDigests().get(0)
                                + ": skipped character device 'dev/mem' (1:1): devices come from the runtime"))
                .body("warnings[1]", equalTo("layer " + image.layerDigests().get(0) + ": skipped FIFO 'dev/initctl'"));
    }

    @Test
    void aSparseLayerIs422NamingTheEntry() {
        byte[] sparse = dev.locald.testsupport.RawTar.create()
                .oldGnuSparse("holes-" + UUID.randomUUID(), 4L << 30, "tail".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        ImagePusher.PushedImage image = registry.pusher()
                .push(
                        "images/sparse",
                        "1",
                        TestImage.builder()
                                .layer(sparse, TestImage.Compression.GZIP)
                                .build());
        post(body(registry.hostPort() + "/images/sparse:1"))
                .then()
                .statusCode(422)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:locald:problem:layer-refused"))
                .body("detail", containsString("layer " + image.layerDigests().get(0)))
                .body("detail", containsString("is an old-GNU sparse file (type 'S')"));
    }

    private static Path blob(String digest) {
        return DATA.resolve("blobs/sha256").resolve(Digest.parse(digest).hex());
    }

    private static Path layer(String diffId) {
        return DATA.resolve("layers/sha256").resolve(Digest.parse(diffId).hex());
    }

    private static Set<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

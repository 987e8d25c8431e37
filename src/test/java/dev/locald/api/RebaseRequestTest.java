package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.builds.BuildKind;
import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResources;
import dev.locald.builds.SourceSubmission;
import dev.locald.config.ByteSize;
import dev.locald.image.NetworkMode;
import dev.locald.image.PullPolicy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kind}: a rebase request takes the app image, an optional run image, tags and the fields every build has;
 * a source, a missing image, an unknown kind or a build-only field is a 400 problem naming the field, and nothing
 * is written.
 */
@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class RebaseRequestTest {

    private static final String REBASE = "\"kind\":\"rebase\",\"image\":\"localhost:5000/apps/sample:1\"";

    private static final BuildRequestParser PARSER = new BuildRequestParser(
            Duration.ofHours(1),
            false,
            Path.of("target/no-data-dir"),
            true,
            new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G")),
            NetworkMode.ISOLATED);

    @Test
    void aRebaseIsParsedWithoutSourceOrBuilder() {
        BuildRequestParser.Parsed parsed = PARSER.parse(
                ("{" + REBASE + ",\"runImage\":\"localhost:5000/run:2\",\"tags\":[\"localhost:5000/apps/sample:2\"],"
                                + "\"registryAuth\":{\"username\":\"u\",\"password\":\"p\"},\"timeout\":60,"
                                + "\"pullPolicy\":\"always\",\"resources\":{\"memory\":\"1G\"},\"force\":true}")
                        .getBytes(StandardCharsets.UTF_8),
                BuildRequestParser.Mode.JSON);
        BuildRequest request = parsed.request();
        assertEquals(BuildKind.REBASE, request.kind());
        assertEquals(BuildKind.REBASE, request.spec(null).kind());
        assertEquals(
                BuildKind.REBASE, request.scopedTo(List.of("localhost:5000/")).kind());
        assertTrue(request.builder().isEmpty());
        assertEquals("localhost:5000/run:2", request.runImage().orElseThrow().toString());
        assertEquals(1, request.tags().size());
        assertTrue(request.registryAuth().isPresent());
        assertEquals(PullPolicy.ALWAYS, request.pullPolicy());
        assertTrue(request.options().force());
        assertTrue(request.spec(null).options().force());
        assertEquals(new SourceSubmission.None(), parsed.source().orElseThrow());
        // no kind is a build, as before kinds existed
        BuildRequest build = PARSER.parse(
                        "{\"image\":\"r.io/a\",\"builder\":\"r.io/b\"}".getBytes(StandardCharsets.UTF_8),
                        BuildRequestParser.Mode.MULTIPART)
                .request();
        assertEquals(BuildKind.BUILD, build.kind());
    }

    static Stream<Arguments> refused() {
        Stream<Arguments> fixed = Stream.of(
                Arguments.of("source", "{" + REBASE + ",\"source\":{\"path\":\"/tmp\"}}"),
                Arguments.of(
                        "source",
                        "{" + REBASE
                                + ",\"source\":{\"git\":{\"url\":\"https://git.example/a.git\",\"ref\":\"main\"}}}"),
                Arguments.of("image", "{\"kind\":\"rebase\",\"runImage\":\"localhost:5000/run:2\"}"),
                Arguments.of(
                        "image",
                        "{\"kind\":\"rebase\",\"image\":\"localhost:5000/app@sha256:" + "a".repeat(64) + "\"}"),
                Arguments.of("kind", "{\"kind\":\"rebuild\",\"image\":\"localhost:5000/apps/sample:1\"}"),
                Arguments.of("kind", "{\"kind\":\"Rebase\",\"image\":\"localhost:5000/apps/sample:1\"}"),
                Arguments.of("kind", "{\"kind\":1,\"image\":\"localhost:5000/apps/sample:1\"}"),
                Arguments.of("runImage", "{" + REBASE + ",\"runImage\":\"Not A Reference\"}"),
                Arguments.of("tags[0]", "{" + REBASE + ",\"tags\":[\"other.example/apps/sample:2\"]}"),
                Arguments.of("force", "{" + REBASE + ",\"force\":\"yes\"}"),
                Arguments.of(
                        "force",
                        "{\"image\":\"localhost:5000/apps/sample:1\",\"builder\":\"localhost:5000/b:1\","
                                + "\"source\":{\"path\":\"/tmp\"},\"force\":true}"));
        Stream<Arguments> buildOnly = Stream.of(
                        "\"builder\":\"localhost:5000/b:1\"",
                        "\"env\":{\"A\":\"b\"}",
                        "\"secretEnv\":[]",
                        "\"buildpacks\":[\"a/b\"]",
                        "\"trustBuilder\":true",
                        "\"clearCache\":false",
                        "\"gitAuth\":{\"token\":\"t\"}",
                        "\"bindings\":{}",
                        "\"defaultProcess\":\"web\"",
                        "\"creationTime\":\"now\"",
                        "\"previousImage\":\"localhost:5000/apps/sample:0\"",
                        "\"execEnv\":\"test\"",
                        "\"disableSystemBuildpacks\":true")
                .map(field ->
                        Arguments.of(field.substring(1, field.indexOf('"', 1)), "{" + REBASE + "," + field + "}"));
        return Stream.concat(fixed, buildOnly);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refused")
    void isRefusedNamingTheFieldAndWritesNothing(String field, String body) {
        TreeMap<String, String> before = ApiTestSupport.snapshot();
        Response response = given().contentType("application/json").body(body).post("/builds");
        response.then()
                .statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("errors.field", hasItem(field));
        assertEquals(before, ApiTestSupport.snapshot(), "the data directory changed");
    }

    @Test
    void aMultipartRebaseIsRefusedForItsSource() {
        TreeMap<String, String> before = ApiTestSupport.snapshot();
        given().multiPart("build", "{" + REBASE + "}", "application/json")
                .multiPart("source", "app.tar.gz", ApiTestSupport.sampleTarGz(), "application/octet-stream")
                .post("/builds")
                .then()
                .statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("errors.field", hasItem("source"));
        assertEquals(before, ApiTestSupport.snapshot(), "the data directory changed");
    }
}

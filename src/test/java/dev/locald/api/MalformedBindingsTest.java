package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed {@code bindings} of a build request: each is a 400 problem naming the field, nothing is written,
 * and no entry content is echoed back.
 */
@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class MalformedBindingsTest {
    private static final String SECRET = "s3cret-binding-value";

    static Stream<Arguments> bindings() {
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 33; i++) {
            many.append(i == 0 ? "" : ",").append("\"b").append(i).append("\":{\"type\":\"t\"}");
        }
        many.append('}');
        StringBuilder manyEntries = new StringBuilder("{\"b\":{\"type\":\"t\",\"entries\":{");
        for (int i = 0; i < 65; i++) {
            manyEntries.append(i == 0 ? "" : ",").append("\"e").append(i).append("\":\"v\"");
        }
        manyEntries.append("}}}");
        return Stream.of(
                Arguments.of("not an object", "[1]", "bindings", "must be an object"),
                Arguments.of("name ..", "{\"..\":{\"type\":\"t\"}}", "bindings...", "not a valid binding name"),
                Arguments.of(
                        "name with a slash", "{\"a/b\":{\"type\":\"t\"}}", "bindings.a/b", "not a valid binding name"),
                Arguments.of("empty name", "{\"\":{\"type\":\"t\"}}", "bindings.", "not a valid binding name"),
                Arguments.of("binding not an object", "{\"b\":\"" + SECRET + "\"}", "bindings.b", "must be an object"),
                Arguments.of(
                        "type missing",
                        "{\"b\":{\"entries\":{\"k\":\"" + SECRET + "\"}}}",
                        "bindings.b.type",
                        "is required"),
                Arguments.of("type not a string", "{\"b\":{\"type\":7}}", "bindings.b.type", "must be a string"),
                Arguments.of("type with a newline", "{\"b\":{\"type\":\"a\\nb\"}}", "bindings.b.type", "control"),
                Arguments.of(
                        "unknown field",
                        "{\"b\":{\"type\":\"t\",\"secret\":\"x\"}}",
                        "bindings.b.secret",
                        "not a known field"),
                Arguments.of(
                        "entry file ..",
                        "{\"b\":{\"type\":\"t\",\"entries\":{\"..\":\"" + SECRET + "\"}}}",
                        "bindings.b.entries...",
                        "not a valid entry file name"),
                Arguments.of(
                        "entry file with a slash",
                        "{\"b\":{\"type\":\"t\",\"entries\":{\"../../env/X\":\"" + SECRET + "\"}}}",
                        "bindings.b.entries.../../env/X",
                        "not a valid entry file name"),
                Arguments.of(
                        "entry named type",
                        "{\"b\":{\"type\":\"t\",\"entries\":{\"type\":\"" + SECRET + "\"}}}",
                        "bindings.b.entries.type",
                        "not a valid entry file name"),
                Arguments.of(
                        "entry not a string",
                        "{\"b\":{\"type\":\"t\",\"entries\":{\"k\":1}}}",
                        "bindings.b.entries.k",
                        "must be a string"),
                Arguments.of(
                        "entry with NUL",
                        "{\"b\":{\"type\":\"t\",\"entries\":{\"k\":\"a\\u0000" + SECRET + "\"}}}",
                        "bindings.b.entries.k",
                        "NUL"),
                Arguments.of("too many bindings", many.toString(), "bindings", "at most 32"),
                Arguments.of("too many entries", manyEntries.toString(), "bindings.b.entries", "at most 64"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void isRefusedNamingTheFieldAndWritesNothing(String name, String bindings, String field, String message) {
        TreeMap<String, String> before = ApiTestSupport.snapshot();
        Response response = given().contentType("application/json")
                .body("{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/builders/fixture:1\","
                        + "\"source\":{\"path\":\"/tmp\"},\"bindings\":" + bindings + "}")
                .post("/builds");
        response.then()
                .statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("errors.field", hasItem(field))
                .body("errors.message", hasItem(containsString(message)))
                .body(not(containsString(SECRET)));
        assertEquals(before, ApiTestSupport.snapshot(), "the data directory changed");
    }

    /** The test profile's request limit is 64 KiB, so the total is checked on the parser itself. */
    @org.junit.jupiter.api.Test
    void entriesOverTheTotalAreRefused() {
        String big = "x".repeat(300 * 1024);
        String body = "{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/builders/fixture:1\","
                + "\"bindings\":{\"a\":{\"type\":\"t\",\"entries\":{\"k\":\"" + big + "\"}},"
                + "\"b\":{\"type\":\"t\",\"entries\":{\"k\":\"" + big + "\"}}}}";
        BuildRequestParser parser = new BuildRequestParser(
                java.time.Duration.ofHours(1),
                false,
                java.nio.file.Path.of("target/none"),
                true,
                dev.locald.builds.BuildResources.DEFAULT,
                dev.locald.image.NetworkMode.ISOLATED);
        ProblemException e = org.junit.jupiter.api.Assertions.assertThrows(
                ProblemException.class,
                () -> parser.parse(
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.problem().toString().contains("more than 524288 bytes"),
                e.problem().toString());
    }

    @org.junit.jupiter.api.Test
    void envMustNotSetTheBindingRootWhenBindingsAreGiven() {
        given().contentType("application/json")
                .body("{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/builders/fixture:1\","
                        + "\"source\":{\"path\":\"/tmp\"},\"env\":{\"SERVICE_BINDING_ROOT\":\"/x\"},"
                        + "\"bindings\":{\"b\":{\"type\":\"t\"}}}")
                .post("/builds")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("env.SERVICE_BINDING_ROOT"));
    }
}

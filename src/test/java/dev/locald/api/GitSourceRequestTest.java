package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.testsupport.LayerTar;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed git sources ({@code source.git}, {@code gitAuth}) are refused at submission: 400 problem+json
 * naming the field, no secret echoed, nothing written to the data directory.
 */
@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class GitSourceRequestTest {
    private static final String HEAD =
            "\"image\":\"localhost:5000/apps/sample\"," + "\"builder\":\"localhost:5000/builders/fixture:1\",";
    private static final String URL = "\"url\":\"https://git.example/app.git\"";

    static Stream<Arguments> refused() {
        return Stream.of(
                git("missing url", "{\"ref\":\"main\"}", "source.git.url", "is required"),
                git("missing ref", "{" + URL + "}", "source.git.ref", "is required"),
                git("url not a string", "{\"url\":7,\"ref\":\"main\"}", "source.git.url", "must be a string"),
                git(
                        "file:// url",
                        "{\"url\":\"file:///srv/git/app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "local paths and file:// are refused"),
                git(
                        "absolute local path",
                        "{\"url\":\"/srv/git/app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "local paths and file:// are refused"),
                git(
                        "relative local path",
                        "{\"url\":\"../app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "local paths and file:// are refused"),
                git(
                        "scp-like ssh address",
                        "{\"url\":\"git@git.example:team/app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "is not a URL; give an http(s):// or git:// URL"),
                git(
                        "ssh:// url",
                        "{\"url\":\"ssh://git@git.example/app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "only http, https and git:// are supported"),
                git(
                        "url without a host",
                        "{\"url\":\"https:///app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "must name a host"),
                git(
                        "credentials in the url",
                        "{\"url\":\"https://bot:hunter2-in-url@git.example/app.git\",\"ref\":\"main\"}",
                        "source.git.url",
                        "must not carry credentials; give them in gitAuth"),
                git("ref with ~", "{" + URL + ",\"ref\":\"main~1\"}", "source.git.ref", "not a valid branch"),
                git("ref with ..", "{" + URL + ",\"ref\":\"a..b\"}", "source.git.ref", "not a valid branch"),
                git("ref starting with -", "{" + URL + ",\"ref\":\"-upload-pack=x\"}", "source.git.ref", "not a valid"),
                git("ref with a space", "{" + URL + ",\"ref\":\"my branch\"}", "source.git.ref", "not a valid"),
                git(
                        "path with ..",
                        "{" + URL + ",\"ref\":\"main\",\"path\":\"services/../../etc\"}",
                        "source.git.path",
                        "must not contain '.', '..' or empty segments"),
                git(
                        "absolute path",
                        "{" + URL + ",\"ref\":\"main\",\"path\":\"/etc\"}",
                        "source.git.path",
                        "must be relative"),
                git(
                        "unknown key in source.git",
                        "{" + URL + ",\"ref\":\"main\",\"depth\":5}",
                        "source.git.depth",
                        "is not a known field"),
                git("source.git not an object", "\"https://git.example/app.git\"", "source.git", "must be an object"),
                json(
                        "git and path together",
                        "{" + HEAD + "\"source\":{\"git\":{" + URL + ",\"ref\":\"main\"},\"path\":\"/tmp\"}}",
                        "source",
                        "must be {\"git\""),
                withAuth(
                        "gitAuth with both forms",
                        "{\"username\":\"bot\",\"password\":\"pw-secret-1\",\"token\":\"tok-secret-1\"}",
                        "gitAuth",
                        "give either username and password, or token"),
                withAuth(
                        "gitAuth with an unknown key",
                        "{\"token\":\"tok-secret-2\",\"scope\":\"repo\"}",
                        "gitAuth.scope",
                        "is not a known field"),
                withAuth("gitAuth without a password", "{\"username\":\"bot\"}", "gitAuth.password", "is required"),
                withAuth("gitAuth not an object", "\"tok-secret-3\"", "gitAuth", "must be an object"),
                json(
                        "gitAuth for a git:// url",
                        "{" + HEAD + "\"source\":{\"git\":{\"url\":\"git://git.example/app.git\",\"ref\":\"main\"}},"
                                + "\"gitAuth\":{\"token\":\"tok-secret-4\"}}",
                        "gitAuth",
                        "needs an http(s) URL"),
                json(
                        "gitAuth with a directory source",
                        "{" + HEAD + "\"source\":{\"path\":\"/tmp\"},\"gitAuth\":{\"token\":\"tok-secret-5\"}}",
                        "gitAuth",
                        "is only for a git source"),
                Arguments.of(
                        Named.of("git source and an uploaded archive together", (Supplier<Response>)
                                () -> given().multiPart(
                                                "build",
                                                "{" + HEAD + "\"source\":{\"git\":{" + URL + ",\"ref\":\"main\"}}}",
                                                "application/json")
                                        .multiPart(
                                                "source",
                                                "app.tar",
                                                LayerTar.create()
                                                        .file("app.sh", "echo")
                                                        .toBytes(),
                                                "application/x-tar")
                                        .post("/builds")),
                        "source",
                        "must not be set in a multipart request"),
                Arguments.of(
                        Named.of("gitAuth with an uploaded archive", (Supplier<Response>) () -> given().multiPart(
                                        "build",
                                        "{" + HEAD + "\"gitAuth\":{\"token\":\"tok-secret-6\"}}",
                                        "application/json")
                                .multiPart(
                                        "source",
                                        "app.tar",
                                        LayerTar.create().file("app.sh", "echo").toBytes(),
                                        "application/x-tar")
                                .post("/builds")),
                        "gitAuth",
                        "is only for a git source"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void isRefusedNamingTheFieldAndWritesNothing(Supplier<Response> request, String field, String message) {
        TreeMap<String, String> before = ApiTestSupport.snapshot();
        Response response = request.get();
        response.then()
                .statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("errors[0].field", equalTo(field))
                .body("errors[0].message", containsString(message))
                .body(not(containsString("secret")))
                .body(not(containsString("hunter2")));
        assertEquals(before, ApiTestSupport.snapshot(), "the data directory changed");
    }

    private static Arguments git(String name, String git, String field, String message) {
        return json(name, "{" + HEAD + "\"source\":{\"git\":" + git + "}}", field, message);
    }

    private static Arguments withAuth(String name, String auth, String field, String message) {
        return json(
                name,
                "{" + HEAD + "\"source\":{\"git\":{" + URL + ",\"ref\":\"main\"}},\"gitAuth\":" + auth + "}",
                field,
                message);
    }

    private static Arguments json(String name, String body, String field, String message) {
        return Arguments.of(
                Named.of(name, (Supplier<Response>)
                        () -> given().contentType("application/json").body(body).post("/builds")),
                field,
                message);
    }
}

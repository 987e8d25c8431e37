package dev.locald.api;

import static dev.locald.api.ApiTestSupport.awaitEnded;
import static dev.locald.api.ApiTestSupport.submit;
import static dev.locald.api.ApiTestSupport.submitScript;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class BuildsResourceTest {

    @Test
    void acceptedBuildHasLocationAndEndsWithPhasesAndResult() throws Exception {
        Response response =
                submit(ApiTestSupport.request("ok").replace("}}", "},\"tags\":[\"localhost:5000/apps/sample:v2\"]}"));
        response.then()
                .statusCode(202)
                .header("Location", startsWith("/builds/"))
                .body("state", equalTo("queued"))
                .body("links.logs", notNullValue());
        String id = response.jsonPath().getString("id");
        assertEquals("/builds/" + id, response.header("Location"));
        Path stored = ApiTestSupport.DATA_DIR.resolve("work").resolve(id).resolve("source.tar.gz");
        assertTrue(Files.isRegularFile(stored), "the upload is stored under the work dir");

        assertEquals("succeeded", awaitEnded(id));
        given().get("/builds/" + id)
                .then()
                .statusCode(200)
                .body("state", equalTo("succeeded"))
                .body("createdAt", notNullValue())
                .body("startedAt", notNullValue())
                .body("finishedAt", notNullValue())
                .body("currentPhase", nullValue())
                .body("phases", hasSize(3))
                .body("phases[0].name", equalTo("detect"))
                .body("phases[0].exitCode", equalTo(0))
                .body("phases[2].name", equalTo("export"))
                .body("phases[2].durationMs", notNullValue())
                .body("result.image", equalTo("localhost:5000/apps/sample:latest"))
                .body("result.digest", startsWith("sha256:"))
                .body("result.tags", hasSize(2))
                .body("error", nullValue())
                .body("$", not(hasKey("owner"))) // an open API: no token owns the build
                .body("request.env[0]", equalTo("SCRIPT"));
    }

    @Test
    void failedBuildShowsTheUserSentence() {
        String id = submitScript("fail-detect");
        assertEquals("failed", awaitEnded(id));
        given().get("/builds/" + id)
                .then()
                .body("error", equalTo("no buildpack detected for this app (detector exit 20)"))
                .body("phases[0].exitCode", equalTo(20))
                .body("result", nullValue());
    }

    @Test
    void executorCrashIsAnInternalErrorSentenceNotAStackTrace() {
        String id = submitScript("crash");
        assertEquals("failed", awaitEnded(id));
        String error = given().get("/builds/" + id).then().extract().path("error");
        assertTrue(error.startsWith("locald hit an internal error"), error);
    }

    @Test
    void textLogAfterTheEndHasPhasePrefixes() {
        String id = submitScript("ok");
        awaitEnded(id);
        String text = given().accept(ContentType.TEXT)
                .get("/builds/" + id + "/logs")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/plain"))
                .extract()
                .asString();
        assertTrue(
                text.startsWith("[locald] pulling localhost:5000/builders/fixture:1\n[detect] detect line 1\n"), text);
        assertTrue(text.contains("[export] export line 2\n"), text);
        assertTrue(
                text.endsWith("[locald] build succeeded: localhost:5000/apps/sample:latest@sha256:"
                        + text.substring(text.lastIndexOf("sha256:") + 7)),
                text);
    }

    @Test
    void curlStyleMultipartWithTheBuildAsAPlainFormFieldIsAccepted() throws Exception {
        // curl -F build='{...}' sends the JSON as a form field without a file name
        String boundary = "locald-test-boundary";
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"build\"\r\n\r\n"
                        + ApiTestSupport.request("ok") + "\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"source\"; filename=\"app.tar.gz\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        body.write(ApiTestSupport.sampleTarGz());
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String id = given().contentType("multipart/form-data; boundary=" + boundary)
                .body(body.toByteArray())
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertEquals("succeeded", awaitEnded(id));
    }

    @Test
    void logsDefaultToTextForAnyAcceptAndRefuseUnknownTypes() {
        String id = submitScript("ok");
        awaitEnded(id);
        given().accept("*/*")
                .get("/builds/" + id + "/logs")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/plain"));
        given().get("/builds/" + id + "/logs").then().statusCode(200).contentType(startsWith("text/plain"));
        given().accept("image/png")
                .get("/builds/" + id + "/logs")
                .then()
                .statusCode(406)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("status", equalTo(406));
        given().accept("text/plain")
                .get("/builds/" + id + "/logs?after=-1")
                .then()
                .statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE));
        given().accept("text/event-stream")
                .header("Last-Event-ID", "abc")
                .get("/builds/" + id + "/logs")
                .then()
                .statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE));
    }

    @Test
    void jsonRequestWithAServerDirectoryIsAccepted() throws Exception {
        Path dir = Files.createTempDirectory("locald-src");
        Files.writeString(dir.resolve("index.txt"), "hi");
        String body = "{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/b:1\","
                + "\"source\":{\"path\":\"" + dir + "\"},\"network\":\"none\",\"timeout\":\"PT5M\"}";
        String id = given().contentType(ContentType.JSON)
                .body(body)
                .post("/builds")
                .then()
                .statusCode(202)
                .header("Location", startsWith("/builds/"))
                .extract()
                .path("id");
        assertEquals("succeeded", awaitEnded(id));
        given().get("/builds/" + id)
                .then()
                .body("request.network", equalTo("none"))
                .body("request.timeout", equalTo("PT5M"));
    }
}

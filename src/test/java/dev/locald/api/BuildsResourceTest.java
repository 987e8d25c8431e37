package dev.locald.api;

import static dev.locald.api.ApiTestSupport.awaitEnded;
import static dev.locald.api.ApiTestSupport.submit;
import static dev.locald.api.ApiTestSupport.submitScript;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
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
        Response response = submit(ApiTestSupport.request("ok").replace("}}", "},\"tags\":[\"localhost:5000/apps/sample:v2\"]}"));
        response.then().statusCode(202)
                .header("Location", startsWith("/builds/"))
                .body("state", equalTo("queued"))
                .body("links.logs", notNullValue());
        String id = response.jsonPath().getString("id");
        assertEquals("/builds/" + id, response.header("Location"));
        Path stored = ApiTestSupport.DATA_DIR.resolve("work").resolve(id).resolve("source.tar.gz");
        assertTrue(Files.isRegularFile(stored), "the upload is stored under the work dir");

        assertEquals("succeeded", awaitEnded(id));
        given().get("/builds/" + id).then().statusCode(200)
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
                .body("request.env[0]", equalTo("SCRIPT"));
    }

    @Test
    void failedBuildShowsTheUserSentence() {
        String id = submitScript("fail-detect");
        assertEquals("failed", awaitEnded(id));
        given().get("/builds/" + id).then()
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
        String text = given().accept(ContentType.TEXT).get("/builds/" + id + "/logs").then().statusCode(200)
                .contentType(startsWith("text/plain")).extract().asString();
        assertTrue(text.startsWith("[locald] pulling localhost:5000/builders/fixture:1\n[detect] detect line 1\n"), text);
        assertTrue(text.contains("[export] export line 2\n"), text);
        assertTrue(text.endsWith("[locald] build succeeded: localhost:5000/apps/sample:latest@sha256:"
                + text.substring(text.lastIndexOf("sha256:") + 7)), text);
    }
}

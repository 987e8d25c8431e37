package dev.locald.api;

import static dev.locald.api.ApiTestSupport.awaitEnded;
import static dev.locald.api.ApiTestSupport.awaitState;
import static dev.locald.api.ApiTestSupport.submit;
import static dev.locald.api.ApiTestSupport.submitScript;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Queueing, 429, cancellation, deadlines, deletion and listing (one worker, a queue of two). */
@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class BuildQueueApiTest {

    @Test
    void fullQueueAnswers429AndCancelIsIdempotentForQueuedAndRunningBuilds() {
        String running = submitScript("block");
        awaitState(running, Duration.ofSeconds(20), "running");
        String queued1 = submitScript("block");
        String queued2 = submitScript("block");
        submit(ApiTestSupport.request("ok"))
                .then()
                .statusCode(429)
                .header("Retry-After", equalTo("7"))
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("status", equalTo(429));

        // a queued build is cancelled at once, and again is a no-op
        given().post("/builds/" + queued1 + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        given().post("/builds/" + queued1 + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        given().get("/builds/" + queued1)
                .then()
                .body("startedAt", equalTo(null))
                .body("phases", hasSize(0));

        // a running build is told to stop: 202 until its executor returns, then cancelled
        given().post("/builds/" + running + "/cancel").then().statusCode(202);
        given().post("/builds/" + running + "/cancel").then().statusCode(org.hamcrest.Matchers.oneOf(200, 202));
        assertEquals("cancelled", awaitEnded(running));
        given().get("/builds/" + running)
                .then()
                .body("error", equalTo("the build was cancelled"))
                .body("phases[0].name", equalTo("build"))
                .body("phases[0].exitCode", equalTo(137));
        String text = given().accept("text/plain")
                .get("/builds/" + running + "/logs")
                .then()
                .extract()
                .asString();
        assertTrue(text.contains("[build] stopped by cancellation"), text);
        assertTrue(text.endsWith("[locald] build cancelled\n"), text);

        // the next queued build got the worker
        awaitState(queued2, Duration.ofSeconds(20), "running");
        given().post("/builds/" + queued2 + "/cancel").then().statusCode(202);
        assertEquals("cancelled", awaitEnded(queued2));
    }

    @Test
    void deadlineFailsTheBuildWithATimeoutSentence() {
        String id = submit(ApiTestSupport.request("block").replace("}}", "},\"timeout\":1}"))
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertEquals("failed", awaitEnded(id));
        given().get("/builds/" + id)
                .then()
                .body("error", equalTo("the build timed out after 1s"))
                .body("request.timeout", equalTo("PT1S"));
    }

    @Test
    void executorThatIgnoresCancellationIsAbandonedAfterTheGraceAndItsWorkerReplaced() {
        Instant start = Instant.now();
        String id = submit(ApiTestSupport.request("ignore-cancel").replace("}}", "},\"timeout\":\"PT1S\"}"))
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertEquals("failed", awaitEnded(id));
        Duration took = Duration.between(start, Instant.now());
        assertTrue(took.compareTo(Duration.ofSeconds(7)) < 0, "ended after " + took + ", not after timeout + grace");
        given().get("/builds/" + id).then().body("error", equalTo("the build timed out after 1s"));
        // the stuck executor still sleeps, yet a new build runs
        String next = submitScript("ok");
        assertEquals("succeeded", awaitEnded(next));
    }

    @Test
    void deleteRemovesRecordLogAndWorkDirAndIsRefusedWhileRunning() {
        String running = submitScript("block");
        awaitState(running, Duration.ofSeconds(20), "running");
        given().delete("/builds/" + running)
                .then()
                .statusCode(409)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("status", equalTo(409));
        given().post("/builds/" + running + "/cancel").then().statusCode(202);
        awaitEnded(running);

        assertTrue(Files.isDirectory(ApiTestSupport.DATA_DIR.resolve("work").resolve(running)));
        given().delete("/builds/" + running).then().statusCode(204);
        assertFalse(Files.exists(ApiTestSupport.DATA_DIR.resolve("work").resolve(running)));
        assertFalse(Files.exists(ApiTestSupport.DATA_DIR.resolve("builds").resolve(running)));
        given().get("/builds/" + running).then().statusCode(404);
        given().get("/builds/" + running + "/logs").then().statusCode(404);
        given().delete("/builds/" + running).then().statusCode(404);
    }

    @Test
    void listIsNewestFirstWithStateFilterAndPagination() {
        String a = submitScript("ok");
        awaitEnded(a);
        String b = submitScript("fail-detect");
        awaitEnded(b);
        String c = submitScript("ok");
        awaitEnded(c);

        List<String> firstTwo = given().get("/builds?limit=2")
                .then()
                .statusCode(200)
                .body("items", hasSize(2))
                .body("limit", equalTo(2))
                .body("offset", equalTo(0))
                .body("next", equalTo("/builds?offset=2&limit=2"))
                .extract()
                .path("items.id");
        assertEquals(List.of(c, b), firstTwo);
        List<String> nextTwo =
                given().get("/builds?limit=2&offset=1").then().extract().path("items.id");
        assertEquals(List.of(b, a), nextTwo);

        given().get("/builds?state=failed&limit=100")
                .then()
                .statusCode(200)
                .body("items.state", everyItem(equalTo("failed")));
        List<String> failed =
                given().get("/builds?state=failed&limit=100").then().extract().path("items.id");
        assertTrue(failed.contains(b) && !failed.contains(a), failed.toString());
        List<String> either = given().get("/builds?state=succeeded,failed&limit=100")
                .then()
                .extract()
                .path("items.id");
        assertTrue(either.containsAll(List.of(a, b, c)), either.toString());
        int total = given().get("/builds?limit=1").then().extract().path("total");
        given().get("/builds?offset=" + total).then().statusCode(200).body("items", hasSize(0));
    }
}

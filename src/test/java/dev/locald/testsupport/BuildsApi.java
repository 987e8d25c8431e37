package dev.locald.testsupport;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;

/** The builds API as the end-to-end tests call it: submit a multipart build, read its log, wait for its end. */
public final class BuildsApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BuildsApi() {}

    /** {@code POST /builds} with the request as the 'build' part and a tar as 'source'; the Location of the build. */
    public static String submit(Map<String, Object> request, byte[] sourceTar) throws Exception {
        return given().multiPart("build", JSON.writeValueAsString(request), "application/json")
                .multiPart("source", "app.tar", sourceTar, "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
    }

    /** The whole log as text/plain. */
    public static String textLog(String location) {
        return given().accept("text/plain").get(location + "/logs").asString();
    }

    /** Polls the build until it has ended (succeeded, failed or cancelled), at most {@code limit}. */
    public static JsonNode awaitFinished(String location, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode build = JSON.readTree(
                    given().get(location).then().statusCode(200).extract().asString());
            if (build.path("finishedAt").isTextual()) {
                return build;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("build " + location + " did not finish in " + limit + ": " + textLog(location));
    }
}

package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Bearer tokens: who gets in, what a builder token may do, and a tokens file changed without a restart. */
@QuarkusTest
@TestProfile(AuthApiTestProfile.class)
class AuthApiTest {

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private static String submitAs(String token, String image) {
        Response r = submitResponse(token, image);
        r.then().statusCode(202);
        return r.jsonPath().getString("id");
    }

    private static Response submitResponse(String token, String image) {
        return submitJson(
                token,
                "{\"image\":\"" + image + "\",\"builder\":\"localhost:5000/builders/fixture:1\","
                        + "\"env\":{\"SCRIPT\":\"ok\"}}");
    }

    private static Response submitJson(String token, String json) {
        return as(token)
                .multiPart("build", json, "application/json")
                .multiPart("source", "app.tar.gz", ApiTestSupport.sampleTarGz(), "application/gzip")
                .post("/builds");
    }

    @Test
    void withoutOrWithAWrongTokenTheAnswerIs401() {
        given().get("/builds")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(ProblemType.UNAUTHORIZED.uri()));
        as("not-a-token")
                .get("/builds")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType(Problem.MEDIA_TYPE);
        given().header("Authorization", "Basic YWxpY2U6eA==")
                .get("/images")
                .then()
                .statusCode(401);
    }

    @Test
    void healthIsOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void aBuilderPublishesOnlyWithinItsPrefixes() {
        submitResponse(AuthApiTestProfile.ALICE, "localhost:5000/other/app")
                .then()
                .statusCode(403)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(ProblemType.FORBIDDEN.uri()))
                .body("detail", containsString("localhost:5000/apps/"));
        String id = submitAs(AuthApiTestProfile.ALICE, "localhost:5000/apps/alice");
        as(AuthApiTestProfile.ALICE).get("/builds/" + id).then().statusCode(200);
    }

    @Test
    void theHostNetworkIsForAdminsOnly() {
        String json = "{\"image\":\"localhost:5000/apps/alice\",\"builder\":\"localhost:5000/builders/fixture:1\","
                + "\"network\":\"host\"}";
        as(AuthApiTestProfile.ALICE)
                .multiPart("build", json, "application/json")
                .multiPart("source", "app.tar.gz", ApiTestSupport.sampleTarGz(), "application/gzip")
                .post("/builds")
                .then()
                .statusCode(403)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(ProblemType.FORBIDDEN.uri()))
                .body("detail", containsString("host network"));
        String id = as(AuthApiTestProfile.ADMIN)
                .multiPart("build", json, "application/json")
                .multiPart("source", "app.tar.gz", ApiTestSupport.sampleTarGz(), "application/gzip")
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        as(AuthApiTestProfile.ADMIN).get("/builds/" + id).then().body("request.network", equalTo("host"));
    }

    @Test
    void aBuilderMayReadButNotChangeImages() {
        as(AuthApiTestProfile.BOB).get("/images").then().statusCode(200);
        as(AuthApiTestProfile.BOB)
                .delete("/images/sha256:" + "0".repeat(64))
                .then()
                .statusCode(403)
                .contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("admin"));
        as(AuthApiTestProfile.BOB)
                .contentType("application/json")
                .body("{\"image\":\"localhost:5000/x\"}")
                .post("/images")
                .then()
                .statusCode(403);
        // an admin gets past the rule (to the image's own answer)
        as(AuthApiTestProfile.ADMIN)
                .delete("/images/sha256:" + "0".repeat(64))
                .then()
                .statusCode(not(403));
    }

    @Test
    void anotherTokensBuildIsNotFound() {
        String id = submitAs(AuthApiTestProfile.ALICE, "localhost:5000/apps/mine");
        as(AuthApiTestProfile.BOB).get("/builds/" + id).then().statusCode(404);
        as(AuthApiTestProfile.BOB).get("/builds/" + id + "/logs").then().statusCode(404);
        as(AuthApiTestProfile.BOB).post("/builds/" + id + "/cancel").then().statusCode(404);
        as(AuthApiTestProfile.BOB).delete("/builds/" + id).then().statusCode(404);
        // the SBOM and report of another token's build are as unknown as the build itself
        for (String artifact : new String[] {"sbom", "report"}) {
            as(AuthApiTestProfile.BOB)
                    .get("/builds/" + id + "/" + artifact)
                    .then()
                    .statusCode(404)
                    .body(
                            "detail",
                            not(org.hamcrest.Matchers.containsString("has no " + artifact.replace("sbom", "SBOM"))));
            as(AuthApiTestProfile.ALICE)
                    .get("/builds/" + id + "/" + artifact)
                    .then()
                    .statusCode(404)
                    .body("detail", org.hamcrest.Matchers.containsString("has no " + artifact.replace("sbom", "SBOM")));
        }
        as(AuthApiTestProfile.BOB)
                .get("/builds?limit=100")
                .then()
                .statusCode(200)
                .body("items.id", not(hasItem(id)));
        as(AuthApiTestProfile.ALICE)
                .get("/builds?limit=100")
                .then()
                .statusCode(200)
                .body("items.id", hasItem(id));
        // an admin sees every build
        as(AuthApiTestProfile.ADMIN).get("/builds/" + id).then().statusCode(200);
        as(AuthApiTestProfile.ADMIN)
                .get("/builds?limit=100")
                .then()
                .statusCode(200)
                .body("items.id", hasItem(id));
    }

    @Test
    void anAddedTokenWorksWithoutARestart() throws IOException {
        String token = "carol-token-" + System.nanoTime();
        as(token).get("/builds").then().statusCode(401);
        Files.writeString(
                AuthApiTestProfile.TOKENS,
                AuthApiTestProfile.line("carol", "builder", token, ""),
                StandardOpenOption.APPEND);
        Instant end = Instant.now().plus(Duration.ofSeconds(10));
        int status = 0;
        while (Instant.now().isBefore(end) && status != 200) {
            status = as(token).get("/builds").statusCode();
            ApiTestSupport.sleep(100);
        }
        as(token).get("/builds").then().statusCode(200);
    }

    private static String trusting(String image, String builder, String script) {
        return "{\"image\":\"" + image + "\",\"builder\":\"" + builder + "\",\"trustBuilder\":true,"
                + "\"env\":{\"SCRIPT\":\"" + script + "\"}}";
    }

    @Test
    void aBuilderTokenTrustsOnlyListedBuilders() {
        submitJson(AuthApiTestProfile.BOB, trusting("localhost:5000/apps/t", "localhost:5000/builders/fixture:1", "ok"))
                .then()
                .statusCode(403)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(ProblemType.FORBIDDEN.uri()))
                .body("detail", containsString("localhost:5000/builders/fixture:1"))
                .body("detail", containsString("locald.lifecycle.trusted-builders"));
        // pack's trusted builders are listed by default, at any tag
        submitJson(
                        AuthApiTestProfile.BOB,
                        trusting("localhost:5000/apps/t", "paketobuildpacks/builder-jammy-base:0.4.2", "ok"))
                .then()
                .statusCode(202);
        submitJson(AuthApiTestProfile.BOB, trusting("localhost:5000/apps/t", "heroku/builder:24", "ok"))
                .then()
                .statusCode(202);
        // without the flag the same builder token may use any builder (untrusted: the lifecycle image's phases)
        submitResponse(AuthApiTestProfile.BOB, "localhost:5000/apps/t").then().statusCode(202);
    }

    @Test
    void anAdminTrustsAnyBuilder() {
        submitJson(
                        AuthApiTestProfile.ADMIN,
                        trusting("localhost:5000/apps/t", "localhost:5000/builders/fixture:1", "ok"))
                .then()
                .statusCode(202);
    }

    @Test
    void aBuilderTokensBuildCarriesItsPrefixesAsTheCredentialScope() throws Exception {
        String alice = submitJson(
                        AuthApiTestProfile.ALICE,
                        "{\"image\":\"localhost:5000/apps/scoped\",\"builder\":\"localhost:5000/builders/fixture:1\","
                                + "\"env\":{\"SCRIPT\":\"scope\"}}")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        String admin = submitJson(
                        AuthApiTestProfile.ADMIN,
                        "{\"image\":\"localhost:5000/apps/scoped\",\"builder\":\"localhost:5000/builders/fixture:1\","
                                + "\"env\":{\"SCRIPT\":\"scope\"}}")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        awaitEnd(AuthApiTestProfile.ALICE, alice);
        awaitEnd(AuthApiTestProfile.ADMIN, admin);
        as(AuthApiTestProfile.ALICE)
                .accept("text/plain")
                .get(alice + "/logs")
                .then()
                .body(containsString("image scope: [localhost:5000/apps/]"));
        as(AuthApiTestProfile.ADMIN)
                .accept("text/plain")
                .get(admin + "/logs")
                .then()
                .body(containsString("image scope: []"));
    }

    private static void awaitEnd(String token, String location) {
        Instant end = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(end) && as(token).get(location).jsonPath().getString("finishedAt") == null) {
            ApiTestSupport.sleep(50);
        }
        as(token).get(location).then().body("state", equalTo("succeeded"));
    }
}

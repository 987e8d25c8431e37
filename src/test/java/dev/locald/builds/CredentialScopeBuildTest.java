package dev.locald.builds;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.builds.CredentialIsolationBuildTest.Registries;
import dev.locald.fixtures.FixtureFolder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A {@code builder} token limited to {@code <open registry>/team-a/} publishes there with a run image on the
 * registry whose only credential is in the host's docker config: no image of the build on that registry is
 * inside the token's prefixes, so the credential is withheld and the analyzer cannot read the run image. The
 * same build from an admin token gets the credential and succeeds.
 */
@QuarkusTest
@TestProfile(CredentialScopeBuildTest.Profile.class)
class CredentialScopeBuildTest {

    public static class Profile extends CredentialIsolationBuildTest.Profile {
        public Profile() {
            super("target/locald-credential-scope", "fixture", true);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode build(String token, String target) throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "image",
                target,
                "builder",
                Registries.fixtures.busybox().image().reference(),
                "runImage",
                Registries.authFixtures.busybox().runImage().reference()));
        String location = given().header("Authorization", "Bearer " + token)
                .multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", FixtureFolder.appTar("hello"), "application/x-tar")
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        JsonNode build = null;
        while (System.nanoTime() < deadline) {
            build = JSON.readTree(given().header("Authorization", "Bearer " + token)
                    .get(location)
                    .asString());
            if (build.path("finishedAt").isTextual()) {
                break;
            }
            Thread.sleep(200);
        }
        String log = given().header("Authorization", "Bearer " + token)
                .accept("text/plain")
                .get(location + "/logs")
                .asString();
        for (String secret : CredentialIsolationBuildTest.credentialForms()) {
            assertFalse(log.contains(secret), log);
        }
        return ((com.fasterxml.jackson.databind.node.ObjectNode) build).put("log", log);
    }

    @Test
    void aBuilderTokenGetsNoHostCredentialForARegistryOutsideItsPrefixes() throws Exception {
        JsonNode build = build(CredentialIsolationBuildTest.TEAM_TOKEN, Registries.open.hostPort() + "/team-a/app:1");
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        JsonNode analyzer = build.path("phases").get(0);
        assertEquals("analyzer", analyzer.path("name").asText(), build.toPrettyString());
        assertNotEquals(0, analyzer.path("exitCode").asInt(), build.toPrettyString());
        assertTrue(build.path("error").asText().contains("analyzer"), build.toPrettyString());
        // the fixture analyzer's reason: the registry wanted the credential locald withheld
        assertTrue(
                build.path("log")
                        .asText()
                        .contains("run image "
                                + Registries.authFixtures.busybox().runImage().reference() + " is not readable"),
                build.toPrettyString());
    }

    @Test
    void anAdminTokensBuildGetsIt() throws Exception {
        JsonNode build =
                build(CredentialIsolationBuildTest.ADMIN_TOKEN, Registries.open.hostPort() + "/team-a/admin:1");
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString());
    }
}

package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.testsupport.BuildsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code locald.lifecycle.image} names an image that cannot be pulled ({@code {version}} filled with the
 * builder's lifecycle version): a build of an untrusted builder that carries credentials fails with a
 * sentence naming the image and why; one without credentials goes on with the builder's own lifecycle.
 */
@QuarkusTest
@TestProfile(LifecycleImageUnavailableBuildTest.Profile.class)
class LifecycleImageUnavailableBuildTest {

    public static class Profile extends CredentialIsolationBuildTest.Profile {
        public Profile() {
            super("target/locald-lifecycle-image-unavailable", "missing");
        }
    }

    private static String missingImage() {
        return CredentialIsolationBuildTest.Registries.open.hostPort() + "/fixtures/no-such-lifecycle:"
                + dev.locald.fixtures.FixtureImages.LIFECYCLE_VERSION;
    }

    @Test
    void aBuildWithHostCredentialsFailsWithASentence() throws Exception {
        String target = CredentialIsolationBuildTest.Registries.withAuth.hostPort() + "/unavailable/app:1";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        CredentialIsolationBuildTest.Registries.fixtures
                                .busybox()
                                .image()
                                .reference()),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(3));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        String error = build.path("error").asText();
        assertTrue(error.startsWith("could not pull the lifecycle image " + missingImage() + ": "), error);
        assertTrue(
                error.contains("is not trusted and this build carries registry credentials for "
                        + CredentialIsolationBuildTest.Registries.withAuth.hostPort()),
                error);
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
        String log = BuildsApi.textLog(location);
        for (String secret : CredentialIsolationBuildTest.credentialForms()) {
            assertFalse(log.contains(secret), log);
        }
    }

    @Test
    void aBuildWithoutCredentialsFallsBackToTheBuildersLifecycleAndSaysSo() throws Exception {
        String target = CredentialIsolationBuildTest.Registries.open.hostPort() + "/unavailable/anonymous:1";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        CredentialIsolationBuildTest.Registries.fixtures
                                .busybox()
                                .image()
                                .reference()),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + "\n" + log);
        assertTrue(log.contains("could not pull the lifecycle image " + missingImage() + ": "), log);
        assertTrue(
                log.contains("this build carries no registry credentials, so it goes on without the lifecycle image"),
                log);
        // the builder's own lifecycle ran every phase, without credentials
        for (String phase : List.of("analyzer", "detector", "restorer", "builder", "exporter")) {
            assertTrue(log.contains("fixture-lifecycle-record " + phase + ": CNB_REGISTRY_AUTH=<unset>"), log);
        }
    }
}

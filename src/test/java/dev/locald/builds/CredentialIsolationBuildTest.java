package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The host's docker config holds the only credential of a registry that demands one; an untrusted builder
 * publishes there. The fixture builder's own lifecycle prints, at debug level, its environment and every
 * credentials file it can read (docs/fixtures.md, {@code record_visible}): the credential is nowhere in that
 * record, nor anywhere in the log, while the exporter from the lifecycle image publishes with it.
 */
@QuarkusTest
@TestProfile(CredentialIsolationBuildTest.Profile.class)
class CredentialIsolationBuildTest {

    static final String USER = "host-ci-bot";
    static final String PASSWORD = "host-only-s3cret-7f1c";
    static final String TEAM_TOKEN = "team-a-token-5b2e";
    static final String ADMIN_TOKEN = "ops-admin-token-91d0";

    static String sha256Hex(String token) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An open registry with the fixture builders and lifecycle image, a registry that demands
     * {@link #USER}/{@link #PASSWORD}, and a docker config naming that credential; all before locald boots.
     * Init arg {@code lifecycle-image}: {@code fixture} (the published one) or {@code missing} (a reference
     * that cannot be pulled, with the {@code {version}} placeholder).
     */
    public static class Registries implements QuarkusTestResourceLifecycleManager {
        static TestRegistry open;
        static TestRegistry withAuth;
        static FixtureImages.Fixtures fixtures;
        /** With init arg {@code tokens=true}: the fixtures published to the registry that demands credentials. */
        static FixtureImages.Fixtures authFixtures;

        private boolean missing;
        private boolean tokens;

        @Override
        public void init(Map<String, String> initArgs) {
            missing = "missing".equals(initArgs.get("lifecycle-image"));
            tokens = "true".equals(initArgs.get("tokens"));
        }

        @Override
        public Map<String, String> start() {
            open = TestRegistry.start();
            withAuth = TestRegistry.startWithAuth(USER, PASSWORD);
            fixtures = FixtureImages.publishAll(open);
            try {
                Path dockerConfig = Files.createTempFile("locald-docker-config-", ".json");
                String auth =
                        Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
                Files.writeString(
                        dockerConfig, "{\"auths\":{\"" + withAuth.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
                Map<String, String> config = new java.util.HashMap<>(Map.of(
                        "locald.registry.docker-config",
                        dockerConfig.toString(),
                        "locald.lifecycle.image",
                        missing
                                ? open.hostPort() + "/fixtures/no-such-lifecycle:{version}"
                                : fixtures.lifecycle().reference(),
                        "locald.lifecycle.log-level",
                        "debug"));
                if (tokens) {
                    authFixtures = FixtureImages.publishAll(withAuth);
                    Path file = Files.createTempFile("locald-tokens-", "");
                    Files.writeString(
                            file,
                            "team builder sha256:" + sha256Hex(TEAM_TOKEN) + " images=" + open.hostPort() + "/team-a/\n"
                                    + "ops admin sha256:" + sha256Hex(ADMIN_TOKEN) + "\n");
                    config.put("locald.auth.tokens-file", file.toString());
                }
                return config;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            if (open != null) {
                open.close();
            }
            if (withAuth != null) {
                withAuth.close();
            }
        }
    }

    public static class Profile implements QuarkusTestProfile {
        private final String dataDir;
        private final String lifecycleImage;

        public Profile() {
            this("target/locald-credential-isolation", "fixture");
        }

        private final boolean tokens;

        Profile(String dataDir, String lifecycleImage) {
            this(dataDir, lifecycleImage, false);
        }

        Profile(String dataDir, String lifecycleImage, boolean tokens) {
            this.dataDir = dataDir;
            this.lifecycleImage = lifecycleImage;
            this.tokens = tokens;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", dataDir);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(
                    Registries.class, Map.of("lifecycle-image", lifecycleImage, "tokens", Boolean.toString(tokens))));
        }
    }

    /** Every form in which the credential could show: the password, and user:password as basic auth. */
    static List<String> credentialForms() {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return List.of(PASSWORD, basic);
    }

    @Test
    void theUntrustedBuildersLifecycleSeesNoHostCredentialWhileTheLifecycleImagePublishesWithIt() throws Exception {
        String target = Registries.withAuth.hostPort() + "/isolated/app:1";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        Registries.fixtures.busybox().image().reference(),
                        "env",
                        Map.of("GREETING", "isolated")),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + "\n" + log);
        assertEquals(
                List.of("analyzer", "detector", "restorer", "builder", "exporter"),
                build.path("phases").findValuesAsText("name"));

        // the credential the builder's own lifecycle could have seen is nowhere in the record, nor anywhere else in the
        // log
        for (String secret : credentialForms()) {
            assertFalse(log.contains(secret), "the credential is in the log:\n" + log);
        }
        // the builder's own lifecycle ran detector and builder and recorded what it could see ...
        for (String phase : List.of("detector", "builder")) {
            assertTrue(log.contains("fixture-lifecycle-record " + phase + ": end"), log);
            assertTrue(log.contains("fixture-lifecycle-record " + phase + ": CNB_REGISTRY_AUTH=<unset>"), log);
        }
        assertTrue(
                log.contains("fixture-lifecycle-record builder:   isolated"), "the record reads /platform/env\n" + log);
        // ... and ran nothing else: analyzer, restorer and exporter came from the lifecycle image
        for (String phase : List.of("analyzer", "restorer", "exporter")) {
            assertFalse(log.contains("fixture-lifecycle-record " + phase + ":"), log);
        }
        assertTrue(
                log.contains("pulling lifecycle image "
                        + Registries.fixtures.lifecycle().reference()),
                log);

        // the exporter published with the host's credential to the registry that demands it
        String digest = build.path("result").path("digest").asText();
        PulledImage image = PulledImage.pull(Registries.withAuth, "isolated/app", digest);
        assertEquals(digest, image.manifestDigest());
        String record = image.file("layers/fixture_env-recorder/record/record.txt");
        assertTrue(record.contains("registry-auth-visible=no"), record);
        for (String secret : credentialForms()) {
            assertFalse(record.contains(secret), record);
        }
    }

    @Test
    void aTrustedBuildersCreatorHoldsTheHostCredentialButTheLogShowsItMasked() throws Exception {
        String target = Registries.withAuth.hostPort() + "/trusted/app:1";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        Registries.fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + "\n" + log);
        // the creator printed its CNB_REGISTRY_AUTH, which holds the host's credential: masked in the log
        assertTrue(log.contains("fixture-lifecycle-record creator: CNB_REGISTRY_AUTH={"), log);
        assertTrue(log.contains("***"), log);
        for (String secret : credentialForms()) {
            assertFalse(log.contains(secret), "the host's credential is in the log:\n" + log);
        }
    }
}

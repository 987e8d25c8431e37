package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.ImageReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credential lookup in docker config.json (through jib-core) and precedence of per-request credentials. */
class RegistryCredentialsTest {

    @TempDir
    Path dir;

    static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authsEntriesAreFoundForPlainAndDockerHubNames() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(
                config,
                "{\"auths\":{"
                        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hubuser", "hubpass") + "\"},"
                        + "\"registry.example.com:5000\":{\"auth\":\"" + auth("reguser", "regpass") + "\"}}}");
        RegistryCredentials credentials = new RegistryCredentials(config);
        assertEquals(
                Optional.of(new RegistryCredential.Basic("hubuser", "hubpass")),
                credentials.forImage(ImageReference.parse("busybox"), Optional.empty()));
        assertEquals(
                Optional.of(new RegistryCredential.Basic("reguser", "regpass")),
                credentials.forImage(ImageReference.parse("registry.example.com:5000/a/b:1"), Optional.empty()));
        assertEquals(
                Optional.empty(),
                credentials.forImage(ImageReference.parse("other.example.com/a/b:1"), Optional.empty()));
    }

    @Test
    void perRequestCredentialWins() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\":{\"registry.example.com\":{\"auth\":\"" + auth("a", "b") + "\"}}}");
        RegistryCredential given = new RegistryCredential.Basic("request-user", "request-pass");
        assertEquals(
                Optional.of(given),
                new RegistryCredentials(config)
                        .forImage(ImageReference.parse("registry.example.com/x:1"), Optional.of(given)));
    }

    @Test
    void missingConfigMeansAnonymous() {
        assertEquals(
                Optional.empty(),
                new RegistryCredentials(dir.resolve("absent.json"))
                        .forImage(ImageReference.parse("registry.example.com/x:1"), Optional.empty()));
    }

    @Test
    void absentCredentialHelperFallsBackToAnonymous() throws Exception {
        // jib-core treats a helper that is not installed as "no credential" (and warns); the registry's 401
        // then produces the "requires credentials" error naming the docker config
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"credHelpers\":{\"registry.example.com\":\"locald-test-absent-helper\"}}");
        assertEquals(
                Optional.empty(),
                new RegistryCredentials(config)
                        .forImage(ImageReference.parse("registry.example.com/x:1"), Optional.empty()));
    }

    @Test
    void credentialToStringHidesThePassword() {
        String text = new RegistryCredential.Basic("user", "hunter2").toString();
        assertTrue(text.contains("user") && !text.contains("hunter2"), text);
    }
}

package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.registry.RegistryCredential;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryAuthEnvTest {

    @Test
    void basicAndBearerHeadersAsTheLifecycleReadsThem() throws Exception {
        RegistryAuthEnv auth = RegistryAuthEnv.of(
                Map.of("ghcr.io", new RegistryCredential.Bearer("tok123")),
                Map.of("localhost:5000", new RegistryCredential.Basic("alice", "s3cr:et")));
        @SuppressWarnings("unchecked")
        Map<String, String> json = new ObjectMapper().readValue(auth.json(), Map.class);
        assertEquals(
                Map.of(
                        "ghcr.io",
                        "Bearer tok123",
                        "localhost:5000",
                        "Basic " + Base64.getEncoder().encodeToString("alice:s3cr:et".getBytes())),
                json);
    }

    @Test
    void requestCredentialsWinOverDockerConfigForTheSameRegistry() throws Exception {
        RegistryAuthEnv auth = RegistryAuthEnv.of(
                Map.of("Registry.Example:443", new RegistryCredential.Basic("config", "a")),
                Map.of("registry.example:443", new RegistryCredential.Basic("request", "b")));
        @SuppressWarnings("unchecked")
        Map<String, String> json = new ObjectMapper().readValue(auth.json(), Map.class);
        assertEquals(1, json.size());
        assertEquals(
                "Basic " + Base64.getEncoder().encodeToString("request:b".getBytes()),
                json.get("registry.example:443"));
    }

    @Test
    void dockerHubIsWrittenUnderBothNames() {
        for (String hub : new String[] {"docker.io", "index.docker.io", "registry-1.docker.io"}) {
            RegistryAuthEnv auth = RegistryAuthEnv.of(Map.of(hub, new RegistryCredential.Bearer("t")), Map.of());
            assertEquals(java.util.Set.of("docker.io", "index.docker.io"), auth.registries(), hub);
        }
    }

    /**
     * The lifecycle (go-containerregistry's keychain) looks CNB_REGISTRY_AUTH up by the registry as ggcr names
     * it: Docker Hub as index.docker.io, whatever the reference said.
     */
    @Test
    void everyRegistryIsKeyedAsTheLifecycleLooksItUp() throws Exception {
        dev.locald.image.ImageReference runImage = dev.locald.image.ImageReference.parse("paketobuildpacks/run:base");
        RegistryAuthEnv auth = RegistryAuthEnv.of(
                Map.of(
                        runImage.registry(),
                        new RegistryCredential.Basic("hub", "h"),
                        "ghcr.io",
                        new RegistryCredential.Basic("gh", "g")),
                Map.of("127.0.0.1:5000", new RegistryCredential.Bearer("tok")));
        @SuppressWarnings("unchecked")
        Map<String, String> json = new ObjectMapper().readValue(auth.json(), Map.class);
        assertEquals("Basic " + Base64.getEncoder().encodeToString("hub:h".getBytes()), json.get("index.docker.io"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("gh:g".getBytes()), json.get("ghcr.io"));
        assertEquals("Bearer tok", json.get("127.0.0.1:5000"));
    }

    @Test
    void toStringNeverShowsSecrets() {
        RegistryAuthEnv auth =
                RegistryAuthEnv.of(Map.of(), Map.of("r.example", new RegistryCredential.Basic("bob", "hunter2")));
        String shown = auth.toString()
                + new RegistryCredential.Basic("bob", "hunter2")
                + new RegistryCredential.Bearer("tok-xyz");
        assertFalse(shown.contains("hunter2"), shown);
        assertFalse(shown.contains("tok-xyz"), shown);
        assertFalse(shown.contains(Base64.getEncoder().encodeToString("bob:hunter2".getBytes())), shown);
        assertTrue(shown.contains("r.example"));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RegistryCredential.Basic("a:b", "p"));
        assertThrows(IllegalArgumentException.class, () -> new RegistryCredential.Basic("", "p"));
        assertThrows(IllegalArgumentException.class, () -> new RegistryCredential.Basic("u", "p\r\nX-Evil: 1"));
        assertThrows(IllegalArgumentException.class, () -> new RegistryCredential.Bearer("a b"));
        assertThrows(
                IllegalArgumentException.class,
                () -> RegistryAuthEnv.of(Map.of("bad host!", new RegistryCredential.Bearer("t")), Map.of()));
        assertTrue(RegistryAuthEnv.none().isEmpty());
        assertEquals("{}", RegistryAuthEnv.none().json());
    }
}

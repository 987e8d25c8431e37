package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.image.ImageReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scheme choice, loopback detection and challenge parsing, without a network. */
class RegistryHttpClientTest {

    RegistryHttpClient client(Set<String> insecure) {
        RegistrySettings settings = RegistrySettings.defaults(Path.of("/nonexistent/config.json"), insecure);
        return new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
    }

    @Test
    void remoteRegistriesUseHttpsUnlessListedInsecure() throws Exception {
        RegistryHttpClient secure = client(Set.of());
        assertEquals(
                "https://registry.example.com",
                secure.origin(ImageReference.parse("registry.example.com/a:1")).toString());
        assertEquals(
                "https://registry-1.docker.io",
                secure.origin(ImageReference.parse("busybox")).toString());
        RegistryHttpClient insecure = client(Set.of("registry.example.com:5000", "plain.example.com"));
        assertEquals(
                "http://registry.example.com:5000",
                insecure.origin(ImageReference.parse("registry.example.com:5000/a:1"))
                        .toString());
        assertEquals(
                "http://plain.example.com:8080",
                insecure.origin(ImageReference.parse("plain.example.com:8080/a:1"))
                        .toString(),
                "host without port matches");
        assertEquals(
                "https://registry.example.com:5001",
                insecure.origin(ImageReference.parse("registry.example.com:5001/a:1"))
                        .toString(),
                "other port stays TLS");
    }

    @Test
    void parsesChallenges() {
        RegistryHttpClient.Challenge bearer = RegistryHttpClient.Challenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull,push\"");
        assertEquals("bearer", bearer.scheme());
        assertEquals(
                Map.of(
                        "realm",
                        "https://auth.docker.io/token",
                        "service",
                        "registry.docker.io",
                        "scope",
                        "repository:library/busybox:pull,push"),
                bearer.params());
        RegistryHttpClient.Challenge basic = RegistryHttpClient.Challenge.parse("Basic realm=\"locald-test\"");
        assertEquals("basic", basic.scheme());
        assertEquals("locald-test", basic.params().get("realm"));
        assertEquals("", RegistryHttpClient.Challenge.parse("").scheme());
    }
}

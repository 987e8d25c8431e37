package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.store.BlobStore;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Basic auth against a real htpasswd-protected registry, credentials from docker config.json or the request. */
@ExtendWith(RegistryExtension.class)
@RegistryExtension.WithAuth(username = "ci-user", password = "pa55-word")
class RegistryAuthTest {

    static ImagePusher.PushedImage pushed;

    @TempDir
    Path dir;

    @BeforeAll
    static void push(TestRegistry registry) {
        pushed = registry.pusher()
                .push(
                        "auth/app",
                        "1",
                        TestImage.builder()
                                .layer(LayerTar.create().file("hello", "world"))
                                .build());
    }

    ImageResolver resolver(Path dockerConfig) {
        RegistrySettings settings =
                RegistrySettings.defaults(dockerConfig, Set.of()).withRetries(1, Duration.ofMillis(10));
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(dockerConfig));
        return new ImageResolver(http, new BlobFetcher(http));
    }

    Path dockerConfig(TestRegistry registry, String user, String password) throws Exception {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"auths\":{\"" + registry.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
        return file;
    }

    ImageReference ref(TestRegistry registry) {
        return ImageReference.parse(registry.hostPort() + "/auth/app:1");
    }

    @Test
    void credentialsFromDockerConfigAuths(TestRegistry registry) throws Exception {
        Path config = dockerConfig(registry, registry.username(), registry.password());
        ResolvedImage resolved = resolver(config).resolve(ref(registry));
        assertEquals(Digest.parse(pushed.manifestDigest()), resolved.manifestDigest());

        RegistrySettings settings = RegistrySettings.defaults(config, Set.of());
        BlobFetcher fetcher = new BlobFetcher(new RegistryHttpClient(settings, new RegistryCredentials(config)));
        BlobStore store = new BlobStore(dir.resolve("data"));
        LayerDescriptor layer = resolved.layers().get(0);
        Path blob = store.ensure(
                layer.digest(),
                layer.size(),
                fetcher.source(ref(registry), layer.digest(), layer.size(), Optional.empty()));
        assertEquals(layer.digest(), Digest.ofBytes(Files.readAllBytes(blob)));
    }

    @Test
    void perRequestCredentialsWork(TestRegistry registry) {
        ResolvedImage resolved = resolver(dir.resolve("absent.json"))
                .resolve(
                        ref(registry),
                        Optional.of(new RegistryCredential.Basic(registry.username(), registry.password())));
        assertEquals(Digest.parse(pushed.manifestDigest()), resolved.manifestDigest());
    }

    @Test
    void missingCredentialsAreNamed(TestRegistry registry) {
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> resolver(dir.resolve("absent.json")).resolve(ref(registry)));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
        assertTrue(
                e.getMessage().startsWith("registry " + registry.hostPort() + " requires credentials for auth/app"),
                e.getMessage());
    }

    @Test
    void wrongCredentialsAreRefusedWithoutLeakingThem(TestRegistry registry) throws Exception {
        Path config = dockerConfig(registry, registry.username(), "wrong-from-config");
        RegistryException e =
                assertThrows(RegistryException.class, () -> resolver(config).resolve(ref(registry)));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
        assertEquals("registry " + registry.hostPort() + " refused the credentials for auth/app", e.getMessage());

        // per-request credentials take precedence over docker config: good config, bad request credential
        Path good = dockerConfig(registry, registry.username(), registry.password());
        ImageResolver resolver = resolver(good);
        resolver.resolve(ref(registry)); // caches a working login for the docker-config credential
        RegistryException refused = assertThrows(
                RegistryException.class,
                () -> resolver.resolve(
                        ref(registry),
                        Optional.of(new RegistryCredential.Basic(registry.username(), "wrong-per-request"))));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, refused.kind());
        assertFalse(refused.getMessage().contains("wrong-per-request"));
        assertFalse(new RegistryCredential.Basic("u", "secret-value").toString().contains("secret-value"));
    }
}

package dev.locald.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.PullPolicy;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import dev.locald.registry.BlobFetcher;
import dev.locald.registry.ImageResolver;
import dev.locald.registry.RegistryCredentials;
import dev.locald.registry.RegistryException;
import dev.locald.registry.RegistryHttpClient;
import dev.locald.registry.RegistrySettings;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImagePuller#pull(ImageReference, Optional, PullPolicy)} against a real registry that each test stops
 * part-way: what {@code locald.registry.tag-ttl} saves a trip for, what each policy does without the registry,
 * and {@link Mirrors} asked before an origin that is gone.
 */
class PullPolicyTest {

    private static final ExtractionLimits LIMITS = new ExtractionLimits(1L << 30, 100_000, 1000, 4096, 1L << 30);

    @TempDir
    Path data;

    private ImagePuller puller(Duration tagTtl) throws IOException {
        return puller(tagTtl, Mirrors.NONE);
    }

    private ImagePuller puller(Duration tagTtl, Mirrors mirrors) throws IOException {
        RegistrySettings settings = RegistrySettings.defaults(data.resolve("absent.json"), Set.of());
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        return new ImagePuller(
                new ImageResolver(http, fetcher),
                fetcher,
                new BlobStore(data),
                new LayerStore(data),
                new LayerExtractor(LIMITS),
                new ImageRecordStore(data),
                2,
                Duration.ofMinutes(1),
                tagTtl,
                mirrors);
    }

    private static String push(TestRegistry registry, String content) {
        return registry.pusher()
                .push(
                        "policy/app",
                        "1",
                        TestImage.builder()
                                .layer(LayerTar.create().file("f", content))
                                .build())
                .manifestDigest();
    }

    @Test
    void aTagResolvedWithinTheTtlIsNotAskedAgainAndOneOlderIs() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/policy/app:1");
            String first = push(registry, "one");
            puller(Duration.ofMinutes(5)).pull(ref, Optional.empty(), PullPolicy.ALWAYS);
            String moved = push(registry, "two");

            ImagePuller.PulledImage cached =
                    puller(Duration.ofMinutes(5)).pull(ref, Optional.empty(), PullPolicy.IF_NOT_PRESENT);
            assertEquals(first, cached.image().manifestDigest().toString(), "within the TTL the tag is not asked");
            assertEquals("one", Files.readString(cached.layerDirs().get(0).resolve("f")));
            assertEquals(List.of(), cached.warnings());

            ImagePuller.PulledImage asked =
                    puller(Duration.ZERO).pull(ref, Optional.empty(), PullPolicy.IF_NOT_PRESENT);
            assertEquals(moved, asked.image().manifestDigest().toString(), "past the TTL the registry is asked");
            assertEquals(
                    moved,
                    puller(Duration.ofMinutes(5))
                            .pull(ref, Optional.empty(), PullPolicy.ALWAYS)
                            .image()
                            .manifestDigest()
                            .toString());
        }
    }

    @Test
    void withoutTheRegistryEachPolicyDoesWhatItSays() throws Exception {
        ImageReference ref;
        ImageReference byDigest;
        String registryHost;
        String digest;
        try (TestRegistry registry = TestRegistry.start()) {
            registryHost = registry.hostPort();
            ref = ImageReference.parse(registryHost + "/policy/app:1");
            digest = push(registry, "one");
            byDigest = ref.withDigest(Digest.parse(digest));
            puller(Duration.ZERO).pull(ref, Optional.empty(), PullPolicy.ALWAYS);
            puller(Duration.ZERO).pull(byDigest, Optional.empty(), PullPolicy.ALWAYS);
        }

        ImagePuller.PulledImage fallback = puller(Duration.ZERO).pull(ref, Optional.empty(), PullPolicy.IF_NOT_PRESENT);
        assertEquals(digest, fallback.image().manifestDigest().toString());
        assertEquals("one", Files.readString(fallback.layerDirs().get(0).resolve("f")));
        assertEquals(1, fallback.warnings().size(), fallback.warnings().toString());
        String warning = fallback.warnings().get(0);
        assertTrue(
                warning.startsWith(ImagePuller.CACHE_FALLBACK + registryHost + " is unreachable (")
                        && warning.contains("using the cached " + ref + " (" + digest + ", resolved at "),
                warning);

        // a digest names one image for good: no registry needed and nothing to warn about, whatever the TTL
        assertEquals(
                List.of(),
                puller(Duration.ZERO)
                        .pull(byDigest, Optional.empty(), PullPolicy.IF_NOT_PRESENT)
                        .warnings());

        ImagePuller.PulledImage never = puller(Duration.ZERO).pull(ref, Optional.empty(), PullPolicy.NEVER);
        assertEquals(digest, never.image().manifestDigest().toString());
        assertEquals(List.of(), never.warnings());

        RegistryException always = assertThrows(
                RegistryException.class,
                () -> puller(Duration.ofMinutes(5)).pull(ref, Optional.empty(), PullPolicy.ALWAYS));
        assertEquals(RegistryException.Kind.UNREACHABLE, always.kind());
        assertTrue(always.getMessage().contains(registryHost), always.getMessage());

        ImageReference other = ImageReference.parse(registryHost + "/policy/other:1");
        RegistryException absent = assertThrows(
                RegistryException.class, () -> puller(Duration.ZERO).pull(other, Optional.empty(), PullPolicy.NEVER));
        assertEquals(RegistryException.Kind.NOT_FOUND, absent.kind());
        assertEquals(
                other + " is not in the image cache, and pullPolicy \"never\" keeps locald from asking its registry "
                        + registryHost,
                absent.getMessage());
        // if-not-present has nothing to fall back on for an image never pulled: the registry's failure stands
        assertEquals(
                RegistryException.Kind.UNREACHABLE,
                assertThrows(
                                RegistryException.class,
                                () -> puller(Duration.ZERO).pull(other, Optional.empty(), PullPolicy.IF_NOT_PRESENT))
                        .kind());
    }

    @Test
    void anImageMissingAnExtractedLayerIsNotCached() throws Exception {
        ImageReference ref;
        try (TestRegistry registry = TestRegistry.start()) {
            ref = ImageReference.parse(registry.hostPort() + "/policy/app:1");
            push(registry, "one");
            ImagePuller.PulledImage pulled = puller(Duration.ZERO).pull(ref, Optional.empty(), PullPolicy.ALWAYS);
            new LayerStore(data).delete(pulled.image().layers().get(0).diffId());
        }
        ImageReference gone = ref;
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> puller(Duration.ofMinutes(5)).pull(gone, Optional.empty(), PullPolicy.NEVER));
        assertTrue(e.getMessage().startsWith(ref + " is not in the image cache"), e.getMessage());
    }

    @Test
    void aMirrorServesTheImageUnderItsOriginsNameWhenTheOriginIsGone() throws Exception {
        String origin = stoppedRegistry();
        try (TestRegistry mirror = TestRegistry.start()) {
            String digest = push(mirror, "mirrored");
            ImageReference ref = ImageReference.parse(origin + "/policy/app:1");
            ImagePuller.PulledImage pulled = puller(
                            Duration.ZERO, new Mirrors(Map.of(origin, List.of(mirror.hostPort()))))
                    .pull(ref, Optional.empty(), PullPolicy.ALWAYS);
            assertEquals(ref, pulled.image().ref());
            assertEquals(digest, pulled.image().manifestDigest().toString());
            assertEquals("mirrored", Files.readString(pulled.layerDirs().get(0).resolve("f")));
            assertEquals(
                    digest,
                    new ImageRecordStore(data)
                            .find(ref)
                            .orElseThrow()
                            .manifestDigest()
                            .toString());
        }
    }

    @Test
    void failingMirrorsPassToTheNextSourceAndTheOriginComesLast() throws Exception {
        String gone = stoppedRegistry();
        try (TestRegistry origin = TestRegistry.start();
                TestRegistry empty = TestRegistry.start()) {
            String digest = push(origin, "origin");
            ImageReference ref = ImageReference.parse(origin.hostPort() + "/policy/app:1");
            Mirrors mirrors = new Mirrors(Map.of(origin.hostPort(), List.of(gone, empty.hostPort())));
            assertEquals(
                    digest,
                    puller(Duration.ZERO, mirrors)
                            .pull(ref, Optional.empty(), PullPolicy.ALWAYS)
                            .image()
                            .manifestDigest()
                            .toString());
        }
        String deadOrigin = stoppedRegistry();
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> puller(Duration.ZERO, new Mirrors(Map.of(deadOrigin, List.of(gone))))
                        .pull(ImageReference.parse(deadOrigin + "/policy/app:1"), Optional.empty(), PullPolicy.ALWAYS));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertTrue(
                e.getMessage().contains(deadOrigin)
                        && e.getMessage().contains("(its mirrors failed too: " + gone + ": "),
                e.getMessage());
    }

    @Test
    void aMirrorThatIsNoRegistryNameIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new Mirrors(Map.of("docker.io", List.of("mirror.example/path"))));
        assertTrue(e.getMessage().startsWith("locald.registry.mirrors.\"docker.io\": "), e.getMessage());
    }

    /** The host:port of a registry that was started and stopped: connections to it are refused. */
    private static String stoppedRegistry() {
        try (TestRegistry registry = TestRegistry.start()) {
            return registry.hostPort();
        }
    }
}

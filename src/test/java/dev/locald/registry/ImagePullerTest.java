package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RegistryExtension.class)
class ImagePullerTest {

    @TempDir
    Path data;

    ImagePuller puller() throws Exception {
        RegistrySettings settings = RegistrySettings.defaults(data.resolve("absent.json"), Set.of());
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        return new ImagePuller(new ImageResolver(http, fetcher), fetcher, new BlobStore(data), new ImageRecordStore(data), 2,
                java.time.Duration.ofMinutes(1));
    }

    @Test
    void pullsLayersIntoTheStoreAndRecordsTheImage(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher().push("puller/app", "1", RegistryPullTest.image(false, "p"));
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/puller/app:1");
        ImagePuller puller = puller();
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<ImagePuller.PulledImage>> pulls = List.of(
                    callers.submit(() -> puller.pull(ref, Optional.empty())),
                    callers.submit(() -> puller.pull(ref, Optional.empty())),
                    callers.submit(() -> puller.pull(ref, Optional.empty())));
            for (Future<ImagePuller.PulledImage> pull : pulls) {
                ImagePuller.PulledImage pulled = pull.get();
                assertEquals(pushed.layerDigests(), pulled.layerBlobs().stream()
                        .map(p -> Digest.ofBytes(readAll(p)).toString()).toList());
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(3, new BlobStore(data).listAll().size());
        assertEquals(List.of(ref), new ImageRecordStore(data).listAll().stream().map(r -> r.reference()).toList());
        assertEquals(Digest.parse(pushed.manifestDigest()), new ImageRecordStore(data).find(ref).orElseThrow().manifestDigest());
    }

    @Test
    void missingImageFailsWithoutRecord(TestRegistry registry) throws Exception {
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/puller/missing:1");
        assertEquals(RegistryException.Kind.NOT_FOUND,
                assertThrows(RegistryException.class, () -> puller().pull(ref, Optional.empty())).kind());
        assertEquals(List.of(), new ImageRecordStore(data).listAll());
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

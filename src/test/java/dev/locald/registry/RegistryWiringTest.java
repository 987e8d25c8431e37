package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.pull.ImagePuller;
import dev.locald.store.BlobStore;
import dev.locald.store.LayerStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CDI producers build the registry and store classes from the configuration. */
@QuarkusTest
class RegistryWiringTest {

    @Inject
    ImagePuller puller;

    @Inject
    RegistrySettings settings;

    @Inject
    BlobStore blobs;

    @Inject
    LayerStore layers;

    @Test
    void producersWireFromConfig() {
        assertEquals("linux/amd64", settings.platform().toString());
        assertEquals(3, settings.retries());
        assertEquals(4L << 20, settings.maxManifestBytes());
        assertTrue(blobs.pathOf(dev.locald.image.Digest.ofBytes(new byte[0]))
                        .startsWith(Path.of("target/locald-test/blobs/sha256").toAbsolutePath())
                || blobs.pathOf(dev.locald.image.Digest.ofBytes(new byte[0]))
                        .startsWith(Path.of("target/locald-test/blobs/sha256")));
        assertTrue(layers.dirOf(dev.locald.image.Digest.ofBytes(new byte[0]))
                .toString()
                .contains("locald-test/layers/sha256"));
        assertTrue(puller != null);
    }
}

package dev.locald.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.LayerDescriptor;
import dev.locald.pull.ImageLeases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCollectorTest {

    private static final Instant NOW = Instant.now();
    private static final Duration RETENTION = Duration.ofDays(3);
    private static final Duration MIN_IDLE = Duration.ofHours(1);

    @TempDir
    Path data;

    @Test
    void layersOfARecentlyUsedBuilderStayAndOrphansGo() throws Exception {
        StoreFixture f = new StoreFixture(data);
        Instant longAgo = NOW.minus(Duration.ofDays(10));
        LayerDescriptor shared = f.layer("shared-base", 1000, longAgo);
        LayerDescriptor builderOnly = f.layer("builder-only", 1000, longAgo);
        LayerDescriptor oldOnly = f.layer("old-only", 1000, longAgo);
        LayerDescriptor orphan = f.layer("orphan", 1000, longAgo);
        LayerDescriptor freshOrphan = f.layer("fresh-orphan", 1000, NOW.minus(Duration.ofMinutes(5)));
        f.image("localhost:5000/builders/recent:1", NOW.minus(Duration.ofDays(1)), shared, builderOnly);
        f.image("localhost:5000/builders/old:1", longAgo, shared, oldOnly);

        StoreCollector.Report report = collector(f, Long.MAX_VALUE).collect(NOW);

        assertTrue(f.hasLayer(shared), "a layer the recent builder shares with an old image stays");
        assertTrue(
                f.hasLayer(builderOnly), "a layer of a recently used builder stays, though itself unused for 10 days");
        assertTrue(f.lacksLayer(oldOnly), "a layer only an image past the retention references goes");
        assertTrue(f.lacksLayer(orphan), "an orphan goes");
        assertTrue(f.hasLayer(freshOrphan), "an orphan used within min-idle (a pull in progress) stays");
        assertEquals(List.of("localhost:5000/builders/recent:1"), f.imageReferences());
        assertEquals(List.of("localhost:5000/builders/old:1"), report.images());
        assertEquals(Set.of(oldOnly.diffId(), orphan.diffId()), Set.copyOf(report.layers()));
        assertEquals(Set.of(oldOnly.digest(), orphan.digest()), Set.copyOf(report.blobs()));
        assertEquals(2 * 1000 + oldOnly.size() + orphan.size(), report.bytesFreed());

        StoreCollector.Report again = collector(f, Long.MAX_VALUE).collect(NOW);
        assertTrue(
                again.layers().isEmpty()
                        && again.blobs().isEmpty()
                        && again.images().isEmpty(),
                "a second run finds nothing more: " + again);
    }

    @Test
    void overTheBudgetTheLeastRecentlyUsedImageGoesButNotOneInUse() throws Exception {
        StoreFixture f = new StoreFixture(data);
        Instant twoDaysAgo = NOW.minus(Duration.ofDays(2));
        LayerDescriptor base = f.layer("base", 4000, twoDaysAgo);
        LayerDescriptor olderTop = f.layer("older-top", 4000, twoDaysAgo);
        LayerDescriptor newerTop = f.layer("newer-top", 4000, NOW.minus(Duration.ofDays(1)));
        LayerDescriptor busyTop = f.layer("busy-top", 4000, NOW.minus(Duration.ofMinutes(1)));
        f.image("localhost:5000/builders/older:1", twoDaysAgo, base, olderTop);
        f.image("localhost:5000/builders/newer:1", NOW.minus(Duration.ofDays(1)), base, newerTop);
        f.image("localhost:5000/builders/busy:1", NOW.minus(Duration.ofMinutes(1)), busyTop);

        // the four layers hold 16000 bytes plus their small blobs: evicting one image is enough for 13000
        StoreCollector.Report report = collector(f, 13000).collect(NOW);
        assertEquals(List.of("localhost:5000/builders/older:1"), report.images());
        assertTrue(f.lacksLayer(olderTop));
        assertTrue(f.hasLayer(base), "still used by the newer image");
        assertTrue(f.hasLayer(newerTop));
        assertTrue(f.hasLayer(busyTop));
        assertTrue(report.bytesKept() <= 13000, String.valueOf(report.bytesKept()));

        // a budget nothing can meet: images go oldest first, but never one used within min-idle
        StoreCollector.Report tight = collector(f, 0).collect(NOW);
        assertEquals(List.of("localhost:5000/builders/newer:1"), tight.images());
        assertTrue(f.lacksLayer(base) && f.lacksLayer(newerTop));
        assertTrue(f.hasLayer(busyTop), "an image in use is never evicted");
        assertEquals(List.of("localhost:5000/builders/busy:1"), f.imageReferences());
    }

    @Test
    void whatARunningBuildLeasesStaysHoweverOldOrOverBudget() throws Exception {
        StoreFixture f = new StoreFixture(data);
        Instant longAgo = NOW.minus(Duration.ofDays(10));
        LayerDescriptor leasedOld = f.layer("leased-old", 1000, longAgo);
        LayerDescriptor leasedOrphan = f.layer("leased-orphan", 1000, longAgo);
        LayerDescriptor unleased = f.layer("unleased", 1000, longAgo);
        var old = f.image("localhost:5000/builders/old-but-running:1", longAgo, leasedOld);
        ImageLeases leases = new ImageLeases();
        // a build stands on the old image, and on a layer whose record another pull already replaced
        try (ImageLeases.Lease image = leases.acquire(old.manifestDigest(), List.of(leasedOld.diffId()));
                ImageLeases.Lease layer =
                        leases.acquire(Digest.ofBytes("other".getBytes()), List.of(leasedOrphan.diffId()))) {
            StoreCollector.Report report = new StoreCollector(
                            f.blobs, f.layers, f.images, leases, new StoreCollector.Settings(RETENTION, 0, MIN_IDLE))
                    .collect(NOW);
            assertTrue(f.hasLayer(leasedOld));
            assertTrue(Files.isDirectory(f.layers.dirOf(leasedOrphan.diffId())), "a leased layer is never deleted");
            assertTrue(f.lacksLayer(unleased));
            assertEquals(List.of("localhost:5000/builders/old-but-running:1"), f.imageReferences());
            assertEquals(List.of(), report.images());
        }
        StoreCollector.Report released = collector(f, Long.MAX_VALUE).collect(NOW);
        assertEquals(List.of("localhost:5000/builders/old-but-running:1"), released.images());
        assertTrue(f.lacksLayer(leasedOld));
        assertTrue(!Files.exists(f.layers.dirOf(leasedOrphan.diffId())), "once released, it goes like any orphan");
    }

    private static StoreCollector collector(StoreFixture f, long budget) {
        return new StoreCollector(
                f.blobs,
                f.layers,
                f.images,
                new ImageLeases(),
                new StoreCollector.Settings(RETENTION, budget, MIN_IDLE));
    }
}

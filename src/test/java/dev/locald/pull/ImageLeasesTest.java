package dev.locald.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ImageLeasesTest {

    private static final Digest IMAGE_A = Digest.ofBytes("a".getBytes());
    private static final Digest IMAGE_B = Digest.ofBytes("b".getBytes());
    private static final Digest SHARED = Digest.ofBytes("shared".getBytes());
    private static final Digest ONLY_B = Digest.ofBytes("only-b".getBytes());

    @Test
    void leasesCountPerImageAndLayerUntilEachIsClosed() {
        ImageLeases leases = new ImageLeases();
        ImageLeases.Lease first = leases.acquire(IMAGE_A, List.of(SHARED));
        ImageLeases.Lease second = leases.acquire(IMAGE_A, List.of(SHARED));
        ImageLeases.Lease other = leases.acquire(IMAGE_B, List.of(SHARED, ONLY_B));
        assertTrue(leases.inUse(IMAGE_A));
        assertEquals(Set.of(SHARED, ONLY_B), leases.layersInUse());

        first.close();
        first.close(); // idempotent: must not release the second build's hold
        assertTrue(leases.inUse(IMAGE_A), "a second build still uses the image");
        second.close();
        assertFalse(leases.inUse(IMAGE_A));
        assertEquals(Set.of(SHARED, ONLY_B), leases.layersInUse(), "image B still holds its layers");
        other.close();
        assertFalse(leases.inUse(IMAGE_B));
        assertEquals(Set.of(), leases.layersInUse());
    }

    @Test
    void noLeaseStartsWhileAnExclusiveActionRuns() throws Exception {
        ImageLeases leases = new ImageLeases();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> deletion = threads.submit(() -> leases.exclusively(() -> {
                inside.countDown();
                release.await();
                return leases.inUse(IMAGE_A);
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Future<ImageLeases.Lease> acquiring = threads.submit(() -> leases.acquire(IMAGE_A, List.of(SHARED)));
            try {
                acquiring.get(200, TimeUnit.MILLISECONDS);
                throw new AssertionError("a lease started during an exclusive action");
            } catch (TimeoutException expected) {
                // blocked, as it must be
            }
            release.countDown();
            assertFalse(deletion.get(10, TimeUnit.SECONDS), "the deletion saw no lease");
            acquiring.get(10, TimeUnit.SECONDS).close();
        } finally {
            threads.shutdownNow();
        }
    }
}

package dev.locald.pull;

import dev.locald.image.Digest;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which cached images running builds use right now, so that {@code DELETE /images/{digest}} removes
 * nothing a build stands on. A build acquires a {@link Lease} for each image it assembles a rootfs from
 * and closes it when the rootfs is gone. Counts, not flags: two builds may lease one image.
 *
 * <p>A lease protects what is in the store when it is acquired; a deletion that ran just before it may
 * have removed layers a previous pull returned. Acquire first, then check the layer dirs (or use
 * {@link ImageCatalog#pullLeased}, which does both).
 */
@Singleton
public final class ImageLeases {

    /** Held while a build uses an image; {@link #close()} releases it (idempotent). */
    public final class Lease implements AutoCloseable {
        private final Digest manifestDigest;
        private final List<Digest> diffIds;
        private boolean closed;

        private Lease(Digest manifestDigest, List<Digest> diffIds) {
            this.manifestDigest = manifestDigest;
            this.diffIds = diffIds;
        }

        public Digest manifestDigest() {
            return manifestDigest;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                decrement(images, manifestDigest);
                diffIds.forEach(d -> decrement(layers, d));
            } finally {
                lock.unlock();
            }
        }
    }

    /** An action that must not overlap with a lease being taken (a deletion). */
    @FunctionalInterface
    public interface Exclusive<T, E extends Exception> {
        T run() throws E;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Digest, Integer> images = new HashMap<>();
    private final Map<Digest, Integer> layers = new HashMap<>();

    /**
     * Marks the image and its layers (by diffId) in use until the lease is closed. Waits while a
     * deletion is running, so a lease never starts in the middle of one.
     */
    public Lease acquire(Digest manifestDigest, List<Digest> diffIds) {
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        List<Digest> layerIds = List.copyOf(diffIds);
        lock.lock();
        try {
            images.merge(manifestDigest, 1, Integer::sum);
            layerIds.forEach(d -> layers.merge(d, 1, Integer::sum));
            return new Lease(manifestDigest, layerIds);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a running build holds a lease on the image with this manifest digest. */
    public boolean inUse(Digest manifestDigest) {
        lock.lock();
        try {
            return images.containsKey(manifestDigest);
        } finally {
            lock.unlock();
        }
    }

    /** The diffIds of every layer some lease holds. */
    public Set<Digest> layersInUse() {
        lock.lock();
        try {
            return Set.copyOf(layers.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action} while no lease can be acquired or released, so its view of the leases stays true
     * (used by deletions here and by the janitor's store collection).
     */
    public <T, E extends Exception> T exclusively(Exclusive<T, E> action) throws E {
        lock.lock();
        try {
            return action.run();
        } finally {
            lock.unlock();
        }
    }

    private static void decrement(Map<Digest, Integer> counts, Digest key) {
        counts.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }
}
